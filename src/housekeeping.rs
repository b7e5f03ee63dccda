//! Work a server does on its own: forgetting idempotency keys and changes
//! past their retention, and putting tasks whose lease expired back in the
//! queue. Every instance does all of it; a delete by age, or a requeue of
//! what expired, is the same whoever runs it, so instances need not agree
//! on who does.

use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::db::Db;
use crate::service::queue::{measured, sweep};
use crate::service::write::idempotency;

/// Held by each housekeeping task until its first pass, which runs at
/// start, is over; whoever holds the receiving end of [`first_passes`]
/// hears when all of them are (tests that count statements wait for that,
/// so that a pass is not counted as theirs).
#[derive(Clone)]
pub(crate) struct FirstPass {
    _held: mpsc::Sender<()>,
}

/// The token the housekeeping tasks share, and what hears them all let go.
pub(crate) fn first_passes() -> (FirstPass, mpsc::Receiver<()>) {
    let (held, heard) = mpsc::channel(1);
    (FirstPass { _held: held }, heard)
}

/// Changes are kept this much longer than their retention, so that a cursor
/// just inside it finds every change after it, whatever the clocks of the
/// writers that stamped them.
const CHANGE_MARGIN: Duration = Duration::from_secs(60);

/// Prunes keys older than `retention` and changes older than
/// `change_retention` a few times per retention period (at most every 10
/// minutes), until `stop` turns true.
pub(crate) fn spawn_pruning(
    db: Db,
    retention: Duration,
    change_retention: Duration,
    first_pass: FirstPass,
    stop: watch::Receiver<bool>,
) {
    let every = (retention.min(change_retention) / 4)
        .clamp(Duration::from_millis(200), Duration::from_secs(600));
    tokio::spawn(crate::db::holds::doing("pruning", async move {
        let mut ticks = Ticks::new(every, stop);
        let mut first_pass = Some(first_pass);
        while ticks.next().await {
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
            first_pass.take();
        }
    }));
}

/// Requeues or fails expired task leases every `every`, until `stop`
/// turns true; a sweep that changed anything tells the hub, so that parked
/// claims here and on the other instances hear of the requeued tasks.
pub(crate) fn spawn_lease_sweep(
    db: Db,
    hub: std::sync::Arc<crate::changes::Hub>,
    every: Duration,
    first_pass: FirstPass,
    stop: watch::Receiver<bool>,
) {
    tokio::spawn(crate::db::holds::doing("lease sweep", async move {
        let mut ticks = Ticks::new(every, stop);
        let mut first_pass = Some(first_pass);
        while ticks.next().await {
            let started = std::time::Instant::now();
            let result = sweep::sweep(&db.writes, crate::service::now()).await;
            let took = started.elapsed();
            match result {
                Ok(swept) if swept.total() == 0 => measured::swept(0, 0, took),
                Ok(swept) => {
                    measured::swept(swept.requeued, swept.failed, took);
                    tracing::info!(
                        requeued = swept.requeued,
                        failed = swept.failed,
                        "requeued or failed tasks whose lease expired"
                    );
                    hub.written();
                }
                Err(err) => {
                    tracing::warn!(error = ?err, "sweeping expired leases failed; will retry")
                }
            }
            first_pass.take();
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
pub(crate) fn spawn_hold_watch(db: Db, limit: Duration, stop: watch::Receiver<bool>) {
    let writer = db.writer.holds().clone();
    let reader = db.reader.pool().holds().clone();
    // An in-memory SQLite database reads through its writer pool: one report.
    let pools = if std::sync::Arc::ptr_eq(&writer, &reader) {
        vec![writer]
    } else {
        vec![writer, reader]
    };
    tokio::spawn(async move {
        let mut ticks = Ticks::new(HOLD_CHECK_EVERY, stop);
        while ticks.next().await {
            for pool in &pools {
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

/// A period's ticks until `stop` turns true; a late tick is not made up.
struct Ticks {
    interval: tokio::time::Interval,
    stop: watch::Receiver<bool>,
}

impl Ticks {
    fn new(every: Duration, stop: watch::Receiver<bool>) -> Self {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Self { interval, stop }
    }

    /// Waits for the next tick: false once the server stops.
    async fn next(&mut self) -> bool {
        tokio::select! {
            _ = self.interval.tick() => true,
            _ = self.stop.wait_for(|stopped| *stopped) => false,
        }
    }
}
