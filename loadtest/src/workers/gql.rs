//! GraphQL documents as plain JSON over reqwest: the queue scenario is
//! written against the contract (API.md) rather than the typed client, and
//! it must tell apart the ways a request fails, because each calls for a
//! different move by a worker.

use std::fmt;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue};
use serde_json::{Value, json};

use super::stats::{QueueOp, QueueRecorder};

/// Why a request produced no data.
#[derive(Debug, Clone)]
pub(crate) enum GqlError {
    /// No answer (refused, reset, timed out): it may or may not have run.
    Transport(String),
    /// HTTP 503 or SERVICE_UNAVAILABLE: the server could not run it now.
    Unavailable(String),
    /// A GraphQL error with a code other than SERVICE_UNAVAILABLE.
    Refused {
        code: String,
        field: Option<String>,
        message: String,
    },
    /// Any other answer: a status without errors, a body that is not JSON.
    Other(String),
}

impl fmt::Display for GqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(message) => write!(f, "request failed: {message}"),
            Self::Unavailable(message) => write!(f, "SERVICE_UNAVAILABLE: {message}"),
            Self::Refused {
                code,
                field: Some(field),
                message,
            } => write!(f, "{code} on {field}: {message}"),
            Self::Refused { code, message, .. } => write!(f, "{code}: {message}"),
            Self::Other(message) => write!(f, "unexpected answer: {message}"),
        }
    }
}

impl std::error::Error for GqlError {}

impl GqlError {
    /// Whether sending it again may succeed: the server was not reached,
    /// did not answer, or said it could not serve now.
    pub(crate) fn is_retryable(&self) -> bool {
        matches!(self, Self::Transport(_) | Self::Unavailable(_))
    }

    /// The contract's answer to a lease that is no longer the caller's:
    /// CONFLICT on `token`.
    pub(crate) fn is_stale_token(&self) -> bool {
        matches!(self, Self::Refused { code, field, .. }
            if code == "CONFLICT" && field.as_deref() == Some("token"))
    }

    /// A server error a retry with the same token may get past (the
    /// contract makes complete/fail/release retries safe).
    pub(crate) fn is_internal(&self) -> bool {
        matches!(self, Self::Refused { code, .. } if code == "INTERNAL_SERVER_ERROR")
    }
}

/// One GraphQL endpoint.
#[derive(Debug, Clone)]
pub(crate) struct Gql {
    http: reqwest::Client,
    url: String,
}

/// Pauses between retries: doubling from 50 ms up to 1 s, so that a
/// restarted server is found again within a second of coming back.
const FIRST_PAUSE: Duration = Duration::from_millis(50);
const MAX_PAUSE: Duration = Duration::from_secs(1);

impl Gql {
    pub(crate) fn new(url: &str, api_key: Option<&str>, timeout: Duration) -> anyhow::Result<Self> {
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/graphql-response+json, application/json;q=0.9"),
        );
        if let Some(key) = api_key {
            let mut value = HeaderValue::from_str(key)?;
            value.set_sensitive(true);
            headers.insert("x-api-key", value);
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(timeout)
            .tcp_nodelay(true)
            .build()?;
        Ok(Self {
            http,
            url: url.to_owned(),
        })
    }

    /// Sends `document` once and returns its `data`.
    pub(crate) async fn call(&self, document: &str, variables: Value) -> Result<Value, GqlError> {
        let response = self
            .http
            .post(&self.url)
            .json(&json!({ "query": document, "variables": variables }))
            .send()
            .await
            .map_err(|err| GqlError::Transport(transport_message(&err)))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|err| GqlError::Transport(transport_message(&err)))?;
        let body: Value = serde_json::from_slice(&bytes).map_err(|_| {
            let text: String = String::from_utf8_lossy(&bytes).chars().take(200).collect();
            if status == StatusCode::SERVICE_UNAVAILABLE {
                GqlError::Unavailable(text)
            } else {
                GqlError::Other(format!("HTTP {status}: {text}"))
            }
        })?;
        if let Some(error) = body["errors"].as_array().and_then(|errors| errors.first()) {
            let code = error["extensions"]["code"]
                .as_str()
                .unwrap_or("(no code)")
                .to_owned();
            let message = error["message"].as_str().unwrap_or("").to_owned();
            if code == "SERVICE_UNAVAILABLE" || status == StatusCode::SERVICE_UNAVAILABLE {
                return Err(GqlError::Unavailable(message));
            }
            let field = error["extensions"]["field"].as_str().map(str::to_owned);
            return Err(GqlError::Refused {
                code,
                field,
                message,
            });
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            return Err(GqlError::Unavailable(format!("HTTP {status}")));
        }
        match body.get("data") {
            Some(data) if status == StatusCode::OK && !data.is_null() => Ok(data.clone()),
            _ => Err(GqlError::Other(format!("HTTP {status}: no data"))),
        }
    }

    /// Sends `document` until it succeeds, fails in a way a retry will not
    /// mend, or `budget` has passed since the first try; every try is
    /// recorded under `op` (a retried try as a failure). `again` says which
    /// errors are worth another try.
    pub(crate) async fn call_retrying(
        &self,
        recorder: &QueueRecorder,
        op: QueueOp,
        document: &str,
        variables: &Value,
        budget: Duration,
        again: impl Fn(&GqlError) -> bool,
    ) -> Result<Answer, GqlError> {
        let first = Instant::now();
        let mut pause = FIRST_PAUSE;
        let mut tries = 0;
        loop {
            tries += 1;
            let start = Instant::now();
            let result = self.call(document, variables.clone()).await;
            let latency = start.elapsed();
            match result {
                Ok(data) => {
                    recorder.record(op, latency, None);
                    return Ok(Answer {
                        data,
                        tries,
                        latency,
                    });
                }
                Err(err) => {
                    // A stale token is an answer the worker expects.
                    let failure = (!err.is_stale_token()).then(|| err.to_string());
                    recorder.record(op, latency, failure.as_deref());
                    if !again(&err) || first.elapsed() + pause > budget {
                        return Err(err);
                    }
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(MAX_PAUSE);
                }
            }
        }
    }
}

/// A successful answer and how many tries it took (1: no retry, so the
/// answer describes what this very request did).
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) data: Value,
    pub(crate) tries: u32,
    /// Of the try that answered.
    pub(crate) latency: Duration,
}

/// "first try" or "try 3", for messages about an answer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tries(pub(crate) u32);

impl fmt::Display for Tries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => write!(f, "first try"),
            n => write!(f, "try {n}"),
        }
    }
}

/// The innermost causes say what went wrong ("Connection refused"); the URL
/// is left out so that equal failures read alike.
fn transport_message(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        return "timed out".into();
    }
    let mut message = err.to_string();
    if let Some(url) = err.url() {
        message = message.replace(&format!(" for url ({url})"), "");
    }
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
