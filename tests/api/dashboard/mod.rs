//! The Grafana dashboard in `deploy/grafana/agentgraph.json` queries only
//! metrics and labels a running server exports, so that renaming a metric
//! or a label fails here rather than leaving a panel that shows nothing.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use agentgraph::metrics as m;

use crate::helpers::spawn_app;

mod scan;

use scan::{analyse, parse_exposition, problems};

const DASHBOARD: &str = include_str!("../../../deploy/grafana/agentgraph.json");

/// Every PromQL expression of the dashboard's panels (rows' panels included).
fn panel_exprs(panels: &[Value], out: &mut Vec<(String, String)>) {
    for panel in panels {
        let title = panel["title"].as_str().unwrap_or("?").to_owned();
        if let Some(nested) = panel["panels"].as_array() {
            panel_exprs(nested, out);
        }
        if panel["type"] == "row" {
            continue;
        }
        let targets = panel["targets"]
            .as_array()
            .unwrap_or_else(|| panic!("panel {title} has no targets"));
        assert!(!targets.is_empty(), "panel {title} has no targets");
        let mut ref_ids = BTreeSet::new();
        for target in targets {
            let expr = target["expr"]
                .as_str()
                .unwrap_or_else(|| panic!("a target of {title} has no expr"));
            assert!(
                ref_ids.insert(target["refId"].as_str().unwrap_or("")),
                "duplicate refId in {title}"
            );
            assert_eq!(
                target["datasource"]["uid"], "${datasource}",
                "{title} uses the datasource variable"
            );
            out.push((title.clone(), expr.to_owned()));
        }
    }
}

/// What is wrong with the dashboard against what `/metrics` exports: each
/// panel's and variable's expression, and the server's metrics no panel shows.
fn dashboard_failures(exported: &scan::Exported) -> Vec<String> {
    let dashboard: Value = serde_json::from_str(DASHBOARD).expect("the dashboard is JSON");
    assert!(
        dashboard["schemaVersion"].as_u64().is_some_and(|v| v >= 30),
        "schemaVersion"
    );
    assert!(dashboard["title"].is_string() && dashboard["uid"].is_string());
    let variables = dashboard["templating"]["list"]
        .as_array()
        .expect("templating.list");
    assert!(
        variables.iter().any(|v| v["type"] == "datasource"
            && v["name"] == "datasource"
            && v["query"] == "prometheus"),
        "a Prometheus datasource variable"
    );
    let panels = dashboard["panels"].as_array().expect("panels");
    let mut exprs = Vec::new();
    panel_exprs(panels, &mut exprs);
    assert!(exprs.len() >= 10, "{} queries", exprs.len());

    let mut failures = Vec::new();
    for (title, expr) in &exprs {
        failures.extend(
            problems(expr, exported)
                .into_iter()
                .filter(|p| !only_with_replicas(p))
                .map(|p| format!("panel {title}: {p}")),
        );
    }
    for variable in variables.iter().filter(|v| v["type"] == "query") {
        let query = variable["query"]["query"]
            .as_str()
            .or(variable["query"].as_str())
            .unwrap_or("");
        let inner = query
            .strip_prefix("label_values(")
            .and_then(|q| q.strip_suffix(')'));
        let Some((metric, label)) = inner.and_then(|q| q.split_once(',')) else {
            failures.push(format!(
                "variable {}: not label_values(metric, label): {query}",
                variable["name"]
            ));
            continue;
        };
        let expr = format!("{}{{{}=\"x\"}}", metric.trim(), label.trim());
        failures.extend(
            problems(&expr, exported)
                .into_iter()
                .map(|p| format!("variable {}: {p}", variable["name"])),
        );
    }
    // Each of the server's metrics is on the dashboard somewhere. (Named
    // here rather than read from `/metrics`, which holds whatever the tests
    // running beside this one have touched so far.)
    let queried: BTreeSet<String> = exprs.iter().flat_map(|(_, e)| analyse(e).metrics).collect();
    for family in [
        m::REQUESTS,
        m::ERRORS,
        m::DURATION,
        m::IN_FLIGHT,
        m::POOL,
        m::SOCKETS,
        m::SUBSCRIPTIONS,
        m::DELIVERED,
        m::DELIVERY_LAG,
        m::AUTH_REFUSALS,
        m::TENANT_REQUESTS,
        m::OPERATIONS,
        m::CLAIMS,
        m::TASKS_CLAIMED,
        m::LEASE_EXPIRIES,
        m::PARKED,
        m::SWEEP_DURATION,
        m::REPLICA_READS,
        m::REPLICA_LAG,
        m::REPLICA_HEALTHY,
    ] {
        if !queried
            .iter()
            .any(|q| q == family || q.strip_prefix(family).is_some_and(|s| s.starts_with('_')))
        {
            failures.push(format!("`{family}` is exported but no panel shows it"));
        }
    }
    failures
}

/// Whether `problem` is the absence of a replica's own series, which a
/// server exports once `--replica-url` names the replica (labelled by it):
/// `replicas::alone` reads them from a server with one.
fn only_with_replicas(problem: &str) -> bool {
    [m::REPLICA_LAG, m::REPLICA_HEALTHY].iter().any(|metric| {
        problem.starts_with(&format!("`{metric}` is not a series the server exports"))
            || problem.starts_with(&format!("label `replica` is on none of [\"{metric}\"]"))
    })
}

#[tokio::test]
async fn dashboard_queries_only_what_the_server_exports() {
    let app = spawn_app().await;
    // A named query, a GraphQL error and a refused request, so that the
    // series of names only clients know exist too.
    app.gql_ok("query DashboardProbe { agents { totalCount } }", json!({}))
        .await;
    app.gql(
        "mutation { createAgent(input: { name: \"\" }) { id } }",
        json!({}),
    )
    .await;
    let refused = app
        .post_raw()
        .content_type("application/json")
        .raw_body("{ not json")
        .send()
        .await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
    let response = app.get_path("/metrics").send().await;
    assert_eq!(response.status, StatusCode::OK);
    let exported = parse_exposition(&response.text);
    let failures = dashboard_failures(&exported);
    assert!(
        failures.is_empty(),
        "{}\n\nexported: {:#?}",
        failures.join("\n"),
        exported.series
    );
}

/// A panel or an alert needs a series before the first event it counts:
/// a fresh server's first scrape, before any request, already has one for
/// every query of the dashboard, and every known label value at 0. (Each
/// test is its own process under nextest, so this server's recorder is
/// fresh; under `cargo test` the others' series are there too, and the test
/// only asks less.)
#[test]
fn every_panel_has_a_series_at_the_first_scrape_alone() {
    crate::helpers::run_alone("dashboard::every_panel_has_a_series_at_the_first_scrape");
}

#[tokio::test]
#[ignore = "process-wide state: run alone by its `_alone` wrapper"]
async fn every_panel_has_a_series_at_the_first_scrape() {
    let app = spawn_app().await;
    let response = app.get_path("/metrics").send().await;
    assert_eq!(response.status, StatusCode::OK);
    let exported = parse_exposition(&response.text);
    let mut failures = dashboard_failures(&exported);

    let mut expected: Vec<String> = agentgraph::error::ErrorCode::ALL
        .iter()
        .map(|code| format!("{}{{code=\"{}\"}}", m::ERRORS, code.as_str()))
        .collect();
    for outcome in m::OUTCOMES {
        expected.push(format!(
            "{}{{operation=\"anonymous\",outcome=\"{outcome}\"}}",
            m::REQUESTS
        ));
    }
    for kind in ["query", "mutation"] {
        for outcome in m::OUTCOMES {
            expected.push(format!(
                "{}{{type=\"{kind}\",outcome=\"{outcome}\"}}",
                m::OPERATIONS
            ));
        }
    }
    expected.push(format!(
        "{}{{type=\"subscription\",outcome=\"ok\"}}",
        m::OPERATIONS
    ));
    for outcome in ["ok", "error"] {
        expected.push(format!(
            "{}{{tenant=\"{}\",outcome=\"{outcome}\"}}",
            m::TENANT_REQUESTS,
            m::OTHER_TENANTS
        ));
    }
    for transport in ["websocket", "sse"] {
        expected.push(format!("{}{{transport=\"{transport}\"}}", m::SUBSCRIPTIONS));
        expected.push(format!("{}{{transport=\"{transport}\"}}", m::DELIVERED));
    }
    for outcome in ["claimed", "empty"] {
        expected.push(format!("{}{{outcome=\"{outcome}\"}}", m::CLAIMS));
    }
    for outcome in ["requeued", "failed"] {
        expected.push(format!("{}{{outcome=\"{outcome}\"}}", m::LEASE_EXPIRIES));
    }
    expected.push(m::TASKS_CLAIMED.to_owned());
    expected.push(m::PARKED.to_owned());
    expected.push(format!("{}_count", m::DELIVERY_LAG));
    let lines: BTreeSet<&str> = response.text.lines().collect();
    for series in &expected {
        if !lines.contains(format!("{series} 0").as_str()) {
            failures.push(format!("`{series} 0` is not in the first scrape"));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\nfirst scrape:\n{}",
        failures.join("\n"),
        response.text
    );
}
