//! The streaming traffic of `stress`: graphql-transport-ws and
//! GraphQL-over-SSE subscriptions, opened and dropped at a random moment.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use rand::RngExt;
use rand::rngs::StdRng;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::{Shared, mutation};

const SUBSCRIPTIONS: [&str; 3] = [
    "subscription($p: UUID) { taskChanged(planId: $p) { kind cursor task { id description } } }",
    "subscription { agentChanged { kind cursor agent { id name } } }",
    "subscription($c: String) { goalChanged(after: $c) { kind cursor goal { id } } }",
];

/// A subscription, or now and then a mutation, which the transports run
/// in the stream they send from.
fn subscription(shared: &Shared, rng: &mut StdRng) -> Value {
    if rng.random_bool(0.3) {
        return mutation(shared, rng);
    }
    let n = rng.random_range(0..SUBSCRIPTIONS.len());
    json!({
        "query": SUBSCRIPTIONS[n],
        "variables": { "p": shared.plan, "c": Value::Null },
    })
}

pub(crate) async fn websocket(shared: &Shared, rng: &mut StdRng) -> anyhow::Result<()> {
    let mut request = shared.url.replacen("http", "ws", 1).into_client_request()?;
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    let text = |v: Value| Message::Text(v.to_string().into());
    socket
        .send(text(json!({ "type": "connection_init", "payload": {} })))
        .await?;
    for id in 0..rng.random_range(1..4u32) {
        socket
            .send(text(json!({ "id": id.to_string(), "type": "subscribe", "payload": subscription(shared, rng) })))
            .await?;
    }
    let open_for = Duration::from_millis(rng.random_range(0..400));
    let _ = tokio::time::timeout(open_for, async {
        while let Some(Ok(_)) = socket.next().await {}
    })
    .await;
    if rng.random_bool(0.5) {
        let _ = socket.close(None).await;
    }
    // Otherwise dropped: the TCP connection ends without a close frame.
    Ok(())
}

pub(crate) async fn sse(shared: &Shared, rng: &mut StdRng) -> anyhow::Result<()> {
    let response = shared
        .http
        .post(&shared.url)
        .header("accept", "text/event-stream")
        .json(&subscription(shared, rng))
        .send()
        .await?;
    let mut response = response;
    let open_for = Duration::from_millis(rng.random_range(0..400));
    let _ = tokio::time::timeout(open_for, async {
        while let Ok(Some(_)) = response.chunk().await {}
    })
    .await;
    Ok(())
}
