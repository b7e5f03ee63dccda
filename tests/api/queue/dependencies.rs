//! Dependencies: BLOCKED until every dependency is COMPLETED, unblocked in
//! the completing transaction, cancelled downstream with a cancel.

use serde_json::json;

use super::*;
use crate::helpers::{assert_bad_input, assert_error_code, sorted, unknown_id};

/// Claims `id` (it must be the only claimable task) and completes it.
async fn run_to_completion(app: &TestApp, agent: &str, id: &str) {
    let leases = claim(app, agent, json!({ "limit": 100 })).await;
    let lease = leases
        .iter()
        .find(|l| lease_parts(l).0 == id)
        .unwrap_or_else(|| panic!("{id} is claimable: {leases:#?}"));
    let (_, token) = lease_parts(lease);
    let body = lease_call(app, "completeTask", id, &token, "").await;
    assert_eq!(
        body["data"]["completeTask"]["status"], "COMPLETED",
        "{body:#}"
    );
    for other in leases.iter().filter(|l| lease_parts(l).0 != id) {
        let (other, token) = lease_parts(other);
        lease_call(app, "releaseTask", &other, &token, "").await;
    }
}

async fn status(app: &TestApp, id: &str) -> String {
    task(app, id).await["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn nested_plan(app: &TestApp, goal: &str, tasks: Value) -> Value {
    app.gql(
        "mutation($input: CreatePlanInput!) { createPlan(input: $input) {
           id tasks(first: 100) { nodes { id status dependsOn { id } } } } }",
        json!({ "input": { "goalId": goal, "description": "Graph", "status": "ACTIVE", "tasks": tasks } }),
    )
    .await
}

#[tokio::test]
async fn a_task_waits_for_every_dependency_and_is_unblocked_by_the_last() {
    let app = queue_app().await;
    let (agent, plan) = active_plan(&app).await;
    let first = id_of(&add_task(&app, &plan, json!({ "description": "first" })).await);
    let second = id_of(&add_task(&app, &plan, json!({ "description": "second" })).await);

    let waiting = add_task(&app, &plan, json!({ "dependsOn": [second, first] })).await;
    let waiting = id_of(&waiting);
    assert_eq!(status(&app, &waiting).await, "BLOCKED");
    let read = app
        .gql_ok(
            "query($id: UUID!) { task(id: $id) { dependsOn { id } } }",
            json!({ "id": waiting }),
        )
        .await;
    assert_eq!(
        read["task"]["dependsOn"],
        json!([{ "id": second }, { "id": first }]),
        "in the order given"
    );
    let dependents = app
        .gql_ok(
            "query($id: UUID!) { task(id: $id) { dependents { totalCount nodes { id } } } }",
            json!({ "id": first }),
        )
        .await;
    assert_eq!(
        dependents["task"]["dependents"],
        json!({ "totalCount": 1, "nodes": [{ "id": waiting }] })
    );

    run_to_completion(&app, &agent, &first).await;
    assert_eq!(status(&app, &waiting).await, "BLOCKED");
    let version = task(&app, &waiting).await["version"].clone();
    run_to_completion(&app, &agent, &second).await;
    let unblocked = task(&app, &waiting).await;
    assert_eq!(unblocked["status"], "PENDING");
    assert_eq!(
        unblocked["version"],
        json!(version.as_i64().unwrap_or(0) + 1)
    );
    run_to_completion(&app, &agent, &waiting).await;
}

#[tokio::test]
async fn a_task_whose_dependencies_are_done_starts_pending() {
    let app = queue_app().await;
    let (agent, plan) = active_plan(&app).await;
    let done = id_of(&add_task(&app, &plan, json!({})).await);
    run_to_completion(&app, &agent, &done).await;

    let created = add_task(&app, &plan, json!({ "dependsOn": [done] })).await;

    assert_eq!(created["status"], "PENDING");
    assert_eq!(created["version"], 1);
}

#[tokio::test]
async fn dependencies_outside_the_plan_or_named_twice_are_refused() {
    let app = queue_app().await;
    let (_, plan) = active_plan(&app).await;
    let (_, other_plan) = active_plan(&app).await;
    let here = id_of(&add_task(&app, &plan, json!({})).await);
    let elsewhere = id_of(&add_task(&app, &other_plan, json!({})).await);
    let count = app.total_count("tasks").await;

    let document = "mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }";
    let body = app
        .gql(
            document,
            json!({ "input": { "planId": plan, "description": "x",
                               "dependsOn": [here, elsewhere, unknown_id()] } }),
        )
        .await;
    let fields = sorted(crate::helpers::error_fields(&body));
    assert_eq!(
        fields,
        ["input.dependsOn.1", "input.dependsOn.2"],
        "{body:#}"
    );

    let body = app
        .gql(
            document,
            json!({ "input": { "planId": plan, "description": "x", "dependsOn": [here, here] } }),
        )
        .await;
    assert_bad_input(&body, "input.dependsOn.1");
    assert_eq!(app.total_count("tasks").await, count, "nothing was created");
}

#[tokio::test]
async fn nested_tasks_name_earlier_tasks_by_index_chains_and_diamonds() {
    let app = queue_app().await;
    let (agent, plan) = active_plan(&app).await;
    let goal = super::claims::goal_of(&app, &plan).await;

    // 0 -> {1, 2} -> 3 (a diamond), then 3 -> 4 (a chain).
    let body = nested_plan(
        &app,
        &goal,
        json!([
            { "description": "top" },
            { "description": "left", "dependsOn": [0] },
            { "description": "right", "dependsOn": [0] },
            { "description": "bottom", "dependsOn": [1, 2] },
            { "description": "tail", "dependsOn": [3] },
        ]),
    )
    .await;
    let nodes = body["data"]["createPlan"]["tasks"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let ids: Vec<String> = nodes.iter().map(id_of).collect();
    let statuses: Vec<&str> = nodes
        .iter()
        .map(|n| n["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        statuses,
        ["PENDING", "BLOCKED", "BLOCKED", "BLOCKED", "BLOCKED"],
        "{body:#}"
    );
    assert_eq!(
        nodes[3]["dependsOn"],
        json!([{ "id": ids[1] }, { "id": ids[2] }])
    );

    run_to_completion(&app, &agent, &ids[0]).await;
    assert_eq!(status(&app, &ids[1]).await, "PENDING");
    assert_eq!(status(&app, &ids[2]).await, "PENDING");
    run_to_completion(&app, &agent, &ids[1]).await;
    assert_eq!(status(&app, &ids[3]).await, "BLOCKED");
    run_to_completion(&app, &agent, &ids[2]).await;
    assert_eq!(status(&app, &ids[3]).await, "PENDING");
    run_to_completion(&app, &agent, &ids[3]).await;
    assert_eq!(status(&app, &ids[4]).await, "PENDING");
}

#[tokio::test]
async fn the_two_dependencies_of_a_task_completed_at_once_unblock_it() {
    let app = queue_app().await;
    let (agent, plan) = active_plan(&app).await;
    let goal = super::claims::goal_of(&app, &plan).await;
    for _ in 0..5 {
        let body = nested_plan(
            &app,
            &goal,
            json!([
                { "description": "a" },
                { "description": "b" },
                { "description": "joined", "dependsOn": [0, 1] },
            ]),
        )
        .await;
        let nodes = body["data"]["createPlan"]["tasks"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let leases = claim(&app, &agent, json!({ "limit": 2 })).await;
        assert_eq!(leases.len(), 2);
        let calls = leases.iter().map(|lease| {
            let (id, token) = lease_parts(lease);
            let app = &app;
            async move { lease_call(app, "completeTask", &id, &token, "").await }
        });
        futures_util::future::join_all(calls).await;
        assert_eq!(status(&app, &id_of(&nodes[2])).await, "PENDING");
        let (id, token) = lease_parts(&claim(&app, &agent, json!({})).await[0]);
        lease_call(&app, "completeTask", &id, &token, "").await;
    }
}

#[tokio::test]
async fn nested_dependencies_must_name_earlier_tasks() {
    let app = queue_app().await;
    let (agent, plan) = active_plan(&app).await;
    let goal = super::claims::goal_of(&app, &plan).await;

    let body = nested_plan(
        &app,
        &goal,
        json!([
            { "description": "a", "dependsOn": [0] },
            { "description": "b", "dependsOn": [2, -1] },
            { "description": "c", "dependsOn": [0, 0] },
        ]),
    )
    .await;
    let fields = sorted(crate::helpers::error_fields(&body));
    assert_eq!(
        fields,
        [
            "input.tasks.0.dependsOn.0",
            "input.tasks.1.dependsOn.0",
            "input.tasks.1.dependsOn.1",
            "input.tasks.2.dependsOn.1",
        ],
        "{body:#}"
    );

    let body = app
        .gql(
            "mutation($input: CreateGoalInput!) { createGoal(input: $input) { id } }",
            json!({ "input": { "agentId": agent, "description": "g",
                               "plans": [{ "description": "p", "tasks": [
                                   { "description": "x", "dependsOn": [1] },
                                   { "description": "y" }] }] } }),
        )
        .await;
    assert_bad_input(&body, "input.plans.0.tasks.0.dependsOn.0");
}

#[tokio::test]
async fn cancelling_a_dependency_cancels_everything_downstream() {
    let app = queue_app().await;
    let (_, plan) = active_plan(&app).await;
    let root = id_of(&add_task(&app, &plan, json!({})).await);
    let middle = id_of(&add_task(&app, &plan, json!({ "dependsOn": [root] })).await);
    let leaf = id_of(&add_task(&app, &plan, json!({ "dependsOn": [middle] })).await);
    let side = id_of(&add_task(&app, &plan, json!({ "dependsOn": [middle, root] })).await);
    let unrelated = id_of(&add_task(&app, &plan, json!({})).await);

    app.update_status("Task", &root, "CANCELLED").await;

    for id in [&middle, &leaf, &side] {
        let cancelled = task(&app, id).await;
        assert_eq!(cancelled["status"], "CANCELLED");
        assert_eq!(
            cancelled["error"],
            json!(format!("dependency {root} cancelled"))
        );
        assert!(cancelled["completedAt"].is_string());
    }
    assert_eq!(status(&app, &unrelated).await, "PENDING");
}

#[tokio::test]
async fn a_failed_dependency_leaves_its_dependents_blocked() {
    let app = queue_app().await;
    let (agent, plan) = active_plan(&app).await;
    let root = id_of(&add_task(&app, &plan, json!({})).await);
    let waiting = id_of(&add_task(&app, &plan, json!({ "dependsOn": [root] })).await);
    let (_, token) = lease_parts(&claim(&app, &agent, json!({})).await[0]);

    lease_call(
        &app,
        "failTask",
        &root,
        &token,
        r#", error: "no", retry: false"#,
    )
    .await;

    assert_eq!(status(&app, &root).await, "FAILED");
    assert_eq!(status(&app, &waiting).await, "BLOCKED");
}

#[tokio::test]
async fn blocked_is_never_set_by_hand_and_a_depended_on_task_is_not_deleted() {
    let app = queue_app().await;
    let (_, plan) = active_plan(&app).await;
    let root = id_of(&add_task(&app, &plan, json!({})).await);
    let waiting = id_of(&add_task(&app, &plan, json!({ "dependsOn": [root] })).await);

    assert_bad_input(
        &app.update_status("Task", &waiting, "BLOCKED").await,
        "input.status",
    );
    assert_bad_input(
        &app.update_status("Task", &root, "BLOCKED").await,
        "input.status",
    );

    let body = app
        .gql(
            "mutation($id: UUID!) { deleteTask(id: $id) }",
            json!({ "id": root }),
        )
        .await;
    assert_error_code(&body, "CONFLICT");
    assert_eq!(status(&app, &root).await, "PENDING");

    // Completing it by hand unblocks too.
    app.walk_statuses("Task", &root, &["RUNNING", "COMPLETED"])
        .await;
    assert_eq!(status(&app, &waiting).await, "PENDING");

    let body = app
        .gql(
            "mutation($id: UUID!) { deletePlan(id: $id, cascade: true) }",
            json!({ "id": plan }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    assert_eq!(app.total_count("tasks").await, 0);
}
