//! Connections kept between statements, without sqlx's release ping.
//!
//! sqlx 0.9 pings every connection its pool takes back (`return_to_pool` in
//! sqlx-core's `pool/connection.rs`, unconditionally): on PostgreSQL one more
//! round trip per statement, whose loopback send and the backend process it
//! wakes cost about what the statement's own do; on SQLite one more hand-off
//! to the connection's thread. For a point read that was a sixth of the
//! server's CPU and as much again of PostgreSQL's (issue 13). Here a
//! statement takes a connection from a stack of its own and, once the
//! statement has finished, puts it back there; the next statement uses it
//! as it is, as a pool does whose checkouts skip `test_before_acquire`.
//!
//! What the ping guards against still goes through sqlx. A statement cut
//! off part way (its future dropped: a timeout, a client gone), or one that
//! failed other than by the database's answer about it (the driver, the
//! network, PostgreSQL ending the session), drops its connection back to
//! the sqlx pool, which pings it, closes it if it is broken, and hands it
//! (or a new one) to a later checkout; a failure of the second kind hands
//! back the idle ones too, which the same cause (a restarted database)
//! has likely broken as well. A connection left on the stack longer than
//! [`RETEST_AFTER`] goes back the same way before anything uses it again,
//! as the pool's `test_before_acquire_if_idle_for` does for its own idle
//! connections.
//!
//! A read whose kept connection turns out lost is sent again, once, on one
//! from the pool ([`Resend::Lost`]): without it, the first reads after a
//! PostgreSQL restart failed, one per connection kept. A write is not: it
//! may have been written.
//!
//! Only statements in autocommit run here: a transaction takes its
//! connection from the pool itself, so a pool whose transactions need
//! connections too must keep fewer than it has.

mod fallback;
mod lease;

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sea_orm::sqlx;
use sea_orm::{
    ConnAcquireErr, ConnectionTrait, DbBackend, DbErr, ExecResult, QueryResult, RuntimeErr,
    Statement,
};
use tokio::sync::Semaphore;

use self::fallback::Fallback;
use self::lease::Idle;
use super::StatementCounter;
use super::pool::Pool;
use super::replicas::Health;
use super::wanted::{Output, Wanted};

/// A connection unused this long is tested by sqlx before its next
/// statement (PostgreSQL may have restarted, a proxy dropped it).
pub(crate) const RETEST_AFTER: Duration = Duration::from_secs(30);

/// Runs `$on` with `$lease`, a connection of its own from `$kept`; if the
/// connection was kept and turns out lost and the pool resends (reads),
/// once more on a new one. Returns from the enclosing function when no
/// connection comes. A macro, not a function taking an async closure: the
/// closure's borrows of the statement made the futures of the
/// `ConnectionTrait` methods fail to be `Send` for every lifetime.
macro_rules! on_lease {
    ($kept:expr, |$lease:ident| $on:expr) => {{
        let kept: &Kept = $kept;
        let mut $lease = kept.lease().await?;
        let mut outcome = $on;
        if let Err(err) = &outcome
            && $lease.resends(err)
        {
            // Lost while it waited on the stack (a restarted database):
            // the others go back with it, and the statement goes again on
            // a connection the pool has tested or just opened.
            $lease.finish(Some(err));
            $lease = kept.lease().await?;
            outcome = $on;
        }
        $lease.finish(outcome.as_ref().err());
        outcome
    }};
}

/// Statements on a pool's connections, each recording who holds its
/// connection ([`super::holds`]); with `keep`, kept between statements
/// ([`Kept`]).
#[derive(Clone)]
pub struct Connections(Arc<Kept>);

impl Connections {
    /// Statements on `pool`, at most `turns` at once; with `keep`, keeping
    /// their connections between them. With `Resend::Lost`, which only
    /// statements that read may have, a statement whose kept connection
    /// turns out lost is sent again on a new one. Without `keep` (SQLite's
    /// writer, whose one connection transactions take too, or an in-memory
    /// database's only one) each statement hands its connection back.
    pub fn new(
        pool: Pool,
        turns: usize,
        keep: bool,
        resend: Resend,
        statements: StatementCounter,
    ) -> Self {
        let acquire_timeout = match pool.get_database_backend() {
            DbBackend::Postgres => pool
                .get_postgres_connection_pool()
                .options()
                .get_acquire_timeout(),
            _ => pool
                .get_sqlite_connection_pool()
                .options()
                .get_acquire_timeout(),
        };
        Self(Arc::new(Kept {
            pool,
            turns: Semaphore::new(turns),
            acquire_timeout,
            idle: Mutex::default(),
            keep,
            closing: AtomicBool::new(false),
            resend_lost: resend == Resend::Lost,
            statements,
            pooled: None,
            fallback: None,
            shared: Mutex::default(),
        }))
    }

    /// The `T` of these connections, made on first use: state that lives
    /// as long as they do and that every statement over them shares (the
    /// point reads' queues, one per reader and kind).
    pub fn shared<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let mut shared = self.0.shared.lock().unwrap_or_else(PoisonError::into_inner);
        let any = shared
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()))
            .clone();
        drop(shared);
        // The entry of `TypeId::of::<T>()` is only ever a `T`.
        any.downcast::<T>()
            .unwrap_or_else(|_| Arc::new(T::default()))
    }

    /// The same pool and way of running statements, with `turns` of its
    /// own and its statements counted on `statements`.
    pub fn sibling(&self, turns: usize, statements: StatementCounter) -> Self {
        let kept = &self.0;
        let sibling = Self::new(
            kept.pool.clone(),
            turns,
            kept.keep,
            if kept.resend_lost {
                Resend::Lost
            } else {
                Resend::Never
            },
            statements,
        );
        sibling.pooled(kept.pooled)
    }

    /// A replica's reads: a statement that fails here goes to `primary`,
    /// and one whose failure is not the database's answer about it (the
    /// connection, the server gone) takes the replica out (`health`);
    /// while it is out, statements go to the primary at once.
    ///
    /// A statement the replica has not answered within `patience` goes to
    /// the primary too: a replica stalled (replaying a flood of WAL, its
    /// disk saturated) holds its statements, and the probe only takes it
    /// out for the statements that come after.
    pub fn falling_back(
        mut self,
        primary: Connections,
        health: Arc<Health>,
        patience: Duration,
    ) -> Self {
        if let Some(kept) = Arc::get_mut(&mut self.0) {
            kept.fallback = Some(Fallback {
                primary,
                health,
                patience,
            });
        }
        self
    }

    /// Runs each statement as a transaction-mode pooler needs
    /// (`db::Pooled`), or in autocommit when `None`.
    pub fn pooled(mut self, pooled: Option<super::Pooled>) -> Self {
        if let Some(kept) = Arc::get_mut(&mut self.0) {
            kept.pooled = pooled;
        }
        self
    }

    /// The sea-orm pool underneath.
    pub fn pool(&self) -> &Pool {
        &self.0.pool
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), DbErr> {
        on_lease!(&self.0, |lease| lease.ping().await)
            .map_err(|err| DbErr::Conn(RuntimeErr::SqlxError(Arc::new(err))))
    }

    /// The pool's connections, and how many of them no statement is using.
    pub fn sizes(&self) -> Option<(u32, u32)> {
        let pool = self.pool();
        let (size, idle) = match pool.get_database_backend() {
            DbBackend::Sqlite => {
                let pool = pool.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
            DbBackend::Postgres => {
                let pool = pool.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => return None,
        };
        let kept = self.0.lock().len();
        Some((size, u32::try_from(idle + kept).unwrap_or(u32::MAX)))
    }

    /// Hands the kept connections back and closes the pool, which waits
    /// for every connection to come back.
    pub async fn close(&self) {
        self.let_go();
        let _ = self.pool().close_by_ref().await;
    }

    /// Hands the kept connections back to the pool and keeps none from
    /// now on: for statements over a pool another `Connections` closes.
    pub fn let_go(&self) {
        self.0.closing.store(true, Ordering::Relaxed);
        drop(std::mem::take(&mut *self.0.lock()));
    }
}

/// What a statement that finds its kept connection lost does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    /// Fails: it may have been written (writes).
    Never,
    /// Goes again, once, on a new connection (reads).
    Lost,
}

/// A sqlx pool's connections, one per statement running, kept between
/// statements when `keep`.
pub(crate) struct Kept {
    pool: Pool,
    /// One per statement running, as many as connections may be kept. A
    /// statement waits here, not in the sqlx pool: connections come back
    /// to the stack, and a waiter in the pool would not see them.
    turns: Semaphore,
    /// How long a statement waits for its turn, the pool's own wait.
    acquire_timeout: Duration,
    /// Most recently used last, so the next statement takes the warmest.
    idle: Mutex<Vec<Idle>>,
    /// Whether connections stay on `idle` between statements.
    keep: bool,
    /// Set when the pool closes: statements still running then hand their
    /// connections back to it, which is waiting for them.
    closing: AtomicBool,
    /// Whether a statement that lost its kept connection is sent again.
    resend_lost: bool,
    statements: StatementCounter,
    /// Behind a transaction-mode pooler, how each statement runs.
    pooled: Option<super::Pooled>,
    /// A replica's: where its statements go when it fails.
    fallback: Option<Fallback>,
    /// State that statements over these connections share, by type
    /// ([`Connections::shared`]).
    shared: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl Kept {
    fn traced(&self, sql: &str, started: std::time::Instant, failed: bool) {
        let postgres = self.pool.get_database_backend() == sea_orm::DbBackend::Postgres;
        crate::telemetry::spans::statement(postgres, sql, started.elapsed(), failed);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Idle>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) async fn run_here(
        &self,
        statement: Statement,
        wanted: Wanted,
    ) -> Result<Output, DbErr> {
        self.statements.observe(&statement);
        // Timed only when traced (the wait for a connection included).
        let started = crate::telemetry::on().then(std::time::Instant::now);
        let values = statement.values.unwrap_or(sea_orm::Values(Vec::new()));
        let output = on_lease!(self, |lease| lease
            .execute(&statement.sql, &values, wanted, self.pooled)
            .await);
        if let Some(started) = started {
            self.traced(&statement.sql, started, output.is_err());
        }
        output.map_err(|err| wanted.failed(err))
    }

    pub(super) async fn run_unprepared_here(&self, sql: &str) -> Result<Output, DbErr> {
        self.statements.observe(&Statement::from_string(
            self.pool.get_database_backend(),
            sql,
        ));
        let started = crate::telemetry::on().then(std::time::Instant::now);
        let done = on_lease!(self, |lease| lease.execute_unprepared(sql).await);
        if let Some(started) = started {
            self.traced(sql, started, done.is_err());
        }
        done.map(Output::Done)
            .map_err(|err| Wanted::Done.failed(err))
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Connections {
    fn get_database_backend(&self) -> DbBackend {
        self.pool().get_database_backend()
    }

    async fn execute_raw(&self, statement: Statement) -> Result<ExecResult, DbErr> {
        super::tenant_guard::check(&statement.sql)?;
        self.0.run(statement, Wanted::Done).await?.done()
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        super::tenant_guard::check(sql)?;
        self.0.run_unprepared(sql).await?.done()
    }

    async fn query_one_raw(&self, statement: Statement) -> Result<Option<QueryResult>, DbErr> {
        super::tenant_guard::check(&statement.sql)?;
        self.0.run(statement, Wanted::Row).await?.row()
    }

    async fn query_all_raw(&self, statement: Statement) -> Result<Vec<QueryResult>, DbErr> {
        super::tenant_guard::check(&statement.sql)?;
        self.0.run(statement, Wanted::Rows).await?.rows()
    }
}

/// As sea-orm reports a connection it could not get.
pub fn acquire_error(err: sqlx::Error) -> DbErr {
    match err {
        sqlx::Error::PoolTimedOut => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
        sqlx::Error::PoolClosed => DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
        other => DbErr::Conn(RuntimeErr::SqlxError(Arc::new(other))),
    }
}
