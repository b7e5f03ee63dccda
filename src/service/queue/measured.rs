//! The work queue's metrics, named here beside the code that counts them
//! (`crate::metrics` exports them from the start, at 0).

use std::time::Duration;

/// `claimTasks` calls, by `outcome`: `claimed` (one task or more) or `empty`.
pub const CLAIMS: &str = "agentgraph_queue_claims_total";
/// Tasks handed out by claims.
pub const TASKS_CLAIMED: &str = "agentgraph_queue_tasks_claimed_total";
/// Leases the sweep found expired, by `outcome`: `requeued` or `failed`
/// (attempts used up).
pub const LEASE_EXPIRIES: &str = "agentgraph_queue_lease_expiries_total";
/// Claims parked on this instance (`claimTasks` with `waitSeconds`).
pub const PARKED: &str = "agentgraph_queue_parked_claims";
/// One lease sweep's statement, whatever it found.
pub const SWEEP_DURATION: &str = "agentgraph_queue_sweep_duration_seconds";

pub(crate) const CLAIM_OUTCOMES: [&str; 2] = ["claimed", "empty"];
pub(crate) const EXPIRY_OUTCOMES: [&str; 2] = ["requeued", "failed"];

/// Counts one `claimTasks` call that handed out `tasks` tasks.
pub(crate) fn claimed(tasks: usize) {
    let outcome = CLAIM_OUTCOMES[usize::from(tasks == 0)];
    metrics::counter!(CLAIMS, "outcome" => outcome).increment(1);
    metrics::counter!(TASKS_CLAIMED).increment(tasks as u64);
}

/// Counts one sweep: what it requeued and failed, and how long it took.
pub(crate) fn swept(requeued: u64, failed: u64, took: Duration) {
    metrics::counter!(LEASE_EXPIRIES, "outcome" => "requeued").increment(requeued);
    metrics::counter!(LEASE_EXPIRIES, "outcome" => "failed").increment(failed);
    metrics::histogram!(SWEEP_DURATION).record(took.as_secs_f64());
}
