//! GraphQL over HTTP: methods, media types and status codes.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{GRAPHQL_RESPONSE, JSON, Response, assert_error_snapshot, spawn_app};

/// Fails unless the response has this status and a `Content-Type` that
/// starts with `media_type`; returns the JSON body.
fn json_body(response: &Response, status: StatusCode, media_type: &str) -> Value {
    assert_eq!(response.status, status, "{}", response.text);
    assert!(
        response.content_type().starts_with(media_type),
        "content type {}",
        response.content_type()
    );
    response.json()
}

/// Fails unless `body` has no data and at least one error.
fn assert_refused(body: &Value) {
    assert!(
        body.get("data").is_none_or(Value::is_null),
        "no data: {body:#}"
    );
    let errors = body["errors"].as_array().expect("errors");
    assert!(!errors.is_empty(), "errors: {body:#}");
}

#[tokio::test]
async fn get_graphql_from_a_browser_serves_graphiql() {
    let app = spawn_app().await;

    let response = app
        .get(&[])
        .accept("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
        .send()
        .await;

    assert_eq!(response.status, StatusCode::OK);
    assert!(
        response.content_type().starts_with("text/html"),
        "content type {}",
        response.content_type()
    );
    assert!(
        response.text.to_lowercase().contains("graphiql"),
        "the page is GraphiQL: {}",
        response.text
    );
}

#[tokio::test]
async fn get_graphql_with_a_query_returns_data() {
    let app = spawn_app().await;
    app.create_agent("Visible").await;

    let response = app
        .get(&[("query", "{ agents { totalCount } }")])
        .accept(JSON)
        .send()
        .await;

    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.json(),
        json!({ "data": { "agents": { "totalCount": 1 } } })
    );
}

#[tokio::test]
async fn get_graphql_with_variables_returns_data() {
    let app = spawn_app().await;
    let id = app.create_agent("Visible").await;

    let response = app
        .get(&[
            ("query", "query($id: UUID!) { agent(id: $id) { name } }"),
            ("variables", &json!({ "id": id }).to_string()),
        ])
        .accept(JSON)
        .send()
        .await;

    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.json(),
        json!({ "data": { "agent": { "name": "Visible" } } })
    );
}

#[tokio::test]
async fn a_mutation_sent_with_get_is_405_and_changes_nothing() {
    let app = spawn_app().await;

    let response = app
        .get(&[(
            "query",
            "mutation { createAgent(input: { name: \"sneaky\" }) { id } }",
        )])
        .accept(JSON)
        .send()
        .await;

    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_error_snapshot!(response.json());
    assert_eq!(app.total_count("agents").await, 0);
}

#[tokio::test]
async fn a_post_whose_content_type_is_not_json_is_415() {
    let app = spawn_app().await;
    let body = json!({ "query": "mutation { createAgent(input: { name: \"csrf\" }) { id } }" });

    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let response = app
            .post_raw()
            .content_type(content_type)
            .accept(JSON)
            .raw_body(body.to_string())
            .send()
            .await;

        assert_eq!(
            response.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content type {content_type}"
        );
        assert_error_snapshot!(response.json());
    }
    assert_eq!(app.total_count("agents").await, 0);
}

#[tokio::test]
async fn a_post_of_malformed_json_is_400() {
    let app = spawn_app().await;

    let response = app
        .post_raw()
        .content_type(JSON)
        .accept(JSON)
        .raw_body("{\"query\": \"{ agents { totalCount } }\"")
        .send()
        .await;

    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_error_snapshot!(response.json());
}

#[tokio::test]
async fn a_document_that_fails_validation_is_4xx_with_graphql_response_json() {
    let app = spawn_app().await;

    let response = app
        .post("{ agents { totalCount noSuchField } }")
        .accept(GRAPHQL_RESPONSE)
        .send()
        .await;

    assert!(
        response.status.is_client_error(),
        "status {}",
        response.status
    );
    let body = json_body(&response, response.status, GRAPHQL_RESPONSE);
    assert_refused(&body);
    assert_error_snapshot!(body);
}

#[tokio::test]
async fn a_document_that_does_not_parse_is_4xx_with_graphql_response_json() {
    let app = spawn_app().await;

    let response = app
        .post("{ agents { totalCount ")
        .accept(GRAPHQL_RESPONSE)
        .send()
        .await;

    assert!(
        response.status.is_client_error(),
        "status {}",
        response.status
    );
    let body = json_body(&response, response.status, GRAPHQL_RESPONSE);
    assert_error_snapshot!(body);
}

#[tokio::test]
async fn a_valid_query_with_graphql_response_json_is_200() {
    let app = spawn_app().await;

    let response = app
        .post("{ agents { totalCount } }")
        .accept(GRAPHQL_RESPONSE)
        .send()
        .await;

    let body = json_body(&response, StatusCode::OK, GRAPHQL_RESPONSE);
    assert_eq!(body, json!({ "data": { "agents": { "totalCount": 0 } } }));
}

#[tokio::test]
async fn a_document_that_fails_validation_is_200_with_errors_under_application_json() {
    let app = spawn_app().await;

    let response = app
        .post("{ agents { totalCount noSuchField } }")
        .accept(JSON)
        .send()
        .await;

    let body = json_body(&response, StatusCode::OK, JSON);
    assert_refused(&body);
    assert_error_snapshot!(body);
}

#[tokio::test]
async fn health_is_200() {
    let app = spawn_app().await;

    assert_eq!(app.get_path("/health").send().await.status, StatusCode::OK);
}

#[tokio::test]
async fn ready_is_200_when_the_database_is_reachable() {
    let app = spawn_app().await;

    assert_eq!(app.get_path("/ready").send().await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_document_with_several_operations_runs_the_one_named() {
    let app = spawn_app().await;
    app.create_agent("only one").await;

    let body = app
        .post_raw()
        .json(json!({
            "query": "query A($first: Int!) { agents(first: $first) { nodes { id } } } \
                      query B { agents(first: 1) { ...Count } } \
                      fragment Count on AgentConnection { totalCount }",
            "operationName": "B",
        }))
        .send()
        .await
        .json();

    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["agents"]["totalCount"], json!(1));
}
