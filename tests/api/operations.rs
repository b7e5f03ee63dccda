//! What operators rely on: readiness, internal errors that leak nothing,
//! request ids, metrics, graceful shutdown, key generation, and writes that
//! never trip over each other.

use std::time::Duration;

use reqwest::StatusCode;
use sea_orm::{
    ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, TransactionTrait,
};
use serde_json::{Value, json};

use crate::helpers::{
    GRAPHQL_RESPONSE, JSON, TestApp, error_codes, is_postgres, spawn_app, spawn_app_with,
};

/// A database that is gone (here its pools are closed) is not the client's
/// fault nor a bug: SERVICE_UNAVAILABLE, 503 and `Retry-After`, under either
/// media type, with a reference to the logged cause and nothing leaked.
#[tokio::test]
async fn a_database_gone_gives_service_unavailable_with_a_reference_and_ready_turns_503() {
    let app = spawn_app().await;
    assert_eq!(app.get_path("/ready").send().await.status, StatusCode::OK);

    app.db.clone().close().await;

    for accept in [GRAPHQL_RESPONSE, JSON] {
        for document in [
            r#"mutation { createAgent(input: { name: "lost" }) { id } }"#,
            "{ agents { totalCount } }",
        ] {
            let (status, headers, body) = app.post_accepting(accept, document, json!({})).await;
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body:#}");
            assert_eq!(
                headers.get("retry-after").and_then(|v| v.to_str().ok()),
                Some("1")
            );
            assert_eq!(error_codes(&body), ["SERVICE_UNAVAILABLE"]);
            assert!(body.get("data").is_none(), "no data entry: {body:#}");
            let error = &body["errors"][0];
            let reference = error["extensions"]["reference"]
                .as_str()
                .expect("reference id");
            assert!(uuid::Uuid::parse_str(reference).is_ok());
            let message = error["message"].as_str().unwrap_or_default().to_lowercase();
            for leak in [
                "sql", "pool", "insert", "agents", "database", "/", "panicked",
            ] {
                assert!(
                    !message.contains(leak),
                    "the message leaks {leak:?}: {message}"
                );
            }
        }
    }

    assert_eq!(
        app.get_path("/ready").send().await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(app.get_path("/health").send().await.status, StatusCode::OK);
}

/// A statement the database rejects would fail again: INTERNAL_SERVER_ERROR,
/// a 200 with the error in the body, and no invitation to retry.
#[tokio::test]
async fn a_missing_table_is_an_internal_error_without_sql_text() {
    let app = spawn_app().await;
    let other = Database::connect(app.database_url.as_str())
        .await
        .expect("connect");
    other
        .execute_unprepared(if crate::helpers::is_postgres() {
            // The dependency edges reference the tasks.
            "DROP TABLE tasks CASCADE"
        } else {
            "DROP TABLE tasks"
        })
        .await
        .expect("drop table");
    let (status, headers, body) = app
        .post_accepting(GRAPHQL_RESPONSE, "{ tasks { totalCount } }", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("retry-after").is_none());
    assert_eq!(body.get("data"), Some(&Value::Null), "{body:#}");
    assert_eq!(error_codes(&body), ["INTERNAL_SERVER_ERROR"]);
    let message = body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_lowercase();
    for leak in ["tasks", "table", "relation", "select", "no such"] {
        assert!(
            !message.contains(leak),
            "the message leaks {leak:?}: {message}"
        );
    }
}

#[tokio::test]
async fn a_request_id_is_echoed_or_generated() {
    let app = spawn_app().await;
    let response = app
        .get_path("/health")
        .header("X-Request-Id", "req-from-client-42")
        .send()
        .await;
    assert_eq!(response.header("x-request-id"), Some("req-from-client-42"));
    let response = app.post("{ agents { totalCount } }").send().await;
    let generated = response
        .header("x-request-id")
        .expect("a generated request id");
    assert!(uuid::Uuid::parse_str(generated).is_ok(), "{generated}");
}

#[tokio::test]
async fn metrics_count_requests_by_operation_and_errors_by_code() {
    let app = spawn_app().await;
    let operation = format!("MetricsProbe_{}", uuid::Uuid::now_v7().simple());
    for _ in 0..3 {
        app.post_raw()
            .json(json!({
                "query": format!("query {operation} {{ agents {{ totalCount }} }}"),
                "operationName": operation,
            }))
            .send()
            .await;
    }
    let failing = format!("{operation}_fails");
    // Named in the document only: the label still carries the name.
    app.post(&format!(
        "mutation {failing} {{ createAgent(input: {{ name: \"\" }}) {{ id }} }}"
    ))
    .send()
    .await;

    let response = app.get_path("/metrics").send().await;
    assert_eq!(response.status, StatusCode::OK);
    let text = response.text;
    let line = |needle: &str| {
        text.lines()
            .find(|l| l.contains(needle) && !l.starts_with('#'))
            .unwrap_or_else(|| panic!("no metric line with {needle} in:\n{text}"))
            .to_owned()
    };
    assert!(
        line(&format!("operation=\"{operation}\",outcome=\"ok\"")).ends_with(" 3"),
        "{text}"
    );
    line(&format!("operation=\"{failing}\",outcome=\"error\""));
    line("agentgraph_graphql_errors_total{code=\"BAD_USER_INPUT\"}");
    line("agentgraph_graphql_request_duration_seconds_bucket");
    line("agentgraph_http_requests_in_flight");
    line("agentgraph_db_pool_connections{pool=\"reader\",state=\"idle\"}");
    line("agentgraph_db_pool_connections{pool=\"writer\",state=\"in_use\"}");
    // By type and by tenant too (at least: other tests may share the recorder).
    let at_least = |series: &str, count: f64| {
        let value: f64 = line(&format!("{series} "))
            .rsplit(' ')
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or(-1.0);
        assert!(value >= count, "{series} is {value}, not {count} or more");
    };
    at_least(
        "agentgraph_graphql_operations_total{type=\"query\",outcome=\"ok\"}",
        3.0,
    );
    at_least(
        "agentgraph_graphql_operations_total{type=\"mutation\",outcome=\"error\"}",
        1.0,
    );
    at_least(
        "agentgraph_tenant_requests_total{tenant=\"default\",outcome=\"ok\"}",
        3.0,
    );
}

/// Takes the write lock from a connection of its own (the agents table on
/// PostgreSQL, the whole database on SQLite) and holds it until the returned
/// transaction ends.
async fn hold_write_lock(app: &TestApp) -> (DatabaseConnection, DatabaseTransaction) {
    let blocker = Database::connect(app.database_url.as_str())
        .await
        .expect("connect");
    let txn = blocker.begin().await.expect("begin");
    let statement = if is_postgres() {
        "LOCK TABLE agents IN EXCLUSIVE MODE"
    } else {
        "CREATE TABLE write_lock_probe (id INTEGER)"
    };
    txn.execute_unprepared(statement).await.expect("write lock");
    (blocker, txn)
}

/// A request waiting on the database when shutdown begins still gets its answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_request_in_flight_at_shutdown_completes() {
    let app = spawn_app().await;
    // Another connection holds the write lock, so the mutation below waits.
    let (_blocker, txn) = hold_write_lock(&app).await;

    let in_flight = app
        .post(r#"mutation { createAgent(input: { name: "drained" }) { id name } }"#)
        .send();
    let in_flight = tokio::spawn(in_flight);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let server = app.shut_down();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !in_flight.is_finished(),
        "the request should still be waiting on the lock"
    );
    txn.rollback().await.expect("release the lock");

    let response = in_flight.await.expect("request task");
    assert_eq!(response.status, StatusCode::OK);
    let body = response.json();
    assert_eq!(
        body["data"]["createAgent"]["name"],
        json!("drained"),
        "{body}"
    );
    let stopped = tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops after draining")
        .expect("server task");
    assert_eq!(
        stopped.expect("served"),
        agentgraph::startup::Stopped::Clean,
        "a drained request is not abandoned work"
    );
}

#[test]
fn keygen_prints_a_key_then_its_keys_file_line() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_agentgraph"))
        .args(["keygen", "--name", "ci-bot", "--role", "write"])
        .output()
        .expect("run agentgraph keygen");
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert_eq!(
        lines[1],
        format!("ci-bot:write:{}", agentgraph::auth::hash_hex(lines[0]))
    );
}

/// Many writers at once: none may fail (on SQLite, "database is locked").
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_mutations_all_succeed() {
    let app = spawn_app().await;
    let agent = app.create_agent("busy").await;
    let goal = app.create_goal(&agent, "many writers").await;
    let plan = app.create_plan(&goal, "write at once").await;
    let mut writers = Vec::new();
    for i in 0..64 {
        let query = if i % 2 == 0 {
            json!({
                "query": "mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }",
                "variables": { "input": { "planId": plan, "description": format!("task {i}") } },
            })
        } else {
            json!({
                "query": "mutation($id: UUID!, $n: Int!) { updateAgent(id: $id, input: { configuration: { n: $n } }) { version } }",
                "variables": { "id": agent, "n": i },
            })
        };
        writers.push(tokio::spawn(app.post_raw().json(query).send()));
    }
    for writer in writers {
        let body = writer.await.expect("writer task").json();
        assert!(body.get("errors").is_none(), "{body}");
    }
    let data = app
        .gql_ok(
            "query($id: UUID!) { agent(id: $id) { version } tasks { totalCount } }",
            json!({ "id": agent }),
        )
        .await;
    assert_eq!(data["agent"]["version"], json!(33));
    assert_eq!(data["tasks"]["totalCount"], json!(32));
}

/// Operations past `--max-concurrent-operations` wait for a turn.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn operations_past_the_concurrency_limit_wait_for_a_turn() {
    let app = spawn_app_with(|config| {
        config.serve.max_concurrent_operations = 1;
        config.serve.request_timeout_secs = 2;
    })
    .await;
    // Another connection holds the write lock, so the mutation below takes
    // the only turn and keeps it until its timeout cuts it off.
    let (_blocker, txn) = hold_write_lock(&app).await;
    let started = std::time::Instant::now();
    let blocked = tokio::spawn(
        app.post(r#"mutation { createAgent(input: { name: "blocked" }) { id } }"#)
            .send(),
    );
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Needs no database, yet runs only once the mutation gives its turn back.
    let body = app.gql("{ __typename }", json!({})).await;
    assert_eq!(body["data"]["__typename"], json!("Query"));
    assert!(
        started.elapsed() >= Duration::from_millis(1900),
        "answered after {:?}, before the blocked mutation's 2 s timeout",
        started.elapsed()
    );
    assert_eq!(
        blocked.await.expect("request task").status,
        StatusCode::REQUEST_TIMEOUT
    );
    txn.rollback().await.expect("release the lock");
}
