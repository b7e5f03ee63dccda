//! Expired leases go back to the queue: one statement, run by every
//! instance every `--lease-sweep-interval`.
//!
//! Each expired task is requeued (PENDING, `runAt` now, assignee cleared)
//! or, once its attempts are used up, FAILED with `error` "lease expired".
//! Instances sweeping at once do not requeue a task twice: on PostgreSQL
//! the second UPDATE to reach a row waits for the first's row lock and then
//! re-checks its WHERE against the row as the first left it (no lease any
//! more), so it skips it; SQLite's one writer runs them one after another.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use tracing::Instrument;

use super::sql::Sql;
use crate::error::Result;

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Swept {
    pub(crate) requeued: u64,
    pub(crate) failed: u64,
}

impl Swept {
    pub(crate) fn total(self) -> u64 {
        self.requeued + self.failed
    }
}

/// Requeues or fails every task whose lease ended before `at`. The
/// server does it, so no one is its actor.
pub(crate) async fn sweep(db: &impl ConnectionTrait, at: DateTime<Utc>) -> Result<Swept> {
    let backend = db.get_database_backend();
    let mut sql = Sql::new(backend);
    // The database's clock on PostgreSQL, as the leases were stamped by it.
    let now = if backend == sea_orm::DbBackend::Postgres {
        super::DATABASE_NOW.to_owned()
    } else {
        sql.bind(at)
    };
    let expired = sql.bind("lease expired");
    let statement = sql.finish(format!(
        "UPDATE tasks SET
           status = CASE WHEN attempts >= max_attempts THEN 'FAILED' ELSE 'PENDING' END,
           error = CASE WHEN attempts >= max_attempts THEN {expired} ELSE error END,
           agent_id = CASE WHEN attempts >= max_attempts THEN agent_id ELSE NULL END,
           run_at = CASE WHEN attempts >= max_attempts THEN run_at ELSE {now} END,
           started_at = CASE WHEN attempts >= max_attempts THEN started_at ELSE NULL END,
           completed_at = CASE WHEN attempts >= max_attempts THEN {now} ELSE NULL END,
           lease_expires_at = NULL, lease_token = NULL, lease_seconds = NULL,
           lease_ended_by = NULL, version = version + 1, updated_at = {now},
           actor = NULL
         WHERE {every} AND lease_expires_at IS NOT NULL AND lease_expires_at <= {now}
           AND status = 'RUNNING'
         RETURNING status",
        // Leases expire in every tenant; each row stays in its own.
        every = crate::db::EVERY_TENANT,
    ));
    let span = crate::telemetry::spans::sweep();
    // Each row's status as the sweep left it tells a requeue from a failure.
    let mut swept = Swept::default();
    for row in db.query_all_raw(statement).instrument(span.clone()).await? {
        let status: String = row.try_get("", "status")?;
        if status == "FAILED" {
            swept.failed += 1;
        } else {
            swept.requeued += 1;
        }
    }
    span.record("agentgraph.sweep.requeued", swept.requeued);
    span.record("agentgraph.sweep.failed", swept.failed);
    Ok(swept)
}
