//! A graphql-transport-ws client over tokio-tungstenite, speaking the
//! protocol on the wire as the `graphql-ws` library does.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// How long a test waits for one message before it fails.
pub const PATIENCE: Duration = Duration::from_secs(10);

pub struct WsClient {
    socket: Socket,
}

/// What the server sent: a protocol message, or the close of the socket.
#[derive(Debug)]
pub enum Received {
    Message(Value),
    Closed(u16, String),
}

impl WsClient {
    /// Opens a socket to `address` (`http://…`), optionally with an API key
    /// header on the upgrade.
    pub async fn open(address: &str, key: Option<&str>) -> Self {
        Self::open_with_protocol(address, key, "graphql-transport-ws").await
    }

    pub async fn open_with_protocol(address: &str, key: Option<&str>, protocol: &str) -> Self {
        let url = format!("{}/graphql", address.replacen("http", "ws", 1));
        let mut request = url.into_client_request().expect("request");
        let headers = request.headers_mut();
        headers.insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_str(protocol).expect("header"),
        );
        if let Some(key) = key {
            headers.insert("X-API-Key", HeaderValue::from_str(key).expect("header"));
        }
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("websocket handshake");
        Self { socket }
    }

    /// Opens and completes the handshake over a socket with a receive
    /// buffer of a few KiB: what the client leaves unread backs up fast.
    pub async fn open_with_small_window(address: &str) -> Self {
        let host = address.trim_start_matches("http://");
        let addr: std::net::SocketAddr = host.parse().expect("socket address");
        let tcp = tokio::net::TcpSocket::new_v4().expect("socket");
        tcp.set_recv_buffer_size(4096).expect("receive buffer");
        let stream = tcp.connect(addr).await.expect("connect");
        let url = format!("ws://{host}/graphql");
        let mut request = url.into_client_request().expect("request");
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        let (socket, _) = tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(stream))
            .await
            .expect("websocket handshake");
        let mut client = Self { socket };
        client.init(json!({})).await;
        client
    }

    /// Opens and completes the handshake.
    pub async fn connect(address: &str) -> Self {
        let mut client = Self::open(address, None).await;
        client.init(json!({})).await;
        client
    }

    pub async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::Text(Utf8Bytes::from(message.to_string())))
            .await
            .expect("send");
    }

    /// Sends `connection_init` and expects the ack.
    pub async fn init(&mut self, payload: Value) {
        self.send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        let ack = self.message().await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
    }

    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({
            "id": id,
            "type": "subscribe",
            "payload": { "query": query, "variables": variables },
        }))
        .await;
    }

    /// The next protocol message or close, within `wait`; `None` if nothing came.
    pub async fn receive_within(&mut self, wait: Duration) -> Option<Received> {
        loop {
            let next = tokio::time::timeout(wait, self.socket.next()).await.ok()?;
            match next {
                Some(Ok(Message::Text(text))) => {
                    return Some(Received::Message(
                        serde_json::from_str(text.as_str()).expect("JSON message"),
                    ));
                }
                Some(Ok(Message::Close(frame))) => {
                    let (code, reason) = frame
                        .map(|f| (u16::from(f.code), f.reason.to_string()))
                        .unwrap_or((u16::from(CloseCode::Status), String::new()));
                    return Some(Received::Closed(code, reason));
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Some(Received::Closed(1006, String::new())),
            }
        }
    }

    /// The next protocol message; fails on a close or after [`PATIENCE`].
    pub async fn message(&mut self) -> Value {
        match self.receive_within(PATIENCE).await {
            Some(Received::Message(message)) => message,
            other => panic!("expected a message, got {other:?}"),
        }
    }

    /// The `payload.data` of the next `next` message for `id`.
    pub async fn next_data(&mut self, id: &str) -> Value {
        let message = self.message().await;
        assert_eq!(message["type"], "next", "{message}");
        assert_eq!(message["id"], id, "{message}");
        assert!(message["payload"].get("errors").is_none(), "{message}");
        message["payload"]["data"].clone()
    }

    /// Fails if any message arrives within `wait`.
    pub async fn expect_silence(&mut self, wait: Duration) {
        if let Some(received) = self.receive_within(wait).await {
            panic!("expected nothing, got {received:?}");
        }
    }

    /// The close code and reason; fails if a message comes first.
    pub async fn closed(&mut self) -> (u16, String) {
        match self.receive_within(PATIENCE).await {
            Some(Received::Closed(code, reason)) => (code, reason),
            other => panic!("expected the socket to close, got {other:?}"),
        }
    }
}
