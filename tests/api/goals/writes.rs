//! Creating, updating and deleting goals: defaults, what is stored, what
//! is refused, versions and cascades.

use super::*;

#[tokio::test]
async fn create_goal_with_required_fields_gets_the_documented_defaults() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;

    let data = app
        .gql_ok(
            &create_goal_doc(),
            json!({ "input": { "agentId": agent, "description": "Ship it" } }),
        )
        .await;
    let goal = &data["createGoal"];

    uuid::Uuid::parse_str(goal["id"].as_str().expect("id")).expect("the id is a UUID");
    assert_eq!(goal["agentId"], json!(agent));
    assert_eq!(goal["agent"], json!({ "id": agent, "name": "Owner" }));
    assert_eq!(goal["description"], json!("Ship it"));
    assert_eq!(goal["successCriteria"], json!([]));
    assert_eq!(goal["priority"], json!(5));
    assert_eq!(goal["status"], json!("PENDING"));
    assert_eq!(goal["version"], json!(1));
    assert!(datetime(&goal["updatedAt"]) >= datetime(&goal["createdAt"]));

    let id = goal["id"].as_str().expect("id");
    assert_eq!(fetch_goal(&app, id).await, *goal);
}

#[tokio::test]
async fn create_goal_with_every_field_stores_them_all() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let input = json!({
        "agentId": agent,
        "description": "Answer the question",
        "successCriteria": ["cites sources", "under 200 words"],
        "priority": 9,
    });

    let data = app
        .gql_ok(&create_goal_doc(), json!({ "input": input }))
        .await;
    let goal = &data["createGoal"];

    assert_eq!(goal["successCriteria"], input["successCriteria"]);
    assert_eq!(goal["priority"], json!(9));
    assert_eq!(goal["description"], input["description"]);
    assert_eq!(goal["status"], json!("PENDING"));
    let id = goal["id"].as_str().expect("id");
    assert_eq!(fetch_goal(&app, id).await, *goal);
}

#[tokio::test]
async fn create_goal_under_an_unknown_agent_is_not_found_and_creates_nothing() {
    let app = spawn_app().await;

    let body = app
        .gql(
            &create_goal_doc(),
            json!({ "input": { "agentId": unknown_id(), "description": "Orphan" } }),
        )
        .await;

    assert_error_code(&body, "NOT_FOUND");
    assert!(body["data"].is_null(), "no goal is returned: {body:#}");
    assert_eq!(app.total_count("goals").await, 0);
}

#[tokio::test]
async fn update_goal_changes_only_the_fields_given_and_bumps_the_version() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let created = app
        .gql_ok(
            &create_goal_doc(),
            json!({ "input": {
                "agentId": agent,
                "description": "Original",
                "successCriteria": ["a", "b"],
                "priority": 3,
            } }),
        )
        .await["createGoal"]
        .clone();
    let id = created["id"].as_str().expect("id");

    let updated = app
        .gql_ok(
            &update_goal_doc(),
            json!({ "id": id, "input": { "successCriteria": ["c"] } }),
        )
        .await["updateGoal"]
        .clone();
    assert_eq!(updated["successCriteria"], json!(["c"]));
    assert_eq!(updated["description"], json!("Original"));
    assert_eq!(updated["priority"], json!(3));
    assert_eq!(updated["status"], json!("PENDING"));
    assert_eq!(updated["agentId"], json!(agent));
    assert_eq!(updated["version"], json!(2));
    assert_eq!(updated["createdAt"], created["createdAt"]);
    assert!(datetime(&updated["updatedAt"]) >= datetime(&created["updatedAt"]));

    let updated = app
        .gql_ok(
            &update_goal_doc(),
            json!({ "id": id, "input": { "description": "Reworded", "priority": 10, "expectedVersion": 2 } }),
        )
        .await["updateGoal"]
        .clone();
    assert_eq!(updated["description"], json!("Reworded"));
    assert_eq!(updated["priority"], json!(10));
    assert_eq!(updated["successCriteria"], json!(["c"]));
    assert_eq!(updated["version"], json!(3));

    assert_eq!(fetch_goal(&app, id).await, updated);
}

#[tokio::test]
async fn update_goal_with_a_stale_expected_version_is_a_conflict_and_changes_nothing() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let id = app.create_goal(&agent, "Original").await;
    app.walk_statuses("Goal", &id, &["ACTIVE"]).await;
    let before = fetch_goal(&app, &id).await;

    let body = app
        .gql(
            &update_goal_doc(),
            json!({ "id": id, "input": { "description": "Late", "expectedVersion": 1 } }),
        )
        .await;

    assert_error_code(&body, "CONFLICT");
    assert_eq!(fetch_goal(&app, &id).await, before);
}

#[tokio::test]
async fn update_goal_of_an_unknown_id_is_not_found() {
    let app = spawn_app().await;

    let body = app
        .gql(
            &update_goal_doc(),
            json!({ "id": unknown_id(), "input": { "priority": 7 } }),
        )
        .await;

    assert_error_code(&body, "NOT_FOUND");
}

#[tokio::test]
async fn delete_goal_returns_the_deleted_id() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let id = app.create_goal(&agent, "Doomed").await;
    let kept = app.create_goal(&agent, "Kept").await;

    let data = app.gql_ok(DELETE_GOAL, json!({ "id": id })).await;

    assert_eq!(data["deleteGoal"], json!(id));
    let data = app
        .gql_ok(
            "query($a: UUID!, $b: UUID!) { a: goal(id: $a) { id } b: goal(id: $b) { id } }",
            json!({ "a": id, "b": kept }),
        )
        .await;
    assert_eq!(data, json!({ "a": null, "b": { "id": kept } }));
}

#[tokio::test]
async fn delete_goal_of_an_unknown_id_is_not_found() {
    let app = spawn_app().await;

    let body = app.gql(DELETE_GOAL, json!({ "id": unknown_id() })).await;

    assert_error_code(&body, "NOT_FOUND");
    assert!(body["data"].is_null(), "no id is returned: {body:#}");
}

#[tokio::test]
async fn delete_goal_that_has_plans_without_cascade_is_a_conflict() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let goal = app.create_goal(&agent, "Parent").await;
    let plan = app.create_plan(&goal, "Child").await;

    for variables in [
        json!({ "id": goal }),
        json!({ "id": goal, "cascade": false }),
    ] {
        let body = app.gql(DELETE_GOAL, variables).await;
        assert_error_code(&body, "CONFLICT");
    }

    let data = app
        .gql_ok(
            "query($goal: UUID!, $plan: UUID!) { goal(id: $goal) { id } plan(id: $plan) { id } }",
            json!({ "goal": goal, "plan": plan }),
        )
        .await;
    assert_eq!(
        data,
        json!({ "goal": { "id": goal }, "plan": { "id": plan } })
    );
}

#[tokio::test]
async fn delete_goal_with_cascade_removes_its_plans_and_their_tasks() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let goal = app.create_goal(&agent, "Doomed").await;
    let plan = app.create_plan(&goal, "Doomed plan").await;
    let task = app.create_task(&plan, "Doomed task").await;
    let kept_goal = app.create_goal(&agent, "Kept").await;
    let kept_plan = app.create_plan(&kept_goal, "Kept plan").await;
    app.create_task(&kept_plan, "Kept task").await;

    let data = app
        .gql_ok(DELETE_GOAL, json!({ "id": goal, "cascade": true }))
        .await;

    assert_eq!(data["deleteGoal"], json!(goal));
    let data = app
        .gql_ok(
            "query($goal: UUID!, $plan: UUID!, $task: UUID!, $agent: UUID!) {
                goal(id: $goal) { id } plan(id: $plan) { id } task(id: $task) { id }
                agent(id: $agent) { goals { totalCount } }
            }",
            json!({ "goal": goal, "plan": plan, "task": task, "agent": agent }),
        )
        .await;
    assert_eq!(
        data,
        json!({ "goal": null, "plan": null, "task": null, "agent": { "goals": { "totalCount": 1 } } })
    );
    assert_eq!(app.counts().await, [1, 1, 1, 1]);
}
