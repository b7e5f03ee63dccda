//! The GraphQL endpoint per the GraphQL-over-HTTP spec: POST with a JSON
//! body, GET for queries (mutations over GET are 405), the response media
//! type negotiated from `Accept`, and GraphiQL for a browser's plain GET.
//! API keys, document limits and the request timeout are enforced here,
//! before anything runs.

use std::time::Instant;

use async_graphql::parser::types::OperationType;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::auth::{Caller, Role};
use crate::graphql::loaders::DbLoader;
use crate::metrics as m;
use crate::state::AppState;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";
pub const API_KEY_HEADER: &str = "x-api-key";

/// The response media types of the spec.
#[derive(Clone, Copy, PartialEq, Eq)]
enum MediaType {
    /// Request errors are 4xx.
    GraphqlResponseJson,
    /// Legacy: well-formed requests are 200 whatever their errors.
    Json,
}

impl MediaType {
    fn as_str(self) -> &'static str {
        match self {
            Self::GraphqlResponseJson => GRAPHQL_RESPONSE_JSON,
            Self::Json => JSON,
        }
    }
}

/// The first acceptable media range of `Accept` wins; no `Accept` means JSON.
fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(MediaType::Json);
    };
    if accept.trim().is_empty() {
        return Some(MediaType::Json);
    }
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = parts.any(|p| {
            let p = p.trim().replace(' ', "");
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        if refused {
            continue;
        }
        match essence.as_str() {
            GRAPHQL_RESPONSE_JSON => return Some(MediaType::GraphqlResponseJson),
            JSON | "application/*" | "*/*" => return Some(MediaType::Json),
            _ => {}
        }
    }
    None
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// A request refused before execution, as a GraphQL error body.
struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", message)
    }

    fn into_response(self, media: MediaType, operation: &str, started: Instant) -> Response {
        record(operation, "rejected", &[self.code], started);
        tracing::info!(
            operation,
            outcome = "rejected",
            code = self.code,
            status = self.status.as_u16(),
            elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
            "graphql request refused: {}",
            self.message
        );
        let body = json!({
            "errors": [{ "message": self.message, "extensions": { "code": self.code } }]
        });
        let mut response = (self.status, body.to_string()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(media.as_str()),
        );
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("X-API-Key"),
            );
        }
        response
    }
}

fn record(operation: &str, outcome: &'static str, codes: &[&str], started: Instant) {
    let operation = operation.to_owned();
    ::metrics::counter!(m::REQUESTS, "operation" => operation.clone(), "outcome" => outcome)
        .increment(1);
    for code in codes {
        ::metrics::counter!(m::ERRORS, "code" => code.to_string()).increment(1);
    }
    ::metrics::histogram!(m::DURATION, "operation" => operation)
        .record(started.elapsed().as_secs_f64());
}

fn not_acceptable() -> Response {
    (
        StatusCode::NOT_ACCEPTABLE,
        [(header::CONTENT_TYPE, JSON)],
        json!({ "errors": [{
            "message": format!("Accept must allow {GRAPHQL_RESPONSE_JSON} or {JSON}"),
            "extensions": { "code": "BAD_USER_INPUT" }
        }] })
        .to_string(),
    )
        .into_response()
}

/// The caller, when keys are configured; `None` when authentication is off.
fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Option<Caller>, Refusal> {
    if state.keys.is_empty() {
        return Ok(None);
    }
    let presented = headers
        .get(API_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let Some(presented) = presented else {
        return Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "an API key is required in the X-API-Key header",
        ));
    };
    match state.keys.authenticate(presented) {
        Some(caller) => Ok(Some(caller)),
        None => Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "the API key is not valid",
        )),
    }
}

pub async fn get_graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let started = Instant::now();
    let query = query.unwrap_or_default();
    let has_document = query.split('&').any(|pair| pair.starts_with("query="));
    if !has_document && wants_html(&headers) {
        return super::graphiql::page().into_response();
    }
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    let caller = match authenticate(&state, &headers) {
        Ok(caller) => caller,
        Err(refusal) => return refusal.into_response(media, "anonymous", started),
    };
    let request = match async_graphql::http::parse_query_string(&query) {
        Ok(request) => request,
        Err(err) => {
            return Refusal::bad_request(format!("invalid query string: {err}")).into_response(
                media,
                "anonymous",
                started,
            );
        }
    };
    run(&state, request, media, caller, Method::Get, started).await
}

pub async fn post_graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let started = Instant::now();
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    let caller = match authenticate(&state, &headers) {
        Ok(caller) => caller,
        Err(refusal) => return refusal.into_response(media, "anonymous", started),
    };
    // Only JSON bodies: this also refuses the content types of cross-site
    // "simple" requests (form posts, text/plain) that skip CORS preflight.
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .is_some_and(|m| m.type_() == mime::APPLICATION && m.subtype() == mime::JSON);
    if !is_json {
        return Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_USER_INPUT",
            "the request body must be application/json",
        )
        .into_response(media, "anonymous", started);
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let status = rejection.status();
            let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
                "the request body is larger than the server accepts".to_owned()
            } else {
                format!("the request body could not be read: {rejection}")
            };
            return Refusal::new(status, "BAD_USER_INPUT", message).into_response(
                media,
                "anonymous",
                started,
            );
        }
    };
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Refusal::bad_request(
            "batched requests are not supported; send one operation per request",
        )
        .into_response(media, "anonymous", started);
    }
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(err) => {
            return Refusal::bad_request(format!("invalid JSON body: {err}")).into_response(
                media,
                "anonymous",
                started,
            );
        }
    };
    run(&state, request, media, caller, Method::Post, started).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
}

async fn run(
    state: &AppState,
    mut request: async_graphql::Request,
    media: MediaType,
    caller: Option<Caller>,
    method: Method,
    started: Instant,
) -> Response {
    let mut operation = m::operation_label(request.operation_name.as_deref());
    if request.query.trim().is_empty() {
        return Refusal::bad_request("the `query` parameter is required")
            .into_response(media, &operation, started);
    }
    // A document that does not parse is left to execution, which reports it
    // with the GraphQL error shape.
    let operation_name = request.operation_name.clone();
    if let Some(prepared) = state
        .documents
        .prepare(&request.query, operation_name.as_deref())
    {
        // Clients often name the operation only in the document.
        if operation_name.is_none()
            && let Some(name) = &prepared.operation_name
        {
            operation = m::operation_label(Some(name));
        }
        let fields = prepared.fields;
        if fields > state.limits.max_fields {
            return Refusal::bad_request(format!(
                "the document selects {fields} fields; the limit is {}",
                state.limits.max_fields
            ))
            .into_response(media, &operation, started);
        }
        let root_fields = prepared.root_fields;
        if root_fields > state.limits.max_root_fields {
            return Refusal::bad_request(format!(
                "an operation selects {root_fields} top-level fields; the limit is {}",
                state.limits.max_root_fields
            ))
            .into_response(media, &operation, started);
        }
        if !state.limits.introspection && prepared.asks_for_introspection {
            return Refusal::bad_request("introspection is disabled on this server")
                .into_response(media, &operation, started);
        }
        let is_mutation = prepared.operation_type == Some(OperationType::Mutation);
        if is_mutation && method == Method::Get {
            return Refusal::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "BAD_USER_INPUT",
                "mutations must be sent with POST",
            )
            .into_response(media, &operation, started);
        }
        if is_mutation && caller.as_ref().is_some_and(|c| c.role == Role::Read) {
            return Refusal::new(
                StatusCode::FORBIDDEN,
                "FORBIDDEN",
                "this API key is read-only; mutations need a write key",
            )
            .into_response(media, &operation, started);
        }
        request.set_parsed_query(prepared.document.clone());
    }
    execute(state, request, media, caller, &operation, started).await
}

async fn execute(
    state: &AppState,
    request: async_graphql::Request,
    media: MediaType,
    caller: Option<Caller>,
    operation: &str,
    started: Instant,
) -> Response {
    let (loaders, batches) = DbLoader::per_request(state.db.reader.clone());
    let mut request = request.data(loaders);
    if let Some(caller) = caller.clone() {
        request = request.data(caller);
    }
    let execution = async {
        // Waiting for a turn counts against the timeout like running does.
        let _turn = state.executions.acquire().await;
        batches.run(state.schema.execute(request)).await
    };
    // A mutation cut off here drops its open transaction, which rolls back.
    let Ok(mut response) = tokio::time::timeout(state.limits.timeout, execution).await else {
        return Refusal::new(
            StatusCode::REQUEST_TIMEOUT,
            "BAD_USER_INPUT",
            format!(
                "the request did not finish within {} s; ask for less",
                state.limits.timeout.as_secs()
            ),
        )
        .into_response(media, operation, started);
    };
    for error in &mut response.errors {
        crate::graphql::errors::add_missing_code(error);
    }
    // No data and no error path means the request never reached execution
    // (it did not parse or validate): a request error.
    let request_failed = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let status = if request_failed && media == MediaType::GraphqlResponseJson {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let codes: Vec<&str> = response
        .errors
        .iter()
        .map(|e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .and_then(|v| match v {
                    async_graphql::Value::String(s) => Some(s.as_str()),
                    _ => None,
                })
                .unwrap_or("INTERNAL_SERVER_ERROR")
        })
        .collect();
    let outcome = if codes.is_empty() { "ok" } else { "error" };
    record(operation, outcome, &codes, started);
    tracing::info!(
        operation,
        outcome,
        caller = caller.as_ref().map(|c| c.name.as_str()).unwrap_or("-"),
        errors = ?codes,
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "graphql request"
    );
    match serde_json::to_vec(&response) {
        Ok(body) => (status, [(header::CONTENT_TYPE, media.as_str())], body).into_response(),
        Err(err) => {
            let err = crate::error::AppError::internal(&err);
            Refusal::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_SERVER_ERROR",
                err.to_string(),
            )
            .into_response(media, operation, started)
        }
    }
}
