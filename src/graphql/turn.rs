//! An operation's turn to run: one of `--max-concurrent-operations` slots,
//! and the time it has. A claim parked on a long poll does no database
//! work while it waits, so it steps aside: it gives its slot back (a
//! thousand parked claims must not shut everybody else out) and its wait
//! does not count against the request's timeout.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

pub(crate) struct Turn {
    slots: Arc<Semaphore>,
    slot: Mutex<Option<OwnedSemaphorePermit>>,
    deadline: Mutex<Instant>,
}

impl Turn {
    /// Waits for a slot until `deadline`; `None` when none came free.
    pub(crate) async fn take(slots: Arc<Semaphore>, deadline: Instant) -> Option<Arc<Self>> {
        let slot = tokio::time::timeout_at(deadline, slots.clone().acquire_owned())
            .await
            .ok()?
            .ok()?;
        Some(Arc::new(Self {
            slots,
            slot: Mutex::new(Some(slot)),
            deadline: Mutex::new(deadline),
        }))
    }

    /// When the operation runs out of time.
    pub(crate) fn deadline(&self) -> Instant {
        *self.deadline.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Gives the operation `wait` more: a parked claim's wait is not work.
    pub(crate) fn extend(&self, wait: Duration) {
        *self.deadline.lock().unwrap_or_else(PoisonError::into_inner) += wait;
    }

    /// Gives the slot back while the operation waits.
    pub(crate) fn step_aside(&self) {
        self.slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    /// Takes a slot again after the wait.
    pub(crate) async fn resume(&self) {
        if let Ok(slot) = self.slots.clone().acquire_owned().await {
            *self.slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(slot);
        }
    }
}
