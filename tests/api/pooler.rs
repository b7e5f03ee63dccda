//! `--pooler transaction` (issue 30). On PostgreSQL the server sends each
//! statement as a simple Query with its values written into its text (or,
//! unnamed, inside a transaction), and runs its LISTEN and migrations on
//! the direct URL. `TEST_PGBOUNCER_URL` (`postgres://postgres@127.0.0.1:6432`,
//! a PgBouncer in transaction mode in front of TEST_DATABASE_URL's server)
//! puts a real pooler in between; without it the pooled URL is PostgreSQL
//! itself, which must work the same way. `.ci/pgbouncer` runs the load
//! test through a real one, and the whole suite (`TEST_POOLER`).

use agentgraph::config::{Pooler, ServeConfig};
use agentgraph::startup::Application;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::json;

use crate::helpers::{
    TestApp, fresh_database_url, is_postgres, spawn_app, spawn_app_on, through_pooler,
};

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

/// Text that a statement with its values written in must carry whole:
/// quotes, backslashes, placeholders, comment openers, LIKE's wildcards,
/// and any other character PostgreSQL's text can hold (all but NUL).
fn awkward_text() -> impl Strategy<Value = String> {
    let pieces = [
        "'", "''", "\\", "\\'", "$1", "$2", "$$", "$a$", "--", "/*", "*/", "E'", "\"", ";", "%",
        "_", "\n", "\r", "\t", "é", "İ", "🙂", "\u{7f}", "\u{202e}",
    ];
    proptest::collection::vec(
        prop_oneof![
            3 => proptest::sample::select(pieces.to_vec()).prop_map(str::to_owned),
            1 => any::<char>()
                .prop_filter("PostgreSQL's text holds no NUL", |c| *c != '\0')
                .prop_map(String::from),
        ],
        1..12,
    )
    .prop_map(|pieces| pieces.concat())
}

#[tokio::test]
async fn any_text_is_stored_found_and_read_back_as_it_was_given() {
    // Pooled on PostgreSQL, where values are written into the statements;
    // SQLite keeps its bound values, and must keep the text all the same.
    let app = if is_postgres() {
        spawn_pooled(&fresh_database_url().await).await
    } else {
        spawn_app().await
    };
    let create = "mutation($input: CreateAgentInput!) { createAgent(input: $input) { id name configuration } }";
    let read = "query($id: UUID!, $name: String!) {
        agent(id: $id) { name configuration }
        agents(filter: { nameContains: $name }) { nodes { id name } }
    }";
    let mut runner = TestRunner::new(Config {
        cases: 40,
        ..Config::default()
    });
    let strategy = awkward_text();
    for case in 0..40 {
        let text = strategy.new_tree(&mut runner).expect("a case").current();
        let name = format!("{case:03}:{text}");
        let configuration = json!({ "text": text, "list": [text, { "k": text }] });
        let created = app
            .gql_ok(
                create,
                json!({ "input": { "name": name, "configuration": configuration } }),
            )
            .await;
        let agent = &created["createAgent"];
        assert_eq!(agent["name"], json!(name), "{text:?}");
        assert_eq!(agent["configuration"], configuration, "{text:?}");
        let id = agent["id"].as_str().expect("an id");
        let found = app.gql_ok(read, json!({ "id": id, "name": name })).await;
        assert_eq!(found["agent"]["name"], json!(name), "{text:?}");
        assert_eq!(found["agent"]["configuration"], configuration, "{text:?}");
        assert_eq!(
            found["agents"]["nodes"],
            json!([{ "id": id, "name": name }]),
            "{text:?}"
        );
    }
}
