//! The GraphQL endpoint per the GraphQL-over-HTTP spec: POST with a JSON
//! body, GET for queries (mutations over GET are 405), the response media
//! type negotiated from `Accept`, and GraphiQL for a browser's plain GET.
//! Credentials (API keys, bearer tokens), document limits and the request
//! timeout are enforced here, before anything runs.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::ws::{WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use super::AppState;
use super::status::{Answer, MediaType, Refusal, negotiate, not_acceptable};
use crate::auth::{Authenticated, Caller, Presented};
use crate::engine::operation::{self, Rejected, Transport};
use crate::engine::outcome;
use crate::engine::persisted::PersistedRef;
use crate::error::AppError;
use crate::telemetry::spans::Operation;

pub(crate) const API_KEY_HEADER: &str = "x-api-key";

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// The credentials of a request's headers.
pub(crate) fn presented(headers: &HeaderMap) -> Presented<'_> {
    let value = |name| headers.get(name).and_then(|v| v.to_str().ok());
    Presented {
        api_key: value(API_KEY_HEADER),
        authorization: value(header::AUTHORIZATION.as_str()),
    }
}

/// The 401 of a refused credential.
fn unauthorized(state: &AppState, err: AppError, media: MediaType, started: Instant) -> Response {
    let mut response = Refusal::from(err).into_response(media, "anonymous", started);
    if state.auth.takes_tokens() {
        // RFC 6750 §3: a 401 names the scheme it wants.
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

pub(crate) async fn get_graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    RawQuery(query): RawQuery,
) -> Response {
    if let Ok(upgrade) = upgrade {
        return super::ws::upgrade(state, &headers, upgrade);
    }
    let query = query.unwrap_or_default();
    let has_document = query.split('&').any(|pair| pair.starts_with("query="));
    if !has_document && wants_html(&headers) {
        return super::graphiql::page(state.engine.persisted.only_trusted()).into_response();
    }
    let trace = super::traced(&headers, "http");
    let span = trace.span().clone();
    get_operation(state, headers, query, trace)
        .instrument(span)
        .await
}

async fn get_operation(
    state: AppState,
    headers: HeaderMap,
    query: String,
    trace: Operation,
) -> Response {
    let started = Instant::now();
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    // Anonymous (WRITE in tenant `default`) when credentials are off.
    let caller = match state.auth.authenticate(presented(&headers)) {
        Ok(authenticated) => authenticated.caller,
        Err(err) => return unauthorized(&state, err, media, started),
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
        Err(rejection) => {
            return Refusal::from(rejection).into_response(media, "anonymous", started);
        }
    };
    let asked = Asked {
        named: &named,
        transport: Transport::Get,
        consistency: consistency_token(&headers),
    };
    run(&state, request, asked, media, caller, started, &trace).await
}

pub(crate) async fn post_graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let trace = super::traced(&headers, "http");
    let span = trace.span().clone();
    post_operation(state, headers, body, trace)
        .instrument(span)
        .await
}

async fn post_operation(
    state: AppState,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
    trace: Operation,
) -> Response {
    let started = Instant::now();
    let event_stream = super::sse::wanted(&headers);
    let media = match negotiate(&headers) {
        Some(media) => media,
        None if event_stream => MediaType::Json,
        None => return not_acceptable(),
    };
    let Authenticated { caller, expires } = match state.auth.authenticate(presented(&headers)) {
        Ok(authenticated) => authenticated,
        Err(err) => return unauthorized(&state, err, media, started),
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
        Err(rejection) => {
            return Refusal::from(rejection).into_response(media, "anonymous", started);
        }
    };
    if event_stream {
        return super::sse::respond(state, request, &named, caller, expires, started, trace).await;
    }
    let asked = Asked {
        named: &named,
        transport: Transport::Post,
        consistency: consistency_token(&headers),
    };
    run(&state, request, asked, media, caller, started, &trace).await
}

/// How a request asked for its operation, besides the operation itself.
struct Asked<'a> {
    named: &'a PersistedRef,
    transport: Transport,
    /// The `X-Consistency-Token` it sent back, if any.
    consistency: Option<&'a str>,
}

fn consistency_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(operation::CONSISTENCY_TOKEN)
        .map(|value| value.to_str().unwrap_or(""))
}

async fn run(
    state: &AppState,
    request: async_graphql::Request,
    asked: Asked<'_>,
    media: MediaType,
    caller: Caller,
    started: Instant,
    trace: &Operation,
) -> Response {
    let admitted = operation::admit(
        &state.engine,
        request,
        asked.named,
        &caller,
        asked.transport,
    );
    let mut admitted = match admitted {
        Ok(admitted) => admitted,
        Err((Rejected::Refused(rejection), operation)) => {
            return Refusal::from(rejection).into_response(media, &operation, started);
        }
        Err((Rejected::Invalid(errors), operation)) => {
            return request_error(media, errors, &operation, started);
        }
    };
    admitted.read_after(asked.consistency);
    let operation = admitted.operation.clone();
    operation::describe(&admitted, trace);
    // Boxed for the same reason as the execution inside it: this future is
    // held by the handler's, which axum boxes and moves.
    match Box::pin(operation::execute(&state.engine, admitted, &caller)).await {
        Ok(response) => {
            let answer = Answer::of(&response, media);
            finish(media, response, answer, Some(&caller), &operation, started)
        }
        Err(rejection) => Refusal::from(rejection).into_response(media, &operation, started),
    }
}

/// Answers errors found before anything ran: no `data` entry.
fn request_error(
    media: MediaType,
    errors: Vec<async_graphql::ServerError>,
    operation: &str,
    started: Instant,
) -> Response {
    let mut response = async_graphql::Response::from_errors(errors);
    crate::engine::response::stamp_reference(&mut response.errors);
    finish(
        media,
        response,
        Answer::request_error(media),
        None,
        operation,
        started,
    )
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
    let (outcome, names) = outcome::recorded(&response, operation, started);
    if let Some(caller) = caller {
        outcome::count_for_tenant(caller, outcome);
    }
    tracing::info!(
        operation,
        outcome,
        caller = caller.map_or("-", Caller::log_name),
        errors = ?names,
        status = answer.status.as_u16(),
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "graphql request"
    );
    match answer.respond(media, &response) {
        Ok(mut http) => {
            // The consistency token of a write.
            http.headers_mut().extend(response.http_headers);
            http
        }
        Err(err) => {
            Refusal::from(AppError::internal(&err)).into_response(media, operation, started)
        }
    }
}
