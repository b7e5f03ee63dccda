//! `--pooler transaction` (issue 30). On PostgreSQL the server runs with
//! every statement in a transaction of its own, unnamed, and its LISTEN and
//! migrations on the direct URL. `TEST_PGBOUNCER_URL`
//! (`postgres://postgres@127.0.0.1:6432`, a PgBouncer in transaction mode
//! in front of TEST_DATABASE_URL's server) puts a real pooler in between;
//! without it the pooled URL is PostgreSQL itself, which must work the
//! same way. `.ci/pgbouncer` runs the load test through a real one.

use agentgraph::config::{Pooler, ServeConfig};
use agentgraph::startup::Application;
use serde_json::json;

use crate::helpers::{TestApp, fresh_database_url, is_postgres, spawn_app_on, through_pooler};

async fn spawn_pooled(direct: &str) -> TestApp {
    let direct = direct.to_owned();
    spawn_app_on(through_pooler(&direct), move |config| {
        config.serve.pooler = Pooler::Transaction;
        config.serve.listen_database_url = Some(direct);
    })
    .await
}

#[tokio::test]
async fn two_pooled_instances_write_read_and_hear_each_others_changes() {
    if !is_postgres() {
        return;
    }
    let direct = fresh_database_url().await;
    let a = spawn_pooled(&direct).await;
    let b = spawn_pooled(&direct).await;
    let agent = a.create_agent("pooled").await;
    let goal = a.create_goal(&agent, "pooled").await;
    let plan = a.create_plan(&goal, "pooled").await;
    // Reads, a page and by id, many times over: each statement prepared
    // unnamed in its own transaction, on whichever server connection.
    for _ in 0..20 {
        let read = b
            .gql(
                "query($id: UUID!) { agent(id: $id) { name goals { nodes { plans { totalCount } } } } }",
                json!({ "id": agent }),
            )
            .await;
        assert_eq!(read["data"]["agent"]["name"], "pooled", "{read}");
        assert_eq!(
            read["data"]["agent"]["goals"]["nodes"][0]["plans"]["totalCount"],
            1
        );
    }
    crate::subscriptions_fanout::b_hears_the_tasks_a_writes(&a, &b, &plan).await;
}

#[tokio::test]
async fn a_pooler_is_refused_on_sqlite_and_without_a_direct_url() {
    let listen = "127.0.0.1:0".parse().expect("address");
    let mut sqlite = ServeConfig::new(listen, "sqlite://pooler.db?mode=memory");
    sqlite.serve.pooler = Pooler::Transaction;
    sqlite.serve.listen_database_url = Some("postgres://postgres@127.0.0.1:5432/x".into());
    let refused = Application::build(&sqlite).await.err().expect("refused");
    assert!(refused.to_string().contains("SQLite"), "{refused}");

    let mut without = ServeConfig::new(listen, "postgres://postgres@127.0.0.1:6432/x");
    without.serve.pooler = Pooler::Transaction;
    let refused = Application::build(&without).await.err().expect("refused");
    assert!(
        refused.to_string().contains("--listen-database-url"),
        "{refused}"
    );
}
