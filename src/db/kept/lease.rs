//! One statement's hold on a connection: taken from the stack (or the
//! pool), used, and kept again or handed back to sqlx by how the statement
//! ended.

use std::sync::atomic::Ordering;
use std::time::Instant;

use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::postgres::{PgDatabaseError, PgSeverity};
use sea_orm::sqlx::{self, Connection as _, Postgres, Sqlite};
use sea_orm::{ConnAcquireErr, DbBackend, DbErr, ExecResult};
use tokio::sync::SemaphorePermit;

use super::{Kept, RETEST_AFTER};
use crate::db::holds::Hold;
use crate::db::wanted::{Output, Wanted, run_bound};
use crate::db::{Pooled, simple_query};

pub(super) struct Idle {
    connection: Connection,
    since: Instant,
}

enum Connection {
    Postgres(PoolConnection<Postgres>),
    Sqlite(PoolConnection<Sqlite>),
}

/// A connection taken for one statement. Unless [`Lease::finish`] keeps it,
/// it goes back to sqlx, which pings it first.
pub(super) struct Lease<'a> {
    kept: &'a Kept,
    connection: Option<Connection>,
    /// Taken from the stack rather than from the pool just now.
    reused: bool,
    /// Released after the connection is back on the stack (or with sqlx).
    _turn: SemaphorePermit<'a>,
    /// Who holds the connection, for a pool that runs dry.
    _hold: Hold,
}

impl Kept {
    /// A turn, and the warmest connection kept or else one from the pool.
    pub(super) async fn lease(&self) -> Result<Lease<'_>, DbErr> {
        let waiting = self.pool.holds().wait();
        let turn = match tokio::time::timeout(self.acquire_timeout, self.turns.acquire()).await {
            Ok(Ok(turn)) => turn,
            Ok(Err(_closed)) => {
                return Err(DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed));
            }
            Err(_elapsed) => {
                return Err(self
                    .pool
                    .failed_to_acquire(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)));
            }
        };
        drop(waiting);
        let stale = {
            let mut idle = self.lock();
            match idle.pop() {
                Some(top) if top.since.elapsed() < RETEST_AFTER => {
                    return Ok(Lease {
                        kept: self,
                        connection: Some(top.connection),
                        reused: true,
                        _turn: turn,
                        _hold: self.pool.holds().hold(),
                    });
                }
                // Below the top they have waited longer still.
                Some(top) => {
                    let mut stale = std::mem::take(&mut *idle);
                    stale.push(top);
                    stale
                }
                None => Vec::new(),
            }
        };
        drop(stale);
        let (connection, hold) = match self.pool.get_database_backend() {
            DbBackend::Postgres => {
                let held = self.pool.acquire_postgres().await?;
                (Connection::Postgres(held.connection), held.hold)
            }
            _ => {
                let held = self.pool.acquire_sqlite().await?;
                (Connection::Sqlite(held.connection), held.hold)
            }
        };
        Ok(Lease {
            kept: self,
            connection: Some(connection),
            reused: false,
            _turn: turn,
            _hold: hold,
        })
    }
}

impl Lease<'_> {
    fn connection(&mut self) -> &mut Connection {
        self.connection
            .as_mut()
            .unwrap_or_else(|| unreachable!("a lease is used until it is finished"))
    }

    /// Whether a statement that failed with `err` here goes again on a new
    /// connection: a read whose connection, kept on the stack, turned out
    /// lost.
    pub(super) fn resends(&self, err: &sqlx::Error) -> bool {
        self.kept.resend_lost && self.reused && connection_lost(err)
    }

    /// Keeps the connection if its statement ended in a state the next one
    /// can start from: with its result, or with the database's own error
    /// about the statement.
    /// Any other failure (a connection lost, say, to a restart of the
    /// database) hands the idle ones back to sqlx as well, to be tested:
    /// they are likely lost too, and each would fail a statement of its own.
    pub(super) fn finish(mut self, failed: Option<&sqlx::Error>) {
        let at_rest = failed.is_none_or(ends_only_the_statement);
        if !at_rest {
            let idle = std::mem::take(&mut *self.kept.lock());
            drop(idle);
        }
        let Some(connection) = self.connection.take().filter(|_| at_rest && self.kept.keep) else {
            return;
        };
        // Under the lock that `close` drains the stack under, so nothing
        // lands on it after.
        let mut idle = self.kept.lock();
        if !self.kept.closing.load(Ordering::Relaxed) {
            idle.push(Idle {
                connection,
                since: Instant::now(),
            });
        }
    }

    pub(super) async fn ping(&mut self) -> Result<(), sqlx::Error> {
        match self.connection() {
            Connection::Postgres(connection) => connection.ping().await,
            Connection::Sqlite(connection) => connection.ping().await,
        }
    }

    pub(super) async fn execute(
        &mut self,
        sql: &str,
        values: &sea_orm::Values,
        wanted: Wanted,
        pooled: Option<Pooled>,
    ) -> Result<Output, sqlx::Error> {
        // Unnamed behind a pooler: sqlx names a statement it does not
        // cache all the same, and leaves it on the server.
        macro_rules! on {
            ($connection:expr) => {
                run_bound!(
                    &mut **$connection,
                    sql,
                    values.clone(),
                    wanted,
                    pooled.is_none()
                )
            };
        }
        let (connection, pooled) = match (self.connection(), pooled) {
            (Connection::Postgres(connection), Some(pooled)) => (connection, pooled),
            (Connection::Postgres(connection), None) => return on!(connection),
            (Connection::Sqlite(connection), _) => return on!(connection),
        };
        if let Some(output) =
            simple_query::run(connection, pooled.prelude, sql, &values.0, wanted).await
        {
            return output;
        }
        // Parse and Bind reach the same server only inside a transaction
        // (see `db::Pooled`). A statement cut off part way drops the
        // transaction, which queues its ROLLBACK, and the connection goes
        // back to sqlx, which sends it before the connection's next use.
        let mut txn = sqlx::Connection::begin_with(&mut **connection, pooled.begin).await?;
        let inside = &mut txn;
        match on!(inside) {
            Ok(output) => {
                txn.commit().await?;
                Ok(output)
            }
            Err(err) => {
                txn.rollback().await?;
                Err(err)
            }
        }
    }

    pub(super) async fn execute_unprepared(
        &mut self,
        sql: &str,
    ) -> Result<ExecResult, sqlx::Error> {
        let raw = sqlx::raw_sql(sqlx::AssertSqlSafe(sql));
        match self.connection() {
            Connection::Postgres(connection) => {
                raw.execute(&mut **connection).await.map(Into::into)
            }
            Connection::Sqlite(connection) => raw.execute(&mut **connection).await.map(Into::into),
        }
    }
}

/// Whether the connection outlives `err`: an error the database answered
/// a statement with, short of PostgreSQL's FATAL ones, which end the session
/// (an administrator's or a shutdown's "terminating connection").
fn ends_only_the_statement(err: &sqlx::Error) -> bool {
    let sqlx::Error::Database(err) = err else {
        return false;
    };
    err.try_downcast_ref::<PgDatabaseError>()
        .is_none_or(|err| !matches!(err.severity(), PgSeverity::Fatal | PgSeverity::Panic))
}

/// Whether `err` says the connection itself is gone (its socket closed,
/// the session ended by the server), not that the statement failed.
fn connection_lost(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(_) => !ends_only_the_statement(err),
        _ => false,
    }
}
