//! Bearer tokens on a WebSocket (`connection_init` or the upgrade's
//! header) and on a stream of server-sent events, which both end when the
//! token does.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use super::{COUNT_AGENTS, CREATE_AGENT, Files, Signer, WRITE_KEY, claims, now, token_app};
use crate::helpers::assert_error_code;
use crate::ws_client::{Received, WsClient};

#[tokio::test]
async fn a_socket_takes_a_token_in_connection_init_or_its_upgrade_header() {
    let files = Files::new();
    let app = token_app(&files, |_| {}).await;
    let reader = Signer::eddsa().token("read");
    let mut ws = WsClient::open(&app.address, None).await;
    ws.init(json!({ "authorization": format!("Bearer {reader}") }))
        .await;
    ws.subscribe("q", COUNT_AGENTS, json!({})).await;
    assert!(ws.next_data("q").await["agents"]["totalCount"].is_number());
    assert_eq!(ws.message().await["type"], "complete");
    ws.subscribe("m", CREATE_AGENT, json!({})).await;
    let refused = ws.message().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_error_code(&json!({ "errors": refused["payload"] }), "FORBIDDEN");

    // A client that can set headers may send it with the upgrade instead.
    let writer = Signer::es256().token("write");
    let url = format!("{}/graphql", app.address.replacen("http", "ws", 1));
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url)
            .expect("request");
    let headers = request.headers_mut();
    headers.insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    headers.insert(
        "Authorization",
        format!("Bearer {writer}").parse().expect("header"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("handshake");
    for message in [
        json!({ "type": "connection_init", "payload": {} }),
        json!({ "id": "m", "type": "subscribe", "payload": { "query": CREATE_AGENT } }),
    ] {
        socket
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("send");
    }
    let mut answers = Vec::new();
    while answers.len() < 2 {
        let next = tokio::time::timeout(Duration::from_secs(10), socket.next()).await;
        match next {
            Ok(Some(Ok(Message::Text(text)))) => {
                answers
                    .push(serde_json::from_str::<serde_json::Value>(text.as_str()).expect("json"));
            }
            other => panic!("expected a message, got {other:?}"),
        }
    }
    assert_eq!(answers[0]["type"], "connection_ack", "{answers:?}");
    assert_eq!(
        answers[1]["payload"]["data"]["createAgent"]["name"], "by token",
        "{answers:?}"
    );

    // An API key still works beside tokens; both at once do not.
    let mut keyed = WsClient::open(&app.address, None).await;
    keyed.init(json!({ "x-api-key": WRITE_KEY })).await;
    let mut both = WsClient::open(&app.address, None).await;
    both.send(json!({ "type": "connection_init", "payload": {
        "x-api-key": WRITE_KEY, "authorization": format!("Bearer {writer}"),
    } }))
    .await;
    assert_eq!(both.closed().await.0, 4401);
    // Nothing at all is refused too.
    let mut none = WsClient::open(&app.address, None).await;
    none.send(json!({ "type": "connection_init", "payload": {} }))
        .await;
    assert_eq!(none.closed().await.0, 4401);
}

#[tokio::test]
async fn a_socket_closes_with_4401_when_its_token_expires() {
    let files = Files::new();
    let app = token_app(&files, |_| {}).await;
    // Expired 57 s ago: within the minute of leeway for about 3 s more.
    let short = Signer::hs256().sign(&claims(json!({ "exp": now() - 57, "role": "read" })));
    let opened = Instant::now();
    let mut ws = WsClient::open(&app.address, None).await;
    ws.init(json!({ "authorization": format!("Bearer {short}") }))
        .await;
    ws.subscribe("s", "subscription { agentChanged { id } }", json!({}))
        .await;
    let closed = match ws.receive_within(Duration::from_secs(10)).await {
        Some(Received::Closed(code, reason)) => (code, reason),
        Some(Received::Message(message)) => panic!("unexpected {message}"),
        None => panic!("the socket outlived its token"),
    };
    assert_eq!(closed.0, 4401, "{}", closed.1);
    assert!(
        opened.elapsed() < Duration::from_secs(8),
        "{:?}",
        opened.elapsed()
    );

    // A token with time left keeps its socket open meanwhile.
    let long = Signer::hs256().token("read");
    let mut ws = WsClient::open(&app.address, None).await;
    ws.init(json!({ "authorization": format!("Bearer {long}") }))
        .await;
    ws.expect_silence(Duration::from_secs(2)).await;
}

#[tokio::test]
async fn an_event_stream_takes_a_token_and_ends_when_it_expires() {
    let files = Files::new();
    let app = token_app(&files, |_| {}).await;
    let short = Signer::rs256().sign(&claims(json!({ "exp": now() - 57, "role": "read" })));
    let opened = Instant::now();
    let mut response = app
        .post("subscription { agentChanged { id } }")
        .accept("text/event-stream")
        .header("Authorization", &format!("Bearer {short}"))
        .stream()
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut text = String::new();
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while let Ok(Some(chunk)) = response.chunk().await {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream outlived its token");
    assert!(opened.elapsed() < Duration::from_secs(8));
    assert!(!text.contains("event: complete"), "{text}");
}
