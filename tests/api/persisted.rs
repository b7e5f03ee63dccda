//! Persisted documents over HTTP: automatic persisted queries (hash and
//! text, then the hash alone), `documentId`, a manifest of trusted
//! documents, and a server that runs only those.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{
    GRAPHQL_RESPONSE, JSON, TestApp, assert_bad_input, assert_error_code, spawn_app, spawn_app_with,
};

const COUNT: &str = "query CountAgents { agents { totalCount } }";
const CREATE: &str =
    "mutation Create($name: String!) { createAgent(input: { name: $name }) { name } }";

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn apq(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

impl TestApp {
    /// POSTs `body` as it is, accepting `accept`; the status and JSON body.
    async fn post_body(&self, accept: &str, body: Value) -> (StatusCode, Value) {
        let response = self.post_raw().accept(accept).json(body).send().await;
        (response.status, response.json())
    }

    async fn post_json(&self, body: Value) -> (StatusCode, Value) {
        self.post_body(GRAPHQL_RESPONSE, body).await
    }

    async fn get_params(&self, params: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = self.get(params).accept(GRAPHQL_RESPONSE).send().await;
        (response.status, response.json())
    }

    /// The playground page, as a browser asks for it.
    async fn playground(&self) -> String {
        self.get(&[]).accept("text/html").send().await.text
    }
}

/// A manifest file of `documents`, keyed by bare hex as graphql-codegen writes it.
fn manifest(documents: &[&str]) -> std::path::PathBuf {
    let entries: serde_json::Map<String, Value> = documents
        .iter()
        .map(|d| (sha256_hex(d), json!(d)))
        .collect();
    let path = std::env::temp_dir().join(format!(
        "agentgraph-persisted-{}.json",
        uuid::Uuid::now_v7().simple()
    ));
    std::fs::write(&path, Value::Object(entries).to_string()).expect("write manifest");
    path
}

fn assert_not_found(status: StatusCode, body: &Value) {
    assert_eq!(status, StatusCode::NOT_FOUND, "{body:#}");
    assert_error_code(body, "PERSISTED_QUERY_NOT_FOUND");
    // Apollo's clients match the message too.
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    assert!(body.get("data").is_none(), "{body:#}");
}

#[tokio::test]
async fn apq_registers_with_the_text_then_runs_the_hash_alone() {
    let app = spawn_app().await;
    let hash = sha256_hex(COUNT);
    let (status, body) = app.post_json(json!({ "extensions": apq(&hash) })).await;
    assert_not_found(status, &body);
    // Under the legacy media type a request error is a 200, as older APQ
    // clients expect before they resend with the text.
    let (status, body) = app
        .post_body(JSON, json!({ "extensions": apq(&hash) }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_error_code(&body, "PERSISTED_QUERY_NOT_FOUND");

    let (status, body) = app
        .post_json(json!({ "query": COUNT, "extensions": apq(&hash) }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    assert_eq!(body["data"]["agents"]["totalCount"], 0);

    app.create_agent("remembered").await;
    let (status, body) = app.post_json(json!({ "extensions": apq(&hash) })).await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    assert_eq!(body["data"]["agents"]["totalCount"], 1);

    let page = app.playground().await;
    assert!(page.contains("GraphiQL") && !page.contains("runs only trusted documents"));

    // The same registration serves a GET, with `extensions` as JSON.
    let extensions = apq(&hash).to_string();
    let (status, body) = app.get_params(&[("extensions", &extensions)]).await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    assert_eq!(body["data"]["agents"]["totalCount"], 1);
}

#[tokio::test]
async fn a_hash_that_is_not_the_texts_is_bad_input_and_not_remembered() {
    let app = spawn_app().await;
    let wrong = sha256_hex("{ something { else } }");
    let (status, body) = app
        .post_json(json!({ "query": COUNT, "extensions": apq(&wrong) }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_bad_input(&body, "extensions.persistedQuery.sha256Hash");
    let (status, body) = app.post_json(json!({ "extensions": apq(&wrong) })).await;
    assert_not_found(status, &body);

    // A document that does not parse is refused and not remembered either.
    let broken = "{ agents {";
    let (status, _) = app
        .post_json(json!({ "query": broken, "extensions": apq(&sha256_hex(broken)) }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = app
        .post_json(json!({ "extensions": apq(&sha256_hex(broken)) }))
        .await;
    assert_not_found(status, &body);

    let (_, body) = app.post_json(json!({ "extensions": apq("abc") })).await;
    assert_bad_input(&body, "extensions.persistedQuery.sha256Hash");
    let (_, body) = app
        .post_json(
            json!({ "extensions": { "persistedQuery": { "version": 2, "sha256Hash": wrong } } }),
        )
        .await;
    assert_bad_input(&body, "extensions.persistedQuery.version");
}

#[tokio::test]
async fn document_id_takes_the_prefixed_and_the_bare_hash_on_post_and_get() {
    let app = spawn_app().await;
    let hash = sha256_hex(COUNT);
    let prefixed = format!("sha256:{hash}");
    let (status, body) = app.post_json(json!({ "documentId": prefixed })).await;
    assert_not_found(status, &body);
    let (status, body) = app
        .post_json(json!({ "documentId": prefixed, "query": COUNT }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    for id in [prefixed.as_str(), hash.as_str()] {
        let (status, body) = app.post_json(json!({ "documentId": id })).await;
        assert_eq!(status, StatusCode::OK, "{body:#}");
        assert_eq!(body["data"]["agents"]["totalCount"], 0);
        let (status, body) = app.get_params(&[("documentId", id)]).await;
        assert_eq!(status, StatusCode::OK, "{body:#}");
        assert_eq!(body["data"]["agents"]["totalCount"], 0);
    }
    let (_, body) = app.post_json(json!({ "documentId": "sha1:abc" })).await;
    assert_bad_input(&body, "documentId");
    let other = sha256_hex("{ other }");
    let (_, body) = app
        .post_json(json!({ "documentId": hash, "extensions": apq(&other) }))
        .await;
    assert_bad_input(&body, "documentId");

    // A persisted mutation is still a mutation: not over GET.
    let create = sha256_hex(CREATE);
    let variables = json!({ "name": "persisted" });
    let (status, body) = app
        .post_json(json!({ "query": CREATE, "documentId": create, "variables": variables }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    let (status, _) = app
        .get_params(&[
            ("documentId", &create),
            ("variables", &variables.to_string()),
        ])
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_manifest_is_known_from_the_start_and_limits_still_apply() {
    let wide = format!(
        "query Wide {{ {} }}",
        (0..60)
            .map(|n| format!("a{n}: agents {{ totalCount }}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let path = manifest(&[COUNT, &wide]);
    let app = spawn_app_with(|config| config.serve.persisted_documents = Some(path.clone())).await;
    let (status, body) = app
        .post_json(json!({ "documentId": sha256_hex(COUNT) }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    assert_eq!(body["data"]["agents"]["totalCount"], 0);
    // Persisted or not, a document over the root-field limit does not run.
    let (status, body) = app
        .post_json(json!({ "documentId": sha256_hex(&wide) }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body:#}");
    assert_bad_input(&body, "query");
    // Registration still works beside the manifest.
    let (status, _) = app
        .post_json(json!({ "query": CREATE, "documentId": sha256_hex(CREATE), "variables": { "name": "a" } }))
        .await;
    assert_eq!(status, StatusCode::OK);
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn only_persisted_documents_run_the_manifest_and_refuse_any_other_text() {
    let path = manifest(&[COUNT, CREATE]);
    let app = spawn_app_with(|config| {
        config.serve.persisted_documents = Some(path.clone());
        config.serve.only_persisted_documents = true;
    })
    .await;
    let (status, body) = app
        .post_json(json!({ "documentId": sha256_hex(CREATE), "variables": { "name": "trusted" } }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    assert_eq!(body["data"]["createAgent"]["name"], "trusted");
    let (status, body) = app
        .post_json(json!({ "extensions": apq(&sha256_hex(COUNT)) }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    assert_eq!(body["data"]["agents"]["totalCount"], 1);

    let adhoc = "{ agents { totalCount } }";
    for body in [
        json!({ "query": adhoc }),
        json!({ "query": adhoc, "extensions": apq(&sha256_hex(adhoc)) }),
        json!({ "query": adhoc, "documentId": sha256_hex(adhoc) }),
    ] {
        let (status, body) = app.post_json(body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body:#}");
        assert_error_code(&body, "FORBIDDEN");
    }
    // Nothing was registered by those attempts.
    let (status, body) = app
        .post_json(json!({ "documentId": sha256_hex(adhoc) }))
        .await;
    assert_not_found(status, &body);
    let (status, body) = app.get_params(&[("query", adhoc)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body:#}");

    // The playground says why what is typed there will not run.
    let page = app.playground().await;
    assert!(page.contains("runs only trusted documents"), "{page}");
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn a_manifest_whose_hash_is_not_its_documents_stops_the_start() {
    let path = std::env::temp_dir().join(format!(
        "agentgraph-persisted-{}.json",
        uuid::Uuid::now_v7().simple()
    ));
    // A SHA-1 key, as graphql-codegen writes by default.
    let body = json!({ "6f1ed002ab5595859014ebf0951522d9a3b2d1fc": COUNT });
    std::fs::write(&path, body.to_string()).expect("write manifest");
    let mut config = agentgraph::config::ServeConfig::new(
        "127.0.0.1:0".parse().expect("address"),
        crate::helpers::fresh_database_url().await,
    );
    config.serve.persisted_documents = Some(path.clone());
    let err = agentgraph::startup::Application::build(&config)
        .await
        .err()
        .expect("refused");
    assert!(err.to_string().contains("SHA-256"), "{err}");
    let _ = std::fs::remove_file(path);
}
