//! GraphQL over HTTP: methods, media types and status codes.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{Value, json};

use crate::helpers::spawn_app;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

fn content_type(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn get_graphql_from_a_browser_serves_graphiql() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(app.graphql_url())
        .header(
            ACCEPT,
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        )
        .send()
        .await
        .expect("send request");

    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        content_type(&response).starts_with("text/html"),
        "content type {}",
        content_type(&response)
    );
    let body = response.text().await.expect("body");
    assert!(
        body.to_lowercase().contains("graphiql"),
        "the page is GraphiQL: {body}"
    );
}

#[tokio::test]
async fn get_graphql_with_a_query_returns_data() {
    let app = spawn_app().await;
    app.create_agent("Visible").await;

    let response = app
        .client
        .get(app.graphql_url())
        .header(ACCEPT, "application/json")
        .query(&[("query", "{ agents { totalCount } }")])
        .send()
        .await
        .expect("send request");

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(body, json!({ "data": { "agents": { "totalCount": 1 } } }));
}

#[tokio::test]
async fn get_graphql_with_variables_returns_data() {
    let app = spawn_app().await;
    let id = app.create_agent("Visible").await;

    let response = app
        .client
        .get(app.graphql_url())
        .header(ACCEPT, "application/json")
        .query(&[
            ("query", "query($id: UUID!) { agent(id: $id) { name } }"),
            ("variables", &json!({ "id": id }).to_string()),
        ])
        .send()
        .await
        .expect("send request");

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(body, json!({ "data": { "agent": { "name": "Visible" } } }));
}

#[tokio::test]
async fn a_mutation_sent_with_get_is_405_and_changes_nothing() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(app.graphql_url())
        .header(ACCEPT, "application/json")
        .query(&[(
            "query",
            "mutation { createAgent(input: { name: \"sneaky\" }) { id } }",
        )])
        .send()
        .await
        .expect("send request");

    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(app.total_count("agents").await, 0);
}

#[tokio::test]
async fn a_post_whose_content_type_is_not_json_is_415() {
    let app = spawn_app().await;
    let body = json!({ "query": "mutation { createAgent(input: { name: \"csrf\" }) { id } }" });

    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let response = app
            .client
            .post(app.graphql_url())
            .header(CONTENT_TYPE, content_type)
            .header(ACCEPT, "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("send request");

        assert_eq!(
            response.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content type {content_type}"
        );
    }
    assert_eq!(app.total_count("agents").await, 0);
}

#[tokio::test]
async fn a_post_of_malformed_json_is_400() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(app.graphql_url())
        .header(CONTENT_TYPE, "application/json")
        .header(ACCEPT, "application/json")
        .body("{\"query\": \"{ agents { totalCount } }\"")
        .send()
        .await
        .expect("send request");

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_document_that_fails_validation_is_4xx_with_graphql_response_json() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(app.graphql_url())
        .header(ACCEPT, GRAPHQL_RESPONSE)
        .json(&json!({ "query": "{ agents { totalCount noSuchField } }" }))
        .send()
        .await
        .expect("send request");

    assert!(
        response.status().is_client_error(),
        "status {}",
        response.status()
    );
    assert!(
        content_type(&response).starts_with(GRAPHQL_RESPONSE),
        "content type {}",
        content_type(&response)
    );
    let body: Value = response.json().await.expect("JSON body");
    assert!(
        body.get("data").is_none_or(Value::is_null),
        "no data: {body:#}"
    );
    let errors = body["errors"].as_array().expect("errors");
    assert!(!errors.is_empty());
}

#[tokio::test]
async fn a_document_that_does_not_parse_is_4xx_with_graphql_response_json() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(app.graphql_url())
        .header(ACCEPT, GRAPHQL_RESPONSE)
        .json(&json!({ "query": "{ agents { totalCount " }))
        .send()
        .await
        .expect("send request");

    assert!(
        response.status().is_client_error(),
        "status {}",
        response.status()
    );
    assert!(content_type(&response).starts_with(GRAPHQL_RESPONSE));
}

#[tokio::test]
async fn a_valid_query_with_graphql_response_json_is_200() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(app.graphql_url())
        .header(ACCEPT, GRAPHQL_RESPONSE)
        .json(&json!({ "query": "{ agents { totalCount } }" }))
        .send()
        .await
        .expect("send request");

    assert_eq!(response.status(), StatusCode::OK);
    assert!(content_type(&response).starts_with(GRAPHQL_RESPONSE));
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(body, json!({ "data": { "agents": { "totalCount": 0 } } }));
}

#[tokio::test]
async fn a_document_that_fails_validation_is_200_with_errors_under_application_json() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(app.graphql_url())
        .header(ACCEPT, "application/json")
        .json(&json!({ "query": "{ agents { totalCount noSuchField } }" }))
        .send()
        .await
        .expect("send request");

    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        content_type(&response).starts_with("application/json"),
        "content type {}",
        content_type(&response)
    );
    let body: Value = response.json().await.expect("JSON body");
    let errors = body["errors"].as_array().expect("errors");
    assert!(!errors.is_empty(), "errors: {body:#}");
}

#[tokio::test]
async fn health_is_200() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(format!("{}/health", app.address))
        .send()
        .await
        .expect("send request");

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn ready_is_200_when_the_database_is_reachable() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(format!("{}/ready", app.address))
        .send()
        .await
        .expect("send request");

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_document_with_several_operations_runs_the_one_named() {
    let app = crate::helpers::spawn_app().await;
    app.create_agent("only one").await;
    let body = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&serde_json::json!({
            "query": "query A($first: Int!) { agents(first: $first) { nodes { id } } } \
                      query B { agents(first: 1) { ...Count } } \
                      fragment Count on AgentConnection { totalCount }",
            "operationName": "B",
        }))
        .send()
        .await
        .expect("send")
        .json::<serde_json::Value>()
        .await
        .expect("JSON");
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["agents"]["totalCount"], serde_json::json!(1));
}
