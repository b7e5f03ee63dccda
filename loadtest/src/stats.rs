//! What the run measured: a latency histogram and a failure count per
//! operation, the failures grouped by message, and every request over time.

mod timeline;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

pub use timeline::{TimePoint, Timeline, interval_for};

/// Everything the load test sends: the weighted operations of the original
/// test, then the requests that only prepare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    ListAgents,
    ListGoals,
    CreateGoal,
    CreateTask,
    GetAgent,
    UpdateAgent,
    DeleteAgent,
    CreateAgent,
    /// A virtual user's own agent, created when it starts.
    SetupAgent,
    /// A virtual user's own goal, created when it starts.
    SetupGoal,
    /// A virtual user's own plan, created when it starts.
    SetupPlan,
    /// A throwaway agent created so that a delete has something to delete.
    SetupDeletable,
}

impl Op {
    pub const ALL: [Self; 12] = [
        Self::ListAgents,
        Self::ListGoals,
        Self::CreateGoal,
        Self::CreateTask,
        Self::GetAgent,
        Self::UpdateAgent,
        Self::DeleteAgent,
        Self::CreateAgent,
        Self::SetupAgent,
        Self::SetupGoal,
        Self::SetupPlan,
        Self::SetupDeletable,
    ];

    /// The weighted operations and their weights: the request counts of the
    /// original Locust run.
    pub const WEIGHTED: [(Self, u32); 8] = [
        (Self::ListAgents, 252),
        (Self::ListGoals, 279),
        (Self::CreateGoal, 145),
        (Self::CreateTask, 137),
        (Self::GetAgent, 79),
        (Self::UpdateAgent, 48),
        (Self::DeleteAgent, 21),
        (Self::CreateAgent, 13),
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::ListAgents => "list agents",
            Self::ListGoals => "list goals",
            Self::CreateGoal => "create goal",
            Self::CreateTask => "create task",
            Self::GetAgent => "get agent",
            Self::UpdateAgent => "update agent",
            Self::DeleteAgent => "delete agent",
            Self::CreateAgent => "create agent",
            Self::SetupAgent => "setup: create own agent",
            Self::SetupGoal => "setup: create own goal",
            Self::SetupPlan => "setup: create own plan",
            Self::SetupDeletable => "setup: create agent to delete",
        }
    }

    pub fn is_setup(self) -> bool {
        matches!(
            self,
            Self::SetupAgent | Self::SetupGoal | Self::SetupPlan | Self::SetupDeletable
        )
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Latencies of one operation (or a group of them), in microseconds.
#[derive(Debug, Clone)]
pub struct Latencies {
    pub histogram: Histogram<u64>,
    pub failures: u64,
}

impl Latencies {
    fn new() -> Self {
        Self {
            // 1 µs to 10 minutes at 3 significant digits.
            histogram: Histogram::new_with_bounds(1, 600_000_000, 3)
                .expect("constant histogram bounds are valid"),
            failures: 0,
        }
    }

    pub fn count(&self) -> u64 {
        self.histogram.len()
    }

    /// The latency at `quantile` (0.95 for p95), in milliseconds.
    pub fn quantile_ms(&self, quantile: f64) -> f64 {
        if self.histogram.is_empty() {
            return 0.0;
        }
        micros_to_ms(self.histogram.value_at_quantile(quantile))
    }

    pub fn max_ms(&self) -> f64 {
        micros_to_ms(self.histogram.max())
    }

    pub fn mean_ms(&self) -> f64 {
        self.histogram.mean() / 1000.0
    }

    /// Failures as a percentage of requests (0 when there were none).
    pub fn failure_percent(&self) -> f64 {
        match self.count() {
            0 => 0.0,
            n => self.failures as f64 * 100.0 / n as f64,
        }
    }

    fn merge(&mut self, other: &Self) {
        self.histogram
            .add(&other.histogram)
            .expect("histograms share their bounds");
        self.failures += other.failures;
    }
}

impl Default for Latencies {
    fn default() -> Self {
        Self::new()
    }
}

#[allow(clippy::cast_precision_loss)]
fn micros_to_ms(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

#[derive(Debug)]
struct Inner {
    per_op: Vec<Latencies>,
    /// (operation, message) -> count.
    failures: HashMap<(Op, String), u64>,
    series: timeline::Series,
}

/// Collects the outcome of every request; shared by all virtual users.
#[derive(Debug)]
pub struct Recorder {
    start: Instant,
    inner: Mutex<Inner>,
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new()
    }
}

impl Recorder {
    /// A recorder whose time series has one slot per second.
    pub fn new() -> Self {
        Self::with_interval(Duration::from_secs(1))
    }

    /// A recorder whose time series starts now, in slots of `interval`.
    pub fn with_interval(interval: Duration) -> Self {
        Self {
            start: Instant::now(),
            inner: Mutex::new(Inner {
                per_op: Op::ALL.iter().map(|_| Latencies::new()).collect(),
                failures: HashMap::new(),
                series: timeline::Series::new(interval),
            }),
        }
    }

    /// When the time series starts.
    pub fn start(&self) -> Instant {
        self.start
    }

    /// Records one request, completed now: its latency, and why it failed if
    /// it did.
    pub fn record(&self, op: Op, latency: Duration, failure: Option<&str>) {
        self.record_at(self.start.elapsed(), op, latency, failure);
    }

    /// Records one request that completed `at` after the start.
    pub fn record_at(&self, at: Duration, op: Op, latency: Duration, failure: Option<&str>) {
        let micros = u64::try_from(latency.as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        let mut inner = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = &mut inner.per_op[op.index()];
        entry.histogram.saturating_record(micros);
        if let Some(message) = failure {
            entry.failures += 1;
            *inner.failures.entry((op, normalize(message))).or_insert(0) += 1;
        }
        inner.series.record(at, micros, failure.is_some());
    }

    /// Every request over time, for a run that lasted `elapsed`; kept out of
    /// [`Self::snapshot`], which the progress line takes twice a second.
    pub fn timeline(&self, elapsed: Duration) -> Timeline {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .series
            .timeline(elapsed)
    }

    /// A copy of everything recorded so far but the time series.
    pub fn snapshot(&self) -> Snapshot {
        let inner = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut failures: Vec<FailureGroup> = inner
            .failures
            .iter()
            .map(|((op, message), count)| FailureGroup {
                op: *op,
                message: message.clone(),
                count: *count,
            })
            .collect();
        failures.sort_by(|a, b| b.count.cmp(&a.count).then(a.op.cmp(&b.op)));
        Snapshot {
            per_op: Op::ALL
                .iter()
                .map(|op| (*op, inner.per_op[op.index()].clone()))
                .collect(),
            failures,
        }
    }
}

/// Requests that failed the same way.
#[derive(Debug, Clone)]
pub struct FailureGroup {
    pub op: Op,
    pub message: String,
    pub count: u64,
}

#[derive(Debug, Clone)]
pub struct Snapshot {
    pub per_op: Vec<(Op, Latencies)>,
    pub failures: Vec<FailureGroup>,
}

impl Snapshot {
    /// The weighted operations together.
    pub fn operations(&self) -> Latencies {
        self.sum(|op| !op.is_setup())
    }

    /// The setup requests together.
    pub fn setup(&self) -> Latencies {
        self.sum(Op::is_setup)
    }

    /// Every request.
    pub fn all(&self) -> Latencies {
        self.sum(|_| true)
    }

    fn sum(&self, include: impl Fn(Op) -> bool) -> Latencies {
        let mut total = Latencies::new();
        for (op, latencies) in &self.per_op {
            if include(*op) {
                total.merge(latencies);
            }
        }
        total
    }
}

/// Replaces UUIDs with `<id>` so that failures differing only in the object
/// they name are counted together.
fn normalize(message: &str) -> String {
    let bytes = message.as_bytes();
    let mut out = String::with_capacity(message.len());
    let mut i = 0;
    while i < bytes.len() {
        if i + 36 <= bytes.len() && is_uuid(&bytes[i..i + 36]) {
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

fn is_uuid(candidate: &[u8]) -> bool {
    candidate.iter().enumerate().all(|(i, b)| match i {
        8 | 13 | 18 | 23 => *b == b'-',
        _ => b.is_ascii_hexdigit(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_masked() {
        assert_eq!(
            normalize("agent 0199a2b4-51c3-7d2e-9f00-123456789abc not found"),
            "agent <id> not found"
        );
        assert_eq!(normalize("naïve message"), "naïve message");
    }

    #[test]
    fn percentiles_come_from_the_histogram() {
        let recorder = Recorder::new();
        for ms in 1..=100 {
            recorder.record(Op::GetAgent, Duration::from_millis(ms), None);
        }
        recorder.record(Op::GetAgent, Duration::from_millis(5), Some("boom"));
        let snapshot = recorder.snapshot();
        let all = snapshot.all();
        assert_eq!(all.count(), 101);
        assert_eq!(all.failures, 1);
        assert!((all.quantile_ms(0.95) - 95.0).abs() < 0.2);
        assert_eq!(snapshot.failures.len(), 1);
        assert_eq!(snapshot.setup().count(), 0);
    }
}
