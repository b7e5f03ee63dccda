//! A transaction behind a transaction-mode pooler (`--pooler transaction`).
//!
//! sea-orm's own transaction sends each statement through sqlx's extended
//! protocol, named: two round trips (Parse, then Bind and Execute), and the
//! name left on the server connection, which the pooler hands to another
//! client next, so each transaction had to begin with a `DEALLOCATE ALL`
//! round trip of its own. Here each statement is one simple Query with its
//! values written in (`super::simple_query`): one round trip, nothing
//! named. A statement whose values have no literal form goes with bound
//! values, unnamed, which inside a transaction reaches one server
//! connection.
//!
//! Its statements are counted and traced as sea-orm's are through the
//! pool's callback (`super::connect_counted`).

use std::time::Instant;

use sea_orm::sqlx::{self, Postgres};
use sea_orm::{DbErr, Statement};
use tokio::sync::Mutex;

use super::StatementCounter;
use super::wanted::{Output, Wanted, query_failed, run_bound};

pub(super) struct PooledTransaction {
    /// sqlx's: dropped unfinished, it rolls back before the connection's
    /// next use.
    txn: Mutex<sqlx::Transaction<'static, Postgres>>,
    statements: StatementCounter,
}

impl PooledTransaction {
    pub(super) fn new(
        txn: sqlx::Transaction<'static, Postgres>,
        statements: StatementCounter,
    ) -> Self {
        Self {
            txn: Mutex::new(txn),
            statements,
        }
    }

    pub(super) async fn run(&self, statement: Statement, wanted: Wanted) -> Result<Output, DbErr> {
        self.statements.observe(&statement);
        // Timed only when traced, as the kept connections' statements are.
        let started = crate::telemetry::on().then(Instant::now);
        let values = statement.values.unwrap_or(sea_orm::Values(Vec::new()));
        let mut txn = self.txn.lock().await;
        let connection = &mut **txn;
        let output =
            match super::simple_query::run(connection, "", &statement.sql, &values.0, wanted).await
            {
                Some(output) => output,
                // Unnamed: inside a transaction its Parse and Bind reach the
                // same server connection.
                None => run_bound!(connection, statement.sql.as_str(), values, wanted, false),
            };
        drop(txn);
        if let Some(started) = started {
            let failed = output.is_err();
            crate::telemetry::spans::statement(true, &statement.sql, started.elapsed(), failed);
        }
        output.map_err(|err| wanted.failed(err))
    }

    pub(super) async fn commit(self) -> Result<(), DbErr> {
        self.txn.into_inner().commit().await.map_err(query_failed)
    }

    pub(super) async fn rollback(self) -> Result<(), DbErr> {
        self.txn.into_inner().rollback().await.map_err(query_failed)
    }
}
