//! Database connections for both backends.
//!
//! SQLite allows one writer at a time. Rather than let concurrent writers
//! race for the lock (and fail with "database is locked"), every write goes
//! through a pool of exactly one connection, so writes queue in the server
//! and readers keep their own pool, which WAL lets run beside the writer.
//! PostgreSQL has a pool for each too. Reads keep their connections between
//! statements ([`kept`]), which sqlx's pool would ping each time it took one
//! back.

pub mod holds;
mod kept;
mod pool;
mod pooled_transaction;
pub mod replicas;
mod simple_query;
pub mod tenant_guard;
mod wanted;

pub use kept::{Connections, Resend, acquire_error};
pub use pool::{Held, Pool, Transaction};
pub use tenant_guard::EVERY_TENANT;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr, Statement};

/// Counts SQL statements executed, so tests can prove the number of queries
/// does not grow with the number of rows, and on request keeps them, so
/// tests can read the query plans of the statements the server really runs.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter {
    count: Arc<AtomicU64>,
    recording: Arc<AtomicBool>,
    recorded: Arc<Mutex<Vec<Statement>>>,
}

impl StatementCounter {
    pub fn get(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// Keeps every statement run from now until [`Self::take_recorded`].
    pub fn record(&self) {
        self.recording.store(true, Ordering::Relaxed);
    }

    /// The statements kept since [`Self::record`]; stops keeping them.
    pub fn take_recorded(&self) -> Vec<Statement> {
        self.recording.store(false, Ordering::Relaxed);
        std::mem::take(&mut *self.recorded.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn observe(&self, statement: &Statement) {
        self.count.fetch_add(1, Ordering::Relaxed);
        if self.recording.load(Ordering::Relaxed) {
            self.recorded
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(statement.clone());
        }
    }
}

/// How the pools treat their connections. Both caches fill as the server
/// runs and then stay at their size, one per connection (on SQLite 1
/// writer and 4 readers, on PostgreSQL up to 16).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    /// SQLite's page cache, KiB per connection.
    pub sqlite_cache_kib: u32,
    /// Prepared statements kept per connection, least recently used
    /// dropped first.
    pub statement_cache: usize,
    /// How long a statement waits for a connection before it fails
    /// (SERVICE_UNAVAILABLE); `None`: 30 s on SQLite, 10 s on PostgreSQL.
    pub acquire_timeout: Option<Duration>,
    /// What sits between the server and PostgreSQL.
    pub pooler: Pooler,
}

/// A pooler between the server and PostgreSQL (`--pooler`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Pooler {
    /// PostgreSQL itself, or a pooler in session mode.
    #[default]
    None,
    /// A pooler that hands a server connection to a client for one
    /// transaction at a time (PgBouncer's `pool_mode = transaction`).
    Transaction,
}

/// A quarter of SQLite's own default (2000): at 2000 the five caches kept
/// filling for a quarter of an hour of load as the database grew, the
/// server's memory with them (issue 13's soak), and neither the load test
/// nor writes ran slower at 512, the OS keeping the file's pages anyway.
pub const DEFAULT_SQLITE_CACHE_KIB: u32 = 512;
pub const DEFAULT_STATEMENT_CACHE: usize = 100;

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            sqlite_cache_kib: DEFAULT_SQLITE_CACHE_KIB,
            statement_cache: DEFAULT_STATEMENT_CACHE,
            acquire_timeout: None,
            pooler: Pooler::None,
        }
    }
}

#[derive(Clone)]
pub struct Db {
    /// For queries; several connections, kept between statements.
    pub reader: Connections,
    /// For mutations' transactions; on SQLite a single connection, so
    /// writes never contend.
    pub writer: Pool,
    /// The writer pool's connections for statements outside transactions
    /// (group commit's): on PostgreSQL up to half the pool kept between
    /// statements, the rest left to transactions; SQLite's one writer
    /// connection goes back to its pool after each, for transactions take
    /// it too.
    pub writes: Connections,
    pub statements: StatementCounter,
    /// Held by a work-queue write on SQLite from reading the clock until
    /// its statement is done (see `service::queue::Clock`).
    pub queue_turn: Arc<tokio::sync::Mutex<()>>,
    /// PostgreSQL's read replicas, when `--replica-url` names any.
    pub replicas: Option<Arc<replicas::Replicas>>,
}

impl Db {
    pub async fn connect(url: &str, settings: PoolSettings) -> Result<Self, DbErr> {
        let statements = StatementCounter::default();
        if url.starts_with("sqlite:") {
            // An in-memory database exists once per connection, so it gets one
            // connection for everything.
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let writer = Pool::new(
                connect_counted(sqlite_options(url, 1, settings), &statements).await?,
                "writer",
            );
            // The one writer connection goes back to its pool after each
            // statement, for transactions take it too.
            let writes =
                Connections::new(writer.clone(), 1, false, Resend::Never, statements.clone());
            let reader = if in_memory {
                writes.clone()
            } else {
                let readers = 4;
                let pool = Pool::new(
                    connect_counted(sqlite_options(url, readers, settings), &statements).await?,
                    "reader",
                );
                Connections::new(
                    pool,
                    readers as usize,
                    true,
                    Resend::Lost,
                    statements.clone(),
                )
            };
            Ok(Self {
                reader,
                writes,
                writer,
                statements,
                queue_turn: Arc::default(),
                replicas: None,
            })
        } else {
            let pooled = settings.pooler == Pooler::Transaction;
            let reader = Pool::new(
                connect_counted(postgres_options(url, settings), &statements).await?,
                "reader",
            )
            .behind_pooler(pooled, &statements);
            let writer = Pool::new(
                connect_counted(postgres_options(url, settings), &statements).await?,
                "writer",
            )
            .behind_pooler(pooled, &statements);
            let keep_writes = POSTGRES_CONNECTIONS as usize / 2;
            let pooled_statements = pooled_statements(url, settings.pooler);
            Ok(Self {
                reader: Connections::new(
                    reader,
                    POSTGRES_CONNECTIONS as usize,
                    true,
                    Resend::Lost,
                    statements.clone(),
                )
                .pooled(pooled_statements),
                writes: Connections::new(
                    writer.clone(),
                    keep_writes,
                    true,
                    Resend::Never,
                    statements.clone(),
                )
                .pooled(pooled_statements),
                writer,
                statements,
                queue_turn: Arc::default(),
                replicas: None,
            })
        }
    }

    /// Adds the read replicas at `urls` (PostgreSQL only).
    pub async fn with_replicas(
        mut self,
        urls: &[String],
        max_lag: Duration,
        settings: PoolSettings,
    ) -> Result<Self, DbErr> {
        if !urls.is_empty() {
            self.replicas = Some(
                replicas::Replicas::connect(
                    urls,
                    max_lag,
                    self.reader.clone(),
                    settings,
                    &self.statements,
                )
                .await?,
            );
        }
        Ok(self)
    }

    pub fn backend(&self) -> DbBackend {
        self.writer.get_database_backend()
    }

    /// Closes the pools, which first waits for every connection to come
    /// back, the kept ones included.
    pub async fn close(self) {
        self.close_ref().await;
    }

    /// As [`Self::close`], for a caller that may give up on it.
    pub async fn close_ref(&self) {
        if let Some(replicas) = &self.replicas {
            replicas.close().await;
        }
        self.reader.close().await;
        self.writes.close().await;
    }
}

/// Connections per PostgreSQL pool, reader's and writer's: as many as
/// operations may run at once (`--max-concurrent-operations`' default).
const POSTGRES_CONNECTIONS: u32 = 16;

fn postgres_options(url: &str, settings: PoolSettings) -> ConnectOptions {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(POSTGRES_CONNECTIONS)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(settings.acquire_timeout.unwrap_or(Duration::from_secs(10)))
        // sqlx pings a pooled connection on every checkout by default:
        // a network round trip per statement. Only a connection idle
        // long enough to have been dropped (server restart, proxy,
        // firewall) is worth testing.
        .test_before_acquire_if_idle_for(kept::RETEST_AFTER)
        .sqlx_logging(false);
    let tune_planner = !url.contains("random_page_cost");
    let pooled = settings.pooler == Pooler::Transaction;
    options.map_sqlx_postgres_opts(move |pg| {
        // Behind a transaction-mode pooler a named statement prepared in
        // one transaction is gone (or another client's) in the next:
        // without a cache sqlx prepares each statement unnamed, again
        // each time it runs.
        let cache = if pooled { 0 } else { settings.statement_cache };
        let pg = pg.statement_cache_capacity(cache);
        // Every page is meant to be an ordered walk of a (parent, key,
        // id) index. Under a LATERAL join PostgreSQL estimates each
        // parent's children from the average, and with the default cost
        // of a random read (4, for spinning disks) it then prefers a
        // bitmap scan and a sort for "a few" children, which for a
        // parent with 50,000 of them reads all 50,000 per page. At the
        // cost usual for SSDs, 1.1, the ordered walk wins whatever the
        // estimate. A URL that sets the parameter itself keeps its own.
        // PgBouncer refuses the `options` startup parameter; behind it
        // each statement sets it for itself (`pooled_statements`).
        if tune_planner && !pooled {
            pg.options([("random_page_cost", "1.1")])
        } else {
            pg
        }
    });
    options
}

/// Opens the transaction a statement with bound values runs in behind a
/// transaction-mode pooler (`Pooled::begin`). Nothing of ours names a
/// statement there, but sqlx names its own type lookups, and other
/// clients of the pooler may leave theirs on the server connection, where
/// a name of ours (sqlx numbers from `sqlx_s_1` too) would meet them:
/// "prepared statement sqlx_s_1 already exists". Clearing them rides in
/// the round trip of the BEGIN.
pub const POOLED_BEGIN: &str = "BEGIN; DEALLOCATE ALL";

/// Behind a transaction-mode pooler, how a statement outside a
/// transaction runs (`None` directly).
///
/// Sent whole, with its values written into its text
/// (`simple_query`), it is one simple Query: one round trip, run in an
/// implicit transaction of its own on whichever server connection the
/// pooler picks, with nothing prepared. `prelude` rides in the same
/// message: the planner's setting, `SET LOCAL` lasting as long as that
/// transaction (a session setting would stay on a server connection other
/// clients share, and `ALTER ROLE … SET` would change every session of the
/// role, other applications' too).
///
/// A statement whose values have no literal form goes with bound values,
/// which sqlx sends unnamed in two round trips, Parse then Bind, each
/// ended by a Sync; in autocommit PgBouncer hands the server connection to
/// another client at the first Sync, and the Bind may then reach a server
/// where the unnamed statement is missing or is another client's (sqlx
/// issue #67). Inside a transaction, opened by `begin`, the pooler keeps
/// the server for the client until COMMIT. Mutations' own transactions
/// (`pooled_transaction`), which read and write rows by key, do without
/// the planner's setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pooled {
    pub begin: &'static str,
    pub prelude: &'static str,
}

fn pooled_statements(url: &str, pooler: Pooler) -> Option<Pooled> {
    match pooler {
        Pooler::None => None,
        Pooler::Transaction if url.contains("random_page_cost") => Some(Pooled {
            begin: POOLED_BEGIN,
            prelude: "",
        }),
        Pooler::Transaction => Some(Pooled {
            begin: "BEGIN; DEALLOCATE ALL; SET LOCAL random_page_cost = 1.1",
            prelude: "SET LOCAL random_page_cost = 1.1; ",
        }),
    }
}

fn sqlite_options(url: &str, connections: u32, settings: PoolSettings) -> ConnectOptions {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(connections)
        .min_connections(1)
        .acquire_timeout(settings.acquire_timeout.unwrap_or(Duration::from_secs(30)))
        // A file has no peer to lose; sqlx's default ping per checkout is
        // one more hand-off to the connection's thread for every statement.
        .test_before_acquire(false)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |opts| {
            opts.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Rows cross from the connection's thread through a bounded
                // channel; at the default 50 a page of nested children
                // (1,000 rows) makes that thread stop and be woken 20 times.
                .row_buffer_size(1024)
                .statement_cache_capacity(settings.statement_cache)
                // Negative: a size in KiB rather than in pages.
                .pragma("cache_size", format!("-{}", settings.sqlite_cache_kib))
                // A statement inside a transaction (a keyed create's two)
                // journals the pages it changes; past 64 KiB SQLite moves
                // that journal to a temporary file, created, written and
                // deleted for every statement, unless temporary storage is
                // memory.
                .pragma("temp_store", "memory")
        });
    options
}

async fn connect_counted(
    options: ConnectOptions,
    statements: &StatementCounter,
) -> Result<DatabaseConnection, DbErr> {
    let mut conn = Database::connect(options).await?;
    let counter = statements.clone();
    let postgres = conn.get_database_backend() == DbBackend::Postgres;
    conn.set_metric_callback(move |info| {
        counter.observe(info.statement);
        crate::telemetry::spans::statement(
            postgres,
            &info.statement.sql,
            info.elapsed,
            info.failed,
        );
    });
    Ok(conn)
}
