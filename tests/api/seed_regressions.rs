//! The four failures of the original REST platform, replayed over HTTP.

use serde_json::json;

use crate::helpers::{assert_refused_as_bad_input, spawn_app, unknown_id};

#[tokio::test]
async fn create_goal_without_a_client_sent_id_returns_a_server_generated_uuid() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;

    let data = app
        .gql_ok(
            "mutation($input: CreateGoalInput!) { createGoal(input: $input) { id agentId description } }",
            json!({ "input": { "agentId": agent, "description": "Find the answer" } }),
        )
        .await;

    let id = data["createGoal"]["id"].as_str().expect("goal id");
    let parsed = uuid::Uuid::parse_str(id).expect("the id is a UUID");
    assert_eq!(
        parsed.hyphenated().to_string(),
        id,
        "canonical hyphenated form"
    );
    assert_eq!(data["createGoal"]["agentId"], json!(agent));
    let data = app
        .gql_ok(
            "query($id: UUID!) { goal(id: $id) { id description } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        data["goal"],
        json!({ "id": id, "description": "Find the answer" })
    );
}

#[tokio::test]
async fn create_goal_refuses_a_client_sent_id() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;

    let body = app
        .gql(
            "mutation($input: CreateGoalInput!) { createGoal(input: $input) { id } }",
            json!({ "input": { "id": unknown_id(), "agentId": agent, "description": "g" } }),
        )
        .await;

    assert_refused_as_bad_input(&body);
    assert_eq!(app.total_count("goals").await, 0);
}

#[tokio::test]
async fn create_task_under_a_plan_succeeds() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let goal = app.create_goal(&agent, "Goal").await;
    let plan = app.create_plan(&goal, "Plan").await;

    let data = app
        .gql_ok(
            "mutation($input: CreateTaskInput!) { createTask(input: $input) { id planId status } }",
            json!({ "input": { "planId": plan, "description": "Step one", "taskType": "research" } }),
        )
        .await;

    assert_eq!(data["createTask"]["planId"], json!(plan));
    assert_eq!(data["createTask"]["status"], json!("PENDING"));
    let id = data["createTask"]["id"].as_str().expect("task id");
    let data = app
        .gql_ok(
            "query($id: UUID!) { plan(id: $id) { tasks { totalCount nodes { id } } } }",
            json!({ "id": plan }),
        )
        .await;
    assert_eq!(
        data["plan"]["tasks"],
        json!({ "totalCount": 1, "nodes": [{ "id": id }] })
    );
}

#[tokio::test]
async fn agent_of_an_unknown_id_is_null_with_no_errors() {
    let app = spawn_app().await;
    app.create_agent("Someone else").await;

    let body = app
        .gql(
            "query($id: UUID!) { agent(id: $id) { id name } }",
            json!({ "id": unknown_id() }),
        )
        .await;

    assert!(body.get("errors").is_none(), "no errors: {body:#}");
    assert_eq!(body, json!({ "data": { "agent": null } }));
}

#[tokio::test]
async fn update_agent_with_only_status_and_configuration_leaves_the_rest_unchanged() {
    let app = spawn_app().await;
    let created = app
        .gql_ok(
            "mutation($input: CreateAgentInput!) { createAgent(input: $input) { id did name metadata } }",
            json!({ "input": { "name": "Steady", "metadata": { "team": "core" } } }),
        )
        .await["createAgent"]
        .clone();
    let id = created["id"].as_str().expect("agent id");

    let data = app
        .gql_ok(
            "mutation($id: UUID!, $input: UpdateAgentInput!) {
                updateAgent(id: $id, input: $input) { id did name status configuration metadata version }
            }",
            json!({ "id": id, "input": { "status": "PAUSED", "configuration": { "max_tokens": 1000 } } }),
        )
        .await;

    assert_eq!(
        data["updateAgent"],
        json!({
            "id": id,
            "did": created["did"],
            "name": "Steady",
            "status": "PAUSED",
            "configuration": { "max_tokens": 1000 },
            "metadata": { "team": "core" },
            "version": 2,
        })
    );
}
