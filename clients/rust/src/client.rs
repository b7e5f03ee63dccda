//! The HTTP side: one endpoint, the GraphQL-over-HTTP media type, errors
//! mapped to [`Error`], retries of what may be retried, and optionally
//! automatic persisted queries, and the consistency token a server with
//! read replicas hands out.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use graphql_client::{GraphQLQuery, Response};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::Error;

/// How often a create is sent before its failure is final, and the pauses
/// between (doubling, at most [`MAX_PAUSE`]): about 20 s in all, enough for a
/// server restart.
const ATTEMPTS: u32 = 14;
const FIRST_PAUSE: Duration = Duration::from_millis(50);
const MAX_PAUSE: Duration = Duration::from_secs(2);

/// The header a server with read replicas answers a write with (the
/// primary's position after the commit) and reads back on a request: such a
/// request is answered from data at least that fresh.
pub const CONSISTENCY_TOKEN_HEADER: &str = "x-consistency-token";

/// A GraphQL-over-HTTP client for one endpoint.
///
/// It remembers the last consistency token a response carried and sends it
/// on every later request, so a read after its own write sees that write even
/// when a replica answers it. Clones share the token (and the retry count):
/// a clone is the same client.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    url: String,
    retries: Arc<AtomicU64>,
    persisted_queries: bool,
    consistency_token: Arc<Mutex<Option<HeaderValue>>>,
}

/// A request body; `query` is left out when the hash stands for it.
#[derive(Serialize)]
struct Body<'a, V> {
    #[serde(skip_serializing_if = "Option::is_none")]
    query: Option<&'a str>,
    #[serde(rename = "operationName")]
    operation_name: &'a str,
    variables: &'a V,
    #[serde(skip_serializing_if = "Option::is_none")]
    extensions: Option<serde_json::Value>,
}

impl Client {
    /// A client for the endpoint at `url`, sending `api_key` (if any) as
    /// `X-API-Key`.
    pub fn new(url: &str, api_key: Option<&str>) -> Result<Self, Error> {
        Self::with_timeout(url, api_key, Duration::from_secs(30))
    }

    pub fn with_timeout(
        url: &str,
        api_key: Option<&str>,
        timeout: Duration,
    ) -> Result<Self, Error> {
        let mut headers = HeaderMap::new();
        // The GraphQL-over-HTTP media type first: request errors then come
        // back as 4xx rather than 200.
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/graphql-response+json, application/json;q=0.9"),
        );
        if let Some(key) = api_key {
            let mut value = HeaderValue::from_str(key)
                .map_err(|_| Error::Transport("the API key is not a valid header value".into()))?;
            value.set_sensitive(true);
            headers.insert("x-api-key", value);
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(timeout)
            .tcp_nodelay(true)
            .build()
            .map_err(|err| Error::transport(&err))?;
        Ok(Self {
            http,
            url: url.to_owned(),
            retries: Default::default(),
            persisted_queries: false,
            consistency_token: Default::default(),
        })
    }

    /// Starts from `token`, e.g. what [`Self::consistency_token`] returned in
    /// another client or process: this client's first read is then at least
    /// as fresh as that client's last write. Detaches this client's token
    /// from any clone it was made from.
    pub fn with_consistency_token(mut self, token: &str) -> Result<Self, Error> {
        let value = HeaderValue::from_str(token).map_err(|_| {
            Error::Transport("the consistency token is not a valid header value".into())
        })?;
        self.consistency_token = Arc::new(Mutex::new(Some(value)));
        Ok(self)
    }

    /// The last `X-Consistency-Token` a response carried (or the one given to
    /// [`Self::with_consistency_token`]); `None` until a server with replicas
    /// answers a write. Opaque: store it and pass it on, do not parse it.
    pub fn consistency_token(&self) -> Option<String> {
        let token = self.token_slot().clone()?;
        token.to_str().ok().map(str::to_owned)
    }

    // Never held across an await; a panic elsewhere cannot leave the token
    // half-written, so a poisoned lock is still good.
    fn token_slot(&self) -> std::sync::MutexGuard<'_, Option<HeaderValue>> {
        self.consistency_token
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Sends each operation as its SHA-256 alone (Apollo's automatic
    /// persisted queries), and with its text only when the server does not
    /// know the hash yet: smaller requests once the server has seen each.
    pub fn with_persisted_queries(mut self, on: bool) -> Self {
        self.persisted_queries = on;
        self
    }

    /// Runs operation `Q` and returns its data, or why there is none: any
    /// status but 200, any GraphQL error, or a body not fitting `Q`.
    pub async fn execute<Q: GraphQLQuery>(
        &self,
        variables: Q::Variables,
    ) -> Result<Q::ResponseData, Error> {
        let body = Q::build_query(variables);
        let mut request = Body {
            query: Some(body.query),
            operation_name: body.operation_name,
            variables: &body.variables,
            extensions: None,
        };
        if self.persisted_queries {
            let hash = hex::encode(Sha256::digest(body.query.as_bytes()));
            request.extensions = Some(serde_json::json!({
                "persistedQuery": { "version": 1, "sha256Hash": hash }
            }));
            request.query = None;
            match self.send::<Q, _>(&request).await {
                Err(err) if err.is_persisted_query_not_found() => request.query = Some(body.query),
                done => return done,
            }
        }
        self.send::<Q, _>(&request).await
    }

    async fn send<Q: GraphQLQuery, V: Serialize>(
        &self,
        body: &Body<'_, V>,
    ) -> Result<Q::ResponseData, Error> {
        // Every request goes through here, so every request carries the token.
        let mut request = self.http.post(&self.url).json(body);
        let token = self.token_slot().clone();
        if let Some(token) = token {
            request = request.header(CONSISTENCY_TOKEN_HEADER, token);
        }
        let response = request.send().await.map_err(|err| Error::transport(&err))?;
        // Kept whatever the status: a write may have committed before a later
        // field failed. A response without one (a read, a server without
        // replicas) leaves the last one in place; one that is not text could
        // not be handed on, so it is not kept either.
        if let Some(token) = response.headers().get(CONSISTENCY_TOKEN_HEADER)
            && token.to_str().is_ok()
        {
            *self.token_slot() = Some(token.clone());
        }
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|err| Error::transport(&err))?;
        if status != StatusCode::OK {
            let first = serde_json::from_slice::<Response<serde_json::Value>>(&bytes)
                .ok()
                .and_then(|r| r.errors)
                .and_then(|errors| errors.into_iter().next());
            if let Some(error) = &first
                && code_of(error) == "PERSISTED_QUERY_NOT_FOUND"
            {
                return Err(Error::GraphQL {
                    code: code_of(error),
                    message: error.message.clone(),
                    field: field_of(error),
                });
            }
            let message = first.map_or_else(
                || String::from_utf8_lossy(&bytes).chars().take(200).collect(),
                |e| e.message,
            );
            return Err(Error::Status { status, message });
        }
        let response: Response<Q::ResponseData> =
            serde_json::from_slice(&bytes).map_err(|err| Error::decode(&err))?;
        if let Some(error) = response.errors.and_then(|errors| errors.into_iter().next()) {
            return Err(Error::GraphQL {
                code: code_of(&error),
                field: field_of(&error),
                message: error.message,
            });
        }
        response.data.ok_or(Error::NoData)
    }

    /// Runs operation `Q` like [`Self::execute`], sending it again while it
    /// fails in a way [`Error::is_retryable`] allows.
    pub async fn execute_retrying<Q: GraphQLQuery>(
        &self,
        variables: Q::Variables,
    ) -> Result<Q::ResponseData, Error>
    where
        Q::Variables: Clone,
    {
        let mut pause = FIRST_PAUSE;
        for _ in 1..ATTEMPTS {
            match self.execute::<Q>(variables.clone()).await {
                Err(err) if err.is_retryable() => {
                    self.retries.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(MAX_PAUSE);
                }
                done => return done,
            }
        }
        self.execute::<Q>(variables).await
    }

    /// The endpoint this client talks to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How many requests were sent again after a retryable failure.
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }
}

fn code_of(error: &graphql_client::Error) -> String {
    error
        .extensions
        .as_ref()
        .and_then(|ext| ext.get("code"))
        .and_then(|code| code.as_str())
        .unwrap_or("(no code)")
        .to_owned()
}

fn field_of(error: &graphql_client::Error) -> Option<String> {
    let field = error.extensions.as_ref()?.get("field")?.as_str()?;
    Some(field.to_owned())
}

/// A fresh idempotency key.
pub fn new_key() -> String {
    Uuid::now_v7().to_string()
}
