//! The spans a trace is made of (target [`SPANS`]): one per GraphQL
//! operation, and inside it the database work it waited on: loader
//! batches, the group commit a create rode in (a span of its own, linked
//! from every request in it), the work queue's claim, and each statement.
//! The lease sweep is a trace of its own. None per field: reads would pay
//! for it in speed. Every helper is a no-op when tracing is off.

use std::time::{Duration, SystemTime};

use opentelemetry::KeyValue;
use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::{
    Span as _, SpanContext, SpanKind, Status, TraceContextExt, TraceId, Tracer,
};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use sha2::{Digest, Sha256};
use tracing::Span;
use tracing::field::Empty;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use super::{SPANS, TRACING, on};

/// One GraphQL operation's span: the root of the server's part of a trace,
/// the child of the client's span when it sent a `traceparent`.
pub(crate) struct Operation {
    span: Span,
}

impl Operation {
    /// No span: tracing is off.
    pub(crate) fn off() -> Self {
        Self { span: Span::none() }
    }

    /// Starts the span of an operation carried by `transport`, continuing
    /// the trace of `traceparent` (and `tracestate`) when given and valid.
    pub(crate) fn start(
        transport: &'static str,
        traceparent: Option<&str>,
        tracestate: Option<&str>,
    ) -> Self {
        if !on() {
            return Self::off();
        }
        let span = tracing::info_span!(
            target: SPANS,
            "graphql.operation",
            otel.name = "GraphQL Operation",
            otel.kind = "server",
            otel.status_code = Empty,
            graphql.operation.name = Empty,
            graphql.operation.type = Empty,
            graphql.document.sha256 = Empty,
            graphql.outcome = Empty,
            graphql.error.codes = Empty,
            agentgraph.transport = transport,
        );
        if let Some(traceparent) = traceparent {
            let carrier = TraceHeaders {
                traceparent,
                tracestate,
            };
            let parent = TraceContextPropagator::new().extract(&carrier);
            if parent.span().span_context().is_valid() {
                let _ = span.set_parent(parent);
            }
        }
        Self { span }
    }

    pub(crate) fn span(&self) -> &Span {
        &self.span
    }

    /// The trace the operation belongs to; `None` when tracing is off.
    pub(crate) fn trace_id(&self) -> Option<TraceId> {
        if self.span.is_none() {
            return None;
        }
        let context = self.span.context();
        let trace_id = context.span().span_context().trace_id();
        (trace_id != TraceId::INVALID).then_some(trace_id)
    }

    /// Names the operation once its document is known.
    pub(crate) fn describe(&self, name: Option<&str>, kind: &'static str, document: &str) {
        if self.span.is_none() {
            return;
        }
        let otel_name = match name {
            Some(name) => format!("{kind} {name}"),
            None => kind.to_owned(),
        };
        // Started already (its trace id was read), so the name is the
        // span's own to change: `otel.name` only names spans not started.
        self.span.context().span().update_name(otel_name);
        if let Some(name) = name {
            self.span.record("graphql.operation.name", name);
        }
        self.span.record("graphql.operation.type", kind);
        let hash = hex::encode(Sha256::digest(document.as_bytes()));
        self.span.record("graphql.document.sha256", hash.as_str());
    }
}

/// Records what became of the operation running here (its span is the
/// current one wherever an outcome is counted): `ok`, `error` or
/// `rejected`, with the codes of its errors.
pub(crate) fn outcome<'a>(outcome: &str, codes: impl Iterator<Item = &'a str>) {
    if !on() {
        return;
    }
    let span = Span::current();
    span.record("graphql.outcome", outcome);
    let codes: Vec<&str> = codes.collect();
    if !codes.is_empty() {
        span.record("otel.status_code", "ERROR");
        span.record("graphql.error.codes", codes.join(",").as_str());
    }
}

struct TraceHeaders<'a> {
    traceparent: &'a str,
    tracestate: Option<&'a str>,
}

impl Extractor for TraceHeaders<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        match key {
            "traceparent" => Some(self.traceparent),
            "tracestate" => self.tracestate,
            _ => None,
        }
    }

    fn keys(&self) -> Vec<&str> {
        vec!["traceparent", "tracestate"]
    }
}

/// The trace id of the operation running on this task, if traced: the
/// reference of an error made here.
pub(crate) fn current_trace_id() -> Option<TraceId> {
    if !on() {
        return None;
    }
    let context = opentelemetry::Context::current();
    let trace_id = context.span().span_context().trace_id();
    (trace_id != TraceId::INVALID).then_some(trace_id)
}

/// The OpenTelemetry context of the span running on this task, for work
/// handed to another task that should link back to it.
pub(crate) fn current_context() -> Option<opentelemetry::Context> {
    if !on() {
        return None;
    }
    let context = opentelemetry::Context::current();
    context.has_active_span().then_some(context)
}

/// A DataLoader batch: `loader` loading `keys` keys of `table` in one
/// statement (or one per shape of page).
pub(crate) fn loader_batch(loader: &'static str, table: &'static str, keys: usize) -> Span {
    tracing::info_span!(
        target: SPANS,
        "dataloader.batch",
        otel.name = loader,
        agentgraph.loader = loader,
        agentgraph.loader.table = table,
        agentgraph.loader.keys = keys,
    )
}

/// One group commit: `creates` creates of `resource` written as one
/// statement and one commit. It links to the spans of the `requests`
/// whose creates it wrote, and they link back to it: a request's trace
/// leads to the commit it waited on, and the commit to every request in it.
pub(crate) fn group_commit<'a>(
    resource: &'static str,
    creates: usize,
    requests: impl Iterator<Item = &'a opentelemetry::Context> + Clone,
) -> Span {
    if !on() {
        return Span::none();
    }
    let span = tracing::info_span!(
        target: SPANS,
        "group_commit.batch",
        otel.name = "group commit",
        agentgraph.resource = resource,
        agentgraph.batch.creates = creates,
    );
    for request in requests.clone() {
        span.add_link(request.span().span_context().clone());
    }
    let batch: SpanContext = span.context().span().span_context().clone();
    for request in requests {
        request.span().add_link(batch.clone(), Vec::new());
    }
    span
}

/// The work queue's claim (one statement, and the checks when nothing was
/// claimed).
pub(crate) fn claim(limit: u32) -> Span {
    tracing::info_span!(
        target: SPANS,
        "queue.claim",
        otel.name = "claim tasks",
        agentgraph.claim.limit = limit,
        agentgraph.claim.claimed = Empty,
    )
}

/// One lease sweep (a trace of its own, every `--lease-sweep-interval`).
pub(crate) fn sweep() -> Span {
    tracing::info_span!(
        target: SPANS,
        "queue.sweep",
        otel.name = "sweep expired leases",
        agentgraph.sweep.requeued = Empty,
        agentgraph.sweep.failed = Empty,
    )
}

/// A statement that ran for `elapsed` up to now, as a child of the span
/// running on this task; statements outside any traced work are skipped.
pub(crate) fn statement(postgres: bool, sql: &str, elapsed: Duration, failed: bool) {
    let Some(tracing) = TRACING.get() else {
        return;
    };
    let parent = opentelemetry::Context::current();
    if !parent.has_active_span() {
        return;
    }
    let end = SystemTime::now();
    let start = end.checked_sub(elapsed).unwrap_or(end);
    let operation = sql
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    let system = if postgres { "postgresql" } else { "sqlite" };
    let tracer = tracing.sdk_tracer();
    let mut span = tracer
        .span_builder(operation.clone())
        .with_kind(SpanKind::Client)
        .with_start_time(start)
        .with_attributes([
            KeyValue::new("db.system", system),
            KeyValue::new("db.system.name", system),
            KeyValue::new("db.operation", operation.clone()),
            KeyValue::new("db.operation.name", operation),
            // The text with its placeholders: bound values never leave.
            KeyValue::new("db.query.text", sql.to_owned()),
        ])
        .start_with_context(tracer, &parent);
    if failed {
        span.set_status(Status::error("the statement failed"));
    }
    span.end_with_timestamp(end);
}
