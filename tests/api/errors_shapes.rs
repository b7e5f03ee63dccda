//! A value of the wrong shape (not an object, not a UUID, not a cursor,
//! not an enum value, missing) is a `BAD_USER_INPUT` error and nothing is
//! written.

use serde_json::json;

use crate::errors::{
    AGENT, CREATE_AGENT, CREATE_GOAL, CREATE_TASK, TASK, UPDATE_AGENT, UPDATE_TASK, read_back, tree,
};
use crate::helpers::{
    assert_error_snapshot, assert_refused_as_bad_input, bad_input, codes, spawn_app,
};

#[tokio::test]
async fn a_configuration_that_is_not_an_object_is_refused() {
    let app = spawn_app().await;

    for configuration in [json!([1, 2]), json!("x"), json!(3), json!(true)] {
        let body = app
            .gql(
                CREATE_AGENT,
                json!({ "input": { "name": "a", "configuration": configuration } }),
            )
            .await;
        assert_eq!(codes(&body), [bad_input("input.configuration")], "{body:#}");
        assert_error_snapshot!(body);
    }

    assert_eq!(app.total_count("agents").await, 0);
}

#[tokio::test]
async fn metadata_that_is_not_an_object_is_refused() {
    let app = spawn_app().await;

    for metadata in [json!(["tag"]), json!("x")] {
        let body = app
            .gql(
                CREATE_AGENT,
                json!({ "input": { "name": "a", "metadata": metadata } }),
            )
            .await;
        assert_eq!(codes(&body), [bad_input("input.metadata")], "{body:#}");
        assert_error_snapshot!(body);
    }

    assert_eq!(app.total_count("agents").await, 0);
}

#[tokio::test]
async fn update_agent_with_a_configuration_that_is_not_an_object_changes_nothing() {
    let app = spawn_app().await;
    let [agent, ..] = tree(&app).await;
    let before = read_back(&app, AGENT, &agent).await;

    let body = app
        .gql(
            UPDATE_AGENT,
            json!({ "id": agent, "input": { "configuration": [1, 2], "name": "changed" } }),
        )
        .await;

    assert_eq!(codes(&body), [bad_input("input.configuration")], "{body:#}");
    assert_error_snapshot!(body);
    assert_eq!(read_back(&app, AGENT, &agent).await, before);
}

#[tokio::test]
async fn input_data_that_is_not_an_object_is_refused() {
    let app = spawn_app().await;
    let [_, _, plan, _] = tree(&app).await;

    for input_data in [json!([1, 2]), json!("x")] {
        let body = app
            .gql(
                CREATE_TASK,
                json!({ "input": { "planId": plan, "description": "t", "inputData": input_data } }),
            )
            .await;
        assert_eq!(codes(&body), [bad_input("input.inputData")], "{body:#}");
        assert_error_snapshot!(body);
    }

    assert_eq!(app.total_count("tasks").await, 1);
}

#[tokio::test]
async fn output_data_that_is_not_an_object_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let [_, _, _, task] = tree(&app).await;
    let before = read_back(&app, TASK, &task).await;

    for output_data in [json!([1]), json!("done"), json!(42)] {
        let body = app
            .gql(
                UPDATE_TASK,
                json!({ "id": task, "input": { "outputData": output_data, "error": "e" } }),
            )
            .await;
        assert_eq!(codes(&body), [bad_input("input.outputData")], "{body:#}");
        assert_error_snapshot!(body);
    }

    assert_eq!(read_back(&app, TASK, &task).await, before);
}

#[tokio::test]
async fn an_invalid_cursor_in_after_is_bad_user_input() {
    let app = spawn_app().await;
    app.create_agent("Someone").await;
    let query = "query($after: String) { agents(first: 10, after: $after) { totalCount } }";

    for cursor in ["not a cursor", "Zm9vYmFy", "%%%", "eyJ2IjoxfQ"] {
        let body = app.gql(query, json!({ "after": cursor })).await;
        assert_eq!(codes(&body), [bad_input("after")], "{body:#}");
        assert_error_snapshot!(body);
    }
}

#[tokio::test]
async fn a_malformed_uuid_in_a_variable_is_bad_user_input() {
    let app = spawn_app().await;

    let body = app.gql(AGENT, json!({ "id": "not-a-uuid" })).await;
    assert_refused_as_bad_input(&body);
    assert_error_snapshot!(body);

    let body = app
        .gql(
            CREATE_GOAL,
            json!({ "input": { "agentId": "1234", "description": "g" } }),
        )
        .await;
    assert_refused_as_bad_input(&body);
    assert_error_snapshot!(body);
    assert_eq!(app.total_count("goals").await, 0);
}

#[tokio::test]
async fn a_priority_given_as_a_string_is_bad_user_input() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;

    let body = app
        .gql(
            CREATE_GOAL,
            json!({ "input": { "agentId": agent, "description": "g", "priority": "high" } }),
        )
        .await;

    assert_refused_as_bad_input(&body);
    assert_error_snapshot!(body);
    assert_eq!(app.total_count("goals").await, 0);
}

#[tokio::test]
async fn an_unknown_enum_value_is_bad_user_input() {
    let app = spawn_app().await;

    let body = app
        .gql(
            CREATE_AGENT,
            json!({ "input": { "name": "a", "status": "SLEEPING" } }),
        )
        .await;
    assert_refused_as_bad_input(&body);
    assert_error_snapshot!(body);
    assert_eq!(app.total_count("agents").await, 0);

    let body = app
        .gql(
            "query($filter: AgentFilter) { agents(filter: $filter) { totalCount } }",
            json!({ "filter": { "status": "active" } }),
        )
        .await;
    assert_refused_as_bad_input(&body);
    assert_error_snapshot!(body);
}

#[tokio::test]
async fn a_missing_required_field_is_bad_user_input() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;

    let body = app
        .gql(CREATE_AGENT, json!({ "input": { "status": "ACTIVE" } }))
        .await;
    assert_refused_as_bad_input(&body);
    assert_error_snapshot!(body);

    let body = app
        .gql(CREATE_GOAL, json!({ "input": { "agentId": agent } }))
        .await;
    assert_refused_as_bad_input(&body);
    assert_error_snapshot!(body);

    let body = app.gql(CREATE_AGENT, json!({})).await;
    assert_refused_as_bad_input(&body);
    assert_error_snapshot!(body);

    assert_eq!(app.counts().await, [1, 0, 0, 0]);
}

#[tokio::test]
async fn invalid_literals_in_the_document_are_bad_user_input() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let documents = [
        "{ agent(id: \"not-a-uuid\") { id } }".to_owned(),
        format!(
            "mutation {{ createGoal(input: {{ agentId: \"{agent}\", description: \"g\", priority: \"high\" }}) {{ id }} }}"
        ),
        "mutation { createAgent(input: { name: \"a\", status: SLEEPING }) { id } }".to_owned(),
        "mutation { createAgent(input: { status: ACTIVE }) { id } }".to_owned(),
    ];

    for document in documents {
        let body = app.gql(&document, json!({})).await;
        assert_refused_as_bad_input(&body);
        assert_error_snapshot!(body);
    }

    assert_eq!(app.counts().await, [1, 0, 0, 0]);
}
