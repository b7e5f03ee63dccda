//! Claims: what is claimable, in which order, what a claim does to a task,
//! what is refused, and that concurrent claimants never share a task.

use std::collections::HashSet;

use serde_json::json;

use super::*;
use crate::helpers::{assert_bad_input, assert_error_code, datetime, spawn_instance, unknown_id};

#[tokio::test]
async fn a_new_task_has_the_queue_defaults() {
    let app = queue_app().await;
    let (_, plan) = active_plan(&app).await;

    let created = add_task(&app, &plan, json!({})).await;

    assert_eq!(created["status"], "PENDING");
    assert_eq!(created["priority"], 50);
    assert_eq!(created["attempts"], 0);
    assert_eq!(created["maxAttempts"], 3);
    assert_eq!(created["leaseExpiresAt"], json!(null));
    let full = app
        .gql_ok(
            "query($id: UUID!) { task(id: $id) { runAt createdAt dependsOn { id } } }",
            json!({ "id": id_of(&created) }),
        )
        .await;
    assert_eq!(full["task"]["runAt"], full["task"]["createdAt"]);
    assert_eq!(full["task"]["dependsOn"], json!([]));
}

#[tokio::test]
async fn claims_take_the_highest_priority_then_the_earliest_run_at_then_the_oldest() {
    let app = queue_app().await;
    let (agent, plan) = active_plan(&app).await;
    let past =
        |seconds: i64| (chrono::Utc::now() - chrono::Duration::seconds(seconds)).to_rfc3339();
    let low = add_task(&app, &plan, json!({ "priority": 10 })).await;
    let late = add_task(&app, &plan, json!({ "priority": 90, "runAt": past(10) })).await;
    let early = add_task(&app, &plan, json!({ "priority": 90, "runAt": past(60) })).await;
    let first_of_twins = add_task(&app, &plan, json!({ "priority": 50, "runAt": past(30) })).await;
    let second_of_twins = add_task(&app, &plan, json!({ "priority": 50, "runAt": past(30) })).await;

    let leases = claim(&app, &agent, json!({ "limit": 4 })).await;

    let order: Vec<String> = leases.iter().map(|l| lease_parts(l).0).collect();
    assert_eq!(
        order,
        [&early, &late, &first_of_twins, &second_of_twins].map(id_of)
    );
    let rest = claim(&app, &agent, json!({ "limit": 4 })).await;
    assert_eq!(rest.len(), 1);
    assert_eq!(lease_parts(&rest[0]).0, id_of(&low));
}

#[tokio::test]
async fn a_claim_runs_the_task_under_a_new_lease() {
    let app = queue_app().await;
    let (agent, plan) = active_plan(&app).await;
    let created = add_task(&app, &plan, json!({})).await;

    let before = chrono::Utc::now();
    let leases = claim(&app, &agent, json!({ "leaseSeconds": 30 })).await;

    assert_eq!(leases.len(), 1);
    let lease = &leases[0];
    let held = &lease["task"];
    assert_eq!(held["id"], created["id"]);
    assert_eq!(held["status"], "RUNNING");
    assert_eq!(held["agentId"], json!(agent));
    assert_eq!(held["attempts"], 1);
    assert_eq!(held["version"], 2, "a claim is one change");
    assert!(datetime(&held["startedAt"]) >= before - chrono::Duration::seconds(1));
    assert_eq!(held["leaseExpiresAt"], lease["expiresAt"]);
    let expires = datetime(&lease["expiresAt"]);
    let lease_length = expires - datetime(&held["startedAt"]);
    assert_eq!(lease_length, chrono::Duration::seconds(30));
    let token = lease["token"].as_str().unwrap_or_default();
    assert!(token.len() >= 16, "an opaque token: {token}");
    assert_eq!(task(&app, &id_of(&created)).await["status"], "RUNNING");
}

#[tokio::test]
async fn only_pending_tasks_of_active_plans_whose_time_has_come_are_claimable() {
    let app = queue_app().await;
    let (agent, plan) = active_plan(&app).await;
    let goal = goal_of(&app, &plan).await;
    let draft = app.create_plan(&goal, "Draft").await;
    add_task(&app, &draft, json!({ "description": "in a draft plan" })).await;
    let future = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    add_task(&app, &plan, json!({ "runAt": future })).await;
    let cancelled = add_task(&app, &plan, json!({})).await;
    app.update_status("Task", &id_of(&cancelled), "CANCELLED")
        .await;

    assert!(claim(&app, &agent, json!({ "limit": 10 })).await.is_empty());

    app.update_status("Plan", &draft, "ACTIVE").await;
    let leases = claim(&app, &agent, json!({ "limit": 10 })).await;
    assert_eq!(
        leases.len(),
        1,
        "the draft plan's task, once its plan is active"
    );
}

#[tokio::test]
async fn task_types_and_plan_narrow_a_claim() {
    let app = queue_app().await;
    let (agent, plan) = active_plan(&app).await;
    let (_, other_plan) = active_plan(&app).await;
    let email = add_task(&app, &plan, json!({ "taskType": "email" })).await;
    add_task(&app, &plan, json!({ "taskType": "render" })).await;
    let elsewhere = add_task(&app, &other_plan, json!({ "taskType": "email" })).await;

    let leases = claim(
        &app,
        &agent,
        json!({ "taskTypes": ["email", "fax"], "planId": plan, "limit": 10 }),
    )
    .await;
    assert_eq!(
        leases.iter().map(|l| lease_parts(l).0).collect::<Vec<_>>(),
        [id_of(&email)]
    );
    let leases = claim(&app, &agent, json!({ "taskTypes": ["email"], "limit": 10 })).await;
    assert_eq!(
        leases.iter().map(|l| lease_parts(l).0).collect::<Vec<_>>(),
        [id_of(&elsewhere)]
    );
}

#[tokio::test]
async fn claims_by_unknown_or_inactive_agents_and_bad_inputs_are_refused() {
    let app = queue_app().await;
    let (agent, plan) = active_plan(&app).await;
    add_task(&app, &plan, json!({})).await;

    let body = claim_raw(&app, json!({ "agentId": unknown_id() })).await;
    assert_error_code(&body, "NOT_FOUND");
    let body = claim_raw(&app, json!({ "agentId": agent, "planId": unknown_id() })).await;
    assert_error_code(&body, "NOT_FOUND");

    let paused = app.create_agent("Paused").await;
    app.update_status("Agent", &paused, "PAUSED").await;
    let body = claim_raw(&app, json!({ "agentId": paused })).await;
    assert_bad_input(&body, "input.agentId");

    for (field, value) in [
        ("limit", json!(0)),
        ("limit", json!(101)),
        ("leaseSeconds", json!(4)),
        ("leaseSeconds", json!(3601)),
        ("waitSeconds", json!(31)),
        ("waitSeconds", json!(-1)),
        ("taskTypes", json!([])),
    ] {
        let body = claim_raw(&app, json!({ "agentId": agent, field: value })).await;
        assert_bad_input(&body, &format!("input.{field}"));
    }
    // Nothing was claimed by any of them.
    assert_eq!(claim(&app, &agent, json!({})).await.len(), 1);
}

#[tokio::test]
async fn many_claimants_through_two_instances_never_share_a_task() {
    let app = std::sync::Arc::new(queue_app().await);
    let other = std::sync::Arc::new(spawn_instance(&app).await);
    let (_, plan) = active_plan(&app).await;
    let tasks: Vec<serde_json::Value> = (0..60)
        .map(|i| json!({ "description": format!("task {i}") }))
        .collect();
    app.gql_ok(
        "mutation($input: CreatePlanInput!) { createPlan(input: $input) { id } }",
        json!({ "input": { "goalId": goal_of(&app, &plan).await, "description": "More",
                           "status": "ACTIVE", "tasks": tasks } }),
    )
    .await;
    add_task(&app, &plan, json!({})).await;

    let mut claimants = Vec::new();
    for n in 0..8 {
        let server = if n % 2 == 0 {
            app.clone()
        } else {
            other.clone()
        };
        let agent = server.create_agent(&format!("claimant {n}")).await;
        claimants.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let leases = claim(&server, &agent, json!({ "limit": 3 })).await;
                if leases.is_empty() {
                    return mine;
                }
                mine.extend(leases.iter().map(|l| lease_parts(l).0));
            }
        }));
    }
    let mut seen = HashSet::new();
    let mut total = 0;
    for claimant in claimants {
        for id in claimant.await.expect("claimant") {
            total += 1;
            assert!(seen.insert(id.clone()), "task {id} was handed out twice");
        }
    }
    assert_eq!(total, 61);
}

pub(super) async fn goal_of(app: &TestApp, plan: &str) -> String {
    app.gql_ok(
        "query($id: UUID!) { plan(id: $id) { goalId } }",
        json!({ "id": plan }),
    )
    .await["plan"]["goalId"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The claim walks `idx_tasks_claim` in claim order: no sort, no scan of
/// the whole table, however many tasks wait.
#[tokio::test]
async fn a_claim_is_an_index_range_scan_in_claim_order() {
    use sea_orm::ConnectionTrait;
    let app = queue_app().await;
    let (agent, plan) = active_plan(&app).await;
    if crate::helpers::is_postgres() {
        let fill = format!(
            "INSERT INTO tasks (id, tenant, plan_id, description, task_type, status, input_data, version,
                                created_at, updated_at, priority, run_at)
             SELECT gen_random_uuid(), 'default', '{plan}', 'filler', 'generic',
                    CASE WHEN i % 10 = 0 THEN 'PENDING' ELSE 'COMPLETED' END, '{{}}', 1,
                    now() - i * interval '1 second', now(), i % 100, now() - i * interval '1 second'
             FROM generate_series(1, 20000) AS s(i)"
        );
        app.db.writer.execute_unprepared(&fill).await.expect("fill");
        app.db
            .writer
            .execute_unprepared("VACUUM ANALYZE")
            .await
            .expect("analyze");
    } else {
        add_task(&app, &plan, json!({})).await;
    }
    app.statements.record();
    claim(&app, &agent, json!({ "limit": 5 })).await;
    let statements = app.statements.take_recorded();
    let claiming = statements
        .iter()
        // The lease sweep (every 100 ms here) sets `lease_token =` too.
        .find(|s| s.sql.contains("ORDER BY t.priority DESC"))
        .expect("the claim's statement");

    let (scans, sorts) = crate::query_plans::plan_of(&app, claiming).await;

    assert!(
        scans.iter().any(|scan| scan.contains("idx_tasks_claim")),
        "the claim reads the claim index: {scans:#?}"
    );
    assert!(!sorts, "in index order, no sort: {scans:#?}");
}
