//! The queue scenario's report as one HTML page, built like the users
//! scenario's ([`crate::html`]: its style, its table rows, its charts):
//! the verdict, the settings, what became of the tasks, throughput and
//! claim latency over time, the per-request table, the verification and
//! the failed requests.

use maud::{DOCTYPE, PreEscaped, html};

use super::report::{WorkersPoint, WorkersReport};
use super::violation::examples;
use crate::chart::{self, Frame, Line, PALETTE};
use crate::html::{STYLE, ms, table_row};

/// The report as a self-contained HTML document.
pub fn render(report: &WorkersReport) -> anyhow::Result<String> {
    let charts = charts(report)?;
    let (s, t) = (&report.settings, &report.tasks);
    let verdict = if report.passed { "PASS" } else { "FAIL" };
    let hit = &report.claims_with_tasks;
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "agentgraph work queue load test: " (verdict) ", " (report.started_at) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 {
                    "agentgraph work queue load test "
                    span #verdict .verdict .pass[report.passed] .fail[!report.passed] { (verdict) }
                }
                @if !report.passed {
                    p.violations { "Failed: " (report.problems.join("; ")) }
                }
                div.summary {
                    div { "tasks" b { (t.read) } }
                    div { "completed/s" b { (format!("{:.1}", report.completed_per_sec)) } }
                    div { "claims/s" b { (format!("{:.1}", report.claims_per_sec)) } }
                    div { "claim p50 / p95 / p99 ms" b { (ms(hit.p50_ms)) " / " (ms(hit.p95_ms)) " / " (ms(hit.p99_ms)) } }
                    div { "rules broken" b { (report.violation_count) } }
                }
                h2 { "Run" }
                dl.settings #settings {
                    dt { "target" } dd { code { (s.url) } }
                    dt { "started" } dd { (report.started_at) }
                    dt { "task type" } dd { code { (s.task_type) } }
                    dt { "agents" } dd { (s.agents) " (" (s.crashing_agents) " of them crash now and then)" }
                    dt { "producers" } dd { (s.producers) ", " (s.tasks) " tasks in plans of " (s.plan_size) }
                    dt { "claims" } dd { "limit " (s.claim_limit) ", " (s.lease_seconds) " s leases, " (s.wait_seconds) " s long polls" }
                    dt { "tasks" } dd {
                        "work " (s.work_time) "; flaky " (share(s.flaky_share)) ", poison " (share(s.poison_share))
                        ", longer than a lease " (share(s.long_share)) ", with dependencies " (share(s.dependent_share))
                        "; maxAttempts " (s.max_attempts)
                    }
                    dt { "duration" } dd { (s.deadline_secs) " s deadline, " (format!("{:.1}", report.elapsed_secs)) " s run" }
                    dt { "verdict" } dd { (verdict) }
                }
                h2 { "Tasks" }
                table #tasks {
                    tbody {
                        tr { td { "COMPLETED" } td.num { (t.completed) } td { (t.completed_after_failures) " after failed attempts" } }
                        tr { td { "FAILED" } td.num { (t.failed) } td { (t.failed_poison) " poison, " (t.failed_every_attempt) " every attempt failed, " (t.failed_lease_expired) " lease expired" } }
                        tr { td { "CANCELLED" } td.num { (t.cancelled) } td { (t.cancelled_by_test) " by the test (a dependency FAILED), the rest by the server's cascade" } }
                        tr { td { "not ended" } td.num { (t.unfinished) } td { "PENDING, RUNNING or BLOCKED" } }
                        tr { td { "attempts" } td.num { (t.attempts) } td { (t.abandoned_attempts) " abandoned by crashing agents, " (t.leases_lost) " leases lost, " (t.unanswered_claims) " claims unanswered" } }
                    }
                }
                h2 { "Over time" }
                @for (id, caption, svg, points) in &charts {
                    figure.chart id=(id) data-points=(points) {
                        (PreEscaped(svg))
                        figcaption { (caption) }
                    }
                }
                h2 { "Requests" }
                table #operations {
                    thead { tr {
                        th { "request" } th.num { "requests" } th.num { "failures" } th.num { "fail %" }
                        th.num { "p50 ms" } th.num { "p95 ms" } th.num { "p99 ms" } th.num { "max ms" }
                        th.num { "mean ms" } th.num { "req/s" }
                    } }
                    tbody {
                        @for r in &report.operations { (table_row(r, "operation")) }
                        (table_row(&report.all_requests, "total"))
                    }
                }
                p { small { "The → rows split claimTasks by what it returned: tasks, or [] when a long poll's wait ran out. Failures include requests retried through an outage." } }
                h2 { "Verification" }
                @if report.violation_count == 0 {
                    p #verified { "All " (t.read) " tasks read back ended as the rules say; none was completed twice; every dependent started after its dependencies completed." }
                } @else {
                    p { (report.violation_count) " violations, by rule:" }
                    table #rules {
                        thead { tr { th.num { "count" } th { "rule broken" } } }
                        tbody { @for r in &report.violations_by_rule { tr { td.num { (r.count) } td { (r.description) } } } }
                    }
                    p { "The first cases of each:" }
                    ul #violations { @for v in examples(report, 5, 100) { li { (v.rule.describe()) ": " code { (v.detail) } } } }
                }
                h2 { "Failed requests by message" }
                @if report.failures.is_empty() {
                    p #no-failures { "No request failed." }
                } @else {
                    table #failures {
                        thead { tr { th.num { "count" } th { "request" } th { "message" } } }
                        tbody {
                            @for f in &report.failures {
                                tr { td.num { (f.count) } td { (f.operation) } td { code { (f.message) } } }
                            }
                        }
                    }
                }
                footer { "loadtest " (env!("CARGO_PKG_VERSION")) " --scenario workers; latencies as the load generator saw them." }
            }
        }
    };
    Ok(page.into_string())
}

fn share(value: f64) -> String {
    format!("{:.0}%", value * 100.0)
}

/// (element id, caption, SVG, points per line) of each chart.
fn charts(report: &WorkersReport) -> anyhow::Result<Vec<(&'static str, String, String, usize)>> {
    let timeline = &report.timeline;
    let series = |f: fn(&WorkersPoint) -> f64| -> Vec<(f64, f64)> {
        timeline.iter().map(|p| (p.start_secs, f(p))).collect()
    };
    let line = |name: &str, color, points| Line {
        name: name.to_owned(),
        color,
        points,
        dashed: false,
    };
    let frame = |title, y_desc| Frame {
        title,
        x_desc: "seconds since start",
        y_desc,
        width: 1000,
        height: 300,
    };
    let throughput = chart::lines(
        &frame("Tasks per second", "per second"),
        &[
            line(
                "tasks completed",
                PALETTE[3],
                series(|p| p.completed_per_sec),
            ),
            line(
                "tasks claimed",
                PALETTE[0],
                series(|p| p.tasks_claimed_per_sec),
            ),
            line(
                "long polls that returned []",
                PALETTE[4],
                series(|p| p.empty_polls_per_sec),
            ),
        ],
    )?;
    let latency = chart::lines(
        &frame("Latency of the claims that returned tasks", "ms"),
        &[
            line("p50", PALETTE[3], series(|p| p.claim_p50_ms)),
            line("p95", PALETTE[1], series(|p| p.claim_p95_ms)),
            line("p99", PALETTE[2], series(|p| p.claim_p99_ms)),
        ],
    )?;
    let failures = chart::lines(
        &frame("Failed requests per second", "failures/s"),
        &[line(
            "failed requests",
            PALETTE[2],
            series(|p| p.failures_per_sec),
        )],
    )?;
    let per = format!("{} s intervals", report.interval_secs);
    let points = timeline.len();
    Ok(vec![
        (
            "chart-throughput",
            format!("Tasks completed and claimed per second, and long polls that ran out, {per}."),
            throughput,
            points,
        ),
        (
            "chart-latency",
            format!(
                "p50, p95 and p99 latency of the claims that returned tasks (a claim may wait for a task up to its long poll), {per}."
            ),
            latency,
            points,
        ),
        (
            "chart-failures",
            format!("Failed requests per second (retried through an outage or not), {per}."),
            failures,
            points,
        ),
    ])
}
