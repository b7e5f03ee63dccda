use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_bad_input, assert_error_code, datetime, node_ids, spawn_app, unknown_id,
};

const PLAN_FIELDS: &str =
    "id goalId goal { id description } description status version createdAt updatedAt";

fn create_plan_doc() -> String {
    format!(
        "mutation($input: CreatePlanInput!) {{ createPlan(input: $input) {{ {PLAN_FIELDS} }} }}"
    )
}

fn update_plan_doc() -> String {
    format!(
        "mutation($id: UUID!, $input: UpdatePlanInput!) {{ updatePlan(id: $id, input: $input) {{ {PLAN_FIELDS} }} }}"
    )
}

async fn fetch_plan(app: &TestApp, id: &str) -> Value {
    let document = format!("query($id: UUID!) {{ plan(id: $id) {{ {PLAN_FIELDS} }} }}");
    app.gql_ok(&document, json!({ "id": id })).await["plan"].clone()
}

const DELETE_PLAN: &str =
    "mutation($id: UUID!, $cascade: Boolean) { deletePlan(id: $id, cascade: $cascade) }";

/// The statuses a fresh (DRAFT) plan passes through to reach `status`.
fn path_to(status: &str) -> &'static [&'static str] {
    match status {
        "DRAFT" => &[],
        "ACTIVE" => &["ACTIVE"],
        "COMPLETED" => &["ACTIVE", "COMPLETED"],
        "FAILED" => &["ACTIVE", "FAILED"],
        "CANCELLED" => &["CANCELLED"],
        other => panic!("no plan status {other}"),
    }
}

/// An agent and one of its goals.
async fn goal_fixture(app: &TestApp) -> String {
    let agent = app.create_agent("Owner").await;
    app.create_goal(&agent, "The goal").await
}

#[tokio::test]
async fn create_plan_with_required_fields_gets_the_documented_defaults() {
    let app = spawn_app().await;
    let goal = goal_fixture(&app).await;

    let data = app
        .gql_ok(
            &create_plan_doc(),
            json!({ "input": { "goalId": goal, "description": "Step by step" } }),
        )
        .await;
    let plan = &data["createPlan"];

    uuid::Uuid::parse_str(plan["id"].as_str().expect("id")).expect("the id is a UUID");
    assert_eq!(plan["goalId"], json!(goal));
    assert_eq!(
        plan["goal"],
        json!({ "id": goal, "description": "The goal" })
    );
    assert_eq!(plan["description"], json!("Step by step"));
    assert_eq!(plan["status"], json!("DRAFT"));
    assert_eq!(plan["version"], json!(1));
    assert!(datetime(&plan["updatedAt"]) >= datetime(&plan["createdAt"]));

    let id = plan["id"].as_str().expect("id");
    assert_eq!(fetch_plan(&app, id).await, *plan);
}

#[tokio::test]
async fn create_plan_with_a_status_stores_it() {
    let app = spawn_app().await;
    let goal = goal_fixture(&app).await;

    let data = app
        .gql_ok(
            &create_plan_doc(),
            json!({ "input": { "goalId": goal, "description": "Go", "status": "ACTIVE" } }),
        )
        .await;

    assert_eq!(data["createPlan"]["status"], json!("ACTIVE"));
    let id = data["createPlan"]["id"].as_str().expect("id");
    assert_eq!(fetch_plan(&app, id).await["status"], json!("ACTIVE"));
}

#[tokio::test]
async fn create_plan_under_an_unknown_goal_is_not_found_and_creates_nothing() {
    let app = spawn_app().await;

    let body = app
        .gql(
            &create_plan_doc(),
            json!({ "input": { "goalId": unknown_id(), "description": "Orphan" } }),
        )
        .await;

    assert_error_code(&body, "NOT_FOUND");
    assert!(body["data"].is_null(), "no plan is returned: {body:#}");
    assert_eq!(app.total_count("plans").await, 0);
}

#[tokio::test]
async fn update_plan_changes_only_the_fields_given_and_bumps_the_version() {
    let app = spawn_app().await;
    let goal = goal_fixture(&app).await;
    let id = app.create_plan(&goal, "Original").await;
    let created = fetch_plan(&app, &id).await;

    let updated = app
        .gql_ok(
            &update_plan_doc(),
            json!({ "id": id, "input": { "description": "Reworded" } }),
        )
        .await["updatePlan"]
        .clone();
    assert_eq!(updated["description"], json!("Reworded"));
    assert_eq!(updated["status"], json!("DRAFT"));
    assert_eq!(updated["goalId"], json!(goal));
    assert_eq!(updated["version"], json!(2));
    assert_eq!(updated["createdAt"], created["createdAt"]);
    assert!(datetime(&updated["updatedAt"]) >= datetime(&created["updatedAt"]));

    let updated = app
        .gql_ok(
            &update_plan_doc(),
            json!({ "id": id, "input": { "status": "ACTIVE", "expectedVersion": 2 } }),
        )
        .await["updatePlan"]
        .clone();
    assert_eq!(updated["status"], json!("ACTIVE"));
    assert_eq!(updated["description"], json!("Reworded"));
    assert_eq!(updated["version"], json!(3));

    assert_eq!(fetch_plan(&app, &id).await, updated);
}

#[tokio::test]
async fn update_plan_with_a_stale_expected_version_is_a_conflict_and_changes_nothing() {
    let app = spawn_app().await;
    let goal = goal_fixture(&app).await;
    let id = app.create_plan(&goal, "Original").await;
    app.walk_statuses("Plan", &id, &["ACTIVE"]).await;
    let before = fetch_plan(&app, &id).await;

    let body = app
        .gql(
            &update_plan_doc(),
            json!({ "id": id, "input": { "description": "Late", "expectedVersion": 1 } }),
        )
        .await;

    assert_error_code(&body, "CONFLICT");
    assert_eq!(fetch_plan(&app, &id).await, before);
}

#[tokio::test]
async fn update_plan_of_an_unknown_id_is_not_found() {
    let app = spawn_app().await;

    let body = app
        .gql(
            &update_plan_doc(),
            json!({ "id": unknown_id(), "input": { "description": "Ghost" } }),
        )
        .await;

    assert_error_code(&body, "NOT_FOUND");
}

#[tokio::test]
async fn every_allowed_plan_transition_is_accepted() {
    let app = spawn_app().await;
    let goal = goal_fixture(&app).await;
    let allowed = [
        ("DRAFT", "ACTIVE"),
        ("DRAFT", "CANCELLED"),
        ("ACTIVE", "COMPLETED"),
        ("ACTIVE", "FAILED"),
        ("ACTIVE", "CANCELLED"),
    ];

    for (from, to) in allowed {
        let id = app.create_plan(&goal, &format!("{from} to {to}")).await;
        app.walk_statuses("Plan", &id, path_to(from)).await;

        let body = app.update_status("Plan", &id, to).await;

        assert!(
            body.get("errors").is_none(),
            "{from} -> {to} is allowed: {body:#}"
        );
        assert_eq!(body["data"]["updatePlan"]["status"], json!(to));
        assert_eq!(fetch_plan(&app, &id).await["status"], json!(to));
    }
}

#[tokio::test]
async fn refused_plan_transitions_are_bad_user_input_and_change_nothing() {
    let app = spawn_app().await;
    let goal = goal_fixture(&app).await;
    let refused = [
        ("DRAFT", "COMPLETED"),
        ("DRAFT", "FAILED"),
        ("ACTIVE", "DRAFT"),
        ("COMPLETED", "ACTIVE"),
        ("COMPLETED", "DRAFT"),
        ("COMPLETED", "CANCELLED"),
        ("FAILED", "ACTIVE"),
        ("FAILED", "DRAFT"),
        ("CANCELLED", "DRAFT"),
        ("CANCELLED", "ACTIVE"),
    ];

    for (from, to) in refused {
        let id = app.create_plan(&goal, &format!("{from} to {to}")).await;
        app.walk_statuses("Plan", &id, path_to(from)).await;
        let before = fetch_plan(&app, &id).await;

        let body = app.update_status("Plan", &id, to).await;

        assert_bad_input(&body, "input.status");
        let after = fetch_plan(&app, &id).await;
        assert_eq!(after["status"], json!(from), "{from} -> {to} is refused");
        assert_eq!(after, before);
    }
}

#[tokio::test]
async fn setting_the_current_plan_status_again_is_accepted() {
    let app = spawn_app().await;
    let goal = goal_fixture(&app).await;

    for status in ["DRAFT", "ACTIVE", "COMPLETED", "FAILED", "CANCELLED"] {
        let id = app.create_plan(&goal, status).await;
        app.walk_statuses("Plan", &id, path_to(status)).await;

        let body = app.update_status("Plan", &id, status).await;

        assert!(
            body.get("errors").is_none(),
            "{status} -> {status} is accepted: {body:#}"
        );
        let plan = fetch_plan(&app, &id).await;
        assert_eq!(plan["status"], json!(status));
        assert_eq!(plan["description"], json!(status));
    }
}

#[tokio::test]
async fn delete_plan_returns_the_deleted_id() {
    let app = spawn_app().await;
    let goal = goal_fixture(&app).await;
    let id = app.create_plan(&goal, "Doomed").await;

    let data = app.gql_ok(DELETE_PLAN, json!({ "id": id })).await;

    assert_eq!(data["deletePlan"], json!(id));
    let data = app
        .gql_ok(
            "query($id: UUID!) { plan(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert!(data["plan"].is_null());
    assert_eq!(app.counts().await, [1, 1, 0, 0]);
}

#[tokio::test]
async fn delete_plan_of_an_unknown_id_is_not_found() {
    let app = spawn_app().await;

    let body = app.gql(DELETE_PLAN, json!({ "id": unknown_id() })).await;

    assert_error_code(&body, "NOT_FOUND");
    assert!(body["data"].is_null(), "no id is returned: {body:#}");
}

#[tokio::test]
async fn delete_plan_that_has_tasks_without_cascade_is_a_conflict() {
    let app = spawn_app().await;
    let goal = goal_fixture(&app).await;
    let plan = app.create_plan(&goal, "Parent").await;
    let task = app.create_task(&plan, "Child").await;

    for variables in [
        json!({ "id": plan }),
        json!({ "id": plan, "cascade": false }),
    ] {
        let body = app.gql(DELETE_PLAN, variables).await;
        assert_error_code(&body, "CONFLICT");
    }

    let data = app
        .gql_ok(
            "query($plan: UUID!, $task: UUID!) { plan(id: $plan) { id } task(id: $task) { id } }",
            json!({ "plan": plan, "task": task }),
        )
        .await;
    assert_eq!(
        data,
        json!({ "plan": { "id": plan }, "task": { "id": task } })
    );
}

#[tokio::test]
async fn delete_plan_with_cascade_removes_its_tasks() {
    let app = spawn_app().await;
    let goal = goal_fixture(&app).await;
    let plan = app.create_plan(&goal, "Doomed").await;
    let tasks = [
        app.create_task(&plan, "one").await,
        app.create_task(&plan, "two").await,
    ];
    let kept_plan = app.create_plan(&goal, "Kept").await;
    let kept_task = app.create_task(&kept_plan, "kept").await;

    let data = app
        .gql_ok(DELETE_PLAN, json!({ "id": plan, "cascade": true }))
        .await;

    assert_eq!(data["deletePlan"], json!(plan));
    let data = app
        .gql_ok(
            "query($plan: UUID!, $a: UUID!, $b: UUID!, $kept: UUID!) {
                plan(id: $plan) { id } a: task(id: $a) { id } b: task(id: $b) { id }
                kept: task(id: $kept) { id }
            }",
            json!({ "plan": plan, "a": tasks[0], "b": tasks[1], "kept": kept_task }),
        )
        .await;
    assert_eq!(
        data,
        json!({ "plan": null, "a": null, "b": null, "kept": { "id": kept_task } })
    );
    assert_eq!(app.counts().await, [1, 1, 1, 1]);
}

#[tokio::test]
async fn a_plan_exposes_its_goal_chain_and_its_tasks_with_filters() {
    let app = spawn_app().await;
    let agent = app.create_agent("Chief").await;
    let goal = app.create_goal(&agent, "The goal").await;
    let plan = app.create_plan(&goal, "The plan").await;
    let other_plan = app.create_plan(&goal, "Other plan").await;
    let tasks = app
        .create_many(
            "createTask",
            "CreateTaskInput",
            &[
                json!({ "planId": plan, "description": "search", "taskType": "web_search" }),
                json!({ "planId": plan, "description": "write" }),
                json!({ "planId": other_plan, "description": "not mine", "taskType": "web_search" }),
                json!({ "planId": plan, "description": "search again", "taskType": "web_search" }),
            ],
        )
        .await;
    app.walk_statuses("Task", &tasks[3], &["RUNNING"]).await;

    let data = app
        .gql_ok(
            "query($id: UUID!) {
                plan(id: $id) {
                    goal { id agent { id name } }
                    tasks { totalCount nodes { id planId } }
                    searches: tasks(filter: { taskType: \"web_search\" }) { totalCount nodes { id } }
                    running: tasks(filter: { status: RUNNING }) { totalCount nodes { id } }
                    generic: tasks(filter: { taskType: \"generic\", status: PENDING }) { totalCount nodes { id } }
                }
            }",
            json!({ "id": plan }),
        )
        .await;
    let plan_data = &data["plan"];

    assert_eq!(
        plan_data["goal"],
        json!({ "id": goal, "agent": { "id": agent, "name": "Chief" } })
    );
    assert_eq!(plan_data["tasks"]["totalCount"], json!(3));
    assert_eq!(
        node_ids(&plan_data["tasks"]),
        vec![tasks[0].clone(), tasks[1].clone(), tasks[3].clone()]
    );
    for task in plan_data["tasks"]["nodes"].as_array().expect("tasks") {
        assert_eq!(task["planId"], json!(plan));
    }
    assert_eq!(plan_data["searches"]["totalCount"], json!(2));
    assert_eq!(
        node_ids(&plan_data["searches"]),
        vec![tasks[0].clone(), tasks[3].clone()]
    );
    assert_eq!(plan_data["running"]["totalCount"], json!(1));
    assert_eq!(node_ids(&plan_data["running"]), vec![tasks[3].clone()]);
    assert_eq!(plan_data["generic"]["totalCount"], json!(1));
    assert_eq!(node_ids(&plan_data["generic"]), vec![tasks[1].clone()]);
}

#[tokio::test]
async fn plans_filter_by_goal_and_status() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let first = app.create_goal(&agent, "First").await;
    let second = app.create_goal(&agent, "Second").await;
    let plans = app
        .create_many(
            "createPlan",
            "CreatePlanInput",
            &[
                json!({ "goalId": first, "description": "a" }),
                json!({ "goalId": second, "description": "b" }),
                json!({ "goalId": first, "description": "c", "status": "ACTIVE" }),
                json!({ "goalId": second, "description": "d" }),
            ],
        )
        .await;
    app.walk_statuses("Plan", &plans[3], &["CANCELLED"]).await;
    let query = "query($filter: PlanFilter) { plans(filter: $filter) { totalCount nodes { id } } }";
    let cases = [
        (json!(null), vec![0, 1, 2, 3]),
        (json!({ "goalId": first }), vec![0, 2]),
        (json!({ "goalId": second }), vec![1, 3]),
        (json!({ "status": "DRAFT" }), vec![0, 1]),
        (json!({ "status": "ACTIVE" }), vec![2]),
        (json!({ "goalId": second, "status": "CANCELLED" }), vec![3]),
        (json!({ "goalId": first, "status": "CANCELLED" }), vec![]),
        (json!({ "goalId": unknown_id() }), vec![]),
    ];

    for (filter, expected) in cases {
        let data = app.gql_ok(query, json!({ "filter": filter })).await;
        let expected: Vec<String> = expected.iter().map(|&i| plans[i].clone()).collect();
        assert_eq!(node_ids(&data["plans"]), expected, "filter {filter}");
        assert_eq!(
            data["plans"]["totalCount"],
            json!(expected.len()),
            "filter {filter}"
        );
    }
}
