//! Work a server does on its own: forgetting idempotency keys past their
//! retention. Every instance prunes; a delete by age is the same whoever
//! runs it, so instances need not agree on who does.

use std::time::Duration;

use tokio::sync::watch;

use crate::db::Db;
use crate::service::idempotency;

/// Prunes keys older than `retention` a few times per retention period
/// (at most every 10 minutes), until `stop` turns true.
pub fn spawn_pruning(db: Db, retention: Duration, mut stop: watch::Receiver<bool>) {
    let every = (retention / 4).clamp(Duration::from_millis(200), Duration::from_secs(600));
    tokio::spawn(async move {
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
            match idempotency::prune(&db.writer, crate::service::now() - retention).await {
                Ok(0) => {}
                Ok(pruned) => tracing::debug!(pruned, "forgot expired idempotency keys"),
                Err(err) => {
                    tracing::warn!(error = %err, "pruning idempotency keys failed; will retry")
                }
            }
        }
    });
}
