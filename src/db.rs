//! Database connections for both backends.
//!
//! SQLite allows one writer at a time. Rather than let concurrent writers
//! race for the lock (and fail with "database is locked"), every write goes
//! through a pool of exactly one connection, so writes queue in the server
//! and readers keep their own pool, which WAL lets run beside the writer.
//! PostgreSQL uses one pool for both.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr};

/// Counts SQL statements executed, so tests can prove the number of queries
/// does not grow with the number of rows.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

#[derive(Debug, Clone)]
pub struct Db {
    /// For queries; several connections.
    pub reader: DatabaseConnection,
    /// For mutations; on SQLite a single connection, so writes never contend.
    pub writer: DatabaseConnection,
    pub statements: StatementCounter,
}

impl Db {
    pub async fn connect(url: &str) -> Result<Self, DbErr> {
        let statements = StatementCounter::default();
        if url.starts_with("sqlite:") {
            // An in-memory database exists once per connection, so it gets one
            // connection for everything.
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let writer = connect_counted(sqlite_options(url, 1), &statements).await?;
            let reader = if in_memory {
                writer.clone()
            } else {
                connect_counted(sqlite_options(url, 4), &statements).await?
            };
            Ok(Self {
                reader,
                writer,
                statements,
            })
        } else {
            let mut options = ConnectOptions::new(url);
            options
                .max_connections(16)
                .min_connections(1)
                .connect_timeout(Duration::from_secs(5))
                .acquire_timeout(Duration::from_secs(10))
                // sqlx pings a pooled connection on every checkout by default:
                // a network round trip per statement. Only a connection idle
                // long enough to have been dropped (server restart, proxy,
                // firewall) is worth testing.
                .test_before_acquire_if_idle_for(Duration::from_secs(30))
                .sqlx_logging(false);
            let pool = connect_counted(options, &statements).await?;
            Ok(Self {
                reader: pool.clone(),
                writer: pool,
                statements,
            })
        }
    }

    pub fn backend(&self) -> DbBackend {
        self.reader.get_database_backend()
    }

    pub async fn close(self) {
        let _ = self.reader.close_by_ref().await;
        let _ = self.writer.close_by_ref().await;
    }
}

fn sqlite_options(url: &str, connections: u32) -> ConnectOptions {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        // A file has no peer to lose; sqlx's default ping per checkout is
        // one more hand-off to the connection's thread for every statement.
        .test_before_acquire(false)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Rows cross from the connection's thread through a bounded
                // channel; at the default 50 a page of nested children
                // (1,000 rows) makes that thread stop and be woken 20 times.
                .row_buffer_size(1024)
        });
    options
}

async fn connect_counted(
    options: ConnectOptions,
    statements: &StatementCounter,
) -> Result<DatabaseConnection, DbErr> {
    let mut conn = Database::connect(options).await?;
    let counter = statements.0.clone();
    conn.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    Ok(conn)
}
