//! Creating, updating and deleting tasks: defaults, what is stored, what
//! is refused, and versions.

use super::*;

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
