//! What the queue scenario measured: latencies and failures per request
//! kind (the same [`Latencies`] the users scenario keeps), claims split by
//! what they returned, and per time slot the tasks claimed and completed.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::stats::Latencies;

/// Every request the scenario sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum QueueOp {
    CreateAgent,
    CreateGoal,
    CreatePlan,
    /// Every `claimTasks`, whatever it returned.
    Claim,
    /// The claims that returned tasks (a part of [`Self::Claim`]).
    ClaimHit,
    /// The long polls that returned `[]` when their wait ended (a part of
    /// [`Self::Claim`]).
    ClaimEmpty,
    Heartbeat,
    Complete,
    Fail,
    /// `updateTask` to CANCELLED: a dependent of a task that FAILED.
    Cancel,
    /// The counts that tell when every task has ended.
    Watch,
    /// Reading the tasks back to verify them.
    Read,
}

impl QueueOp {
    pub(crate) const ALL: [Self; 12] = [
        Self::CreateAgent,
        Self::CreateGoal,
        Self::CreatePlan,
        Self::Claim,
        Self::ClaimHit,
        Self::ClaimEmpty,
        Self::Heartbeat,
        Self::Complete,
        Self::Fail,
        Self::Cancel,
        Self::Watch,
        Self::Read,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::CreateAgent => "createAgent",
            Self::CreateGoal => "createGoal",
            Self::CreatePlan => "createPlan (with tasks)",
            Self::Claim => "claimTasks",
            Self::ClaimHit => "  → returned tasks",
            Self::ClaimEmpty => "  → returned [] (long poll ran out)",
            Self::Heartbeat => "heartbeatTask",
            Self::Complete => "completeTask",
            Self::Fail => "failTask",
            Self::Cancel => "updateTask: cancel a dependent",
            Self::Watch => "watch: task counts",
            Self::Read => "verify: read the tasks back",
        }
    }

    /// Rows that split another row: left out of the totals.
    pub(crate) fn is_part(self) -> bool {
        matches!(self, Self::ClaimHit | Self::ClaimEmpty)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One slot of time.
#[derive(Debug, Clone)]
pub(crate) struct Slot {
    pub(crate) tasks_claimed: u64,
    pub(crate) claims_hit: u64,
    pub(crate) claims_empty: u64,
    pub(crate) completed: u64,
    pub(crate) failures: u64,
    /// Latencies of the claims that returned tasks, in microseconds.
    pub(crate) hit_latency: Histogram<u32>,
}

impl Slot {
    fn new() -> Self {
        Self {
            tasks_claimed: 0,
            claims_hit: 0,
            claims_empty: 0,
            completed: 0,
            failures: 0,
            hit_latency: Histogram::new_with_bounds(1, 600_000_000, 2)
                .expect("constant histogram bounds are valid"),
        }
    }
}

#[derive(Debug)]
struct Inner {
    per_op: Vec<Latencies>,
    all: Latencies,
    failures: HashMap<(QueueOp, String), u64>,
    slots: Vec<Slot>,
}

/// Collects every request of the run; shared by producers and agents.
#[derive(Debug)]
pub(crate) struct QueueRecorder {
    start: Instant,
    interval: Duration,
    inner: Mutex<Inner>,
}

/// A copy of what was recorded.
#[derive(Debug, Clone)]
pub(crate) struct QueueSnapshot {
    pub(crate) per_op: Vec<(QueueOp, Latencies)>,
    pub(crate) all: Latencies,
    /// (operation, message, count), most frequent first.
    pub(crate) failures: Vec<(QueueOp, String, u64)>,
    pub(crate) slots: Vec<Slot>,
    pub(crate) interval: Duration,
}

impl QueueRecorder {
    pub(crate) fn new(interval: Duration) -> Self {
        Self {
            start: Instant::now(),
            interval: interval.max(Duration::from_millis(100)),
            inner: Mutex::new(Inner {
                per_op: QueueOp::ALL.iter().map(|_| Latencies::default()).collect(),
                all: Latencies::default(),
                failures: HashMap::new(),
                slots: Vec::new(),
            }),
        }
    }

    pub(crate) fn start(&self) -> Instant {
        self.start
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records one request that completed now.
    pub(crate) fn record(&self, op: QueueOp, latency: Duration, failure: Option<&str>) {
        let micros = u64::try_from(latency.as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        let index = usize::try_from(self.start.elapsed().as_nanos() / self.interval.as_nanos())
            .unwrap_or(usize::MAX)
            .min(86_400);
        let mut inner = self.lock();
        if inner.slots.len() <= index {
            inner.slots.resize_with(index + 1, Slot::new);
        }
        let entry = &mut inner.per_op[op.index()];
        entry.histogram.saturating_record(micros);
        if failure.is_some() {
            entry.failures += 1;
        }
        if !op.is_part() {
            inner.all.histogram.saturating_record(micros);
        }
        let slot = &mut inner.slots[index];
        match op {
            QueueOp::ClaimHit => {
                slot.claims_hit += 1;
                slot.hit_latency.saturating_record(micros);
            }
            QueueOp::ClaimEmpty => slot.claims_empty += 1,
            QueueOp::Complete if failure.is_none() => slot.completed += 1,
            _ => {}
        }
        if let Some(message) = failure {
            slot.failures += 1;
            inner.all.failures += 1;
            *inner.failures.entry((op, normalize(message))).or_insert(0) += 1;
        }
    }

    /// Records the tasks one claim returned, in the slot of now.
    pub(crate) fn claimed(&self, tasks: usize) {
        let index = usize::try_from(self.start.elapsed().as_nanos() / self.interval.as_nanos())
            .unwrap_or(usize::MAX)
            .min(86_400);
        let mut inner = self.lock();
        if inner.slots.len() <= index {
            inner.slots.resize_with(index + 1, Slot::new);
        }
        inner.slots[index].tasks_claimed += tasks as u64;
    }

    /// Failed requests so far.
    pub(crate) fn failures(&self) -> u64 {
        self.lock().all.failures
    }

    pub(crate) fn snapshot(&self) -> QueueSnapshot {
        let inner = self.lock();
        let mut failures: Vec<_> = inner
            .failures
            .iter()
            .map(|((op, message), count)| (*op, message.clone(), *count))
            .collect();
        failures.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
        QueueSnapshot {
            per_op: QueueOp::ALL
                .iter()
                .map(|op| (*op, inner.per_op[op.index()].clone()))
                .collect(),
            all: inner.all.clone(),
            failures,
            slots: inner.slots.clone(),
            interval: self.interval,
        }
    }
}

impl QueueSnapshot {
    pub(crate) fn of(&self, op: QueueOp) -> &Latencies {
        &self.per_op[op.index()].1
    }
}

/// Replaces UUIDs with `<id>` so that
/// failures differing only in the object they name are counted together.
fn normalize(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let bytes = message.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let uuid = i + 36 <= bytes.len()
            && bytes[i..i + 36].iter().enumerate().all(|(j, b)| match j {
                8 | 13 | 18 | 23 => *b == b'-',
                _ => b.is_ascii_hexdigit(),
            });
        if uuid {
            out.push_str("<id>");
            i += 36;
        } else {
            let ch = message[i..].chars().next().unwrap_or('?');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_split_and_completions_count_per_slot() {
        let recorder = QueueRecorder::new(Duration::from_secs(1));
        recorder.record(QueueOp::Claim, Duration::from_millis(3), None);
        recorder.record(QueueOp::ClaimHit, Duration::from_millis(3), None);
        recorder.claimed(2);
        recorder.record(QueueOp::Claim, Duration::from_millis(2000), None);
        recorder.record(QueueOp::ClaimEmpty, Duration::from_millis(2000), None);
        recorder.record(QueueOp::Complete, Duration::from_millis(4), None);
        recorder.record(
            QueueOp::Complete,
            Duration::from_millis(4),
            Some("request failed: task 0199a2b4-51c3-7d2e-9f00-123456789abc"),
        );
        let snapshot = recorder.snapshot();
        assert_eq!(
            snapshot.all.count(),
            4,
            "the split rows are not counted twice"
        );
        assert_eq!(snapshot.all.failures, 1);
        assert_eq!(snapshot.of(QueueOp::ClaimHit).count(), 1);
        let slot = &snapshot.slots[0];
        assert_eq!(
            (slot.tasks_claimed, slot.claims_hit, slot.claims_empty),
            (2, 1, 1)
        );
        assert_eq!((slot.completed, slot.failures), (1, 1));
        assert_eq!(snapshot.failures[0].1, "request failed: task <id>");
    }
}
