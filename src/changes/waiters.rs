//! Parked claims (`claimTasks` with `waitSeconds`): they cost no database
//! work while nothing changes, and wake as soon as a task they could take
//! becomes claimable on any instance.
//!
//! One task per instance listens for them: while anybody waits it holds a
//! receiver of the change [`Hub`] (which reads the log only when a
//! mutation ended here or another instance said so), and wakes the parked
//! claims that a change may concern: a task now PENDING in their plan (or
//! any plan), a plan now ACTIVE. A woken claim tries again; one that still
//! finds nothing parks again. Tasks that become claimable merely because
//! their `runAt` came get no change, so the same task keeps one timer, for
//! the earliest future `runAt` that any parked claim could take.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, broadcast, watch};
use tokio::time::Instant;
use uuid::Uuid;

use super::{Batch, Hub, Resource};

/// Every parked claim of this instance.
pub(crate) struct Waiters {
    hub: Arc<Hub>,
    parked: Mutex<Parked>,
    /// Somebody parked or left, or a timer moved: the listener looks.
    changed: Notify,
    /// Whether the listener holds a receiver of the hub (so a claim that
    /// parks from now on misses no change).
    listening: watch::Sender<bool>,
}

#[derive(Default)]
struct Parked {
    next_id: u64,
    claims: HashMap<u64, Claim>,
}

struct Claim {
    /// Only its tenant's work can wake it.
    tenant: crate::auth::Tenant,
    plan_id: Option<Uuid>,
    wake: Arc<Notify>,
    /// The earliest future `runAt` it could take.
    look_at: Option<DateTime<Utc>>,
}

impl Waiters {
    /// The registry and its listener, which ends when `stop` turns true.
    pub(crate) fn start(hub: Arc<Hub>, stop: watch::Receiver<bool>) -> Arc<Self> {
        let waiters = Arc::new(Self {
            hub,
            parked: Mutex::new(Parked::default()),
            changed: Notify::new(),
            listening: watch::channel(false).0,
        });
        tokio::spawn(waiters.clone().listen(stop));
        waiters
    }

    /// Parks a claim for tasks of `tenant`'s `plan_id` (any plan when
    /// `None`), once the listener hears every change: a claim attempted
    /// after this returns misses no change made after it.
    pub(crate) async fn park(
        self: &Arc<Self>,
        tenant: crate::auth::Tenant,
        plan_id: Option<Uuid>,
    ) -> Ticket {
        let wake = Arc::new(Notify::new());
        let id = {
            let mut parked = self.lock();
            parked.next_id += 1;
            let id = parked.next_id;
            parked.claims.insert(
                id,
                Claim {
                    tenant,
                    plan_id,
                    wake: wake.clone(),
                    look_at: None,
                },
            );
            id
        };
        ::metrics::gauge!(crate::metrics::PARKED).increment(1.0);
        // Made before the wait below, so that a claim dropped while it waits
        // (its client gone) leaves the registry as one dropped later does.
        let ticket = Ticket {
            waiters: self.clone(),
            id,
            wake,
        };
        self.changed.notify_one();
        let mut listening = self.listening.subscribe();
        // At shutdown the listener has stopped: the ticket's wait ends at once.
        tokio::select! {
            _ = listening.wait_for(|listening| *listening) => {}
            () = self.hub.closing() => {}
        }
        ticket
    }

    /// How many claims are parked here.
    pub(crate) fn count(&self) -> usize {
        self.lock().claims.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Parked> {
        self.parked.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn listen(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        loop {
            // Idle: no receiver, so the hub reads nothing for us.
            while self.count() == 0 {
                tokio::select! {
                    () = self.changed.notified() => {}
                    _ = stop.wait_for(|stopped| *stopped) => return,
                }
            }
            let mut changes = match self.hub.subscribe().await {
                Ok((changes, _)) => changes,
                Err(err) => {
                    tracing::warn!(error = ?err, "parked claims cannot hear changes; retrying");
                    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                    continue;
                }
            };
            self.listening.send_replace(true);
            loop {
                let timer = self.earliest_look();
                tokio::select! {
                    batch = changes.recv() => match batch {
                        Ok(batch) => self.wake_for(&batch),
                        Err(broadcast::error::RecvError::Lagged(_)) => self.wake_all(),
                        Err(broadcast::error::RecvError::Closed) => break,
                    },
                    () = sleep_until(timer), if timer.is_some() => self.wake_due(),
                    () = self.changed.notified() => {}
                    _ = stop.wait_for(|stopped| *stopped) => {
                        self.wake_all();
                        return;
                    }
                }
                // Decided under the lock `park` takes: a claim parking now
                // either is seen here or waits for the next subscription.
                let parked = self.lock();
                if parked.claims.is_empty() {
                    self.listening.send_replace(false);
                    break;
                }
            }
        }
    }

    fn wake_for(&self, batch: &Batch) {
        let parked = self.lock();
        for change in batch.changes.iter().filter(|change| change.wakes) {
            let plan = match change.resource {
                Resource::Task => change.parent_id,
                Resource::Plan => Some(change.object_id),
                _ => continue,
            };
            for claim in parked.claims.values() {
                if claim.tenant == change.tenant
                    && (claim.plan_id.is_none() || claim.plan_id == plan)
                {
                    claim.wake.notify_one();
                }
            }
        }
    }

    fn wake_all(&self) {
        for claim in self.lock().claims.values() {
            claim.wake.notify_one();
        }
    }

    fn wake_due(&self) {
        let now = Utc::now();
        let mut parked = self.lock();
        for claim in parked.claims.values_mut() {
            if claim.look_at.is_some_and(|at| at <= now) {
                claim.look_at = None;
                claim.wake.notify_one();
            }
        }
    }

    fn earliest_look(&self) -> Option<Instant> {
        let earliest = self
            .lock()
            .claims
            .values()
            .filter_map(|c| c.look_at)
            .min()?;
        let wait = (earliest - Utc::now()).to_std().unwrap_or_default();
        Some(Instant::now() + wait)
    }
}

async fn sleep_until(at: Option<Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at).await;
    }
}

/// A parked claim's place; it leaves when dropped.
pub(crate) struct Ticket {
    waiters: Arc<Waiters>,
    id: u64,
    wake: Arc<Notify>,
}

impl Ticket {
    /// Also look again at `at`, when a task it could take comes due.
    pub(crate) fn look_at(&self, at: Option<DateTime<Utc>>) {
        if let Some(claim) = self.waiters.lock().claims.get_mut(&self.id) {
            claim.look_at = at;
        }
        if at.is_some() {
            self.waiters.changed.notify_one();
        }
    }

    /// Waits until woken (true) or until `deadline` or shutdown (false).
    pub(crate) async fn woken(&self, deadline: Instant) -> bool {
        tokio::select! {
            () = self.wake.notified() => true,
            () = tokio::time::sleep_until(deadline) => false,
            () = self.waiters.hub.closing() => false,
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.waiters.lock().claims.remove(&self.id);
        ::metrics::gauge!(crate::metrics::PARKED).decrement(1.0);
        self.waiters.changed.notify_one();
    }
}
