//! Subscriptions across instances on PostgreSQL: a change made through one
//! instance reaches subscribers of another; commits that land out of
//! number order; a listener that loses its connection.

use std::time::Duration;

use sea_orm::{ConnectionTrait, Database, TransactionTrait};
use serde_json::json;

use crate::helpers::{TestApp, is_postgres, spawn_app, spawn_instance};
use crate::subscriptions::{TASK_CHANGES, event, subscribe_live};
use crate::ws_client::WsClient;

const AGENT_CHANGES: &str =
    "subscription { agentChanged { cursor kind id version agent { name } } }";

#[tokio::test]
async fn a_change_through_one_instance_reaches_subscribers_of_another() {
    if !is_postgres() {
        return;
    }
    let a = spawn_app().await;
    let b = spawn_instance(&a).await;
    let agent = a.create_agent("shared").await;
    let goal = a.create_goal(&agent, "shared").await;
    let plan = a.create_plan(&goal, "shared").await;
    b_hears_the_tasks_a_writes(&a, &b, &plan).await;
}

/// A subscriber of `plan`'s task changes on instance `b` hears a task
/// created through instance `a`, then its update.
pub(crate) async fn b_hears_the_tasks_a_writes(a: &TestApp, b: &TestApp, plan: &str) {
    let mut ws = WsClient::connect(&b.address).await;
    subscribe_live(
        &mut ws,
        "1",
        TASK_CHANGES,
        json!({ "plan": plan }),
        || async {
            a.create_task(plan, "poke").await;
        },
    )
    .await;
    let task = a.create_task(plan, "through A").await;
    let created = event(&mut ws, "1", "taskChanged").await;
    assert_eq!(created["id"], task.as_str());
    assert_eq!(created["task"]["description"], "through A");
    a.update_status("Task", &task, "RUNNING").await;
    let updated = event(&mut ws, "1", "taskChanged").await;
    assert_eq!(updated["task"]["status"], "RUNNING");
}

/// Two transactions take change numbers n and n+1 and commit the other way
/// round: n+1 must wait for n, and both arrive, in number order.
#[tokio::test]
async fn commits_in_reverse_number_order_are_delivered_in_order_and_none_is_skipped() {
    if !is_postgres() {
        return;
    }
    let app = spawn_app().await;
    let first = app.create_agent("first").await;
    let second = app.create_agent("second").await;
    let mut ws = WsClient::connect(&app.address).await;
    subscribe_live(&mut ws, "1", AGENT_CHANGES, json!({}), || async {
        app.create_agent("poke").await;
    })
    .await;
    let db = Database::connect(app.database_url.as_str())
        .await
        .expect("connect");
    let rename = |id: &str, name: &str| {
        format!("UPDATE agents SET name = '{name}', version = version + 1 WHERE id = '{id}'")
    };
    let earlier = db.begin().await.expect("begin");
    earlier
        .execute_unprepared(&rename(&first, "earlier"))
        .await
        .expect("update");
    let later = db.begin().await.expect("begin");
    later
        .execute_unprepared(&rename(&second, "later"))
        .await
        .expect("update");
    later.commit().await.expect("commit");
    // As another instance would after its commit.
    db.execute_unprepared("NOTIFY agentgraph_changes")
        .await
        .expect("notify");
    ws.expect_silence(Duration::from_millis(500)).await;
    earlier.commit().await.expect("commit");
    db.execute_unprepared("NOTIFY agentgraph_changes")
        .await
        .expect("notify");
    let one = event(&mut ws, "1", "agentChanged").await;
    let two = event(&mut ws, "1", "agentChanged").await;
    assert_eq!(one["id"], first.as_str(), "{one} {two}");
    assert_eq!(one["agent"]["name"], "earlier");
    assert_eq!(two["id"], second.as_str());
    assert_eq!(two["agent"]["name"], "later");
}

/// A transaction that took a number and rolled back leaves a gap that must
/// not hold up the changes after it.
#[tokio::test]
async fn a_rolled_back_number_does_not_hold_up_later_changes() {
    if !is_postgres() {
        return;
    }
    let app = spawn_app().await;
    let agent = app.create_agent("agent").await;
    let mut ws = WsClient::connect(&app.address).await;
    subscribe_live(&mut ws, "1", AGENT_CHANGES, json!({}), || async {
        app.create_agent("poke").await;
    })
    .await;
    let db = Database::connect(app.database_url.as_str())
        .await
        .expect("connect");
    let doomed = db.begin().await.expect("begin");
    doomed
        .execute_unprepared(&format!(
            "UPDATE agents SET version = version + 1 WHERE id = '{agent}'"
        ))
        .await
        .expect("update");
    let after = app.create_agent("after the gap").await;
    ws.expect_silence(Duration::from_millis(300)).await;
    doomed.rollback().await.expect("rollback");
    let change = event(&mut ws, "1", "agentChanged").await;
    assert_eq!(change["id"], after.as_str());
}

#[tokio::test]
async fn an_instance_whose_listener_is_killed_reconnects_and_delivers_what_it_missed() {
    if !is_postgres() {
        return;
    }
    let a = spawn_app().await;
    let b = spawn_instance(&a).await;
    let mut ws = WsClient::connect(&b.address).await;
    subscribe_live(&mut ws, "1", AGENT_CHANGES, json!({}), || async {
        a.create_agent("poke").await;
    })
    .await;
    let db = Database::connect(a.database_url.as_str())
        .await
        .expect("connect");
    let killed = db
        .execute_unprepared(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
        )
        .await
        .expect("terminate");
    // Both instances' listeners: each must come back.
    assert_eq!(killed.rows_affected(), 2);
    let mut made = Vec::new();
    for i in 0..3 {
        made.push(a.create_agent(&format!("while B was deaf {i}")).await);
    }
    let mut heard = Vec::new();
    for _ in 0..3 {
        heard.push(
            event(&mut ws, "1", "agentChanged").await["id"]
                .as_str()
                .unwrap_or("")
                .to_owned(),
        );
    }
    assert_eq!(heard, made);
    let mut ready = false;
    for _ in 0..50 {
        let status = b.get_path("/ready").send().await.status;
        if status.is_success() {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "B reports ready again once it listens");
}

/// Instances started together over one new database: one migrates, the
/// others wait for it, and all serve.
#[tokio::test]
async fn instances_started_together_over_a_new_database_all_come_up() {
    if !is_postgres() {
        return;
    }
    let url = crate::helpers::fresh_database_url().await;
    let (a, b, c) = tokio::join!(
        crate::helpers::spawn_app_on(url.clone(), |_| {}),
        crate::helpers::spawn_app_on(url.clone(), |_| {}),
        crate::helpers::spawn_app_on(url.clone(), |_| {}),
    );
    let agent = a.create_agent("made through A").await;
    for other in [&b, &c] {
        let data = other
            .gql_ok(
                "query($id: UUID!) { agent(id: $id) { name } }",
                json!({ "id": agent }),
            )
            .await;
        assert_eq!(data["agent"]["name"], "made through A");
    }
}
