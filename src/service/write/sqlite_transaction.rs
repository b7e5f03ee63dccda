//! A whole SQLite transaction sent as one command on a connection held for
//! it: one hand-off to SQLite's connection thread, where a sea-orm
//! transaction costs three (BEGIN, the statements, COMMIT) and each wakes
//! that thread and then the task waiting on it.
//!
//! sqlx runs a command's statements in order and stops at the first that
//! fails, or as soon as nobody waits for the result (this future dropped),
//! so a command cut short can leave its transaction open. Such a connection
//! must not go back to the pool, where the next writer would find itself
//! inside that transaction: it is rolled back first, by the failed call or,
//! when the call was dropped, by a task of its own that holds the
//! connection until then.

use std::sync::Arc;

use sea_orm::sqlx::{self, Sqlite, pool::PoolConnection};
use sea_orm::{DbErr, QueryResult, RuntimeErr, Statement};

use crate::db::Pool;
use crate::db::holds::Hold;
use sea_query_sqlx::SqlxValues;

/// Runs `statements` in one transaction, as one command; the rows they
/// return, in order. An error means nothing was written.
pub(crate) async fn query_all(
    db: &Pool,
    statements: impl IntoIterator<Item = Statement>,
) -> Result<Vec<QueryResult>, DbErr> {
    let mut sql = String::from("BEGIN;");
    let mut values = Vec::new();
    for statement in statements {
        crate::db::tenant_guard::check(&statement.sql)?;
        sql.push(' ');
        sql.push_str(&statement.sql);
        sql.push(';');
        values.extend(statement.values.into_iter().flat_map(|v| v.0));
    }
    sql.push_str(" COMMIT");
    let acquired = db.acquire_sqlite().await?;
    let mut held = Held(Some((acquired.connection, acquired.hold)));
    // Past both of the pools' places that trace statements: traced here.
    let traced = crate::telemetry::on().then(|| (std::time::Instant::now(), sql.clone()));
    let result = sqlx::query_with(
        sqlx::AssertSqlSafe(sql),
        SqlxValues(sea_orm::sea_query::Values(values)),
    )
    .fetch_all(&mut **held.connection())
    .await;
    if let Some((started, sql)) = traced {
        crate::telemetry::spans::statement(false, &sql, started.elapsed(), result.is_err());
    }
    match result {
        Ok(rows) => {
            held.release();
            Ok(rows.into_iter().map(QueryResult::from).collect())
        }
        Err(err) => {
            roll_back(held.connection()).await;
            held.release();
            Err(DbErr::Query(RuntimeErr::SqlxError(Arc::new(err))))
        }
    }
}

/// Ends whatever transaction a command cut short left open. ROLLBACK fails
/// when none is (the command ended it, or failed at BEGIN): then there is
/// nothing to undo. A connection that is broken instead fails the ping sqlx
/// gives every connection it takes back, and the pool closes it.
async fn roll_back(connection: &mut PoolConnection<Sqlite>) {
    let _ = sqlx::raw_sql("ROLLBACK").execute(&mut **connection).await;
}

/// The writer connection a command runs on; dropped before [`Held::release`]
/// (the call abandoned mid-command), it is rolled back before the pool gets
/// it again.
/// The hold goes with the connection: recorded until it is rolled back.
struct Held(Option<(PoolConnection<Sqlite>, Hold)>);

impl Held {
    fn connection(&mut self) -> &mut PoolConnection<Sqlite> {
        &mut self
            .0
            .as_mut()
            .unwrap_or_else(|| unreachable!("used after release"))
            .0
    }

    fn release(&mut self) {
        self.0.take();
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let Some((mut connection, hold)) = self.0.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(crate::db::holds::doing(
                    "rollback of a cut-off create",
                    async move {
                        roll_back(&mut connection).await;
                        drop(hold);
                    },
                ));
            }
            // No runtime to roll back on: close it, which rolls back too.
            Err(_) => connection.close_on_drop(),
        }
    }
}
