//! The report as one HTML page a person can open offline: the verdict and
//! the run's settings first, then charts of the run over time (inline SVG),
//! the per-operation table and the failures by message. Nothing is loaded
//! from anywhere: no script, no font, no stylesheet but its own.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::chart::{self, Frame, Line, PALETTE};
use crate::report::{Report, Row};

pub(crate) const STYLE: &str = "
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1.5rem; color: #222; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .6rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
.verdict { display: inline-block; padding: .2rem .7rem; border-radius: .3rem; font-weight: 700; color: #fff; }
.pass { background: #2a8a3a; } .fail { background: #c62828; }
.violations { color: #c62828; margin: .4rem 0; }
.summary { display: flex; flex-wrap: wrap; gap: .8rem; margin: 1rem 0; }
.summary div { border: 1px solid #ddd; border-radius: .3rem; padding: .5rem .8rem; min-width: 8rem; }
.summary b { display: block; font-size: 1.3rem; }
dl.settings { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1.2rem; margin: 0; }
dl.settings dt { color: #555; } dl.settings dd { margin: 0; }
figure.chart { margin: .8rem 0; }
figure.chart svg { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: .9rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { padding: .25rem .5rem; border-bottom: 1px solid #eee; text-align: left; }
th { background: #f5f5f5; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 700; border-top: 2px solid #ccc; }
tr.failed td.failures { color: #c62828; font-weight: 700; }
footer { margin-top: 2rem; color: #777; font-size: .8rem; }
";

/// The report as a self-contained HTML document.
pub fn render(report: &Report) -> anyhow::Result<String> {
    let charts = charts(report)?;
    let s = &report.settings;
    let all = &report.all_requests;
    let verdict = if report.passed { "PASS" } else { "FAIL" };
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "agentgraph load test: " (verdict) ", " (report.started_at) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 {
                    "agentgraph load test "
                    span #verdict .verdict .pass[report.passed] .fail[!report.passed] { (verdict) }
                }
                @if !report.passed {
                    p.violations { "Failed its thresholds: " (report.threshold_violations.join("; ")) }
                }
                div.summary {
                    div { "requests" b { (all.requests) } }
                    div { "failures" b { (all.failures) " (" (format!("{:.2}", all.failure_percent)) "%)" } }
                    div { "operations/s" b { (format!("{:.1}", report.operations_total.rps)) } }
                    div { "p50 / p95 / p99 ms" b { (ms(all.p50_ms)) " / " (ms(all.p95_ms)) " / " (ms(all.p99_ms)) } }
                }
                h2 { "Run" }
                dl.settings #settings {
                    dt { "target" } dd { code { (s.url) } }
                    dt { "started" } dd { (report.started_at) }
                    dt { "users" } dd { (s.users) }
                    dt { "spawn rate" } dd { (s.spawn_rate) " users/s" }
                    dt { "think time" } dd { (s.think_time) }
                    dt { "duration" } dd { (s.duration_secs) " s planned, " (format!("{:.1}", report.elapsed_secs)) " s run" }
                    dt { "thresholds" } dd {
                        "failure rate below " (s.max_failure_rate_percent) "% (of all requests), p95 below " (s.max_p95_ms) " ms"
                    }
                    dt { "verdict" } dd { (verdict) }
                }
                h2 { "Over time" }
                @for (id, caption, svg, points) in &charts {
                    figure.chart id=(id) data-points=(points) {
                        (PreEscaped(svg))
                        figcaption { (caption) }
                    }
                }
                h2 { "Operations" }
                (table(report))
                h2 { "Failures by message" }
                (failures(report))
                footer {
                    "loadtest " (env!("CARGO_PKG_VERSION")) "; times are each request's latency as the load generator saw it."
                }
            }
        }
    };
    Ok(page.into_string())
}

pub(crate) fn ms(value: f64) -> String {
    format!("{value:.2}")
}

/// (element id, caption, SVG, points per line) of each chart.
fn charts(report: &Report) -> anyhow::Result<Vec<(&'static str, String, String, usize)>> {
    let timeline = &report.timeline;
    let points = timeline.points.len();
    let series = |f: fn(&crate::stats::TimePoint) -> f64| -> Vec<(f64, f64)> {
        timeline
            .points
            .iter()
            .map(|p| (p.start_secs, f(p)))
            .collect()
    };
    let line = |name: &str, color, points| Line {
        name: name.to_owned(),
        color,
        points,
        dashed: false,
    };
    let x_desc = "seconds since start";
    let frame = |title, y_desc| Frame {
        title,
        x_desc,
        y_desc,
        width: 1000,
        height: 300,
    };
    let rps = chart::lines(
        &frame("Requests per second", "req/s"),
        &[line("all requests", PALETTE[0], series(|p| p.rps))],
    )?;
    let end = timeline.points.last().map_or(0.0, |p| p.start_secs);
    let limit = Line {
        name: format!("p95 limit {} ms", report.settings.max_p95_ms),
        color: GREY,
        points: vec![
            (0.0, report.settings.max_p95_ms),
            (end, report.settings.max_p95_ms),
        ],
        dashed: true,
    };
    let latency = chart::lines(
        &frame("Latency of the requests completed in each interval", "ms"),
        &[
            line("p50", PALETTE[3], series(|p| p.p50_ms)),
            line("p95", PALETTE[1], series(|p| p.p95_ms)),
            line("p99", PALETTE[2], series(|p| p.p99_ms)),
            limit,
        ],
    )?;
    let failures = chart::lines(
        &frame("Failures per second", "failures/s"),
        &[line(
            "failed requests",
            PALETTE[2],
            series(|p| p.failures_per_sec),
        )],
    )?;
    let per = format!("{} s intervals", timeline.interval_secs);
    Ok(vec![
        (
            "chart-rps",
            format!("Requests per second, all requests, {per}."),
            rps,
            points,
        ),
        (
            "chart-latency",
            format!(
                "p50, p95 and p99 latency, {per}; dashed: the p95 threshold (drawn when in range)."
            ),
            latency,
            points,
        ),
        (
            "chart-failures",
            format!("Failed requests per second, {per}."),
            failures,
            points,
        ),
    ])
}

pub(crate) const GREY: plotters::style::RGBColor = plotters::style::RGBColor(120, 120, 120);

/// One row of an operations table; `kind` is its class (`operation`,
/// `total`, `setup`), with `failed` added when it has failures.
pub(crate) fn table_row(row: &Row, kind: &str) -> Markup {
    let class = if row.failures > 0 {
        format!("{kind} failed")
    } else {
        kind.to_owned()
    };
    html! {
        tr class=(class) {
            td { (row.name) }
            td.num { (row.requests) }
            td.num.failures { (row.failures) }
            td.num { (format!("{:.2}", row.failure_percent)) }
            td.num { (ms(row.p50_ms)) }
            td.num { (ms(row.p95_ms)) }
            td.num { (ms(row.p99_ms)) }
            td.num { (ms(row.max_ms)) }
            td.num { (ms(row.mean_ms)) }
            td.num { (format!("{:.1}", row.rps)) }
        }
    }
}

fn table(report: &Report) -> Markup {
    let row = table_row;
    html! {
        table #operations {
            thead { tr {
                th { "operation" } th.num { "requests" } th.num { "failures" } th.num { "fail %" }
                th.num { "p50 ms" } th.num { "p95 ms" } th.num { "p99 ms" } th.num { "max ms" }
                th.num { "mean ms" } th.num { "req/s" }
            } }
            tbody {
                @for r in &report.operations { (row(r, "operation")) }
                (row(&report.operations_total, "total"))
                @for r in &report.setup { (row(r, "setup")) }
                (row(&report.all_requests, "total"))
            }
        }
        p { small { "Setup rows are the requests that only prepare the operations (each user's own agent, goal and plan; agents created to be deleted). The thresholds judge all requests." } }
    }
}

fn failures(report: &Report) -> Markup {
    html! {
        @if report.failures.is_empty() {
            p #no-failures { "No request failed." }
        } @else {
            table #failures {
                thead { tr { th.num { "count" } th { "operation" } th { "message" } } }
                tbody {
                    @for f in &report.failures {
                        tr { td.num { (f.count) } td { (f.operation) } td { code { (f.message) } } }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::report::Settings;
    use crate::stats::{Op, Recorder};

    fn report(failure: Option<&str>, max_p95_ms: f64) -> Report {
        let recorder = Recorder::new();
        for i in 0..30u32 {
            let at = Duration::from_millis(u64::from(i) * 100);
            recorder.record_at(at, Op::ListAgents, Duration::from_millis(3), None);
            recorder.record_at(at, Op::GetAgent, Duration::from_millis(5), failure);
        }
        let settings = Settings {
            url: "http://127.0.0.1:8000/graphql".into(),
            users: 2,
            spawn_rate: 2.0,
            duration_secs: 3.0,
            think_time: "none".into(),
            max_failure_rate_percent: 1.0,
            max_p95_ms,
        };
        let elapsed = Duration::from_secs(3);
        Report::new(
            settings,
            "2026-11-27T12:00:00Z".into(),
            elapsed,
            &recorder.snapshot(),
            recorder.timeline(elapsed),
        )
    }

    #[test]
    fn the_page_holds_charts_tables_and_settings() {
        let page = render(&report(None, 500.0)).expect("page");
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert_eq!(page.matches("<svg").count(), 3);
        assert_eq!(page.matches("data-points=\"3\"").count(), 3);
        assert!(page.contains(">PASS<"));
        assert!(page.contains("http://127.0.0.1:8000/graphql"));
        assert!(page.contains("No request failed."));
        assert!(
            page.contains("<tr class=\"operation\"><td>list agents</td>"),
            "{page}"
        );
        assert_eq!(page.matches("<tr class=\"total\">").count(), 2);
        assert!(!page.contains("<script"), "no script");
        assert!(!page.contains("<link"), "nothing loaded");
    }

    #[test]
    fn a_failed_run_shows_why_and_its_failures_escaped() {
        let page = render(&report(Some("<b>boom</b>"), 1.0)).expect("page");
        assert!(page.contains(">FAIL<"));
        assert!(
            page.contains("Failed its thresholds: failure rate 50.00% &gt;= 1%"),
            "{page}"
        );
        assert!(page.contains("<code>&lt;b&gt;boom&lt;/b&gt;</code>"));
        assert!(page.contains("<tr class=\"operation failed\"><td>get agent</td>"));
        assert!(
            page.contains("p95 limit 1 ms"),
            "a limit within range is drawn"
        );
    }
}
