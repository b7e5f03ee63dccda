//! The GraphQL endpoint per the GraphQL-over-HTTP spec: POST with a JSON
//! body, GET for queries (mutations over GET are 405), the response media
//! type negotiated from `Accept`, and GraphiQL for a browser's plain GET.
//! API keys, document limits and the request timeout are enforced here,
//! before anything runs.

use std::time::Instant;

use async_graphql::parser::types::{ExecutableDocument, OperationType};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::persisted::{self, PersistedRef};
use super::response::{Answer, MediaType, Refusal, negotiate, not_acceptable, record};
use crate::auth::Caller;
use crate::error::{AppError, ErrorCode};
use crate::graphql::errors::{code_of, syntax_error, tidy};
use crate::graphql::loaders::DbLoader;
use crate::graphql::variables;
use crate::metrics as m;
use crate::state::AppState;

pub const API_KEY_HEADER: &str = "x-api-key";

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// The caller, when keys are configured; `None` when authentication is off.
fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Option<Caller>, Refusal> {
    let presented = headers.get(API_KEY_HEADER).and_then(|v| v.to_str().ok());
    state.keys.caller(presented).map_err(Refusal::from)
}

pub async fn get_graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let started = Instant::now();
    let query = query.unwrap_or_default();
    let has_document = query.split('&').any(|pair| {
        ["query=", "documentId=", "extensions="]
            .iter()
            .any(|p| pair.starts_with(p))
    });
    if !has_document && wants_html(&headers) {
        return super::graphiql::page(state.persisted.only_trusted()).into_response();
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
    let named = match PersistedRef::from_query_string(&query) {
        Ok(named) => named,
        Err(refusal) => return refusal.into_response(media, "anonymous", started),
    };
    run(&state, request, &named, media, caller, Method::Get, started).await
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
        return Refusal::bad_request("the request body must be application/json")
            .with_status(StatusCode::UNSUPPORTED_MEDIA_TYPE)
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
            return Refusal::bad_request(message)
                .with_status(status)
                .into_response(media, "anonymous", started);
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
    let named = match PersistedRef::from_json(&body) {
        Ok(named) => named,
        Err(refusal) => return refusal.into_response(media, "anonymous", started),
    };
    run(
        &state,
        request,
        &named,
        media,
        caller,
        Method::Post,
        started,
    )
    .await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
}

async fn run(
    state: &AppState,
    mut request: async_graphql::Request,
    named: &PersistedRef,
    media: MediaType,
    caller: Option<Caller>,
    method: Method,
    started: Instant,
) -> Response {
    let mut operation = m::operation_label(request.operation_name.as_deref());
    if let Err(refusal) = persisted::resolve(state, &mut request, named) {
        return refusal.into_response(media, &operation, started);
    }
    if request.query.trim().is_empty() {
        return Refusal::bad_document("the `query` parameter is required")
            .into_response(media, &operation, started);
    }
    let operation_name = request.operation_name.clone();
    let prepared = match state
        .documents
        .prepare(&request.query, operation_name.as_deref())
    {
        Ok(prepared) => prepared,
        Err(err) => {
            let errors = vec![syntax_error(err)];
            return request_error(media, errors, &operation, started);
        }
    };
    // Clients often name the operation only in the document.
    if operation_name.is_none()
        && let Some(name) = &prepared.operation_name
    {
        operation = m::operation_label(Some(name));
    }
    let fields = prepared.fields;
    if fields > state.limits.max_fields {
        return Refusal::bad_document(format!(
            "the document selects {fields} fields; the limit is {}",
            state.limits.max_fields
        ))
        .into_response(media, &operation, started);
    }
    let root_fields = prepared.root_fields;
    if root_fields > state.limits.max_root_fields {
        return Refusal::bad_document(format!(
            "an operation selects {root_fields} top-level fields; the limit is {}",
            state.limits.max_root_fields
        ))
        .into_response(media, &operation, started);
    }
    if !state.limits.introspection && prepared.asks_for_introspection {
        return Refusal::bad_document("introspection is disabled on this server")
            .into_response(media, &operation, started);
    }
    let is_mutation = prepared.operation_type == Some(OperationType::Mutation);
    if is_mutation && method == Method::Get {
        return Refusal::bad_document("mutations must be sent with POST")
            .with_status(StatusCode::METHOD_NOT_ALLOWED)
            .into_response(media, &operation, started);
    }
    if is_mutation && let Some(Err(refused)) = caller.as_ref().map(Caller::may_mutate) {
        return Refusal::from(refused).into_response(media, &operation, started);
    }
    if let Some(definition) = prepared.operation(operation_name.as_deref()) {
        let errors = variables::coerce(definition, &request.variables);
        if !errors.is_empty() {
            return request_error(media, errors, &operation, started);
        }
    }
    request.set_parsed_query(prepared.document.clone());
    let document = Some(&prepared.document);
    execute(state, request, document, media, caller, &operation, started).await
}

/// Answers errors found before anything ran: no `data` entry.
fn request_error(
    media: MediaType,
    errors: Vec<async_graphql::ServerError>,
    operation: &str,
    started: Instant,
) -> Response {
    let response = async_graphql::Response::from_errors(errors);
    finish(
        media,
        response,
        Answer::request_error(media),
        None,
        operation,
        started,
    )
}

async fn execute(
    state: &AppState,
    request: async_graphql::Request,
    document: Option<&ExecutableDocument>,
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
    // Waiting for a turn counts against the timeout like running does.
    let deadline = tokio::time::Instant::now() + state.limits.timeout;
    let timeout_secs = state.limits.timeout.as_secs();
    let Ok(_turn) = tokio::time::timeout_at(deadline, state.executions.acquire()).await else {
        // The server was busy, not the request too big: it may be sent again.
        return Refusal::new(
            ErrorCode::ServiceUnavailable,
            format!("the server is busy: no operation slot came free within {timeout_secs} s"),
        )
        .into_response(media, operation, started);
    };
    let execution = batches.run(state.schema.execute(request));
    // A mutation cut off here drops its open transaction, which rolls back.
    let Ok(mut response) = tokio::time::timeout_at(deadline, execution).await else {
        return Refusal::bad_request(format!(
            "the request did not finish within {timeout_secs} s; ask for less"
        ))
        .with_status(StatusCode::REQUEST_TIMEOUT)
        .into_response(media, operation, started);
    };
    tidy(&mut response.errors, document);
    let answer = Answer::of(&response, media);
    finish(media, response, answer, caller.as_ref(), operation, started)
}

/// Records and logs the outcome, then sends the response as `answer` says.
fn finish(
    media: MediaType,
    response: async_graphql::Response,
    answer: Answer,
    caller: Option<&Caller>,
    operation: &str,
    started: Instant,
) -> Response {
    let codes: Vec<ErrorCode> = response.errors.iter().map(code_of).collect();
    let outcome = if codes.is_empty() { "ok" } else { "error" };
    record(operation, outcome, &codes, started);
    let names: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
    tracing::info!(
        operation,
        outcome,
        caller = caller.map(|c| c.name.as_str()).unwrap_or("-"),
        errors = ?names,
        status = answer.status.as_u16(),
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "graphql request"
    );
    match answer.respond(media, &response) {
        Ok(http) => http,
        Err(err) => {
            Refusal::from(AppError::internal(&err)).into_response(media, operation, started)
        }
    }
}
