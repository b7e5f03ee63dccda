//! Expired leases: requeued (or failed) by the sweep, exactly once, on
//! whichever instance gets there first.

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::helpers::{datetime, spawn_app_on};

#[tokio::test]
async fn an_expired_lease_goes_back_to_the_queue() {
    let app = queue_app().await;
    let (agent, plan) = active_plan(&app).await;
    add_task(&app, &plan, json!({})).await;
    let lease = claim(&app, &agent, json!({ "leaseSeconds": 5 }))
        .await
        .remove(0);
    let (id, _) = lease_parts(&lease);
    let expires = datetime(&lease["expiresAt"]);

    tokio::time::sleep(Duration::from_millis(5600)).await;

    let requeued = task(&app, &id).await;
    assert_eq!(requeued["status"], "PENDING", "{requeued:#}");
    assert_eq!(requeued["agentId"], json!(null));
    assert_eq!(requeued["attempts"], 1);
    assert_eq!(requeued["leaseExpiresAt"], json!(null));
    assert_eq!(
        requeued["version"], 3,
        "claimed, then requeued: one change each"
    );
    let run_at = datetime(&requeued["runAt"]);
    assert!(run_at >= expires && run_at <= expires + chrono::Duration::seconds(2));
    let again = claim(&app, &agent, json!({})).await;
    assert_eq!(again[0]["task"]["attempts"], 2);
}

#[tokio::test]
async fn an_expired_lease_on_the_last_attempt_fails_the_task() {
    let app = queue_app().await;
    let (agent, plan) = active_plan(&app).await;
    add_task(&app, &plan, json!({ "maxAttempts": 1 })).await;
    let (id, _) = lease_parts(&claim(&app, &agent, json!({ "leaseSeconds": 5 })).await[0]);

    tokio::time::sleep(Duration::from_millis(5600)).await;

    let failed = task(&app, &id).await;
    assert_eq!(failed["status"], "FAILED", "{failed:#}");
    assert_eq!(failed["error"], "lease expired");
    assert!(failed["completedAt"].is_string());
}

#[tokio::test]
async fn instances_sweeping_together_requeue_each_task_once() {
    let quick = |config: &mut agentgraph::config::ServeConfig| {
        config.serve.lease_sweep_interval = Duration::from_millis(20);
    };
    let app = crate::helpers::spawn_app_with(quick).await;
    let others = [
        spawn_app_on(app.database_url.clone(), quick).await,
        spawn_app_on(app.database_url.clone(), quick).await,
    ];
    let (agent, plan) = active_plan(&app).await;
    for _ in 0..20 {
        add_task(&app, &plan, json!({})).await;
    }
    let leases = claim(&app, &agent, json!({ "limit": 20, "leaseSeconds": 5 })).await;
    assert_eq!(leases.len(), 20);

    tokio::time::sleep(Duration::from_millis(5500)).await;

    for lease in &leases {
        let requeued = task(&others[0], &lease_parts(lease).0).await;
        assert_eq!(requeued["status"], "PENDING");
        assert_eq!(
            requeued["version"], 3,
            "requeued exactly once: {requeued:#}"
        );
    }
}

#[tokio::test]
async fn heartbeats_keep_a_lease_alive_against_the_sweep() {
    let app = queue_app().await;
    let (agent, plan) = active_plan(&app).await;
    add_task(&app, &plan, json!({})).await;
    let (id, token) = lease_parts(&claim(&app, &agent, json!({ "leaseSeconds": 5 })).await[0]);

    // Beats every second for twice the lease: the sweep never takes it.
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let body = lease_call(&app, "heartbeatTask", &id, &token, "").await;
        assert!(body.get("errors").is_none(), "{body:#}");
    }
    let held = task(&app, &id).await;
    assert_eq!(held["status"], "RUNNING");
    assert_eq!(held["version"], 2, "heartbeats are not changes");
}

#[tokio::test]
async fn a_heartbeat_racing_the_sweep_either_wins_or_is_stale() {
    let app = queue_app().await;
    let (agent, plan) = active_plan(&app).await;
    for _ in 0..6 {
        add_task(&app, &plan, json!({})).await;
    }
    let leases = claim(&app, &agent, json!({ "limit": 6, "leaseSeconds": 5 })).await;
    let expires = datetime(&leases[0]["expiresAt"]);
    // Beat at staggered moments around the expiry, while the sweep runs.
    let wait = (expires - chrono::Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait.saturating_sub(Duration::from_millis(150))).await;
    for lease in &leases {
        let (id, token) = lease_parts(lease);
        let body = lease_call(&app, "heartbeatTask", &id, &token, "").await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        if body.get("errors").is_none() {
            let now = task(&app, &id).await;
            assert_eq!(now["status"], "RUNNING", "the heartbeat won: {now:#}");
            assert!(datetime(&now["leaseExpiresAt"]) > expires);
        } else {
            assert_stale(&body);
            // Expired: the next sweep (every 100 ms) takes it.
            tokio::time::sleep(Duration::from_millis(300)).await;
            let now = task(&app, &id).await;
            assert_eq!(now["status"], "PENDING", "the sweep won: {now:#}");
        }
    }
}
