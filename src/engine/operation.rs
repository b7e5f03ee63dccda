//! What every transport (HTTP, WebSocket, SSE) does with one GraphQL
//! operation: admit it (parse through the document cache, the limits, the
//! caller's rights, variable coercion), then run it within the concurrency
//! limit and the timeout, or start its stream.

use std::sync::Arc;

use async_graphql::parser::types::OperationType;
use async_graphql::{Response, ServerError};
use futures_util::stream::BoxStream;

use super::Engine;
use super::documents::Prepared;
use super::persisted::PersistedRef;
use super::rejection::{Reason, Rejection};
use super::response::{request_error, syntax_error, tidy};
use super::validated::Shape;
use super::variables;
use crate::auth::Caller;
use crate::db::replicas::{Freshness, Replicas};
use crate::error::ErrorCode;
use crate::graphql::Reads;
use crate::graphql::loaders::{DbLoader, LoneRootField};
use crate::graphql::turn::Turn;
use crate::metrics as m;
use crate::telemetry::spans::Operation;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    Get,
    Post,
    Socket,
    EventStream,
}

impl Transport {
    /// The transports that carry subscriptions.
    pub(crate) const STREAMING: [Self; 2] = [Self::Socket, Self::EventStream];

    /// As the metrics' `transport` label spells it.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Get | Self::Post => "http",
            Self::Socket => "websocket",
            Self::EventStream => "sse",
        }
    }
}

/// An operation cleared to run.
pub(crate) struct Admitted {
    pub(crate) request: async_graphql::Request,
    pub(crate) prepared: Arc<Prepared>,
    /// The operation's name, fit for a metrics label.
    pub(crate) operation: String,
    /// Which variables it gives, for skipping validation done before.
    shape: Option<Shape>,
    /// What the request's consistency token asks of its reads.
    freshness: Freshness,
}

impl Admitted {
    /// Reads at least as fresh as `token` (an `X-Consistency-Token`).
    pub(crate) fn read_after(&mut self, token: Option<&str>) {
        self.freshness = Freshness::of_token(token);
    }

    pub(crate) fn is_subscription(&self) -> bool {
        self.prepared.operation_type == Some(OperationType::Subscription)
    }

    fn is_mutation(&self) -> bool {
        self.prepared.operation_type == Some(OperationType::Mutation)
    }
}

/// Why an operation did not run.
pub(crate) enum Rejected {
    /// Refused by a rule of this server.
    Refused(Rejection),
    /// The document or its variables are invalid (a request error).
    Invalid(Vec<ServerError>),
}

impl Rejected {
    pub(crate) fn errors(&self) -> Vec<ServerError> {
        match self {
            Self::Refused(rejection) => vec![rejection.to_server_error()],
            Self::Invalid(errors) => errors.clone(),
        }
    }
}

/// Checks `request` (with `named`, its reference to a persisted document,
/// if any) before anything runs; on refusal, also the operation label to
/// record it under.
pub(crate) fn admit(
    engine: &Engine,
    mut request: async_graphql::Request,
    named: &PersistedRef,
    caller: &Caller,
    transport: Transport,
) -> Result<Admitted, (Rejected, String)> {
    let mut operation = m::operation_label(request.operation_name.as_deref());
    let refuse = |rejection: Rejection, operation: &String| {
        Err((Rejected::Refused(rejection), operation.clone()))
    };
    // A document named by its hash gets its text first, so that it then
    // meets the document cache and every limit like any other.
    if let Err(refusal) = super::persisted::resolve(engine, &mut request, named) {
        return refuse(refusal, &operation);
    }
    if request.query.trim().is_empty() {
        return refuse(
            Rejection::bad_document("the `query` parameter is required"),
            &operation,
        );
    }
    let operation_name = request.operation_name.clone();
    let prepared = match engine
        .documents
        .prepare(&request.query, operation_name.as_deref())
    {
        Ok(prepared) => prepared,
        Err(err) => return Err((Rejected::Invalid(vec![syntax_error(err)]), operation)),
    };
    // Clients often name the operation only in the document.
    if operation_name.is_none()
        && let Some(name) = &prepared.operation_name
    {
        operation = m::operation_label(Some(name));
    }
    let fields = prepared.fields;
    if fields > engine.limits.max_fields {
        return refuse(
            Rejection::bad_document(format!(
                "the document selects {fields} fields; the limit is {}",
                engine.limits.max_fields
            )),
            &operation,
        );
    }
    let root_fields = prepared.root_fields;
    if root_fields > engine.limits.max_root_fields {
        return refuse(
            Rejection::bad_document(format!(
                "an operation selects {root_fields} top-level fields; the limit is {}",
                engine.limits.max_root_fields
            )),
            &operation,
        );
    }
    if !engine.limits.introspection && prepared.asks_for_introspection {
        return refuse(
            Rejection::bad_document("introspection is disabled on this server"),
            &operation,
        );
    }
    let operation_type = prepared.operation_type;
    if operation_type == Some(OperationType::Mutation) {
        if transport == Transport::Get {
            return refuse(
                Rejection::bad_document("mutations must be sent with POST")
                    .because(Reason::MutationOverGet),
                &operation,
            );
        }
        if let Err(refused) = caller.may_mutate() {
            return refuse(Rejection::from(refused), &operation);
        }
    }
    if operation_type == Some(OperationType::Subscription)
        && matches!(transport, Transport::Get | Transport::Post)
    {
        // A request error: it cannot run here however well formed it is.
        let error = request_error(
            "subscriptions need a stream: use a WebSocket (graphql-transport-ws) at \
             /graphql, or POST with `Accept: text/event-stream`"
                .to_owned(),
            None,
            "query",
        );
        return Err((Rejected::Invalid(vec![error]), operation));
    }
    let mut shape = None;
    if let Some(definition) = prepared.operation(operation_name.as_deref()) {
        let errors = variables::coerce(definition, &request.variables);
        if !errors.is_empty() {
            return Err((Rejected::Invalid(errors), operation));
        }
        shape = Shape::of(definition, &request.variables);
    }
    request.set_parsed_query(prepared.document.clone());
    Ok(Admitted {
        request,
        prepared,
        operation,
        shape,
        freshness: Freshness::Any,
    })
}

/// Runs a query or mutation to its one response, counted by its type.
pub(crate) async fn execute(
    engine: &Engine,
    admitted: Admitted,
    caller: &Caller,
) -> Result<Response, Rejection> {
    let kind = if admitted.is_mutation() {
        "mutation"
    } else {
        "query"
    };
    let result = run(engine, admitted, caller).await;
    let outcome = match &result {
        Ok(response) if response.errors.is_empty() => "ok",
        Ok(_) => "error",
        Err(_) => "rejected",
    };
    ::metrics::counter!(m::OPERATIONS, "type" => kind, "outcome" => outcome).increment(1);
    result
}

async fn run(engine: &Engine, admitted: Admitted, caller: &Caller) -> Result<Response, Rejection> {
    let is_mutation = admitted.is_mutation();
    // A query reads from a replica when one will do; a mutation, and what
    // it reads after writing, from the primary.
    let reads = match &engine.db.replicas {
        Some(replicas) if !is_mutation => replicas.for_query(admitted.freshness).await,
        _ => engine.db.reader.clone(),
    };
    let (loaders, batches) = DbLoader::per_request(reads.clone(), caller.tenant.clone());
    let mut request = admitted.request.data(loaders).data(Reads(reads));
    request = request.data(caller.clone());
    if admitted.prepared.root_fields == 1 {
        request = request.data(LoneRootField);
    }
    // Waiting for a turn counts against the timeout like running does.
    let deadline = tokio::time::Instant::now() + engine.limits.timeout;
    let timeout_secs = engine.limits.timeout.as_secs();
    let Some(turn) = Turn::take(engine.executions.clone(), deadline).await else {
        // The server was busy, not the request too big: it may be sent again.
        return Err(Rejection::new(
            ErrorCode::ServiceUnavailable,
            format!("the server is busy: no operation slot came free within {timeout_secs} s"),
        ));
    };
    let request = request.data(turn.clone());
    let validated = admitted
        .shape
        .is_some_and(|shape| admitted.prepared.validated.contains(shape));
    let schema = if validated {
        &engine.validated_schema
    } else {
        &engine.schema
    };
    let work = if is_mutation { "mutation" } else { "query" };
    // Boxed: async-graphql's execution makes a future of kilobytes, which
    // every enclosing future would otherwise hold a slot for and move on
    // each `.await` (with `http::graphql::run`'s box, a POST's future went
    // from 81 KB to 2 KB; `memmove` had been 9 % of a point read's CPU).
    let execution = Box::pin(crate::db::holds::doing(
        work,
        batches.run(schema.execute(request)),
    ));
    // A mutation cut off here drops its open transaction, which rolls back.
    let outcome = within_turn(&turn, execution).await;
    if is_mutation {
        // Committed or not, it has ended: subscribers look for its changes.
        engine.hub.written();
    }
    let Ok(mut response) = outcome else {
        return Err(Rejection::bad_request(format!(
            "the request did not finish within {timeout_secs} s; ask for less"
        ))
        .because(Reason::TimedOut));
    };
    if let (false, Some(shape)) = (validated, admitted.shape) {
        admitted
            .prepared
            .validated
            .remember(shape, &response.errors);
    }
    tidy(&mut response.errors, Some(&admitted.prepared.document));
    super::response::stamp_reference(&mut response.errors);
    if is_mutation && let Some(replicas) = &engine.db.replicas {
        consistency_token(replicas, &mut response).await;
    }
    Ok(response)
}

/// The response header that tells a client how fresh its next reads must
/// be, and the request header it sends that back in.
pub(crate) const CONSISTENCY_TOKEN: &str = "x-consistency-token";

/// Stamps a written response with the primary's position after its
/// writes. Without it (the primary did not say) the client's next reads
/// are only as fresh as the replicas' lag bound.
async fn consistency_token(replicas: &Replicas, response: &mut Response) {
    match replicas.after_write().await {
        Ok(position) => {
            if let Ok(value) = axum::http::HeaderValue::from_str(&position.to_string()) {
                response.http_headers.insert(CONSISTENCY_TOKEN, value);
            }
        }
        Err(err) => tracing::warn!(error = %err, "reading the WAL position after a write failed"),
    }
}

/// Names the traced operation once it is admitted.
pub(crate) fn describe(admitted: &Admitted, trace: &Operation) {
    let kind = match admitted.prepared.operation_type {
        Some(OperationType::Mutation) => "mutation",
        Some(OperationType::Subscription) => "subscription",
        _ => "query",
    };
    trace.describe(
        admitted.prepared.operation_name.as_deref(),
        kind,
        &admitted.request.query,
    );
}

/// Runs `execution` until the turn's deadline, which a parked claim moves
/// while it waits.
async fn within_turn<F: Future>(turn: &Turn, execution: F) -> Result<F::Output, ()> {
    let mut execution = std::pin::pin!(execution);
    loop {
        let deadline = turn.deadline();
        match tokio::time::timeout_at(deadline, execution.as_mut()).await {
            Ok(output) => return Ok(output),
            Err(_) if turn.deadline() > deadline => continue,
            Err(_) => return Err(()),
        }
    }
}

/// Starts a subscription's stream of responses (counted once, as it
/// starts: its results are `changes_delivered`).
pub(crate) fn subscribe(
    engine: &Engine,
    admitted: Admitted,
    caller: &Caller,
) -> BoxStream<'static, Response> {
    ::metrics::counter!(m::OPERATIONS, "type" => "subscription", "outcome" => "ok").increment(1);
    let mut request = admitted.request.data(DbLoader::spawned(
        engine.db.reader.clone(),
        caller.tenant.clone(),
    ));
    request = request.data(caller.clone());
    let prepared = admitted.prepared.clone();
    let stream = engine
        .schema
        .execute_stream_with_session_data(request, Default::default());
    let stream = crate::db::holds::doing_stream("subscription", stream);
    Box::pin(futures_util::StreamExt::map(stream, move |mut response| {
        tidy(&mut response.errors, Some(&prepared.document));
        response
    }))
}
