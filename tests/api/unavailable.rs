//! A database that drops the server's connections makes requests
//! SERVICE_UNAVAILABLE (503, `Retry-After`) until the pool has connected
//! again, which it does by itself: no restart.

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database};
use serde_json::json;

use crate::helpers::{error_codes, is_postgres, spawn_app};

/// PostgreSQL ends every session of the test database, as a restart or an
/// administrator would (SQLSTATE 57P01 on the next statement, or a closed
/// socket). A read goes again on a new connection and is served; a create,
/// which may have been written, is 503 until the pool has connected again.
/// SQLite has no sessions to end: its pools closing is covered by
/// `a_database_gone_gives_service_unavailable...` in operations.rs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminated_postgres_sessions_cost_reads_nothing_and_creates_a_503() {
    if !is_postgres() {
        return;
    }
    let app = spawn_app().await;
    // Several kept connections, so that more than one is cut, and one for
    // creates.
    let mut warm = Vec::new();
    for _ in 0..4 {
        warm.push(app.post_accepting("application/json", "{ agents { totalCount } }", json!({})));
    }
    for (status, _, body) in futures_util::future::join_all(warm).await {
        assert_eq!(status, StatusCode::OK, "{body:#}");
    }
    app.create_agent("before").await;

    let admin = Database::connect(app.database_url.as_str())
        .await
        .expect("admin connection");
    admin
        .execute_unprepared(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .await
        .expect("terminate the server's sessions");
    admin.close().await.ok();

    let (status, _, body) = app
        .post_accepting(
            "application/graphql-response+json",
            "{ agents { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    assert_eq!(body["data"]["agents"]["totalCount"], json!(1), "{body:#}");

    let create = "mutation { createAgent(input: { name: \"after\" }) { id } }";
    let mut unavailable = 0;
    let mut served = false;
    for _ in 0..40 {
        let (status, headers, body) = app
            .post_accepting("application/graphql-response+json", create, json!({}))
            .await;
        if status == StatusCode::OK {
            assert!(body["data"]["createAgent"]["id"].is_string(), "{body:#}");
            served = true;
            break;
        }
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body:#}");
        assert_eq!(error_codes(&body), ["SERVICE_UNAVAILABLE"], "{body:#}");
        assert!(headers.get("retry-after").is_some());
        unavailable += 1;
    }
    // PgBouncer hides a server session's end: the create meets a new one.
    assert!(
        unavailable > 0 || crate::helpers::through_pgbouncer(),
        "a cut connection was noticed"
    );
    assert!(served, "the server serves again without a restart");
}
