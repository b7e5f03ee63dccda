//! The queue's metrics count what the queue did: claims by outcome, tasks
//! claimed, parked claims, and the sweep's requeues and failures. (Under
//! nextest each test is its own process, so the recorder is this test's;
//! the checks are on differences all the same.)

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use agentgraph::metrics as m;

use super::*;

/// The value of `series` (name and labels as rendered) in `/metrics`, 0 when absent.
async fn value(app: &TestApp, series: &str) -> f64 {
    let text = app.get_path("/metrics").send().await.text;
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

fn with_outcome(name: &str, outcome: &str) -> String {
    format!("{name}{{outcome=\"{outcome}\"}}")
}

#[test]
fn claims_parks_and_expiries_are_counted_alone() {
    crate::helpers::run_alone("queue::metrics::claims_parks_and_expiries_are_counted");
}

#[tokio::test]
#[ignore = "process-wide state: run alone by its `_alone` wrapper"]
async fn claims_parks_and_expiries_are_counted() {
    let app = Arc::new(queue_app().await);
    let (agent, plan) = active_plan(&app).await;
    let claimed = with_outcome(m::CLAIMS, "claimed");
    let empty = with_outcome(m::CLAIMS, "empty");
    let requeued = with_outcome(m::LEASE_EXPIRIES, "requeued");
    let failed = with_outcome(m::LEASE_EXPIRIES, "failed");
    let sweeps = format!("{}_count", m::SWEEP_DURATION);
    let before = [
        value(&app, &claimed).await,
        value(&app, &empty).await,
        value(&app, m::TASKS_CLAIMED).await,
        value(&app, &requeued).await,
        value(&app, &failed).await,
        value(&app, &sweeps).await,
    ];

    add_task(&app, &plan, json!({})).await;
    add_task(&app, &plan, json!({ "maxAttempts": 1 })).await;
    let leases = claim(&app, &agent, json!({ "limit": 5, "leaseSeconds": 5 })).await;
    assert_eq!(leases.len(), 2);
    assert!(claim(&app, &agent, json!({})).await.is_empty());
    assert_eq!(value(&app, &claimed).await - before[0], 1.0);
    assert_eq!(value(&app, &empty).await - before[1], 1.0);
    assert_eq!(value(&app, m::TASKS_CLAIMED).await - before[2], 2.0);

    // A parked claim is on the gauge while it waits, and off it after.
    let parked = {
        let (app, agent) = (app.clone(), agent.clone());
        tokio::spawn(async move { claim(&app, &agent, json!({ "waitSeconds": 1 })).await })
    };
    let mut seen = 0.0;
    for _ in 0..50 {
        seen = value(&app, m::PARKED).await;
        if seen >= 1.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(seen, 1.0, "the parked claim is counted");
    assert!(parked.await.expect("the parked claim").is_empty());
    assert_eq!(value(&app, m::PARKED).await, 0.0, "and leaves the gauge");
    assert_eq!(
        value(&app, &empty).await - before[1],
        2.0,
        "a parked claim counts once"
    );

    // Both leases expire: one task goes back, the other had one attempt.
    tokio::time::sleep(Duration::from_millis(5600)).await;
    assert_eq!(value(&app, &requeued).await - before[3], 1.0);
    assert_eq!(value(&app, &failed).await - before[4], 1.0);
    assert!(value(&app, &sweeps).await > before[5], "sweeps are timed");
}
