//! API keys, query limits and the HTTP rules that keep abusive or cross-site
//! requests out.

use agentgraph::auth::hash_hex;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{GRAPHQL_RESPONSE, TestApp, error_codes, spawn_app, spawn_app_with};

const READ_KEY: &str = "agk_test_read_key";
const WRITE_KEY: &str = "agk_test_write_key";

async fn app_with_keys() -> TestApp {
    let keys = format!(
        "reader:read:{},writer:write:{}",
        hash_hex(READ_KEY),
        hash_hex(WRITE_KEY)
    );
    spawn_app_with(|config| config.serve.api_keys = Some(keys)).await
}

async fn post(app: &TestApp, key: Option<&str>, query: &str) -> (StatusCode, Value) {
    let response = app.post(query).maybe_key(key).send().await;
    (response.status, response.json())
}

const COUNT_AGENTS: &str = "{ agents { totalCount } }";
const CREATE_AGENT: &str = r#"mutation { createAgent(input: { name: "keyed" }) { id } }"#;

#[tokio::test]
async fn without_a_key_a_keyed_server_answers_401_unauthenticated() {
    let app = app_with_keys().await;
    let (status, body) = post(&app, None, COUNT_AGENTS).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn an_unknown_key_is_401_unauthenticated() {
    let app = app_with_keys().await;
    let (status, body) = post(&app, Some("agk_not_a_key"), COUNT_AGENTS).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn a_read_key_may_query() {
    let app = app_with_keys().await;
    let (status, body) = post(&app, Some(READ_KEY), COUNT_AGENTS).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["agents"]["totalCount"], json!(0));
}

#[tokio::test]
async fn a_read_key_on_a_mutation_is_forbidden_and_changes_nothing() {
    let app = app_with_keys().await;
    let (status, body) = post(&app, Some(READ_KEY), CREATE_AGENT).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);
    let (_, body) = post(&app, Some(WRITE_KEY), COUNT_AGENTS).await;
    assert_eq!(body["data"]["agents"]["totalCount"], json!(0));
}

#[tokio::test]
async fn a_write_key_may_mutate() {
    let app = app_with_keys().await;
    let (status, body) = post(&app, Some(WRITE_KEY), CREATE_AGENT).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["data"]["createAgent"]["id"].is_string());
}

#[tokio::test]
async fn keys_come_from_a_keys_file_too() {
    let dir = std::env::temp_dir().join(format!("agentgraph-keys-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("keys");
    std::fs::write(&file, format!("# ops\nci:write:{}\n", hash_hex(WRITE_KEY))).expect("write");
    let app = spawn_app_with(|config| config.serve.api_keys_file = Some(file)).await;
    assert_eq!(
        post(&app, None, COUNT_AGENTS).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post(&app, Some(WRITE_KEY), CREATE_AGENT).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_playground_page_loads_without_a_key() {
    let app = app_with_keys().await;
    let response = app.get(&[]).accept("text/html").no_key().send().await;
    assert_eq!(response.status, StatusCode::OK);
}

#[tokio::test]
async fn without_keys_serving_a_non_loopback_address_is_refused_unless_insecure() {
    let url = format!(
        "sqlite://{}/agentgraph-nonloopback-{}.db?mode=rwc",
        std::env::temp_dir().display(),
        uuid::Uuid::now_v7()
    );
    let mut config =
        agentgraph::config::ServeConfig::new("0.0.0.0:0".parse().expect("address"), url);
    let refused = agentgraph::startup::Application::build(&config).await;
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("--insecure-no-auth"), "{message}");
    config.serve.insecure_no_auth = true;
    assert!(
        agentgraph::startup::Application::build(&config)
            .await
            .is_ok()
    );
}

fn nested(depth: usize) -> String {
    // task -> plan -> goal -> agent -> goals -> nodes -> plans -> nodes -> tasks -> nodes …
    let mut query = String::from("id");
    for level in 0..depth {
        query = match level % 2 {
            0 => format!("plan {{ goal {{ agent {{ tasks {{ nodes {{ {query} }} }} }} }} }}"),
            _ => format!("nodes {{ {query} }}"),
        };
    }
    format!("{{ tasks {{ nodes {{ {query} }} }} }}")
}

#[tokio::test]
async fn an_over_deep_query_is_refused_with_a_4xx() {
    let app = spawn_app().await;
    let response = app.post(&nested(8)).accept(GRAPHQL_RESPONSE).send().await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    let body = response.json();
    assert!(
        error_codes(&body).iter().all(|c| c == "BAD_USER_INPUT"),
        "{body}"
    );
    assert!(body.to_string().contains("nested too deep"), "{body}");
}

#[tokio::test]
async fn an_over_complex_query_is_refused_with_a_4xx() {
    let app = spawn_app().await;
    let query = "{ agents(first: 100) { nodes { goals(first: 100) { nodes { plans(first: 100) { nodes { id description } } } } } } }";
    let response = app.post(query).accept(GRAPHQL_RESPONSE).send().await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    let body = response.json();
    assert!(
        error_codes(&body).iter().all(|c| c == "BAD_USER_INPUT"),
        "{body}"
    );
    assert!(body.to_string().contains("too complex"), "{body}");
}

#[tokio::test]
async fn too_many_aliased_fields_are_refused() {
    let app = spawn_app().await;
    let aliases: Vec<String> = (0..600).map(|i| format!("a{i}: __typename")).collect();
    let query = format!("{{ {} }}", aliases.join(" "));
    let (status, body) = post(&app, None, &query).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn too_many_root_fields_are_refused() {
    let app = spawn_app().await;
    let roots: Vec<String> = (0..51)
        .map(|i| format!("a{i}: agents {{ totalCount }}"))
        .collect();
    let (status, body) = post(&app, None, &format!("{{ {} }}", roots.join(" "))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn a_2_mib_body_is_refused_with_413() {
    let app = spawn_app().await;
    let padding = "x".repeat(2 * 1024 * 1024);
    let response = app
        .post_raw()
        .json(json!({ "query": "{ agents { totalCount } }", "variables": { "pad": padding } }))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    let body = response.json();
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn batched_requests_are_refused_with_400() {
    let app = spawn_app().await;
    let response = app
        .post_raw()
        .json(json!([{ "query": "{ agents { totalCount } }" }, { "query": "{ goals { totalCount } }" }]))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn introspection_is_on_by_default_and_can_be_turned_off() {
    let query = "{ __schema { queryType { name } } }";
    let app = spawn_app().await;
    let (_, body) = post(&app, None, query).await;
    assert_eq!(
        body["data"]["__schema"]["queryType"]["name"],
        json!("Query")
    );

    let closed = spawn_app_with(|config| config.serve.no_introspection = true).await;
    let (status, body) = post(&closed, None, query).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);
    let (status, body) = post(&closed, None, "{ agents { totalCount } }").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn cors_is_off_by_default_and_allows_only_configured_origins() {
    let preflight = |app: &TestApp, origin: &str| {
        app.request(reqwest::Method::OPTIONS, "/graphql")
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type,x-api-key")
            .send()
    };
    let allowed_origin = "access-control-allow-origin";
    let app = spawn_app().await;
    let response = preflight(&app, "https://app.example").await;
    assert!(response.header(allowed_origin).is_none());

    let open = spawn_app_with(|config| {
        config.serve.cors_origins = vec!["https://app.example".to_owned()];
    })
    .await;
    let response = preflight(&open, "https://app.example").await;
    assert_eq!(response.header(allowed_origin), Some("https://app.example"));
    let response = preflight(&open, "https://evil.example").await;
    assert!(response.header(allowed_origin).is_none());
}
