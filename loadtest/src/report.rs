//! The end-of-run report: a table per operation, the failures grouped by
//! message, the verdict against the thresholds, the run over time, and the
//! same as JSON (and as a page: [`crate::html`]).

use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use crate::stats::{Latencies, Snapshot, Timeline};

/// How the run was set up, echoed in the report.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub url: String,
    pub users: usize,
    pub spawn_rate: f64,
    pub duration_secs: f64,
    pub think_time: String,
    pub max_failure_rate_percent: f64,
    pub max_p95_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub name: String,
    pub requests: u64,
    pub failures: u64,
    pub failure_percent: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
    pub rps: f64,
}

impl Row {
    /// One operation's row: `latencies` over a run of `elapsed`.
    pub fn new(name: &str, latencies: &Latencies, elapsed: Duration) -> Self {
        let secs = elapsed.as_secs_f64().max(f64::EPSILON);
        #[allow(clippy::cast_precision_loss)]
        let rps = latencies.count() as f64 / secs;
        Self {
            name: name.to_owned(),
            requests: latencies.count(),
            failures: latencies.failures,
            failure_percent: latencies.failure_percent(),
            p50_ms: latencies.quantile_ms(0.50),
            p95_ms: latencies.quantile_ms(0.95),
            p99_ms: latencies.quantile_ms(0.99),
            max_ms: latencies.max_ms(),
            mean_ms: latencies.mean_ms(),
            rps,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FailureRow {
    pub operation: String,
    pub message: String,
    pub count: u64,
}

/// The whole report; also what `--report FILE.json` writes.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub settings: Settings,
    pub started_at: String,
    pub elapsed_secs: f64,
    /// The weighted operations of the original test.
    pub operations: Vec<Row>,
    /// All weighted operations together.
    pub operations_total: Row,
    /// Requests that only prepare the operations (each user's own agent, goal
    /// and plan; agents created to be deleted).
    pub setup: Vec<Row>,
    /// Every request, operations and setup: what the thresholds judge.
    pub all_requests: Row,
    pub failures: Vec<FailureRow>,
    /// Why the run failed its thresholds; empty when it passed.
    pub threshold_violations: Vec<String>,
    pub passed: bool,
    /// Every request over time.
    pub timeline: Timeline,
}

impl Report {
    pub fn new(
        settings: Settings,
        started_at: String,
        elapsed: Duration,
        snapshot: &Snapshot,
        timeline: Timeline,
    ) -> Self {
        let rows = |setup: bool| -> Vec<Row> {
            snapshot
                .per_op
                .iter()
                .filter(|(op, latencies)| {
                    op.is_setup() == setup && (!setup || latencies.count() > 0)
                })
                .map(|(op, latencies)| Row::new(op.name(), latencies, elapsed))
                .collect()
        };
        let all_requests = Row::new("all requests", &snapshot.all(), elapsed);
        let mut violations = Vec::new();
        if all_requests.requests == 0 {
            violations.push("no request was made".to_owned());
        }
        // `--max-failure-rate 0` thus means "no failure at all".
        if all_requests.failures > 0
            && all_requests.failure_percent >= settings.max_failure_rate_percent
        {
            violations.push(format!(
                "failure rate {:.2}% >= {}%",
                all_requests.failure_percent, settings.max_failure_rate_percent
            ));
        }
        if all_requests.p95_ms >= settings.max_p95_ms {
            violations.push(format!(
                "p95 {:.2} ms >= {} ms",
                all_requests.p95_ms, settings.max_p95_ms
            ));
        }
        Self {
            started_at,
            elapsed_secs: elapsed.as_secs_f64(),
            operations: rows(false),
            operations_total: Row::new("operations total", &snapshot.operations(), elapsed),
            setup: rows(true),
            all_requests,
            failures: snapshot
                .failures
                .iter()
                .map(|group| FailureRow {
                    operation: group.op.name().to_owned(),
                    message: group.message.clone(),
                    count: group.count,
                })
                .collect(),
            passed: violations.is_empty(),
            threshold_violations: violations,
            settings,
            timeline,
        }
    }

    /// The report as text for a terminal.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let s = &self.settings;
        let _ = writeln!(
            out,
            "\n{} users (spawn {}/s), think time {}, {:.1} s against {}",
            s.users, s.spawn_rate, s.think_time, self.elapsed_secs, s.url
        );
        let header = format!(
            "{:<30} {:>9} {:>7} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "operation",
            "requests",
            "fails",
            "fail%",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "max ms",
            "req/s"
        );
        let rule = "-".repeat(header.len());
        let _ = writeln!(out, "{header}\n{rule}");
        for row in &self.operations {
            render_row(&mut out, row);
        }
        let _ = writeln!(out, "{rule}");
        render_row(&mut out, &self.operations_total);
        if !self.setup.is_empty() {
            let _ = writeln!(out, "{rule}");
            for row in &self.setup {
                render_row(&mut out, row);
            }
        }
        let _ = writeln!(out, "{rule}");
        render_row(&mut out, &self.all_requests);

        if self.failures.is_empty() {
            let _ = writeln!(out, "\nno failures");
        } else {
            let _ = writeln!(out, "\nfailures by message:");
            for failure in &self.failures {
                let _ = writeln!(
                    out,
                    "{:>8} x {}: {}",
                    failure.count, failure.operation, failure.message
                );
            }
        }
        if self.passed {
            let _ = writeln!(
                out,
                "\nPASS: {} failures ({:.2}%; limit {}%), p95 {:.2} ms (limit {} ms)",
                self.all_requests.failures,
                self.all_requests.failure_percent,
                s.max_failure_rate_percent,
                self.all_requests.p95_ms,
                s.max_p95_ms
            );
        } else {
            let _ = writeln!(out, "\nFAIL: {}", self.threshold_violations.join("; "));
        }
        out
    }
}

fn render_row(out: &mut String, row: &Row) {
    let _ = writeln!(
        out,
        "{:<30} {:>9} {:>7} {:>7.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.1}",
        row.name,
        row.requests,
        row.failures,
        row.failure_percent,
        row.p50_ms,
        row.p95_ms,
        row.p99_ms,
        row.max_ms,
        row.rps
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{Op, Recorder};

    fn report(failures: u64, max_failure_rate_percent: f64, max_p95_ms: f64) -> Report {
        let recorder = Recorder::new();
        for i in 0..100 {
            let failure = (i < failures).then_some("boom");
            recorder.record(Op::ListGoals, Duration::from_millis(2), failure);
        }
        let settings = Settings {
            url: "http://127.0.0.1:8000/graphql".into(),
            users: 1,
            spawn_rate: 1.0,
            duration_secs: 1.0,
            think_time: "none".into(),
            max_failure_rate_percent,
            max_p95_ms,
        };
        Report::new(
            settings,
            String::new(),
            Duration::from_secs(1),
            &recorder.snapshot(),
            recorder.timeline(Duration::from_secs(1)),
        )
    }

    #[test]
    fn thresholds_judge_failures_and_p95() {
        assert!(report(0, 1.0, 500.0).passed);
        assert!(report(0, 0.0, 500.0).passed, "0 failures pass a 0% limit");
        assert!(!report(1, 0.0, 500.0).passed);
        assert!(!report(1, 1.0, 500.0).passed, "1% is not below 1%");
        assert!(report(1, 1.5, 500.0).passed);
        assert!(!report(0, 1.0, 2.0).passed, "p95 2 ms is not below 2 ms");
        let failed = report(3, 1.0, 500.0);
        assert_eq!(failed.failures.len(), 1);
        assert_eq!(failed.failures[0].count, 3);
        assert_eq!(failed.operations_total.requests, 100);
        assert_eq!(failed.operations.len(), 8);
        assert!(failed.setup.is_empty());
    }
}
