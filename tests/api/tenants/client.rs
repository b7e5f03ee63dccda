//! A caller holding one API key, talking to one server over HTTP,
//! WebSocket (graphql-transport-ws) or SSE.

use serde_json::{Value, json};

use crate::helpers::{JSON, TestApp};
use crate::ws_client::WsClient;

#[derive(Clone)]
pub struct Client {
    pub address: String,
    pub key: String,
    http: reqwest::Client,
}

impl Client {
    pub fn new(app: &TestApp, key: &str) -> Self {
        Self {
            address: app.address.clone(),
            key: key.to_owned(),
            http: app.client.clone(),
        }
    }

    /// POSTs a document with this key; the body, whatever the status (a
    /// FORBIDDEN mutation is a 403).
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        let response = self
            .http
            .post(format!("{}/graphql", self.address))
            .header("Accept", JSON)
            .header("X-API-Key", &self.key)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("send request");
        let status = response.status();
        let text = response.text().await.expect("response body");
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("a JSON body ({e}), got {status}: {text}"))
    }

    /// `data` of a document that must succeed.
    pub async fn gql_ok(&self, query: &str, variables: Value) -> Value {
        let body = self.gql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// The id a create returns: `field` is `createAgent`, `createGoal`…
    pub async fn create(&self, field: &str, input: Value) -> String {
        let input_type = format!("{}Input", capitalised(field));
        let document =
            format!("mutation($input: {input_type}!) {{ {field}(input: $input) {{ id }} }}");
        let data = self.gql_ok(&document, json!({ "input": input })).await;
        data[field]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{field} returns an id: {data}"))
            .to_owned()
    }

    /// A socket that has completed the handshake with this key in
    /// `connection_init`.
    pub async fn ws(&self) -> WsClient {
        let mut ws = WsClient::open(&self.address, None).await;
        ws.init(json!({ "x-api-key": self.key })).await;
        ws
    }

    /// Runs a document over a socket (subscription id `op`) and returns
    /// its one result's payload (`data`, `errors`).
    pub async fn over_ws(&self, query: &str, variables: Value) -> Value {
        let mut ws = self.ws().await;
        ws.subscribe("op", query, variables).await;
        let message = ws.message().await;
        match message["type"].as_str() {
            Some("next") => message["payload"].clone(),
            // Refused before it ran: the protocol's `error`, whose payload
            // is the list of errors.
            Some("error") => json!({ "errors": message["payload"] }),
            _ => panic!("a result, got {message}"),
        }
    }

    /// Runs a document over SSE (`Accept: text/event-stream`) and returns
    /// the payload of its first `next` event.
    pub async fn over_sse(&self, query: &str, variables: Value) -> Value {
        let response = self
            .http
            .post(format!("{}/graphql", self.address))
            .header("Accept", "text/event-stream")
            .header("X-API-Key", &self.key)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("send request");
        let status = response.status();
        let text = response.text().await.expect("response body");
        if let Some(payload) = sse_payloads(&text).into_iter().next() {
            return payload;
        }
        // Refused before any stream began: an HTTP status with a JSON body.
        serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("a `next` event or a JSON body, got {status}: {text}"))
    }
}

/// The JSON payloads of the `next` events of an SSE body.
pub fn sse_payloads(text: &str) -> Vec<Value> {
    let mut payloads = Vec::new();
    for event in text.split("\n\n") {
        let mut lines = event.lines();
        if !lines.clone().any(|line| line.trim() == "event: next") {
            continue;
        }
        let data: String = lines
            .by_ref()
            .filter_map(|line| line.strip_prefix("data:"))
            .map(str::trim)
            .collect();
        if let Ok(payload) = serde_json::from_str(&data) {
            payloads.push(payload);
        }
    }
    payloads
}

pub fn capitalised(field: &str) -> String {
    let mut chars = field.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
