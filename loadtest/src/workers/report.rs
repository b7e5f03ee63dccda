//! The queue scenario's report: what became of the tasks, throughput, claim
//! latency (claims that returned tasks apart from long polls that ran out),
//! the per-request table of the users scenario ([`Row`]), the verification's
//! verdict, and the run over time; as text, as JSON and as a page
//! ([`super::html`]).

use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use super::stats::{QueueOp, QueueSnapshot};
use super::verify::Tally;
use super::violation::{RuleCount, Violation, by_rule, examples};
use crate::report::{FailureRow, Row};
use crate::stats::Latencies;

/// How the run was set up, echoed in the report.
#[derive(Debug, Clone, Serialize)]
pub struct WorkersSettings {
    pub url: String,
    pub task_type: String,
    pub agents: usize,
    pub crashing_agents: usize,
    pub producers: usize,
    pub tasks: usize,
    pub plan_size: usize,
    pub claim_limit: u32,
    pub lease_seconds: u32,
    pub wait_seconds: u32,
    pub work_time: String,
    pub flaky_share: f64,
    pub poison_share: f64,
    pub long_share: f64,
    pub dependent_share: f64,
    pub max_attempts: String,
    pub deadline_secs: f64,
    pub max_failure_rate_percent: f64,
}

/// Latency percentiles of one kind of claim, in milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct Percentiles {
    pub count: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Percentiles {
    fn of(latencies: &Latencies) -> Self {
        Self {
            count: latencies.count(),
            p50_ms: latencies.quantile_ms(0.50),
            p95_ms: latencies.quantile_ms(0.95),
            p99_ms: latencies.quantile_ms(0.99),
            max_ms: if latencies.count() == 0 {
                0.0
            } else {
                latencies.max_ms()
            },
        }
    }
}

/// One slot of the run.
#[derive(Debug, Clone, Serialize)]
pub struct WorkersPoint {
    pub start_secs: f64,
    pub completed_per_sec: f64,
    pub tasks_claimed_per_sec: f64,
    pub claims_per_sec: f64,
    pub empty_polls_per_sec: f64,
    /// Of the claims that returned tasks; 0 in a slot without one.
    pub claim_p50_ms: f64,
    pub claim_p95_ms: f64,
    pub claim_p99_ms: f64,
    pub failures_per_sec: f64,
}

/// The whole report; also what `--report FILE.json` writes.
#[derive(Debug, Clone, Serialize)]
pub struct WorkersReport {
    pub scenario: &'static str,
    pub settings: WorkersSettings,
    pub started_at: String,
    /// From the first request until every task had ended (or the deadline).
    pub elapsed_secs: f64,
    /// Whether every task ended before the deadline.
    pub finished: bool,
    pub tasks: Tally,
    pub completed_per_sec: f64,
    pub claims_per_sec: f64,
    pub tasks_claimed_per_sec: f64,
    pub claims_with_tasks: Percentiles,
    pub claims_empty: Percentiles,
    pub operations: Vec<Row>,
    pub all_requests: Row,
    pub failures: Vec<FailureRow>,
    /// How many times the server broke a rule (the first 1,000 are
    /// listed).
    pub violation_count: usize,
    /// How many times each rule broke, most often first.
    pub violations_by_rule: Vec<RuleCount>,
    pub violations: Vec<Violation>,
    /// Why the run failed; empty when it passed.
    pub problems: Vec<String>,
    pub passed: bool,
    pub interval_secs: f64,
    pub timeline: Vec<WorkersPoint>,
}

/// What a run produced, before it is judged.
#[derive(Debug)]
pub(crate) struct RunResult {
    pub(crate) settings: WorkersSettings,
    pub(crate) started_at: String,
    pub(crate) elapsed: Duration,
    pub(crate) finished: bool,
    pub(crate) tally: Tally,
    pub(crate) snapshot: QueueSnapshot,
    pub(crate) violations: Vec<Violation>,
    pub(crate) setup_errors: Vec<String>,
}

impl WorkersReport {
    pub(crate) fn new(run: RunResult) -> Self {
        let RunResult {
            settings,
            started_at,
            elapsed,
            finished,
            tally,
            snapshot,
            violations,
            setup_errors,
        } = run;
        let secs = elapsed.as_secs_f64().max(f64::EPSILON);
        let operations: Vec<Row> = snapshot
            .per_op
            .iter()
            .filter(|(op, latencies)| {
                latencies.count() > 0 || matches!(op, QueueOp::Claim | QueueOp::Complete)
            })
            .map(|(op, latencies)| Row::new(op.name(), latencies, elapsed))
            .collect();
        let all_requests = Row::new("all requests", &snapshot.all, elapsed);
        let hit = snapshot.of(QueueOp::ClaimHit);
        let empty = snapshot.of(QueueOp::ClaimEmpty);
        let tasks_claimed: u64 = snapshot.slots.iter().map(|slot| slot.tasks_claimed).sum();
        let mut problems = setup_errors;
        if !finished {
            problems.push(format!(
                "the deadline ({} s) came before every task had ended",
                settings.deadline_secs
            ));
        }
        if !violations.is_empty() {
            problems.push(format!(
                "{} violations of the queue's rules",
                violations.len()
            ));
        }
        if all_requests.failures > 0
            && all_requests.failure_percent >= settings.max_failure_rate_percent
        {
            problems.push(format!(
                "failure rate {:.2}% >= {}%",
                all_requests.failure_percent, settings.max_failure_rate_percent
            ));
        }
        if tally.created == 0 {
            problems.push("no task was created".into());
        }
        #[allow(clippy::cast_precision_loss)]
        Self {
            scenario: "workers",
            started_at,
            elapsed_secs: elapsed.as_secs_f64(),
            finished,
            completed_per_sec: tally.completed as f64 / secs,
            claims_per_sec: (hit.count() + empty.count()) as f64 / secs,
            tasks_claimed_per_sec: tasks_claimed as f64 / secs,
            claims_with_tasks: Percentiles::of(hit),
            claims_empty: Percentiles::of(empty),
            tasks: tally,
            operations,
            all_requests,
            failures: snapshot
                .failures
                .iter()
                .map(|(op, message, count)| FailureRow {
                    operation: op.name().trim().to_owned(),
                    message: message.clone(),
                    count: *count,
                })
                .collect(),
            violation_count: violations.len(),
            violations_by_rule: by_rule(&violations),
            violations: violations.into_iter().take(1000).collect(),
            passed: problems.is_empty(),
            problems,
            interval_secs: snapshot.interval.as_secs_f64(),
            timeline: timeline(&snapshot, elapsed),
            settings,
        }
    }

    /// The report as text for a terminal.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let (s, t) = (&self.settings, &self.tasks);
        let _ = writeln!(
            out,
            "\nwork queue ({}): {} agents ({} crashing), {} producers, {} tasks in plans of {}, claims of limit {} with {} s leases and {} s long polls, against {}",
            s.task_type,
            s.agents,
            s.crashing_agents,
            s.producers,
            s.tasks,
            s.plan_size,
            s.claim_limit,
            s.lease_seconds,
            s.wait_seconds,
            s.url
        );
        let _ = writeln!(
            out,
            "{} in {:.1} s: {} COMPLETED ({} after failed attempts), {} FAILED ({} poison, {} every attempt failed, {} lease expired), {} CANCELLED ({} by the test), {} unfinished",
            if self.finished {
                "all ended"
            } else {
                "deadline hit"
            },
            self.elapsed_secs,
            t.completed,
            t.completed_after_failures,
            t.failed,
            t.failed_poison,
            t.failed_every_attempt,
            t.failed_lease_expired,
            t.cancelled,
            t.cancelled_by_test,
            t.unfinished
        );
        let _ = writeln!(
            out,
            "{} attempts; {} abandoned by crashing agents, {} leases lost, {} claims unanswered; {} dependents started after their dependencies",
            t.attempts,
            t.abandoned_attempts,
            t.leases_lost,
            t.unanswered_claims,
            t.dependents_checked
        );
        let _ = writeln!(
            out,
            "throughput: {:.1} tasks completed/s, {:.1} claims/s ({:.1} tasks claimed/s)",
            self.completed_per_sec, self.claims_per_sec, self.tasks_claimed_per_sec
        );
        for (name, p) in [
            ("claims that returned tasks", &self.claims_with_tasks),
            ("long polls that returned []", &self.claims_empty),
        ] {
            let _ = writeln!(
                out,
                "{name}: p50 {:.2} / p95 {:.2} / p99 {:.2} ms ({} claims)",
                p.p50_ms, p.p95_ms, p.p99_ms, p.count
            );
        }
        let header = format!(
            "{:<32} {:>9} {:>7} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "request",
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
        let _ = writeln!(out, "\n{header}\n{rule}");
        for row in self.operations.iter().chain([&self.all_requests]) {
            if row.name == "all requests" {
                let _ = writeln!(out, "{rule}");
            }
            let _ = writeln!(
                out,
                "{:<32} {:>9} {:>7} {:>7.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.1}",
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
        if self.failures.is_empty() {
            let _ = writeln!(out, "\nno failed requests");
        } else {
            let _ = writeln!(out, "\nfailed requests by message (retried ones included):");
            for failure in &self.failures {
                let _ = writeln!(
                    out,
                    "{:>8} x {}: {}",
                    failure.count, failure.operation, failure.message
                );
            }
        }
        if self.violation_count == 0 {
            let _ = writeln!(
                out,
                "\nverification: all {} tasks read back ended as the rules say",
                t.read
            );
        } else {
            let _ = writeln!(out, "\nverification: {} violations:", self.violation_count);
            for row in &self.violations_by_rule {
                let _ = writeln!(out, "{:>8} x {}", row.count, row.description);
            }
            let _ = writeln!(out, "the first ones of each:");
            for violation in examples(self, 3, 20) {
                let _ = writeln!(out, "  - {violation}");
            }
        }
        if self.passed {
            let _ = writeln!(out, "\nPASS");
        } else {
            let _ = writeln!(out, "\nFAIL: {}", self.problems.join("; "));
        }
        out
    }
}

fn timeline(snapshot: &QueueSnapshot, elapsed: Duration) -> Vec<WorkersPoint> {
    let width = snapshot.interval.as_secs_f64();
    let end = elapsed.as_secs_f64();
    snapshot
        .slots
        .iter()
        .enumerate()
        .map(|(index, slot)| {
            #[allow(clippy::cast_precision_loss)]
            (index as f64 * width, slot)
        })
        // The verification's reads come after the run.
        .take_while(|(start, _)| *start < end)
        .map(|(start, slot)| {
            let mut secs = (end - start).clamp(0.0, width);
            // A sliver of a last slot would read as a spike.
            if secs < width / 2.0 {
                secs = width;
            }
            let quantile = |q: f64| {
                if slot.hit_latency.is_empty() {
                    0.0
                } else {
                    #[allow(clippy::cast_precision_loss)]
                    let micros = slot.hit_latency.value_at_quantile(q) as f64;
                    micros / 1000.0
                }
            };
            #[allow(clippy::cast_precision_loss)]
            let rate = |count: u64| count as f64 / secs;
            WorkersPoint {
                start_secs: start,
                completed_per_sec: rate(slot.completed),
                tasks_claimed_per_sec: rate(slot.tasks_claimed),
                claims_per_sec: rate(slot.claims_hit + slot.claims_empty),
                empty_polls_per_sec: rate(slot.claims_empty),
                claim_p50_ms: quantile(0.50),
                claim_p95_ms: quantile(0.95),
                claim_p99_ms: quantile(0.99),
                failures_per_sec: rate(slot.failures),
            }
        })
        .collect()
}
