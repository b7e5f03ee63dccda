//! GraphQL over WebSocket at `/graphql`, the `graphql-transport-ws`
//! protocol (the one the `graphql-ws` library speaks), with its close codes:
//! 4400 a message that is not the protocol's, 4401 no valid credentials (or
//! subscribing before the handshake, or the socket's token expired), 4406
//! another subprotocol, 4408 no `connection_init` in time, 4409 an id
//! already running, 4429 a second `connection_init`.
//!
//! Operations run through the same admission and execution as over HTTP.
//! Everything sent goes through a bounded outbox. A slow reader slows its
//! own operations (nothing more is taken from them while the outbox is
//! full); one that stops reading is disconnected once the outbox stays full
//! for a few seconds (1008, "slow consumer"), so it can never make the
//! server hold more than the outbox for it. It resumes with the last cursor
//! it received.

use std::collections::HashMap;
use std::time::Instant;

use async_graphql::http::WebSocketProtocols;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::Response as HttpResponse;
use futures_util::stream::{self, AbortHandle, BoxStream, SelectAll};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::AppState;
use super::ws_credentials::{self, HeaderCredentials};
use super::ws_messages::{ClientMessage, Close};
use crate::auth::Caller;
use crate::engine::operation::{self, Rejected, Transport};
use crate::engine::persisted::PersistedRef;
use crate::engine::rejection::Rejection;
use crate::engine::shared::{self, Payload};
use crate::metrics as m;
use crate::telemetry::spans::Operation;

/// Messages queued for a client.
const OUTBOX: usize = 256;
/// How long a full outbox may stay full before the client counts as not
/// reading. Meanwhile nothing more is taken from its operations, so a slow
/// reader slows its own streams rather than growing the queue.
const SEND_PATIENCE: std::time::Duration = std::time::Duration::from_secs(5);

pub(crate) fn upgrade(
    state: AppState,
    headers: &HeaderMap,
    upgrade: WebSocketUpgrade,
) -> HttpResponse {
    let header_credentials = HeaderCredentials::of(headers);
    // async-graphql names the protocol; the match stays byte-exact, as axum
    // echoes only an exact match (its `GraphQLProtocol` extractor would also
    // take the legacy `graphql-ws` and answer 400 instead of closing 4406:
    // docs/decisions/001).
    let protocol = WebSocketProtocols::GraphQLWS.sec_websocket_protocol();
    let offered = upgrade
        .requested_protocols()
        .any(|p| p.as_bytes() == protocol.as_bytes());
    upgrade
        .protocols([protocol])
        .on_upgrade(move |socket| serve(socket, state, header_credentials, offered))
}

/// What woke a socket's loop.
enum Event {
    Incoming(Option<Result<Message, axum::Error>>),
    Result((String, Option<Payload>)),
    InitTimeout,
    Expired,
    Closing,
}

/// One socket's operations, as tagged streams: `Some` a result, `None` done.
type Operations = SelectAll<BoxStream<'static, (String, Option<Payload>)>>;

struct Connection {
    state: AppState,
    header_credentials: HeaderCredentials,
    /// `Some` once acknowledged.
    caller: Option<Caller>,
    /// When the token the socket was opened with expires (`None`: never).
    expires: Option<tokio::time::Instant>,
    running: HashMap<String, AbortHandle>,
    operations: Operations,
    outbox: mpsc::Sender<Message>,
}

async fn serve(
    socket: WebSocket,
    state: AppState,
    header_credentials: HeaderCredentials,
    offered: bool,
) {
    let gauge = ::metrics::gauge!(m::SOCKETS);
    gauge.increment(1.0);
    let (sink, mut incoming) = socket.split();
    let (outbox, queued) = mpsc::channel(OUTBOX);
    let (close_tx, close_rx) = tokio::sync::oneshot::channel::<Close>();
    let writer = tokio::spawn(write(sink, queued, close_rx));
    let mut closing = state.sockets.closing.clone();
    let init_deadline = tokio::time::Instant::now() + state.sockets.init_timeout;
    let mut connection = Connection {
        state,
        header_credentials,
        caller: None,
        expires: None,
        running: HashMap::new(),
        operations: SelectAll::new(),
        outbox,
    };
    let close = if !offered {
        Close::new(4406, "Subprotocol not acceptable: use graphql-transport-ws")
    } else {
        loop {
            let event = tokio::select! {
                message = incoming.next() => Event::Incoming(message),
                Some(item) = connection.operations.next(), if !connection.operations.is_empty() => {
                    Event::Result(item)
                }
                () = tokio::time::sleep_until(init_deadline), if connection.caller.is_none() => {
                    Event::InitTimeout
                }
                () = sleep_until_some(connection.expires), if connection.expires.is_some() => {
                    Event::Expired
                }
                _ = closing.wait_for(|closing| *closing) => Event::Closing,
            };
            let step = match event {
                Event::Incoming(Some(Ok(message))) => connection.receive(message).await,
                // The client went away: nobody to tell.
                Event::Incoming(_) => Err(Close::new(1000, "")),
                Event::Result((id, item)) => connection.emit(id, item).await,
                Event::InitTimeout => Err(Close::new(4408, "Connection initialisation timeout")),
                Event::Expired => {
                    tracing::debug!("closing a socket whose token expired");
                    Err(Close::new(4401, "Unauthorized: the token expired"))
                }
                Event::Closing => {
                    connection.complete_all();
                    Err(Close::new(1001, "the server is shutting down"))
                }
            };
            if let Err(close) = step {
                break close;
            }
        }
    };
    for (_, handle) in connection.running.drain() {
        handle.abort();
    }
    drop(connection);
    let _ = close_tx.send(close);
    let _ = writer.await;
    gauge.decrement(1.0);
}

/// Sends what the connection queues; on a close, the close frame (as long
/// as the client takes it within a moment) and nothing more.
async fn write(
    mut sink: futures_util::stream::SplitSink<WebSocket, Message>,
    mut queued: mpsc::Receiver<Message>,
    mut close: tokio::sync::oneshot::Receiver<Close>,
) {
    let close = loop {
        tokio::select! {
            biased;
            close = &mut close => break close.ok(),
            message = queued.recv() => {
                let Some(message) = message else { break None };
                tokio::select! {
                    sent = sink.send(message) => if sent.is_err() { return },
                    close = &mut close => break close.ok(),
                }
            }
        }
    };
    // Whatever was queued before the close goes first (completes, errors).
    while let Ok(message) = queued.try_recv() {
        let sent = tokio::time::timeout(std::time::Duration::from_secs(1), sink.send(message));
        if !matches!(sent.await, Ok(Ok(()))) {
            return;
        }
    }
    if let Some(Close(code, reason)) = close
        && code != 1000
    {
        let frame = Message::Close(Some(CloseFrame {
            code,
            reason: Utf8Bytes::from(reason),
        }));
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), sink.send(frame)).await;
    }
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), sink.close()).await;
}

impl Connection {
    async fn send(&mut self, message: Value) -> Result<(), Close> {
        self.send_text(message.to_string()).await
    }

    async fn send_text(&mut self, text: String) -> Result<(), Close> {
        let queued = self.outbox.send(Message::Text(Utf8Bytes::from(text)));
        match tokio::time::timeout(SEND_PATIENCE, queued).await {
            Ok(Ok(())) => Ok(()),
            _ => Err({
                Close::new(
                    1008,
                    format!(
                        "slow consumer: over {OUTBOX} messages unread; reconnect and resume with \
                         `after` set to the last cursor received"
                    ),
                )
            }),
        }
    }

    async fn receive(&mut self, message: Message) -> Result<(), Close> {
        let text = match message {
            Message::Text(text) => text,
            Message::Close(_) => return Err(Close::new(1000, "")),
            Message::Ping(_) | Message::Pong(_) => return Ok(()),
            Message::Binary(_) => return Err(Close::new(4400, "Invalid message received: binary")),
        };
        let message: ClientMessage = serde_json::from_str(text.as_str())
            .map_err(|err| Close::new(4400, format!("Invalid message received: {err}")))?;
        match message {
            ClientMessage::ConnectionInit { payload } => self.init(payload).await,
            ClientMessage::Ping { payload } => {
                let mut pong = json!({ "type": "pong" });
                if let Some(payload) = payload {
                    pong["payload"] = payload;
                }
                self.send(pong).await
            }
            ClientMessage::Pong { .. } => Ok(()),
            ClientMessage::Subscribe { id, payload } => {
                let named: PersistedRef =
                    serde_json::from_value((*payload).clone()).unwrap_or_default();
                let request: async_graphql::Request = serde_json::from_value(*payload)
                    .map_err(|err| Close::new(4400, format!("Invalid message received: {err}")))?;
                self.subscribe(id, request, &named).await
            }
            ClientMessage::Complete { id } => {
                if let Some(handle) = self.running.remove(&id) {
                    handle.abort();
                }
                Ok(())
            }
        }
    }

    async fn init(&mut self, payload: Option<Value>) -> Result<(), Close> {
        if self.caller.is_some() {
            return Err(Close::new(4429, "Too many initialisation requests"));
        }
        let presented = self.header_credentials.with_payload(payload.as_ref());
        let authenticated = self
            .state
            .auth
            .authenticate(presented)
            .map_err(|err| Close::new(4401, format!("Unauthorized: {err}")))?;
        self.expires = ws_credentials::deadline(authenticated.expires);
        self.caller = Some(authenticated.caller);
        self.send(json!({ "type": "connection_ack" })).await
    }

    async fn subscribe(
        &mut self,
        id: String,
        request: async_graphql::Request,
        named: &PersistedRef,
    ) -> Result<(), Close> {
        let Some(caller) = self.caller.clone() else {
            return Err(Close::new(4401, "Unauthorized: connection_init first"));
        };
        if self.running.contains_key(&id) {
            return Err(Close::new(
                4409,
                format!("Subscriber for {id} already exists"),
            ));
        }
        let started = Instant::now();
        let limit = self.state.sockets.max_operations;
        if self.running.len() >= limit {
            let rejection = Rejection::bad_document(format!(
                "this connection already runs {limit} operations, the most it may; complete \
                 one or open another connection"
            ));
            rejection.record("anonymous", started);
            return self
                .send(
                    json!({ "id": id, "type": "error", "payload": [rejection.to_server_error()] }),
                )
                .await;
        }
        let admitted = match operation::admit(
            &self.state.engine,
            request,
            named,
            &caller,
            Transport::Socket,
        ) {
            Ok(admitted) => admitted,
            Err((rejected, operation)) => {
                if let Rejected::Refused(rejection) = &rejected {
                    rejection.record(&operation, started);
                }
                return self
                    .send(json!({ "id": id, "type": "error", "payload": rejected.errors() }))
                    .await;
            }
        };
        // A trace of its own: the socket's upgrade request is long gone.
        let trace = Operation::start("websocket", None, None);
        operation::describe(&admitted, &trace);
        let results = shared::results(
            &self.state.engine,
            admitted,
            caller,
            started,
            Transport::Socket,
            trace,
        );
        let tag = id.clone();
        let done = id.clone();
        let tagged = results
            .map(move |response| (tag.clone(), Some(response)))
            .chain(stream::once(async move { (done, None) }));
        let (tagged, handle) = stream::abortable(tagged);
        self.operations.push(Box::pin(tagged));
        self.running.insert(id, handle);
        Ok(())
    }

    async fn emit(&mut self, id: String, item: Option<Payload>) -> Result<(), Close> {
        match item {
            Some(payload) => {
                // The payload is serialized once for every subscriber of its group.
                let id = serde_json::to_string(&id).unwrap_or_default();
                let text = format!(r#"{{"id":{id},"type":"next","payload":{payload}}}"#);
                self.send_text(text).await
            }
            None => {
                self.running.remove(&id);
                self.send(json!({ "id": id, "type": "complete" })).await
            }
        }
    }

    /// Tells the client every operation is over (on shutdown).
    fn complete_all(&mut self) {
        for (id, handle) in std::mem::take(&mut self.running) {
            handle.abort();
            let complete = json!({ "id": id, "type": "complete" }).to_string();
            let _ = self
                .outbox
                .try_send(Message::Text(Utf8Bytes::from(complete)));
        }
    }
}

/// Waits until `deadline` (only polled while there is one).
async fn sleep_until_some(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
