//! Many subscriptions at once, GraphQL over SSE, shared documents and the
//! metrics of subscriptions.

use std::time::Duration;

use serde_json::json;

use super::transport::{READ_KEY, WRITE_KEY, app_with_keys};
use super::{event, subscribe_live, watch_agents};
use crate::helpers::spawn_app;

const EVENT_STREAM: &str = "text/event-stream";
use crate::ws_client::WsClient;

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
        .post("subscription { agentChanged { id } }")
        .accept(EVENT_STREAM)
        .no_key()
        .send()
        .await;
    assert_eq!(unauthenticated.status, 401);

    let response = app
        .post("subscription { agentChanged { kind agent { name } } }")
        .accept(EVENT_STREAM)
        .key(READ_KEY)
        .stream()
        .await;
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
        app.post(r#"mutation { createAgent(input: { name: "over sse" }) { id } }"#)
            .key(WRITE_KEY)
            .send()
            .await;
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
        .post("{ agents { totalCount } }")
        .accept(EVENT_STREAM)
        .key(READ_KEY)
        .send()
        .await
        .text;
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
    // Held open: the metrics below count its socket and subscription.
    let _ws = watch_agents(&app).await;
    let metrics = app.get_path("/metrics").send().await.text;
    for name in [
        "agentgraph_websocket_connections",
        "agentgraph_subscriptions_active",
        "agentgraph_changes_delivered_total",
        "agentgraph_change_delivery_lag_seconds_bucket",
    ] {
        assert!(metrics.contains(name), "{name} missing from /metrics");
    }
}
