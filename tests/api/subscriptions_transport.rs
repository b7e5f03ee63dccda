//! The transports of subscriptions: the graphql-transport-ws protocol and
//! its close codes, keys, limits, slow consumers, shutdown, GraphQL over
//! SSE, and many subscriptions at once.

use std::time::Duration;

use agentgraph::auth::hash_hex;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error_code, spawn_app, spawn_app_with};
use crate::subscriptions::{TASK_CHANGES, event, subscribe_live};
use crate::ws_client::{Received, WsClient};

const READ_KEY: &str = "agk_ws_read_key";
const WRITE_KEY: &str = "agk_ws_write_key";

async fn app_with_keys() -> TestApp {
    let keys = format!(
        "reader:read:{},writer:write:{}",
        hash_hex(READ_KEY),
        hash_hex(WRITE_KEY)
    );
    spawn_app_with(|config| config.serve.api_keys = Some(keys)).await
}

async fn plan_of(app: &TestApp) -> String {
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
    let mut ws = WsClient::connect(&app.address).await;
    subscribe_live(
        &mut ws,
        "1",
        "subscription { agentChanged { id } }",
        json!({}),
        || async {
            app.create_agent("poke").await;
        },
    )
    .await;
    let server = app.shut_down();
    assert_eq!(ws.message().await, json!({ "id": "1", "type": "complete" }));
    assert_eq!(ws.closed().await.0, 1001);
    assert_eq!(
        server.await.expect("join").expect("server"),
        agentgraph::startup::Stopped::Clean
    );
}

#[tokio::test]
async fn a_thousand_subscriptions_over_ten_sockets_all_hear_one_change() {
    let app = spawn_app().await;
    let agent = app.create_agent("watched by many").await;
    let mut sockets = Vec::new();
    for _ in 0..10 {
        let mut ws = WsClient::connect(&app.address).await;
        for i in 0..100 {
            ws.subscribe(
                &i.to_string(),
                "subscription($id: UUID) { agentChanged(id: $id) { version agent { name } } }",
                json!({ "id": agent }),
            )
            .await;
        }
        sockets.push(ws);
    }
    // The subscriptions start as their sockets are read; give them a moment.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    app.gql_ok(
        r#"mutation($id: UUID!) { updateAgent(id: $id, input: { name: "renamed" }) { id } }"#,
        json!({ "id": agent }),
    )
    .await;
    for ws in &mut sockets {
        let mut heard = std::collections::HashSet::new();
        while heard.len() < 100 {
            let message = ws.message().await;
            assert_eq!(
                message["payload"]["data"]["agentChanged"]["agent"]["name"],
                "renamed"
            );
            heard.insert(message["id"].as_str().unwrap_or("").to_owned());
        }
    }
}

/// GraphQL over SSE, distinct connections mode.
#[tokio::test]
async fn server_sent_events_stream_a_subscription_and_answer_a_query() {
    let app = app_with_keys().await;
    let unauthenticated = app
        .client
        .post(app.graphql_url())
        .header("Accept", "text/event-stream")
        .json(&json!({ "query": "subscription { agentChanged { id } }" }))
        .send()
        .await
        .expect("send");
    assert_eq!(unauthenticated.status(), 401);

    let response = app
        .client
        .post(app.graphql_url())
        .header("Accept", "text/event-stream")
        .header("X-API-Key", READ_KEY)
        .json(&json!({ "query": "subscription { agentChanged { kind agent { name } } }" }))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/event-stream")
    );
    let mut body = response;
    let mut text = String::new();
    for _ in 0..40 {
        app.client
            .post(app.graphql_url())
            .header("X-API-Key", WRITE_KEY)
            .json(&json!({ "query": r#"mutation { createAgent(input: { name: "over sse" }) { id } }"# }))
            .send()
            .await
            .expect("mutate");
        if let Ok(Ok(Some(chunk))) =
            tokio::time::timeout(Duration::from_millis(300), body.chunk()).await
        {
            text.push_str(&String::from_utf8_lossy(&chunk));
            if text.contains("event: next") {
                break;
            }
        }
    }
    assert!(text.contains("event: next"), "{text}");
    assert!(text.contains(r#""name":"over sse""#), "{text}");

    let query = app
        .client
        .post(app.graphql_url())
        .header("Accept", "text/event-stream")
        .header("X-API-Key", READ_KEY)
        .json(&json!({ "query": "{ agents { totalCount } }" }))
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("body");
    assert!(query.contains("event: next"), "{query}");
    assert!(query.contains("totalCount"), "{query}");
    assert!(query.contains("event: complete"), "{query}");
}

/// Subscribers of the same document and variables share one execution:
/// one leaving does not end it for the others, and a newcomer joins it.
#[tokio::test]
async fn subscribers_of_the_same_document_share_it_and_come_and_go_freely() {
    let app = spawn_app().await;
    let agent = app.create_agent("shared").await;
    let document = "subscription($id: UUID) { agentChanged(id: $id) { version agent { name } } }";
    let rename = |name: &'static str| {
        let app = &app;
        let agent = agent.clone();
        async move {
            app.gql_ok(
                "mutation($id: UUID!, $n: String!) { updateAgent(id: $id, input: { name: $n }) { id } }",
                json!({ "id": agent, "n": name }),
            )
            .await;
        }
    };
    let mut first = WsClient::connect(&app.address).await;
    let mut second = WsClient::connect(&app.address).await;
    subscribe_live(&mut first, "1", document, json!({ "id": agent }), || {
        rename("poke")
    })
    .await;
    subscribe_live(&mut second, "1", document, json!({ "id": agent }), || {
        rename("poke")
    })
    .await;
    while first
        .receive_within(Duration::from_millis(300))
        .await
        .is_some()
    {}

    rename("both").await;
    for ws in [&mut first, &mut second] {
        assert_eq!(
            event(ws, "1", "agentChanged").await["agent"]["name"],
            "both"
        );
    }
    first.send(json!({ "type": "complete", "id": "1" })).await;
    rename("second only").await;
    assert_eq!(
        event(&mut second, "1", "agentChanged").await["agent"]["name"],
        "second only"
    );
    first.expect_silence(Duration::from_millis(300)).await;

    second.send(json!({ "type": "complete", "id": "1" })).await;
    let mut third = WsClient::connect(&app.address).await;
    let joined = subscribe_live(&mut third, "7", document, json!({ "id": agent }), || {
        rename("poke")
    })
    .await;
    assert_eq!(joined["agentChanged"]["agent"]["name"], "poke");
    second.expect_silence(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn metrics_show_sockets_subscriptions_deliveries_and_their_lag() {
    let app = spawn_app().await;
    let mut ws = WsClient::connect(&app.address).await;
    subscribe_live(
        &mut ws,
        "1",
        "subscription { agentChanged { id } }",
        json!({}),
        || async {
            app.create_agent("poke").await;
        },
    )
    .await;
    let metrics = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("body");
    for name in [
        "agentgraph_websocket_connections",
        "agentgraph_subscriptions_active",
        "agentgraph_changes_delivered_total",
        "agentgraph_change_delivery_lag_seconds_bucket",
    ] {
        assert!(metrics.contains(name), "{name} missing from /metrics");
    }
}
