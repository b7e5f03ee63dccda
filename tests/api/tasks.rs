use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_bad_input, assert_error_code, datetime, node_ids, spawn_app, unknown_id,
};

const TASK_FIELDS: &str = "id planId plan { id } agentId agent { id name } description taskType \
                           status inputData outputData error version createdAt updatedAt \
                           startedAt completedAt";

fn create_task_doc() -> String {
    format!(
        "mutation($input: CreateTaskInput!) {{ createTask(input: $input) {{ {TASK_FIELDS} }} }}"
    )
}

fn update_task_doc() -> String {
    format!(
        "mutation($id: UUID!, $input: UpdateTaskInput!) {{ updateTask(id: $id, input: $input) {{ {TASK_FIELDS} }} }}"
    )
}

async fn fetch_task(app: &TestApp, id: &str) -> Value {
    let document = format!("query($id: UUID!) {{ task(id: $id) {{ {TASK_FIELDS} }} }}");
    app.gql_ok(&document, json!({ "id": id })).await["task"].clone()
}

async fn set_status(app: &TestApp, id: &str, status: &str) -> Value {
    app.gql_ok(
        &update_task_doc(),
        json!({ "id": id, "input": { "status": status } }),
    )
    .await["updateTask"]
        .clone()
}

const DELETE_TASK: &str = "mutation($id: UUID!) { deleteTask(id: $id) }";

/// The statuses a fresh (PENDING) task passes through to reach `status`.
fn path_to(status: &str) -> &'static [&'static str] {
    match status {
        "PENDING" => &[],
        "RUNNING" => &["RUNNING"],
        "COMPLETED" => &["RUNNING", "COMPLETED"],
        "FAILED" => &["RUNNING", "FAILED"],
        "CANCELLED" => &["CANCELLED"],
        other => panic!("no task status {other}"),
    }
}

/// An agent, one of its goals and one plan under it; returns (agent, plan).
async fn plan_fixture(app: &TestApp) -> (String, String) {
    let agent = app.create_agent("Owner").await;
    let goal = app.create_goal(&agent, "The goal").await;
    let plan = app.create_plan(&goal, "The plan").await;
    (agent, plan)
}

#[tokio::test]
async fn create_task_with_required_fields_gets_the_documented_defaults() {
    let app = spawn_app().await;
    let (_, plan) = plan_fixture(&app).await;

    let data = app
        .gql_ok(
            &create_task_doc(),
            json!({ "input": { "planId": plan, "description": "Do the thing" } }),
        )
        .await;
    let task = &data["createTask"];

    uuid::Uuid::parse_str(task["id"].as_str().expect("id")).expect("the id is a UUID");
    assert_eq!(task["planId"], json!(plan));
    assert_eq!(task["plan"], json!({ "id": plan }));
    assert_eq!(task["agentId"], Value::Null);
    assert_eq!(task["agent"], Value::Null);
    assert_eq!(task["description"], json!("Do the thing"));
    assert_eq!(task["taskType"], json!("generic"));
    assert_eq!(task["status"], json!("PENDING"));
    assert_eq!(task["inputData"], json!({}));
    assert_eq!(task["outputData"], Value::Null);
    assert_eq!(task["error"], Value::Null);
    assert_eq!(task["startedAt"], Value::Null);
    assert_eq!(task["completedAt"], Value::Null);
    assert_eq!(task["version"], json!(1));
    assert!(datetime(&task["updatedAt"]) >= datetime(&task["createdAt"]));

    let id = task["id"].as_str().expect("id");
    assert_eq!(fetch_task(&app, id).await, *task);
}

#[tokio::test]
async fn create_task_with_every_field_stores_them_all() {
    let app = spawn_app().await;
    let (_, plan) = plan_fixture(&app).await;
    let worker = app.create_agent("Worker").await;
    let input = json!({
        "planId": plan,
        "agentId": worker,
        "description": "Search the web",
        "taskType": "web_search",
        "inputData": { "query": "graphql", "limit": 10, "filters": ["recent"] },
    });

    let data = app
        .gql_ok(&create_task_doc(), json!({ "input": input }))
        .await;
    let task = &data["createTask"];

    assert_eq!(task["agentId"], json!(worker));
    assert_eq!(task["agent"], json!({ "id": worker, "name": "Worker" }));
    assert_eq!(task["taskType"], json!("web_search"));
    assert_eq!(task["inputData"], input["inputData"]);
    assert_eq!(task["status"], json!("PENDING"));
    let id = task["id"].as_str().expect("id");
    assert_eq!(fetch_task(&app, id).await, *task);
}

#[tokio::test]
async fn create_task_under_an_unknown_plan_is_not_found_and_creates_nothing() {
    let app = spawn_app().await;

    let body = app
        .gql(
            &create_task_doc(),
            json!({ "input": { "planId": unknown_id(), "description": "Orphan" } }),
        )
        .await;

    assert_error_code(&body, "NOT_FOUND");
    assert!(body["data"].is_null(), "no task is returned: {body:#}");
    assert_eq!(app.total_count("tasks").await, 0);
}

#[tokio::test]
async fn create_task_assigned_to_an_unknown_agent_is_not_found_and_creates_nothing() {
    let app = spawn_app().await;
    let (_, plan) = plan_fixture(&app).await;

    let body = app
        .gql(
            &create_task_doc(),
            json!({ "input": { "planId": plan, "agentId": unknown_id(), "description": "Nobody" } }),
        )
        .await;

    assert_error_code(&body, "NOT_FOUND");
    assert_eq!(app.total_count("tasks").await, 0);
}

#[tokio::test]
async fn update_task_changes_only_the_fields_given_and_bumps_the_version() {
    let app = spawn_app().await;
    let (_, plan) = plan_fixture(&app).await;
    let created = app
        .gql_ok(
            &create_task_doc(),
            json!({ "input": { "planId": plan, "description": "Original", "taskType": "analysis", "inputData": { "n": 1 } } }),
        )
        .await["createTask"]
        .clone();
    let id = created["id"].as_str().expect("id");

    let updated = app
        .gql_ok(
            &update_task_doc(),
            json!({ "id": id, "input": { "outputData": { "answer": 42, "notes": ["a"] } } }),
        )
        .await["updateTask"]
        .clone();
    assert_eq!(
        updated["outputData"],
        json!({ "answer": 42, "notes": ["a"] })
    );
    assert_eq!(updated["description"], json!("Original"));
    assert_eq!(updated["taskType"], json!("analysis"));
    assert_eq!(updated["inputData"], json!({ "n": 1 }));
    assert_eq!(updated["status"], json!("PENDING"));
    assert_eq!(updated["error"], Value::Null);
    assert_eq!(updated["version"], json!(2));
    assert_eq!(updated["createdAt"], created["createdAt"]);
    assert!(datetime(&updated["updatedAt"]) >= datetime(&created["updatedAt"]));

    let updated = app
        .gql_ok(
            &update_task_doc(),
            json!({ "id": id, "input": {
                "description": "Reworded",
                "error": "rate limited",
                "outputData": { "partial": true },
                "expectedVersion": 2,
            } }),
        )
        .await["updateTask"]
        .clone();
    assert_eq!(updated["description"], json!("Reworded"));
    assert_eq!(updated["error"], json!("rate limited"));
    // A JSON field replaces the whole object; it is not merged.
    assert_eq!(updated["outputData"], json!({ "partial": true }));
    assert_eq!(updated["version"], json!(3));

    assert_eq!(fetch_task(&app, id).await, updated);
}

#[tokio::test]
async fn update_task_assigns_an_agent_and_refuses_an_unknown_one() {
    let app = spawn_app().await;
    let (_, plan) = plan_fixture(&app).await;
    let worker = app.create_agent("Worker").await;
    let id = app.create_task(&plan, "Unassigned").await;

    let data = app
        .gql_ok(
            &update_task_doc(),
            json!({ "id": id, "input": { "agentId": worker } }),
        )
        .await;
    assert_eq!(data["updateTask"]["agentId"], json!(worker));
    assert_eq!(
        data["updateTask"]["agent"],
        json!({ "id": worker, "name": "Worker" })
    );
    let before = fetch_task(&app, &id).await;

    let body = app
        .gql(
            &update_task_doc(),
            json!({ "id": id, "input": { "agentId": unknown_id(), "description": "Changed" } }),
        )
        .await;

    assert_error_code(&body, "NOT_FOUND");
    assert_eq!(fetch_task(&app, &id).await, before);
}

#[tokio::test]
async fn update_task_with_a_stale_expected_version_is_a_conflict_and_changes_nothing() {
    let app = spawn_app().await;
    let (_, plan) = plan_fixture(&app).await;
    let id = app.create_task(&plan, "Original").await;
    set_status(&app, &id, "RUNNING").await;
    let before = fetch_task(&app, &id).await;

    let body = app
        .gql(
            &update_task_doc(),
            json!({ "id": id, "input": { "status": "COMPLETED", "expectedVersion": 1 } }),
        )
        .await;

    assert_error_code(&body, "CONFLICT");
    assert_eq!(fetch_task(&app, &id).await, before);
}

#[tokio::test]
async fn update_task_of_an_unknown_id_is_not_found() {
    let app = spawn_app().await;

    let body = app
        .gql(
            &update_task_doc(),
            json!({ "id": unknown_id(), "input": { "description": "Ghost" } }),
        )
        .await;

    assert_error_code(&body, "NOT_FOUND");
}

#[tokio::test]
async fn every_allowed_task_transition_is_accepted() {
    let app = spawn_app().await;
    let (_, plan) = plan_fixture(&app).await;
    let allowed = [
        ("PENDING", "RUNNING"),
        ("PENDING", "CANCELLED"),
        ("RUNNING", "COMPLETED"),
        ("RUNNING", "FAILED"),
        ("RUNNING", "CANCELLED"),
        ("FAILED", "PENDING"),
    ];

    for (from, to) in allowed {
        let id = app.create_task(&plan, &format!("{from} to {to}")).await;
        app.walk_statuses("Task", &id, path_to(from)).await;

        let body = app.update_status("Task", &id, to).await;

        assert!(
            body.get("errors").is_none(),
            "{from} -> {to} is allowed: {body:#}"
        );
        assert_eq!(body["data"]["updateTask"]["status"], json!(to));
        assert_eq!(fetch_task(&app, &id).await["status"], json!(to));
    }
}

#[tokio::test]
async fn refused_task_transitions_are_bad_user_input_and_change_nothing() {
    let app = spawn_app().await;
    let (_, plan) = plan_fixture(&app).await;
    let refused = [
        ("PENDING", "COMPLETED"),
        ("PENDING", "FAILED"),
        ("RUNNING", "PENDING"),
        ("COMPLETED", "RUNNING"),
        ("COMPLETED", "PENDING"),
        ("COMPLETED", "FAILED"),
        ("CANCELLED", "PENDING"),
        ("CANCELLED", "RUNNING"),
        ("FAILED", "RUNNING"),
        ("FAILED", "COMPLETED"),
        ("FAILED", "CANCELLED"),
    ];

    for (from, to) in refused {
        let id = app.create_task(&plan, &format!("{from} to {to}")).await;
        app.walk_statuses("Task", &id, path_to(from)).await;
        let before = fetch_task(&app, &id).await;

        let body = app.update_status("Task", &id, to).await;

        assert_bad_input(&body, "input.status");
        let after = fetch_task(&app, &id).await;
        assert_eq!(after["status"], json!(from), "{from} -> {to} is refused");
        assert_eq!(after, before);
    }
}

#[tokio::test]
async fn setting_the_current_task_status_again_is_accepted_and_keeps_the_timestamps() {
    let app = spawn_app().await;
    let (_, plan) = plan_fixture(&app).await;

    for status in ["PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"] {
        let id = app.create_task(&plan, status).await;
        app.walk_statuses("Task", &id, path_to(status)).await;
        let before = fetch_task(&app, &id).await;

        let body = app.update_status("Task", &id, status).await;

        assert!(
            body.get("errors").is_none(),
            "{status} -> {status} is accepted: {body:#}"
        );
        let task = fetch_task(&app, &id).await;
        assert_eq!(task["status"], json!(status));
        assert_eq!(task["description"], json!(status));
        assert_eq!(task["startedAt"], before["startedAt"], "{status} again");
        assert_eq!(task["completedAt"], before["completedAt"], "{status} again");
    }
}

#[tokio::test]
async fn a_task_records_when_it_started_and_completed() {
    let app = spawn_app().await;
    let (_, plan) = plan_fixture(&app).await;
    let id = app.create_task(&plan, "Lifecycle").await;
    let created = fetch_task(&app, &id).await;
    assert_eq!(created["startedAt"], Value::Null);
    assert_eq!(created["completedAt"], Value::Null);

    let running = set_status(&app, &id, "RUNNING").await;
    let started = datetime(&running["startedAt"]);
    assert!(started >= datetime(&created["createdAt"]));
    assert_eq!(running["completedAt"], Value::Null);

    let completed = set_status(&app, &id, "COMPLETED").await;
    assert_eq!(completed["startedAt"], running["startedAt"]);
    assert!(datetime(&completed["completedAt"]) >= started);

    assert_eq!(fetch_task(&app, &id).await, completed);
}

#[tokio::test]
async fn a_cancelled_task_is_completed_without_having_started() {
    let app = spawn_app().await;
    let (_, plan) = plan_fixture(&app).await;
    let id = app.create_task(&plan, "Never ran").await;

    let cancelled = set_status(&app, &id, "CANCELLED").await;

    assert_eq!(cancelled["startedAt"], Value::Null);
    assert!(datetime(&cancelled["completedAt"]) >= datetime(&cancelled["createdAt"]));
}

#[tokio::test]
async fn a_running_task_that_is_cancelled_records_its_completion() {
    let app = spawn_app().await;
    let (_, plan) = plan_fixture(&app).await;
    let id = app.create_task(&plan, "Stopped").await;
    let running = set_status(&app, &id, "RUNNING").await;

    let cancelled = set_status(&app, &id, "CANCELLED").await;

    assert_eq!(cancelled["startedAt"], running["startedAt"]);
    assert!(datetime(&cancelled["completedAt"]) >= datetime(&running["startedAt"]));
}

#[tokio::test]
async fn a_failed_task_records_its_completion_and_a_retry_clears_it() {
    let app = spawn_app().await;
    let (_, plan) = plan_fixture(&app).await;
    let id = app.create_task(&plan, "Flaky").await;
    let first_run = set_status(&app, &id, "RUNNING").await;

    let failed = app
        .gql_ok(
            &update_task_doc(),
            json!({ "id": id, "input": { "status": "FAILED", "error": "timeout" } }),
        )
        .await["updateTask"]
        .clone();
    assert_eq!(failed["status"], json!("FAILED"));
    assert_eq!(failed["error"], json!("timeout"));
    assert!(datetime(&failed["completedAt"]) >= datetime(&first_run["startedAt"]));

    let retried = set_status(&app, &id, "PENDING").await;
    assert_eq!(retried["status"], json!("PENDING"));
    assert_eq!(retried["completedAt"], Value::Null);

    let second_run = set_status(&app, &id, "RUNNING").await;
    assert!(datetime(&second_run["startedAt"]) >= datetime(&first_run["startedAt"]));
    assert_eq!(second_run["completedAt"], Value::Null);

    let done = set_status(&app, &id, "COMPLETED").await;
    assert!(datetime(&done["completedAt"]) >= datetime(&second_run["startedAt"]));
}

#[tokio::test]
async fn delete_task_returns_the_deleted_id() {
    let app = spawn_app().await;
    let (_, plan) = plan_fixture(&app).await;
    let id = app.create_task(&plan, "Doomed").await;
    let kept = app.create_task(&plan, "Kept").await;

    let data = app.gql_ok(DELETE_TASK, json!({ "id": id })).await;

    assert_eq!(data["deleteTask"], json!(id));
    let data = app
        .gql_ok(
            "query($a: UUID!, $b: UUID!) { a: task(id: $a) { id } b: task(id: $b) { id } }",
            json!({ "a": id, "b": kept }),
        )
        .await;
    assert_eq!(data, json!({ "a": null, "b": { "id": kept } }));
    assert_eq!(app.counts().await, [1, 1, 1, 1]);
}

#[tokio::test]
async fn delete_task_of_an_unknown_id_is_not_found() {
    let app = spawn_app().await;

    let body = app.gql(DELETE_TASK, json!({ "id": unknown_id() })).await;

    assert_error_code(&body, "NOT_FOUND");
    assert!(body["data"].is_null(), "no id is returned: {body:#}");
}

#[tokio::test]
async fn a_task_reaches_its_plan_goal_and_agent_and_its_assignee() {
    let app = spawn_app().await;
    let owner = app.create_agent("Owner").await;
    let goal = app.create_goal(&owner, "The goal").await;
    let plan = app.create_plan(&goal, "The plan").await;
    let worker = app.create_agent("Worker").await;
    let data = app
        .gql_ok(
            "mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }",
            json!({ "input": { "planId": plan, "agentId": worker, "description": "Nested" } }),
        )
        .await;
    let task = data["createTask"]["id"].as_str().expect("task id");

    let data = app
        .gql_ok(
            "query($id: UUID!) {
                task(id: $id) {
                    plan { id goalId goal { id agentId agent { id name } } }
                    agent { id name goals { totalCount } }
                }
            }",
            json!({ "id": task }),
        )
        .await;

    assert_eq!(
        data["task"],
        json!({
            "plan": {
                "id": plan,
                "goalId": goal,
                "goal": { "id": goal, "agentId": owner, "agent": { "id": owner, "name": "Owner" } },
            },
            "agent": { "id": worker, "name": "Worker", "goals": { "totalCount": 0 } },
        })
    );
}

#[tokio::test]
async fn an_agent_lists_the_tasks_assigned_to_it_with_filters() {
    let app = spawn_app().await;
    let (owner, plan) = plan_fixture(&app).await;
    let worker = app.create_agent("Worker").await;
    let tasks = app
        .create_many(
            "createTask",
            "CreateTaskInput",
            &[
                json!({ "planId": plan, "agentId": worker, "description": "a" }),
                json!({ "planId": plan, "description": "unassigned" }),
                json!({ "planId": plan, "agentId": owner, "description": "owner's" }),
                json!({ "planId": plan, "agentId": worker, "description": "b", "taskType": "code" }),
            ],
        )
        .await;
    app.walk_statuses("Task", &tasks[3], &["RUNNING"]).await;

    let data = app
        .gql_ok(
            "query($worker: UUID!, $owner: UUID!) {
                worker: agent(id: $worker) {
                    tasks { totalCount nodes { id agentId } }
                    running: tasks(filter: { status: RUNNING }) { totalCount nodes { id } }
                    code: tasks(filter: { taskType: \"code\" }) { totalCount nodes { id } }
                }
                owner: agent(id: $owner) { tasks { totalCount nodes { id } } }
            }",
            json!({ "worker": worker, "owner": owner }),
        )
        .await;

    let assigned = &data["worker"]["tasks"];
    assert_eq!(assigned["totalCount"], json!(2));
    assert_eq!(node_ids(assigned), vec![tasks[0].clone(), tasks[3].clone()]);
    for task in assigned["nodes"].as_array().expect("tasks") {
        assert_eq!(task["agentId"], json!(worker));
    }
    assert_eq!(data["worker"]["running"]["totalCount"], json!(1));
    assert_eq!(node_ids(&data["worker"]["running"]), vec![tasks[3].clone()]);
    assert_eq!(node_ids(&data["worker"]["code"]), vec![tasks[3].clone()]);
    assert_eq!(data["owner"]["tasks"]["totalCount"], json!(1));
    assert_eq!(node_ids(&data["owner"]["tasks"]), vec![tasks[2].clone()]);
}

#[tokio::test]
async fn tasks_filter_by_plan_agent_status_and_task_type() {
    let app = spawn_app().await;
    let (owner, first) = plan_fixture(&app).await;
    let goal = app.create_goal(&owner, "Second goal").await;
    let second = app.create_plan(&goal, "Second plan").await;
    let worker = app.create_agent("Worker").await;
    let tasks = app
        .create_many(
            "createTask",
            "CreateTaskInput",
            &[
                json!({ "planId": first, "description": "0" }),
                json!({ "planId": first, "agentId": worker, "description": "1", "taskType": "code" }),
                json!({ "planId": second, "agentId": worker, "description": "2" }),
                json!({ "planId": second, "description": "3", "taskType": "code" }),
            ],
        )
        .await;
    app.walk_statuses("Task", &tasks[1], &["RUNNING"]).await;
    app.walk_statuses("Task", &tasks[3], &["RUNNING", "FAILED"])
        .await;
    let query = "query($filter: TaskFilter) { tasks(filter: $filter) { totalCount nodes { id } } }";
    let cases = [
        (json!(null), vec![0, 1, 2, 3]),
        (json!({ "planId": first }), vec![0, 1]),
        (json!({ "planId": second }), vec![2, 3]),
        (json!({ "agentId": worker }), vec![1, 2]),
        (json!({ "agentId": owner }), vec![]),
        (json!({ "status": "PENDING" }), vec![0, 2]),
        (json!({ "status": "FAILED" }), vec![3]),
        (json!({ "taskType": "code" }), vec![1, 3]),
        (json!({ "taskType": "generic" }), vec![0, 2]),
        (
            json!({ "planId": second, "agentId": worker, "status": "PENDING", "taskType": "generic" }),
            vec![2],
        ),
        (
            json!({ "planId": first, "taskType": "code", "status": "PENDING" }),
            vec![],
        ),
    ];

    for (filter, expected) in cases {
        let data = app.gql_ok(query, json!({ "filter": filter })).await;
        let expected: Vec<String> = expected.iter().map(|&i| tasks[i].clone()).collect();
        assert_eq!(node_ids(&data["tasks"]), expected, "filter {filter}");
        assert_eq!(
            data["tasks"]["totalCount"],
            json!(expected.len()),
            "filter {filter}"
        );
    }
}
