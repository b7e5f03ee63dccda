//! What the server remembers or keeps between requests (validation a
//! document passed, database connections, a lone root field's shortcut
//! past the loader) never changes an answer.

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, is_postgres, spawn_app};

const PAGES: &str = "query Pages($n: Int) {
    agents(first: $n) { nodes { goals(first: $n) { nodes { plans(first: $n) { nodes { id description } } } } } }
}";

async fn post(app: &TestApp, query: &str, variables: Value) -> (StatusCode, Value) {
    let (status, _, body) = app
        .post_accepting("application/graphql-response+json", query, variables)
        .await;
    (status, body)
}

#[tokio::test]
async fn a_validated_document_still_meets_the_complexity_limit_with_other_variables() {
    let app = spawn_app().await;
    for _ in 0..3 {
        let (status, body) = post(&app, PAGES, json!({ "n": 2 })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.get("errors").is_none(), "{body}");
    }
    // 100 × 100 × 100 plans: the page sizes come from the variables, which
    // the fast rules still read.
    let (status, body) = post(&app, PAGES, json!({ "n": 100 })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("too complex"), "{body}");
    assert!(body.get("data").is_none(), "{body}");
    let (status, body) = post(&app, PAGES, json!({ "n": 2 })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// A literal argument holding a variable is checked only when the variable
/// is given (async-graphql skips it otherwise), so which variables a request
/// gives decides whether it passes validation.
const FILTERED: &str = "query Filtered($s: AgentStatus) {
    agents(filter: { status: $s, unknownField: 1 }) { totalCount }
}";

#[tokio::test]
async fn a_document_is_validated_again_for_each_shape_of_its_variables() {
    let warmed = spawn_app().await;
    let fresh = spawn_app().await;
    for _ in 0..3 {
        post(&warmed, FILTERED, json!({})).await;
        post(&warmed, FILTERED, json!({ "s": null })).await;
    }
    let (status, after_others) = post(&warmed, FILTERED, json!({ "s": "ACTIVE" })).await;
    let (fresh_status, first_time) = post(&fresh, FILTERED, json!({ "s": "ACTIVE" })).await;
    assert_eq!(
        (status, &after_others),
        (fresh_status, &first_time),
        "the same request answered differently after others with the same document"
    );
    assert!(
        !error_codes(&after_others).is_empty(),
        "an unknown input field passed: {after_others}"
    );
    assert!(after_others.get("data").is_none(), "{after_others}");
}

#[tokio::test]
async fn aliased_root_lookups_share_one_statement_and_a_lone_one_costs_one() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(app.create_agent(&format!("agent {n}")).await);
    }
    let aliased: String = ids
        .iter()
        .enumerate()
        .map(|(n, id)| format!("a{n}: agent(id: \"{id}\") {{ id name }} "))
        .collect();
    let aliased = format!("{{ {aliased} }}");
    let lone = format!("{{ agent(id: \"{}\") {{ id name }} }}", ids[0]);
    for (query, found) in [(&aliased, 5), (&lone, 1)] {
        app.gql_ok(query, json!({})).await;
        let before = app.statements.get();
        let data = app.gql_ok(query, json!({})).await;
        assert_eq!(app.statements.get() - before, 1, "{query}");
        let names = data
            .as_object()
            .expect("data")
            .values()
            .filter(|agent| agent["name"].is_string())
            .count();
        assert_eq!(names, found, "{data}");
    }
}

/// Reads keep their connections between statements; when the database
/// drops them (a restart, an administrator), a read that finds its kept
/// connection gone goes again on a new one, and none fails.
#[tokio::test]
async fn reads_survive_the_database_dropping_their_connections() {
    if !is_postgres() {
        return;
    }
    let app = spawn_app().await;
    let id = app.create_agent("kept").await;
    let query = format!("{{ agent(id: \"{id}\") {{ id }} }}");
    // Several reads at once, so several connections are kept.
    let warm: Vec<_> = (0..8).map(|_| app.gql(&query, json!({}))).collect();
    for body in futures_util::future::join_all(warm).await {
        assert!(body.get("errors").is_none(), "{body}");
    }
    // Every connection of the database but the one asking.
    let terminated = app
        .db
        .writer
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        ))
        .await
        .expect("terminate the server's connections");
    assert!(!terminated.is_empty(), "no connection to terminate");
    app.db
        .reader
        .ping()
        .await
        .expect("the reader answers a ping");
    let reads: Vec<_> = (0..6)
        .map(|_| app.post_accepting("application/json", &query, json!({})))
        .collect();
    for (status, _, body) in futures_util::future::join_all(reads).await {
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["agent"]["id"], json!(id), "{body}");
    }
}

/// More statements at once than the pool has connections wait their turn
/// for a kept one: none waits out the pool's timeout for a connection that
/// went back to the stack instead of the pool.
#[tokio::test]
async fn more_reads_at_once_than_connections_all_finish_promptly() {
    let app = spawn_app().await;
    let id = app.create_agent("busy").await;
    let query = format!("{{ agent(id: \"{id}\") {{ id }} }}");
    let started = std::time::Instant::now();
    for _ in 0..3 {
        let reads: Vec<_> = (0..48).map(|_| app.gql(&query, json!({}))).collect();
        for body in futures_util::future::join_all(reads).await {
            assert_eq!(body["data"]["agent"]["id"], json!(id), "{body}");
        }
    }
    // The pools wait 10 s (PostgreSQL) or 30 s (SQLite) for a connection.
    let took = started.elapsed();
    assert!(
        took < std::time::Duration::from_secs(8),
        "144 reads took {took:?}"
    );
}
