//! Who holds a pool's connections, and who waits for one.
//!
//! A pool that runs dry says only "timed out" (issue 25: every create
//! waited 30 s behind a connection nobody could name). Every place that
//! takes a connection for a while, a statement's lease, a transaction, a
//! SQLite command, records a [`Hold`] for as long as it has it, labelled
//! with the kind of work its task is doing ([`doing`]); every wait for one
//! is counted ([`Waiting`]). When a wait times out, the log names the
//! holders, longest first, at most once per [`REPORT_EVERY`], and
//! `/metrics` shows the waiters and the longest hold.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The least time between two reports of one pool running dry.
pub const REPORT_EVERY: Duration = Duration::from_secs(10);

/// The label of work whose task set none (a loader's batch, say).
const UNLABELLED: &str = "other work";

tokio::task_local! {
    static WORK: &'static str;
}

/// Runs `future` as `work`: the connections it takes are held by `work`.
pub async fn doing<F: Future>(work: &'static str, future: F) -> F::Output {
    WORK.scope(work, future).await
}

/// Polls `stream` as `work` (a subscription's, whose catch-up reads the
/// log from wherever the transport polls it).
pub fn doing_stream<S: futures_util::Stream + Unpin>(
    work: &'static str,
    stream: S,
) -> impl futures_util::Stream<Item = S::Item> {
    let mut stream = stream;
    futures_util::stream::poll_fn(move |cx| {
        WORK.sync_scope(work, || {
            futures_util::StreamExt::poll_next_unpin(&mut stream, cx)
        })
    })
}

/// The kind of work the current task is doing.
pub fn current_work() -> &'static str {
    WORK.try_with(|work| *work).unwrap_or(UNLABELLED)
}

/// One pool's holders and waiters.
pub struct Holds {
    pool: &'static str,
    next: AtomicU64,
    held: Mutex<HashMap<u64, Entry>>,
    waiting: AtomicUsize,
    reported: Mutex<Option<Instant>>,
}

struct Entry {
    work: &'static str,
    since: Instant,
}

/// What holds a connection, and for how long so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub work: &'static str,
    pub held_for: Duration,
}

impl Holds {
    pub fn new(pool: &'static str) -> Arc<Self> {
        Arc::new(Self {
            pool,
            next: AtomicU64::new(0),
            held: Mutex::default(),
            waiting: AtomicUsize::new(0),
            reported: Mutex::new(None),
        })
    }

    pub fn pool(&self) -> &'static str {
        self.pool
    }

    /// Counts a wait for a connection until the guard drops.
    pub fn wait(self: &Arc<Self>) -> Waiting {
        self.waiting.fetch_add(1, Ordering::Relaxed);
        Waiting(self.clone())
    }

    /// Records a connection held by the current task's work until the
    /// guard drops.
    pub fn hold(self: &Arc<Self>) -> Hold {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let entry = Entry {
            work: current_work(),
            since: Instant::now(),
        };
        self.lock().insert(id, entry);
        Hold {
            holds: self.clone(),
            id,
        }
    }

    /// Tasks waiting for a connection now.
    pub fn waiters(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// The holders now, longest first.
    pub fn holders(&self) -> Vec<Holder> {
        let now = Instant::now();
        let mut holders: Vec<Holder> = self
            .lock()
            .values()
            .map(|entry| Holder {
                work: entry.work,
                held_for: now.saturating_duration_since(entry.since),
            })
            .collect();
        holders.sort_by_key(|holder| std::cmp::Reverse(holder.held_for));
        holders
    }

    /// The longest any connection has been held so far, zero when none is.
    pub fn longest_hold(&self) -> Duration {
        let now = Instant::now();
        self.lock()
            .values()
            .map(|entry| now.saturating_duration_since(entry.since))
            .max()
            .unwrap_or_default()
    }

    /// The holders in one line: `3 × mutation (longest 31.2 s), …`.
    pub fn describe(&self) -> String {
        let mut by_work: Vec<(&'static str, usize, Duration)> = Vec::new();
        for holder in self.holders() {
            match by_work.iter_mut().find(|(work, ..)| *work == holder.work) {
                Some((_, count, _)) => *count += 1,
                None => by_work.push((holder.work, 1, holder.held_for)),
            }
        }
        if by_work.is_empty() {
            return "nothing this server tracks".to_owned();
        }
        let mut line = String::new();
        for (n, (work, count, longest)) in by_work.iter().enumerate() {
            if n > 0 {
                line.push_str(", ");
            }
            let _ = write!(
                line,
                "{count} × {work} (longest {:.1} s)",
                longest.as_secs_f64()
            );
        }
        line
    }

    /// A wait for a connection timed out: says who holds them, unless it
    /// was said less than [`REPORT_EVERY`] ago. `open` and `idle` are the
    /// driver's counts: connections it holds that no hold here accounts
    /// for are on their way back to it (or kept between statements).
    pub fn ran_dry(&self, open: u32, idle: usize) {
        {
            let mut reported = self.reported.lock().unwrap_or_else(PoisonError::into_inner);
            if reported.is_some_and(|at| at.elapsed() < REPORT_EVERY) {
                return;
            }
            *reported = Some(Instant::now());
        }
        tracing::warn!(
            pool = self.pool,
            waiting = self.waiters(),
            held_by = %self.describe(),
            open,
            idle,
            "timed out waiting for a database connection: every one is held"
        );
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Entry>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A connection held; see [`Holds::hold`].
pub struct Hold {
    holds: Arc<Holds>,
    id: u64,
}

impl Drop for Hold {
    fn drop(&mut self) {
        self.holds.lock().remove(&self.id);
    }
}

/// A wait for a connection; see [`Holds::wait`].
pub struct Waiting(Arc<Holds>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn holders_are_named_by_their_work_longest_first() {
        let holds = Holds::new("writer");
        let first = doing("group commit", async { holds.hold() }).await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        let second = doing("mutation", async { holds.hold() }).await;
        let third = holds.hold();
        let waiting = holds.wait();
        let works: Vec<_> = holds.holders().iter().map(|h| h.work).collect();
        assert_eq!(works[0], "group commit");
        assert!(works.contains(&"mutation") && works.contains(&UNLABELLED));
        assert_eq!(holds.waiters(), 1);
        assert!(holds.longest_hold() >= Duration::from_millis(5));
        assert!(holds.describe().starts_with("1 × group commit (longest"));
        drop((first, second, third, waiting));
        assert!(holds.holders().is_empty());
        assert_eq!(holds.waiters(), 0);
        assert_eq!(holds.longest_hold(), Duration::ZERO);
    }
}
