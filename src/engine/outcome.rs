//! What became of an operation, counted in the metrics and logged, the
//! same way whichever transport carried it.

use std::time::Instant;

use async_graphql::Response;

use crate::auth::Caller;
use crate::error::ErrorCode;
use crate::metrics as m;

/// Counts one response in the metrics; its outcome and error codes, to log.
pub(crate) fn recorded(
    response: &Response,
    operation: &str,
    started: Instant,
) -> (&'static str, Vec<&'static str>) {
    let codes: Vec<ErrorCode> = response
        .errors
        .iter()
        .map(super::response::code_of)
        .collect();
    let outcome = if codes.is_empty() { "ok" } else { "error" };
    record(operation, outcome, &codes, started);
    (outcome, codes.iter().map(|c| c.as_str()).collect())
}

/// Logs and counts one response that leaves by a streaming transport.
pub(crate) fn finished(response: &Response, caller: &Caller, operation: &str, started: Instant) {
    let (outcome, names) = recorded(response, operation, started);
    count_for_tenant(caller, outcome);
    tracing::info!(
        operation,
        outcome,
        caller = caller.log_name(),
        errors = ?names,
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "graphql operation"
    );
}

pub(crate) fn record(
    operation: &str,
    outcome: &'static str,
    codes: &[ErrorCode],
    started: Instant,
) {
    crate::telemetry::spans::outcome(outcome, codes.iter().map(|code| code.as_str()));
    let operation = operation.to_owned();
    ::metrics::counter!(m::REQUESTS, "operation" => operation.clone(), "outcome" => outcome)
        .increment(1);
    for code in codes {
        ::metrics::counter!(m::ERRORS, "code" => code.as_str()).increment(1);
    }
    ::metrics::histogram!(m::DURATION, "operation" => operation)
        .record(started.elapsed().as_secs_f64());
}

/// Counts an operation that ran for its caller's tenant (refusals before it
/// ran are not: many have no caller yet).
pub(crate) fn count_for_tenant(caller: &Caller, outcome: &'static str) {
    let tenant = m::tenant_label(caller.tenant.as_str());
    ::metrics::counter!(m::TENANT_REQUESTS, "tenant" => tenant, "outcome" => outcome).increment(1);
}
