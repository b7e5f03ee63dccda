//! Talking to the server the way a client does: a request builder for the
//! HTTP rules (methods, media types, keys, raw bodies), and the GraphQL
//! shortcuts most tests use.

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::TestApp;

/// The GraphQL-over-HTTP media type: request errors are 4xx.
pub const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
/// The legacy media type: every well-formed request is a 200.
pub const JSON: &str = "application/json";

/// A request being built; nothing is sent before [`Request::send`]. It owns
/// what it needs, so it may be sent from a spawned task.
#[must_use = "a request does nothing until it is sent"]
pub struct Request {
    client: reqwest::Client,
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    params: Vec<(String, String)>,
    body: Option<Body>,
}

enum Body {
    Json(Value),
    Raw(String),
}

/// What came back, whatever the status.
#[derive(Debug)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl TestApp {
    /// A request with this method to `path` (e.g. `/health`) on this server.
    pub fn request(&self, method: Method, path: &str) -> Request {
        Request {
            client: self.client.clone(),
            method,
            url: format!("{}{path}", self.address),
            headers: Vec::new(),
            params: Vec::new(),
            body: None,
        }
    }

    /// A POST to `/graphql` with no headers and no body yet.
    pub fn post_raw(&self) -> Request {
        self.request(Method::POST, "/graphql")
    }

    /// A POST to `/graphql` of `{ "query": document }` as JSON.
    pub fn post(&self, document: &str) -> Request {
        self.post_raw().json(json!({ "query": document }))
    }

    /// A GET of `/graphql` with these query parameters.
    pub fn get(&self, params: &[(&str, &str)]) -> Request {
        self.request(Method::GET, "/graphql").params(params)
    }

    /// A GET of another path: `/health`, `/ready`, `/metrics`.
    pub fn get_path(&self, path: &str) -> Request {
        self.request(Method::GET, path)
    }

    /// POSTs a GraphQL document with this `Accept` and returns the status,
    /// the headers and the body, whatever the status.
    pub async fn post_accepting(
        &self,
        accept: &str,
        query: &str,
        variables: Value,
    ) -> (StatusCode, HeaderMap, Value) {
        let response = self
            .post_raw()
            .accept(accept)
            .json(json!({ "query": query, "variables": variables }))
            .send()
            .await;
        let body = response.json();
        (response.status, response.headers, body)
    }

    /// POSTs a GraphQL document and returns the whole response body.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        // The legacy media type: every well-formed request is a 200, with
        // errors in the body (GraphQL-over-HTTP).
        let response = self
            .post_raw()
            .accept(JSON)
            .json(json!({ "query": query, "variables": variables }))
            .send()
            .await;
        assert!(
            response.status.is_success(),
            "unexpected HTTP status {}",
            response.status
        );
        response.json()
    }

    /// POSTs a GraphQL document and returns `data`, failing the test on any error.
    pub async fn gql_ok(&self, query: &str, variables: Value) -> Value {
        let body = self.gql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }
}

impl Request {
    /// Sets a header (added to any of the same name).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn accept(self, media_type: &str) -> Self {
        self.header(ACCEPT.as_str(), media_type)
    }

    /// The `Content-Type`, which a JSON body otherwise sets to `application/json`.
    pub fn content_type(self, media_type: &str) -> Self {
        self.header(CONTENT_TYPE.as_str(), media_type)
    }

    /// Sends this API key in `X-API-Key`.
    pub fn key(self, key: &str) -> Self {
        self.header("X-API-Key", key)
    }

    /// Sends this API key, or none.
    pub fn maybe_key(self, key: Option<&str>) -> Self {
        match key {
            Some(key) => self.key(key),
            None => self,
        }
    }

    /// Sends no API key (the default; for requests that say so).
    pub fn no_key(self) -> Self {
        self
    }

    /// Adds URL query parameters (`query`, `variables`, `documentId`…).
    pub fn params(mut self, params: &[(&str, &str)]) -> Self {
        self.params.extend(
            params
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
        );
        self
    }

    /// A JSON body, sent as it is.
    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(Body::Json(body));
        self
    }

    /// A body of these bytes, well-formed or not.
    pub fn raw_body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(Body::Raw(body.into()));
        self
    }

    /// Sends the request and returns the response unread, for a stream
    /// (server-sent events) to be read chunk by chunk.
    pub async fn stream(self) -> reqwest::Response {
        let mut request = self.client.request(self.method, &self.url);
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        if !self.params.is_empty() {
            request = request.query(&self.params);
        }
        request = match self.body {
            Some(Body::Json(body)) => request.json(&body),
            Some(Body::Raw(body)) => request.body(body),
            None => request,
        };
        request.send().await.expect("send request")
    }

    /// Sends the request and reads the whole response, whatever its status.
    pub async fn send(self) -> Response {
        let response = self.stream().await;
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("response body");
        Response {
            status,
            headers,
            text,
        }
    }
}

impl Response {
    /// The body as JSON, failing the test when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("a JSON body ({e}), got {}: {}", self.status, self.text))
    }

    /// A header's value, when present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The `Content-Type`, or "" when there is none.
    pub fn content_type(&self) -> &str {
        self.header(CONTENT_TYPE.as_str()).unwrap_or_default()
    }
}
