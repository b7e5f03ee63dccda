//! What each metric is, and every series whose label values are known
//! before anything happens, registered at 0.
//!
//! A counter that appears only at its first increment leaves a dashboard's
//! panel empty and an alert's `rate()` undefined until then; the exporter
//! renders a registered counter or gauge at 0 and a registered histogram
//! with every bucket at 0, so registering is enough.

use super::*;
use crate::auth::Tenant;
use crate::auth::refusal::Reason as Refusal;
use crate::engine::operation::Transport;
use crate::error::ErrorCode;
use crate::service::queue::measured::{CLAIM_OUTCOMES, EXPIRY_OUTCOMES};

pub(super) fn describe() {
    ::metrics::describe_counter!(REQUESTS, "GraphQL requests by operation name and outcome");
    ::metrics::describe_counter!(ERRORS, "GraphQL errors returned, by extensions.code");
    ::metrics::describe_histogram!(
        DURATION,
        ::metrics::Unit::Seconds,
        "Time to answer a GraphQL request"
    );
    ::metrics::describe_gauge!(IN_FLIGHT, "HTTP requests being served");
    ::metrics::describe_gauge!(POOL, "Database pool connections by pool and state");
    ::metrics::describe_gauge!(
        POOL_WAITERS,
        "Statements and transactions waiting for a database connection, by pool"
    );
    ::metrics::describe_gauge!(
        POOL_LONGEST_HOLD,
        ::metrics::Unit::Seconds,
        "How long the connection held longest so far has been held, by pool"
    );
    ::metrics::describe_gauge!(SOCKETS, "Open GraphQL WebSocket connections");
    ::metrics::describe_gauge!(SUBSCRIPTIONS, "Subscriptions running, by transport");
    ::metrics::describe_counter!(
        DELIVERED,
        "Subscription results sent to subscribers (each subscriber counts), by transport"
    );
    ::metrics::describe_histogram!(
        DELIVERY_LAG,
        ::metrics::Unit::Seconds,
        "From a change's commit to its publication to this instance's subscribers"
    );
    ::metrics::describe_histogram!(
        BATCH_ROWS,
        "Creates written by one statement (group commit: more than 1 under load)"
    );
    ::metrics::describe_gauge!(
        LISTENER_UP,
        "1 while this instance listens for other instances' changes (PostgreSQL)"
    );
    ::metrics::describe_counter!(
        AUTH_REFUSALS,
        "Requests and sockets refused for their credentials, by reason"
    );
    ::metrics::describe_counter!(
        TENANT_REQUESTS,
        "GraphQL operations that ran, by the caller's tenant (the first 50 seen; the rest are (other)) and outcome"
    );
    ::metrics::describe_counter!(
        OPERATIONS,
        "GraphQL operations that ran, by type and outcome (a subscription counts as it starts)"
    );
    ::metrics::describe_counter!(CLAIMS, "claimTasks calls, by outcome (claimed, empty)");
    ::metrics::describe_counter!(TASKS_CLAIMED, "Tasks handed out by claimTasks");
    ::metrics::describe_counter!(
        LEASE_EXPIRIES,
        "Expired leases swept, by outcome (requeued, failed: attempts used up)"
    );
    ::metrics::describe_gauge!(PARKED, "claimTasks calls parked here, waiting for work");
    ::metrics::describe_histogram!(
        SWEEP_DURATION,
        ::metrics::Unit::Seconds,
        "One sweep of expired leases"
    );
    ::metrics::describe_gauge!(
        REPLICA_HEALTHY,
        "1 while a read replica answers and is within --replica-max-lag, else 0, by replica"
    );
    ::metrics::describe_gauge!(
        REPLICA_LAG,
        ::metrics::Unit::Seconds,
        "How far a read replica's data is behind the primary's, by replica"
    );
    ::metrics::describe_counter!(
        REPLICA_READS,
        "Queries by the server they read from (served_by: replica, primary) and whether they \
         carried a consistency token (consistency: token, none); with replicas configured"
    );
}

/// Registers every series with a known set of label values.
pub(super) fn at_zero() {
    for code in ErrorCode::ALL {
        ::metrics::counter!(ERRORS, "code" => code.as_str()).increment(0);
    }
    // Operation names are the clients' to choose; `anonymous` (no name) is
    // the one known before any request, and gives the per-operation
    // panels their series.
    for outcome in OUTCOMES {
        ::metrics::counter!(REQUESTS, "operation" => "anonymous", "outcome" => outcome)
            .increment(0);
    }
    let _ = ::metrics::histogram!(DURATION, "operation" => "anonymous");
    for kind in ["query", "mutation"] {
        for outcome in OUTCOMES {
            ::metrics::counter!(OPERATIONS, "type" => kind, "outcome" => outcome).increment(0);
        }
    }
    ::metrics::counter!(OPERATIONS, "type" => "subscription", "outcome" => "ok").increment(0);
    // The default tenant is every caller's where tenants are not in use;
    // it takes one of the named places.
    let default = tenant_label(Tenant::DEFAULT);
    for outcome in ["ok", "error"] {
        for tenant in [default.as_str(), OTHER_TENANTS] {
            ::metrics::counter!(TENANT_REQUESTS, "tenant" => tenant.to_owned(), "outcome" => outcome)
                .increment(0);
        }
    }
    for reason in Refusal::ALL {
        ::metrics::counter!(AUTH_REFUSALS, "reason" => reason.as_str()).increment(0);
    }
    ::metrics::gauge!(IN_FLIGHT).increment(0.0);
    ::metrics::gauge!(SOCKETS).increment(0.0);
    for transport in Transport::STREAMING {
        ::metrics::gauge!(SUBSCRIPTIONS, "transport" => transport.label()).increment(0.0);
        ::metrics::counter!(DELIVERED, "transport" => transport.label()).increment(0);
    }
    let _ = ::metrics::histogram!(DELIVERY_LAG);
    let _ = ::metrics::histogram!(BATCH_ROWS);
    for outcome in CLAIM_OUTCOMES {
        ::metrics::counter!(CLAIMS, "outcome" => outcome).increment(0);
    }
    ::metrics::counter!(TASKS_CLAIMED).increment(0);
    for outcome in EXPIRY_OUTCOMES {
        ::metrics::counter!(LEASE_EXPIRIES, "outcome" => outcome).increment(0);
    }
    ::metrics::gauge!(PARKED).increment(0.0);
    let _ = ::metrics::histogram!(SWEEP_DURATION);
    for served_by in ["replica", "primary"] {
        for consistency in ["token", "none"] {
            ::metrics::counter!(REPLICA_READS, "served_by" => served_by, "consistency" => consistency)
                .increment(0);
        }
    }
}
