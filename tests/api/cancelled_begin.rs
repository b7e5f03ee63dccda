//! A transaction whose caller leaves while its BEGIN is on the wire (a
//! request timed out, a client gone) leaves no transaction open on the
//! connection. sqlx 0.9 forgets such a BEGIN on PostgreSQL; the connection
//! went back to the pool inside it, and what ran on it next stayed
//! uncommitted and held its locks (issue 25's stress drill).

use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;

use crate::helpers::{is_postgres, spawn_app};

#[tokio::test]
async fn begins_cut_off_mid_flight_leave_no_transaction_open() {
    let app = spawn_app().await;
    for round in 0..300 {
        // Polled a few times (taking a connection, sending BEGIN, waiting
        // for its answer), then dropped wherever it got to.
        let polls = round % 6 + 1;
        let mut begin = std::pin::pin!(app.db.writer.begin());
        for _ in 0..polls {
            if futures_util::poll!(begin.as_mut()).is_ready() {
                break;
            }
            tokio::task::yield_now().await;
        }
    }
    if is_postgres() {
        // The begins finished for callers who left roll back as they end,
        // which on a busy machine takes a moment; one forgotten stays open.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let open = idle_in_transaction(&app).await;
            if open == 0 {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{open} connection(s) left inside a transaction"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    // Writes of every kind still go through, and stay written.
    let agent = app.create_agent("after the cut-off begins").await;
    let updated = app
        .gql_ok(
            r#"mutation($id: UUID!) { updateAgent(id: $id, input: { name: "renamed" }) { version } }"#,
            json!({ "id": agent }),
        )
        .await;
    assert_eq!(updated["updateAgent"]["version"], json!(2));
    let read = app
        .gql_ok(
            r#"query($id: UUID!) { agent(id: $id) { name } }"#,
            json!({ "id": agent }),
        )
        .await;
    assert_eq!(read["agent"]["name"], json!("renamed"));
}

async fn idle_in_transaction(app: &crate::helpers::TestApp) -> i64 {
    let row = app
        .db
        .reader
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT count(*)::bigint AS open FROM pg_stat_activity \
             WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
        ))
        .await
        .expect("pg_stat_activity")
        .expect("a row");
    row.try_get("", "open").expect("count")
}
