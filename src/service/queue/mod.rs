//! The work queue: agents claim ready tasks under leases, heartbeat them,
//! and complete, fail or release them; expired leases are swept back into
//! the queue; dependencies block and unblock tasks. The rules are the
//! contract's ("Work queue: agents pulling tasks"); why they are built
//! this way is `docs/decisions/008-work-queue.md`.

pub(crate) mod backoff;
pub(crate) mod claim;
pub(crate) mod dependencies;
pub(crate) mod lease;
pub(crate) mod measured;
pub(crate) mod sql;
pub(crate) mod sweep;

use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use entity::task;
use uuid::Uuid;

pub(crate) use backoff::Backoff;

pub(crate) const DEFAULT_LEASE_SECONDS: i32 = 60;

/// A task held under a claim's lease, as the claimant sees it.
#[derive(Debug, Clone)]
pub(crate) struct Lease {
    pub(crate) token: Uuid,
    pub(crate) expires_at: DateTime<Utc>,
    pub(crate) task: task::Model,
}

impl Lease {
    /// The token as the claimant holds it: opaque, 32 hex digits.
    pub(crate) fn token_text(&self) -> String {
        self.token.simple().to_string()
    }
}

/// A claim's token: random (not a UUIDv7, whose time part a forger could
/// guess), one per claim; with the task's id it names one lease.
fn new_token() -> crate::error::Result<Uuid> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|err| crate::error::AppError::internal(&err))?;
    Ok(uuid::Builder::from_random_bytes(bytes).into_uuid())
}

/// A token as a client sent it; `None` for text no claim ever made.
fn parse_token(text: &str) -> Option<Uuid> {
    Uuid::try_parse(text).ok()
}

/// When a queue write acts. A time read before the statement waited for
/// its connection would be stale by the wait: a claim stamped then could
/// start a task before the completion that unblocked it, which took its
/// connection first. On PostgreSQL the statement reads the database's
/// clock as it runs (`clock_timestamp()`, after its snapshot: whatever it
/// sees committed happened before). On SQLite, whose writes take turns on
/// one connection anyway, the write holds a turn of its own from reading
/// the clock until its statement is done.
pub(crate) enum Clock {
    Database,
    At(DateTime<Utc>),
}

/// The clock of a queue write, and on SQLite the turn it holds meanwhile.
pub(crate) async fn clock(db: &crate::db::Db) -> (Clock, Option<tokio::sync::OwnedMutexGuard<()>>) {
    if db.backend() == sea_orm::DbBackend::Postgres {
        return (Clock::Database, None);
    }
    let turn = db.queue_turn.clone().lock_owned().await;
    (Clock::At(crate::service::now()), Some(turn))
}

const DATABASE_NOW: &str = "clock_timestamp()";

impl Clock {
    /// Now, as a value of a statement built with the query builder.
    fn now(&self) -> sea_orm::sea_query::SimpleExpr {
        match self {
            Self::Database => sea_orm::sea_query::Expr::cust(DATABASE_NOW),
            Self::At(at) => sea_orm::sea_query::Expr::value(*at),
        }
    }

    /// `wait` from now, likewise.
    fn after(&self, wait: Duration) -> sea_orm::sea_query::SimpleExpr {
        match self {
            Self::Database => sea_orm::sea_query::Expr::cust(format!(
                "{DATABASE_NOW} + make_interval(secs => {})",
                wait.as_secs_f64()
            )),
            Self::At(at) => sea_orm::sea_query::Expr::value(later(*at, wait)),
        }
    }

    /// Now, in a statement written as text.
    fn sql(&self, sql: &mut sql::Sql) -> String {
        match self {
            Self::Database => DATABASE_NOW.to_owned(),
            Self::At(at) => sql.bind(*at),
        }
    }
}

fn seconds(n: i32) -> Duration {
    Duration::from_secs(u64::from(n.unsigned_abs()))
}

/// `at` + `wait`, at the stored precision.
fn later(at: DateTime<Utc>, wait: Duration) -> DateTime<Utc> {
    let wait = chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
    at.checked_add_signed(wait)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
        .trunc_subsecs(6)
}
