//! The run over time: requests, failures and latency per slot of time since
//! the start, so that a report can show where throughput dropped or errors
//! began, not only the totals.

use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// Requests that completed within one slot.
#[derive(Debug, Clone)]
struct Slot {
    failures: u64,
    /// In microseconds. Two significant digits and `u32` counts keep a slot
    /// near 12 KiB, so that a long run's hundreds of slots stay small; a
    /// percentile per second needs no more precision than that.
    latencies: Histogram<u32>,
}

impl Slot {
    fn new() -> Self {
        Self {
            failures: 0,
            latencies: Histogram::new_with_bounds(1, 600_000_000, 2)
                .expect("constant histogram bounds are valid"),
        }
    }
}

/// Per-slot counts and latency histograms of every request.
#[derive(Debug, Clone)]
pub(super) struct Series {
    interval: Duration,
    slots: Vec<Slot>,
}

impl Series {
    pub(super) fn new(interval: Duration) -> Self {
        Self {
            interval: interval.max(Duration::from_millis(1)),
            slots: Vec::new(),
        }
    }

    /// Records a request that completed `at` after the start.
    pub(super) fn record(&mut self, at: Duration, micros: u64, failed: bool) {
        let index = usize::try_from(at.as_nanos() / self.interval.as_nanos()).unwrap_or(usize::MAX);
        // A clock that jumps far ahead must not allocate without bound: a
        // day of slots at the finest interval is the ceiling.
        let index = index.min(86_400);
        if self.slots.len() <= index {
            self.slots.resize_with(index + 1, Slot::new);
        }
        let slot = &mut self.slots[index];
        slot.latencies.saturating_record(micros);
        if failed {
            slot.failures += 1;
        }
    }

    /// One point per slot up to the last request, empty slots included (a
    /// stall shows as zeros, not as a gap the chart would bridge). A last
    /// slot that `elapsed` covers less than half of joins the one before:
    /// its few requests over a sliver of time would read as a spike.
    pub(super) fn timeline(&self, elapsed: Duration) -> Timeline {
        let width = self.interval.as_secs_f64();
        let end = elapsed.as_secs_f64();
        #[allow(clippy::cast_precision_loss)]
        let start_of = |index: usize| index as f64 * width;
        let covered = |index: usize| (end - start_of(index)).clamp(0.0, width);
        let count = self.slots.len();
        let fold = count >= 2 && covered(count - 1) < width / 2.0;
        let shown = if fold { count - 1 } else { count };
        let points = (0..shown)
            .map(|index| {
                let mut slot = std::borrow::Cow::Borrowed(&self.slots[index]);
                let mut secs = covered(index);
                if fold && index == shown - 1 {
                    let last = &self.slots[count - 1];
                    let merged = slot.to_mut();
                    merged
                        .latencies
                        .add(&last.latencies)
                        .expect("slots share their bounds");
                    merged.failures += last.failures;
                    secs += covered(count - 1);
                }
                // `elapsed` is taken after the last request, so only a slot
                // starting exactly there covers nothing.
                if secs <= 0.0 {
                    secs = width;
                }
                point(start_of(index), secs, &slot)
            })
            .collect();
        Timeline {
            interval_secs: width,
            points,
        }
    }
}

fn point(start_secs: f64, secs: f64, slot: &Slot) -> TimePoint {
    let requests = slot.latencies.len();
    let quantile = |q: f64| {
        if requests == 0 {
            0.0
        } else {
            #[allow(clippy::cast_precision_loss)]
            let micros = slot.latencies.value_at_quantile(q) as f64;
            micros / 1000.0
        }
    };
    #[allow(clippy::cast_precision_loss)]
    TimePoint {
        start_secs,
        requests,
        failures: slot.failures,
        rps: requests as f64 / secs,
        failures_per_sec: slot.failures as f64 / secs,
        p50_ms: quantile(0.50),
        p95_ms: quantile(0.95),
        p99_ms: quantile(0.99),
    }
}

/// The run over time, as the reports show it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timeline {
    /// The width of each slot.
    pub interval_secs: f64,
    pub points: Vec<TimePoint>,
}

/// All requests that completed within one slot.
#[derive(Debug, Clone, Serialize)]
pub struct TimePoint {
    /// When the slot starts, from the start of the run.
    pub start_secs: f64,
    pub requests: u64,
    pub failures: u64,
    pub rps: f64,
    pub failures_per_sec: f64,
    /// Latency percentiles within the slot; 0 when it had no request.
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

/// A slot width that keeps a run of `duration` near 300 points or fewer:
/// one second up to five minutes, whole seconds beyond.
pub fn interval_for(duration: Duration) -> Duration {
    Duration::from_secs(duration.as_secs().div_ceil(300).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_count_and_time_requests() {
        let mut series = Series::new(Duration::from_secs(1));
        for ms in 1..=100 {
            series.record(Duration::from_millis(200), ms * 1000, false);
        }
        series.record(Duration::from_millis(2500), 7000, true);
        let timeline = series.timeline(Duration::from_millis(2500));
        assert_eq!(timeline.points.len(), 3);
        let first = &timeline.points[0];
        assert_eq!((first.requests, first.failures), (100, 0));
        assert!((first.rps - 100.0).abs() < 1e-9);
        assert!((first.p95_ms - 95.0).abs() < 1.0, "{}", first.p95_ms);
        let stalled = &timeline.points[1];
        assert_eq!(
            (stalled.requests, stalled.rps, stalled.p99_ms),
            (0, 0.0, 0.0)
        );
        let last = &timeline.points[2];
        assert_eq!((last.requests, last.failures), (1, 1));
        assert!((last.rps - 2.0).abs() < 1e-9, "half a slot: {}", last.rps);
        assert!((last.start_secs - 2.0).abs() < 1e-9);
    }

    #[test]
    fn a_sliver_of_a_last_slot_joins_the_one_before() {
        let mut series = Series::new(Duration::from_secs(1));
        series.record(Duration::from_millis(500), 1000, false);
        series.record(Duration::from_millis(1500), 1000, false);
        series.record(Duration::from_millis(2100), 9000, true);
        let timeline = series.timeline(Duration::from_millis(2200));
        assert_eq!(timeline.points.len(), 2);
        let last = &timeline.points[1];
        assert_eq!((last.requests, last.failures), (2, 1));
        assert!((last.rps - 2.0 / 1.2).abs() < 1e-9, "{}", last.rps);
        assert!((last.p99_ms - 9.0).abs() < 0.1, "{}", last.p99_ms);
        let single = Series::new(Duration::from_secs(1));
        assert!(single.timeline(Duration::ZERO).points.is_empty());
    }

    #[test]
    fn long_runs_get_wider_slots() {
        assert_eq!(interval_for(Duration::from_secs(5)), Duration::from_secs(1));
        assert_eq!(
            interval_for(Duration::from_secs(300)),
            Duration::from_secs(1)
        );
        assert_eq!(
            interval_for(Duration::from_secs(3600)),
            Duration::from_secs(12)
        );
    }
}
