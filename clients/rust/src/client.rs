//! The HTTP side: one endpoint, the GraphQL-over-HTTP media type, errors
//! mapped to [`Error`], retries of what may be retried, and optionally
//! automatic persisted queries.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
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

/// A GraphQL-over-HTTP client for one endpoint.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    url: String,
    retries: Arc<AtomicU64>,
    persisted_queries: bool,
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
        })
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
        let response = self
            .http
            .post(&self.url)
            .json(body)
            .send()
            .await
            .map_err(|err| Error::transport(&err))?;
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
