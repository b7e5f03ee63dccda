//! A replica's statements, which go to the primary when the replica fails
//! or stalls (`Connections::falling_back`, decision record 012).

use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx;
use sea_orm::{DbErr, RuntimeErr, Statement};

use super::{Connections, Kept, Output, Wanted};
use crate::db::replicas::Health;

pub(super) struct Fallback {
    pub(super) primary: Connections,
    pub(super) health: Arc<Health>,
    pub(super) patience: Duration,
}

impl Kept {
    pub(super) async fn run(&self, statement: Statement, wanted: Wanted) -> Result<Output, DbErr> {
        let Some(fallback) = &self.fallback else {
            return self.run_here(statement, wanted).await;
        };
        if !fallback.health.is_up() {
            return fallback.primary.0.run_here(statement, wanted).await;
        }
        let here = self.run_here(statement.clone(), wanted);
        match tokio::time::timeout(fallback.patience, here).await {
            Ok(Ok(output)) => Ok(output),
            Ok(Err(err)) => {
                // A query a replica refused may still be answered by the
                // primary: a replica cancels one that conflicts with what
                // it replays, and one stopping refuses them all.
                if !is_the_database_s_answer(&err) {
                    fallback.health.failed(&err);
                }
                fallback.primary.0.run_here(statement, wanted).await
            }
            // Slow is not down: the probes judge the replica.
            Err(_) => fallback.primary.0.run_here(statement, wanted).await,
        }
    }

    pub(super) async fn run_unprepared(&self, sql: &str) -> Result<Output, DbErr> {
        let Some(fallback) = &self.fallback else {
            return self.run_unprepared_here(sql).await;
        };
        if fallback.health.is_up() {
            match self.run_unprepared_here(sql).await {
                Ok(output) => return Ok(output),
                Err(err) if !is_the_database_s_answer(&err) => fallback.health.failed(&err),
                Err(_) => {}
            }
        }
        fallback.primary.0.run_unprepared_here(sql).await
    }
}

/// Whether `err` is the database's own answer about a statement it ran (an
/// error with a SQLSTATE), not a failure to reach it.
fn is_the_database_s_answer(err: &DbErr) -> bool {
    match err {
        DbErr::Exec(RuntimeErr::SqlxError(err))
        | DbErr::Query(RuntimeErr::SqlxError(err))
        | DbErr::Conn(RuntimeErr::SqlxError(err)) => matches!(**err, sqlx::Error::Database(_)),
        _ => false,
    }
}
