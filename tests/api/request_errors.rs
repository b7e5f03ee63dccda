//! Request errors per the GraphQL-over-HTTP spec: a document that does not
//! parse or validate, or variables that do not coerce, run nothing and get
//! no `data` entry (a 400 with `application/graphql-response+json`, a 200
//! with `application/json`); each problem is reported once, with a code
//! and, for `BAD_USER_INPUT`, a field; a server too busy to start is 503.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    GRAPHQL_RESPONSE, JSON, TestApp, assert_error_snapshot, bare, codes, on, spawn_app,
    spawn_app_with,
};

const AGENT: &str = "query($id: UUID!) { agent(id: $id) { id } }";

/// Fails unless `body` is a request error: errors without `path`, each
/// `BAD_USER_INPUT` with a field, and no `data` entry at all.
fn assert_request_error(body: &Value) -> &[Value] {
    assert!(body.get("data").is_none(), "no data entry: {body:#}");
    let errors = body["errors"].as_array().expect("errors");
    assert!(!errors.is_empty(), "{body:#}");
    for error in errors {
        assert!(error.get("path").is_none(), "no path: {body:#}");
        assert_eq!(
            error["extensions"]["code"],
            json!("BAD_USER_INPUT"),
            "{body:#}"
        );
        assert!(
            error["extensions"]["field"].is_string(),
            "a field: {body:#}"
        );
    }
    errors
}

/// Sends the request with both media types and checks the status each gets;
/// the body (the same both ways) is the caller's to snapshot.
async fn request_error_both_ways(app: &TestApp, query: &str, variables: Value) -> Value {
    let (status, _, body) = app
        .post_accepting(GRAPHQL_RESPONSE, query, variables.clone())
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body:#}");
    assert_request_error(&body);
    let (status, _, legacy) = app.post_accepting(JSON, query, variables).await;
    assert_eq!(status, StatusCode::OK, "{legacy:#}");
    assert_request_error(&legacy);
    assert_eq!(body, legacy, "the same body under either media type");
    body
}

#[tokio::test]
async fn a_variable_not_given_or_of_the_wrong_type_is_a_request_error() {
    let app = spawn_app().await;

    for variables in [
        json!({}),
        json!({ "id": null }),
        json!({ "id": "not-a-uuid" }),
        json!({ "id": 7 }),
    ] {
        let body = request_error_both_ways(&app, AGENT, variables).await;
        assert_eq!(codes(&body), [on("BAD_USER_INPUT", "id")], "{body:#}");
        assert_error_snapshot!(body);
        let error = &body["errors"][0];
        assert_eq!(
            error["locations"],
            json!([{ "line": 1, "column": 7 }]),
            "{body:#}"
        );
        assert!(
            error["message"]
                .as_str()
                .unwrap_or_default()
                .contains("$id"),
            "{body:#}"
        );
    }
}

#[tokio::test]
async fn a_bad_variable_anywhere_runs_nothing_and_names_its_path() {
    let app = spawn_app().await;
    let document = "mutation($a: CreateAgentInput!, $b: CreateAgentInput!) {
        a: createAgent(input: $a) { id }
        b: createAgent(input: $b) { id }
    }";

    let body = request_error_both_ways(
        &app,
        document,
        json!({ "a": { "name": "first" }, "b": { "name": "second", "status": "SLEEPING" } }),
    )
    .await;
    assert_eq!(codes(&body), [on("BAD_USER_INPUT", "b.status")], "{body:#}");
    assert_error_snapshot!(body);
    // The first mutation did not run either.
    assert_eq!(app.total_count("agents").await, 0);

    let body =
        request_error_both_ways(&app, document, json!({ "a": { "nmae": "typo" }, "b": {} })).await;
    assert_eq!(
        codes(&body),
        [
            on("BAD_USER_INPUT", "a.nmae"),
            on("BAD_USER_INPUT", "a.name"),
            on("BAD_USER_INPUT", "b.name"),
        ],
        "{body:#}"
    );
    assert_error_snapshot!(body);
    assert_eq!(app.total_count("agents").await, 0);
}

#[tokio::test]
async fn documents_that_do_not_parse_or_validate_have_no_data_entry() {
    let app = spawn_app().await;
    for document in [
        "{ agents { totalCount ",
        "{ agents { totalCount noSuchField } }",
        "query($x: NoSuchInput) { agents { totalCount } }",
        "subscription { x }",
        "query A { agents { totalCount } } query B { goals { totalCount } }",
    ] {
        let body = request_error_both_ways(&app, document, json!({})).await;
        assert_error_snapshot!(body);
    }
}

#[tokio::test]
async fn each_problem_is_reported_once() {
    let app = spawn_app().await;
    // (The unknown type's document also has an unused variable: two problems.)
    for (document, problems) in [
        ("subscription { x }", 1),
        ("query($x: NoSuchInput) { agents { totalCount } }", 2),
        ("{ agents(first: 0.0) { totalCount } }", 1),
    ] {
        let body = request_error_both_ways(&app, document, json!({})).await;
        let errors = body["errors"].as_array().expect("errors");
        let mut seen = std::collections::HashSet::new();
        for error in errors {
            let key = (error["message"].to_string(), error["locations"].to_string());
            assert!(seen.insert(key), "reported twice: {body:#}");
        }
        assert_eq!(errors.len(), problems, "{document}: {body:#}");
        assert_error_snapshot!(body);
    }
}

#[tokio::test]
async fn a_float_for_an_int_argument_is_bad_user_input_on_that_argument() {
    let app = spawn_app().await;

    let body =
        request_error_both_ways(&app, "{ agents(first: 0.0) { totalCount } }", json!({})).await;
    assert_eq!(codes(&body), [on("BAD_USER_INPUT", "first")], "{body:#}");
    assert_error_snapshot!(body);

    let body = request_error_both_ways(
        &app,
        "query($first: Int) { agents(first: $first) { totalCount } }",
        json!({ "first": 0.5 }),
    )
    .await;
    assert_eq!(codes(&body), [on("BAD_USER_INPUT", "first")], "{body:#}");
    assert_error_snapshot!(body);
}

#[tokio::test]
async fn a_syntax_error_is_one_readable_line_and_keeps_its_location() {
    let app = spawn_app().await;

    let body = request_error_both_ways(&app, "{", json!({})).await;
    let error = &body["errors"][0];
    let message = error["message"].as_str().expect("message");
    assert!(!message.contains('\n'), "one line: {message:?}");
    assert!(!message.contains("-->"), "no drawing: {message:?}");
    assert!(
        message.starts_with("Syntax error: expected "),
        "{message:?}"
    );
    assert!(message.ends_with(" at line 1, column 2"), "{message:?}");
    assert_eq!(error["locations"], json!([{ "line": 1, "column": 2 }]));
    assert_eq!(codes(&body), [on("BAD_USER_INPUT", "query")], "{body:#}");
    assert_error_snapshot!(body);
}

#[tokio::test]
async fn a_request_that_gets_no_slot_in_time_is_503_with_retry_after() {
    let app = spawn_app_with(|config| {
        config.serve.max_concurrent_operations = 1;
        config.serve.request_timeout_secs = 1;
    })
    .await;
    // Holding the only slot makes the server busy for as long as the test likes.
    let slot = app
        .executions
        .clone()
        .acquire_owned()
        .await
        .expect("the slot");

    for accept in [GRAPHQL_RESPONSE, JSON] {
        let started = std::time::Instant::now();
        let (status, headers, body) = app
            .post_accepting(accept, "{ agents { totalCount } }", json!({}))
            .await;
        assert!(
            started.elapsed() >= Duration::from_millis(900),
            "it waited its timeout"
        );
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body:#}");
        assert_eq!(
            headers.get("retry-after").and_then(|v| v.to_str().ok()),
            Some("1")
        );
        assert_eq!(codes(&body), [bare("SERVICE_UNAVAILABLE")], "{body:#}");
        assert!(body.get("data").is_none(), "{body:#}");
        assert_error_snapshot!(body);
    }

    drop(slot);
    let (status, headers, body) = app
        .post_accepting(GRAPHQL_RESPONSE, "{ agents { totalCount } }", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    assert!(headers.get("retry-after").is_none());
}
