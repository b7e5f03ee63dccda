//! Work a server does on its own: forgetting idempotency keys and changes
//! past their retention. Every instance prunes; a delete by age is the same
//! whoever runs it, so instances need not agree on who does.

use std::time::Duration;

use tokio::sync::watch;

use crate::db::Db;
use crate::service::idempotency;

/// Changes are kept this much longer than their retention, so that a cursor
/// just inside it finds every change after it, whatever the clocks of the
/// writers that stamped them.
const CHANGE_MARGIN: Duration = Duration::from_secs(60);

/// Prunes keys older than `retention` and changes older than
/// `change_retention` a few times per retention period (at most every 10
/// minutes), until `stop` turns true.
pub fn spawn_pruning(
    db: Db,
    retention: Duration,
    change_retention: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let every = (retention.min(change_retention) / 4)
        .clamp(Duration::from_millis(200), Duration::from_secs(600));
    tokio::spawn(crate::db::holds::doing("pruning", async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = stop.wait_for(|stopped| *stopped) => return,
            }
            let Ok(retention) = chrono::Duration::from_std(retention) else {
                return;
            };
            match idempotency::prune(&db.writes, crate::service::now() - retention).await {
                Ok(0) => {}
                Ok(pruned) => tracing::debug!(pruned, "forgot expired idempotency keys"),
                Err(err) => {
                    tracing::warn!(error = %err, "pruning idempotency keys failed; will retry")
                }
            }
            let kept = change_retention + CHANGE_MARGIN;
            let cutoff = chrono::Utc::now().timestamp_micros()
                - i64::try_from(kept.as_micros()).unwrap_or(i64::MAX);
            match crate::changes::log::prune(&db.writes, cutoff).await {
                Ok(0) => {}
                Ok(pruned) => tracing::debug!(pruned, "forgot expired changes"),
                Err(err) => tracing::warn!(error = ?err, "pruning changes failed; will retry"),
            }
        }
    }));
}

/// How often the pools' holders are looked at.
const HOLD_CHECK_EVERY: Duration = Duration::from_secs(10);

/// Warns, every [`HOLD_CHECK_EVERY`] while it lasts, of a connection held
/// longer than `limit` (twice the request timeout: no request, and so no
/// transaction, may take that long), naming the holders, until `stop`
/// turns true. A pool of sixteen can lose one connection for good and still
/// serve, so no wait may ever time out and say so (issue 25).
pub fn spawn_hold_watch(db: Db, limit: Duration, mut stop: watch::Receiver<bool>) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(HOLD_CHECK_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = stop.wait_for(|stopped| *stopped) => return,
            }
            for pool in [db.writer.holds(), db.reader.pool().holds()] {
                let longest = pool.longest_hold();
                if longest > limit {
                    tracing::warn!(
                        pool = pool.pool(),
                        held_for_secs = longest.as_secs(),
                        held_by = %pool.describe(),
                        "a database connection has been held longer than any request may run"
                    );
                }
            }
        }
    });
}
