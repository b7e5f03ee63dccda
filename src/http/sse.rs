//! GraphQL over Server-Sent Events, distinct connections mode: `POST
//! /graphql` with `Accept: text/event-stream` runs one operation and sends
//! each result as a `next` event, then `complete`. Refusals before the
//! stream starts are ordinary HTTP responses (401 without a key, 4xx for a
//! bad document), as the GraphQL-over-SSE protocol asks. A stream opened
//! with a bearer token ends (without `complete`) when the token expires.

use std::convert::Infallible;
use std::time::{Duration, Instant, SystemTime};

use async_graphql::Response;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response as HttpResponse};
use futures_util::StreamExt;
use futures_util::stream;

use super::AppState;
use super::status::{Answer, MediaType, Refusal};
use crate::auth::Caller;
use crate::engine::operation::{self, Rejected, Transport};
use crate::engine::persisted::PersistedRef;
use crate::engine::shared;
use crate::telemetry::spans::Operation;

/// Whether the client asks for an event stream.
pub(crate) fn wanted(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/event-stream"))
}

pub(crate) async fn respond(
    state: AppState,
    request: async_graphql::Request,
    named: &PersistedRef,
    caller: Caller,
    expires: Option<SystemTime>,
    started: Instant,
    trace: Operation,
) -> HttpResponse {
    let admitted = match operation::admit(
        &state.engine,
        request,
        named,
        &caller,
        Transport::EventStream,
    ) {
        Ok(admitted) => admitted,
        Err((Rejected::Refused(rejection), operation)) => {
            return Refusal::from(rejection).into_response(MediaType::Json, &operation, started);
        }
        Err((Rejected::Invalid(errors), _)) => {
            let mut response = Response::from_errors(errors);
            crate::engine::response::stamp_reference(&mut response.errors);
            let answer = Answer::request_error(MediaType::GraphqlResponseJson);
            return answer
                .respond(MediaType::GraphqlResponseJson, &response)
                .unwrap_or_else(|_| axum::http::StatusCode::BAD_REQUEST.into_response());
        }
    };
    operation::describe(&admitted, &trace);
    // The stream runs after this handler returns: it takes the span along.
    let results = shared::results(
        &state.engine,
        admitted,
        caller,
        started,
        Transport::EventStream,
        trace,
    );
    let events = results
        .map(|payload| Ok::<_, Infallible>(Event::default().event("next").data(&*payload)))
        .chain(stream::once(async {
            Ok(Event::default().event("complete").data(""))
        }));
    // A stream opened with a token ends when the token does, without
    // `complete`: the client reconnects with a fresh one (and `after`).
    let expiry = match expires {
        Some(expires) => {
            let left = expires
                .duration_since(SystemTime::now())
                .unwrap_or_default();
            futures_util::future::Either::Left(tokio::time::sleep(left))
        }
        None => futures_util::future::Either::Right(futures_util::future::pending()),
    };
    let events = events.take_until(expiry);
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}
