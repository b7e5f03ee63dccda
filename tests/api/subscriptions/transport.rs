//! The graphql-transport-ws protocol: its close codes, keys, limits, slow
//! consumers and shutdown.

use std::time::Duration;

use agentgraph::auth::hash_hex;
use serde_json::{Value, json};

use super::{TASK_CHANGES, event, subscribe_live, watch_agents};
use crate::helpers::{TestApp, assert_error_code, spawn_app, spawn_app_with};
use crate::ws_client::{Received, WsClient};

pub(super) const READ_KEY: &str = "agk_ws_read_key";
pub(super) const WRITE_KEY: &str = "agk_ws_write_key";

pub(super) async fn app_with_keys() -> TestApp {
    let keys = format!(
        "reader:read:{},writer:write:{}",
        hash_hex(READ_KEY),
        hash_hex(WRITE_KEY)
    );
    spawn_app_with(|config| config.serve.api_keys = Some(keys)).await
}

pub(super) async fn plan_of(app: &TestApp) -> String {
    let agent = app.create_agent("a").await;
    let goal = app.create_goal(&agent, "g").await;
    app.create_plan(&goal, "p").await
}

#[tokio::test]
async fn without_a_valid_key_the_socket_closes_with_4401() {
    let app = app_with_keys().await;
    for (header, payload) in [
        (None, json!({})),
        (Some("agk_unknown"), json!({})),
        (None, json!({ "x-api-key": "agk_unknown" })),
    ] {
        let mut ws = WsClient::open(&app.address, header).await;
        ws.send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        let (code, _) = ws.closed().await;
        assert_eq!(code, 4401, "header {header:?}, payload {payload}");
    }
    // Subscribing before the handshake is unauthorised too.
    let mut ws = WsClient::open(&app.address, Some(WRITE_KEY)).await;
    ws.subscribe("1", "{ agents { totalCount } }", json!({}))
        .await;
    assert_eq!(ws.closed().await.0, 4401);
}

#[tokio::test]
async fn a_read_key_may_subscribe_and_query_but_its_mutations_are_forbidden() {
    let app = app_with_keys().await;
    let mut ws = WsClient::open(&app.address, None).await;
    ws.init(json!({ "x-api-key": READ_KEY })).await;
    ws.subscribe("q", "{ agents { totalCount } }", json!({}))
        .await;
    assert_eq!(ws.next_data("q").await["agents"]["totalCount"], 0);
    assert_eq!(ws.message().await["type"], "complete");
    ws.subscribe(
        "m",
        r#"mutation { createAgent(input: { name: "no" }) { id } }"#,
        json!({}),
    )
    .await;
    let refused = ws.message().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_error_code(&json!({ "errors": refused["payload"] }), "FORBIDDEN");

    // The header key works as well, and a write key may mutate.
    let mut writer = WsClient::open(&app.address, Some(WRITE_KEY)).await;
    writer.init(json!({})).await;
    writer
        .subscribe(
            "m",
            r#"mutation { createAgent(input: { name: "yes" }) { name } }"#,
            json!({}),
        )
        .await;
    assert_eq!(writer.next_data("m").await["createAgent"]["name"], "yes");
    ws.subscribe(
        "s",
        "subscription { agentChanged { kind agent { name } } }",
        json!({}),
    )
    .await;
    let mut heard = None;
    for i in 0..40 {
        writer
            .subscribe(
                &format!("w{i}"),
                r#"mutation { createAgent(input: { name: "poke" }) { id } }"#,
                json!({}),
            )
            .await;
        if let Some(Received::Message(m)) = ws.receive_within(Duration::from_millis(300)).await {
            heard = Some(m);
            break;
        }
    }
    let heard = heard.expect("the read key's subscription hears changes");
    assert_eq!(heard["payload"]["data"]["agentChanged"]["kind"], "CREATED");
}

#[tokio::test]
async fn a_socket_without_connection_init_closes_with_4408() {
    let app = spawn_app_with(|config| {
        config.serve.connection_init_timeout = Duration::from_millis(300);
    })
    .await;
    let mut ws = WsClient::open(&app.address, None).await;
    let (code, reason) = ws.closed().await;
    assert_eq!(code, 4408, "{reason}");
}

#[tokio::test]
async fn protocol_violations_close_with_their_codes() {
    let app = spawn_app().await;
    let mut ws = WsClient::connect(&app.address).await;
    ws.send(json!({ "type": "connection_init" })).await;
    assert_eq!(ws.closed().await.0, 4429);

    let mut ws = WsClient::connect(&app.address).await;
    ws.send(json!({ "type": "no_such_message" })).await;
    assert_eq!(ws.closed().await.0, 4400);

    let mut ws = WsClient::connect(&app.address).await;
    let subscription = "subscription { agentChanged { id } }";
    ws.subscribe("same", subscription, json!({})).await;
    ws.subscribe("same", subscription, json!({})).await;
    assert_eq!(ws.closed().await.0, 4409);

    let mut ws = WsClient::connect(&app.address).await;
    ws.send(json!({ "type": "ping", "payload": { "n": 1 } }))
        .await;
    let pong = ws.message().await;
    assert_eq!(pong, json!({ "type": "pong", "payload": { "n": 1 } }));
}

#[tokio::test]
async fn queries_and_mutations_run_over_the_socket_with_the_same_limits_and_codes() {
    let app = spawn_app_with(|config| config.serve.max_fields = 5).await;
    let mut ws = WsClient::connect(&app.address).await;
    ws.subscribe(
        "1",
        r#"mutation { createAgent(input: { name: "" }) { id } }"#,
        json!({}),
    )
    .await;
    let invalid = ws.message().await;
    assert_eq!(invalid["type"], "next", "{invalid}");
    assert_error_code(&invalid["payload"], "BAD_USER_INPUT");
    assert_eq!(ws.message().await["type"], "complete");

    ws.subscribe(
        "2",
        "{ agents { nodes { id name did status version createdAt } } }",
        json!({}),
    )
    .await;
    let refused = ws.message().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_error_code(&json!({ "errors": refused["payload"] }), "BAD_USER_INPUT");

    ws.subscribe("3", "{ agents(first: 0) { totalCount } }", json!({}))
        .await;
    let out_of_range = ws.message().await;
    assert_error_code(&out_of_range["payload"], "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_socket_runs_at_most_its_limit_of_operations() {
    let app = spawn_app_with(|config| config.serve.max_subscriptions_per_connection = 3).await;
    let mut ws = WsClient::connect(&app.address).await;
    for id in ["1", "2", "3"] {
        ws.subscribe(id, "subscription { agentChanged { id } }", json!({}))
            .await;
    }
    ws.subscribe("4", "subscription { agentChanged { id } }", json!({}))
        .await;
    let refused = ws.message().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["id"], "4");
    ws.send(json!({ "type": "complete", "id": "1" })).await;
    ws.subscribe("5", "subscription { agentChanged { id } }", json!({}))
        .await;
    ws.expect_silence(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn a_client_that_stops_reading_is_cut_off_and_may_resume() {
    let app = spawn_app().await;
    let plan = plan_of(&app).await;
    // A small receive window, so the server's side fills soon.
    let mut ws = WsClient::open_with_small_window(&app.address).await;
    let first = subscribe_live(
        &mut ws,
        "1",
        TASK_CHANGES,
        json!({ "plan": plan }),
        || async {
            app.create_task(&plan, "poke").await;
        },
    )
    .await;
    let cursor = first["taskChanged"]["cursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let flood: Vec<Value> = (0..1500)
        .map(
            |i| json!({ "planId": plan, "description": format!("flood {i} {}", "x".repeat(8000)) }),
        )
        .collect();
    app.create_many("createTask", "CreateTaskInput", &flood)
        .await;
    // Not reading for longer than the server waits on a full outbox.
    tokio::time::sleep(Duration::from_secs(7)).await;
    let mut received = 0;
    let closed = loop {
        match ws.receive_within(Duration::from_secs(10)).await {
            Some(Received::Message(_)) => received += 1,
            Some(Received::Closed(code, reason)) => break (code, reason),
            None => panic!("neither all changes nor a close after {received} messages"),
        }
    };
    assert!(
        received < 1500,
        "all {received} changes were kept for the client"
    );
    assert!(
        closed.0 == 1008 || closed.0 == 1006,
        "closed with {closed:?}"
    );
    if closed.0 == 1008 {
        assert!(closed.1.contains("slow consumer"), "{closed:?}");
    }
    // Resuming from the last cursor it had is complete.
    let mut again = WsClient::connect(&app.address).await;
    again
        .subscribe("1", TASK_CHANGES, json!({ "plan": plan, "after": cursor }))
        .await;
    let mut replayed = 0;
    while replayed < 1500 {
        let change = event(&mut again, "1", "taskChanged").await;
        if change["task"]["description"]
            .as_str()
            .is_some_and(|d| d.starts_with("flood"))
        {
            replayed += 1;
        }
    }
}

#[tokio::test]
async fn shutting_down_completes_subscriptions_and_closes_sockets() {
    let app = spawn_app().await;
    let mut ws = watch_agents(&app).await;
    let server = app.shut_down();
    assert_eq!(ws.message().await, json!({ "id": "1", "type": "complete" }));
    assert_eq!(ws.closed().await.0, 1001);
    assert_eq!(
        server.await.expect("join").expect("server"),
        agentgraph::startup::Stopped::Clean
    );
}

#[tokio::test]
async fn a_socket_without_the_graphql_transport_ws_subprotocol_is_closed_with_4406() {
    let app = spawn_app().await;
    // No subprotocol offered: the upgrade goes through (a close code needs a
    // socket), then the server closes it. (A client offering only another
    // one, such as the legacy `graphql-ws`, fails its own handshake first:
    // the server echoes no subprotocol.)
    let url = format!("{}/graphql", app.address.replacen("http", "ws", 1));
    let (mut socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("websocket handshake");
    let close = loop {
        match futures_util::StreamExt::next(&mut socket).await {
            Some(Ok(tokio_tungstenite::tungstenite::Message::Close(frame))) => break frame,
            Some(Ok(_)) => continue,
            other => panic!("no close frame: {other:?}"),
        }
    };
    let code: u16 = close.expect("a close frame").code.into();
    assert_eq!(code, 4406);
}
