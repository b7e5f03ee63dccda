//! Creating, updating and deleting plans: defaults, what is stored, what
//! is refused, versions and cascades.

use super::*;

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
