//! The long poll: a claim with `waitSeconds` parks until a task it could
//! take becomes claimable, on any instance, at no cost while nothing
//! changes, and without holding an operation slot.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use super::*;
use crate::helpers::{is_postgres, spawn_instance};

/// Another instance over the same database on PostgreSQL; SQLite has one
/// instance per database, so there it is the same server.
async fn elsewhere(app: &Arc<TestApp>) -> Arc<TestApp> {
    if is_postgres() {
        Arc::new(spawn_instance(app).await)
    } else {
        app.clone()
    }
}

/// Starts a parked claim on `app`; its leases and how long it took.
fn park(
    app: &Arc<TestApp>,
    agent: &str,
    extra: Value,
) -> tokio::task::JoinHandle<(Vec<Value>, Duration)> {
    let (app, agent) = (app.clone(), agent.to_owned());
    tokio::spawn(async move {
        let started = Instant::now();
        let leases = claim(&app, &agent, extra).await;
        (leases, started.elapsed())
    })
}

/// Lets a parked claim reach its wait.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn a_parked_claim_is_woken_by_a_create_on_the_other_instance() {
    let app = Arc::new(queue_app().await);
    let other = elsewhere(&app).await;
    let (agent, plan) = active_plan(&app).await;

    let parked = park(&app, &agent, json!({ "waitSeconds": 20 }));
    settle().await;
    let created = add_task(&other, &plan, json!({})).await;

    let (leases, took) = parked.await.expect("claim");
    assert_eq!(leases.len(), 1);
    assert_eq!(lease_parts(&leases[0]).0, id_of(&created));
    assert!(
        took < Duration::from_secs(5),
        "woken, not timed out: {took:?}"
    );
}

#[tokio::test]
async fn a_parked_claim_returns_nothing_when_its_wait_ends() {
    let app = Arc::new(queue_app().await);
    let (agent, _) = active_plan(&app).await;

    let (leases, took) = park(&app, &agent, json!({ "waitSeconds": 1 }))
        .await
        .expect("claim");

    assert!(leases.is_empty());
    assert!(
        took >= Duration::from_millis(950) && took < Duration::from_secs(3),
        "waited its second: {took:?}"
    );
}

#[tokio::test]
async fn parked_claims_wake_for_an_activated_plan_an_unblocked_task_and_a_release() {
    let app = Arc::new(queue_app().await);
    let other = elsewhere(&app).await;
    let (agent, plan) = active_plan(&app).await;
    let goal = super::claims::goal_of(&app, &plan).await;

    // A plan activated.
    let draft = app.create_plan(&goal, "Draft").await;
    add_task(&app, &draft, json!({})).await;
    let parked = park(&app, &agent, json!({ "waitSeconds": 20 }));
    settle().await;
    other.update_status("Plan", &draft, "ACTIVE").await;
    let (leases, took) = parked.await.expect("claim");
    assert_eq!(leases.len(), 1, "woken by the activation ({took:?})");
    let (first, token) = lease_parts(&leases[0]);

    // A task unblocked by its dependency's completion.
    let waiting = add_task(&app, &draft, json!({ "dependsOn": [first] })).await;
    let parked = park(&app, &agent, json!({ "waitSeconds": 20 }));
    settle().await;
    lease_call(&other, "completeTask", &first, &token, "").await;
    let (leases, _) = parked.await.expect("claim");
    assert_eq!(lease_parts(&leases[0]).0, id_of(&waiting));
    let (id, token) = lease_parts(&leases[0]);

    // A task released by its claimant.
    let second = app.create_agent("Second").await;
    let parked = park(&app, &second, json!({ "waitSeconds": 20 }));
    settle().await;
    lease_call(&other, "releaseTask", &id, &token, "").await;
    let (leases, took) = parked.await.expect("claim");
    assert_eq!(
        lease_parts(&leases[0]).0,
        id,
        "woken by the release ({took:?})"
    );
}

#[tokio::test]
async fn a_parked_claim_wakes_when_a_task_comes_due() {
    let app = Arc::new(queue_app().await);
    let (agent, plan) = active_plan(&app).await;
    let due = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    let later = add_task(&app, &plan, json!({ "runAt": due.to_rfc3339() })).await;

    let (leases, took) = park(&app, &agent, json!({ "waitSeconds": 10 }))
        .await
        .expect("claim");

    assert_eq!(lease_parts(&leases[0]).0, id_of(&later));
    assert!(chrono::Utc::now() >= due);
    assert!(took < Duration::from_secs(4), "woken when due: {took:?}");
}

#[tokio::test]
async fn parked_claims_cost_no_statements_and_hold_no_operation_slot() {
    let app = Arc::new(
        spawn_app_with(|config| {
            config.serve.max_concurrent_operations = 2;
            config.serve.lease_sweep_interval = Duration::from_secs(3600);
        })
        .await,
    );
    let (agent, plan) = active_plan(&app).await;
    let parked: Vec<_> = (0..6)
        .map(|_| park(&app, &agent, json!({ "waitSeconds": 20 })))
        .collect();
    settle().await;

    let before = app.statements.get();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(
        app.statements.get(),
        before,
        "nothing changed, nothing was read"
    );

    // Six parked claims, two slots: other operations still run.
    let started = Instant::now();
    let data = app.gql_ok("{ agents { totalCount } }", json!({})).await;
    assert_eq!(data["agents"]["totalCount"], 1);
    assert!(started.elapsed() < Duration::from_secs(2));

    for _ in 0..6 {
        add_task(&app, &plan, json!({})).await;
    }
    let mut claimed = Vec::new();
    for claim in parked {
        let (leases, _) = claim.await.expect("claim");
        claimed.extend(leases.iter().map(|l| lease_parts(l).0));
    }
    claimed.sort();
    claimed.dedup();
    assert_eq!(claimed.len(), 6, "each parked claim got one of the six");
}

#[tokio::test]
async fn shutting_down_answers_parked_claims_with_nothing() {
    let app = Arc::new(queue_app().await);
    let (agent, _) = active_plan(&app).await;
    let parked = park(&app, &agent, json!({ "waitSeconds": 25 }));
    settle().await;

    let server = app.shut_down();

    let (leases, took) = parked.await.expect("claim");
    assert!(leases.is_empty());
    assert!(
        took < Duration::from_secs(5),
        "answered at shutdown: {took:?}"
    );
    server.await.expect("server task").expect("served");
}
