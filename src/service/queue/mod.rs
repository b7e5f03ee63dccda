//! The work queue: agents claim ready tasks under leases, heartbeat them,
//! and complete, fail or release them; expired leases are swept back into
//! the queue; dependencies block and unblock tasks. The rules are the
//! contract's ("Work queue: agents pulling tasks"); why they are built
//! this way is `docs/decisions/008-work-queue.md`.

pub(crate) mod backoff;
pub(crate) mod claim;
pub(crate) mod dependencies;
pub(crate) mod lease;
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

/// `at` + `wait`, at the stored precision.
fn later(at: DateTime<Utc>, wait: Duration) -> DateTime<Utc> {
    let wait = chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
    at.checked_add_signed(wait)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
        .trunc_subsecs(6)
}
