//! Prometheus metrics: requests by operation and outcome, errors by code,
//! latency, requests in flight, database pools, subscriptions, the work
//! queue and tenants. Every series whose label values are known is
//! exported from the start, at 0 (`known.rs`), so a dashboard's panels and
//! alerts have a series before the first event they count.

mod known;
mod tenants;

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::sync::watch;

use crate::db::Db;
pub use crate::db::replicas::{
    HEALTHY as REPLICA_HEALTHY, LAG as REPLICA_LAG, READS as REPLICA_READS,
};
pub use crate::service::queue::measured::{
    CLAIMS, LEASE_EXPIRIES, PARKED, SWEEP_DURATION, TASKS_CLAIMED,
};
pub use crate::service::write::group_commit::BATCH_ROWS;
pub use tenants::{NAMED_TENANTS, OTHER_TENANTS, tenant_label};

pub const REQUESTS: &str = "agentgraph_graphql_requests_total";
pub const ERRORS: &str = "agentgraph_graphql_errors_total";
pub const DURATION: &str = "agentgraph_graphql_request_duration_seconds";
pub const IN_FLIGHT: &str = "agentgraph_http_requests_in_flight";
pub const POOL: &str = "agentgraph_db_pool_connections";
pub const POOL_WAITERS: &str = "agentgraph_db_pool_waiters";
pub const POOL_LONGEST_HOLD: &str = "agentgraph_db_pool_longest_hold_seconds";
pub const SOCKETS: &str = "agentgraph_websocket_connections";
pub const SUBSCRIPTIONS: &str = "agentgraph_subscriptions_active";
pub const DELIVERED: &str = "agentgraph_changes_delivered_total";
pub const DELIVERY_LAG: &str = "agentgraph_change_delivery_lag_seconds";
pub const LISTENER_UP: &str = "agentgraph_change_listener_up";
pub const AUTH_REFUSALS: &str = "agentgraph_auth_refusals_total";
pub const TENANT_REQUESTS: &str = "agentgraph_tenant_requests_total";
pub const OPERATIONS: &str = "agentgraph_graphql_operations_total";

/// The `outcome` of a request: it ran and answered without errors, with
/// some, or was refused before it ran.
pub const OUTCOMES: [&str; 3] = ["ok", "error", "rejected"];

const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];

/// How often recorded latencies are folded into their histogram buckets.
/// Until then the recorder keeps every sample (8 bytes each), and only a
/// scrape of `/metrics` folds them: a server nobody scraped grew by about
/// 1 MiB a minute at 2,000 requests/s, without end.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process-wide recorder (one per process: tests share it between servers).
pub fn handle() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(DURATION.to_owned()), LATENCY_BUCKETS)
                .and_then(|b| {
                    b.set_buckets_for_metric(
                        Matcher::Full(DELIVERY_LAG.to_owned()),
                        LATENCY_BUCKETS,
                    )
                })
                .and_then(|b| {
                    b.set_buckets_for_metric(Matcher::Full(BATCH_ROWS.to_owned()), BATCH_BUCKETS)
                })
                .and_then(|b| {
                    b.set_buckets_for_metric(
                        Matcher::Full(SWEEP_DURATION.to_owned()),
                        LATENCY_BUCKETS,
                    )
                });
            match builder.and_then(|b| b.install_recorder()) {
                Ok(handle) => {
                    known::describe();
                    known::at_zero();
                    Some(handle)
                }
                Err(err) => {
                    tracing::warn!(error = %err, "metrics are off: no recorder could be installed");
                    None
                }
            }
        })
        .clone()
}

/// Folds recorded samples into the histograms every [`UPKEEP_EVERY`], until
/// `stop` turns true.
pub fn spawn_upkeep(handle: PrometheusHandle, mut stop: watch::Receiver<bool>) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(UPKEEP_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => handle.run_upkeep(),
                _ = stop.wait_for(|stopped| *stopped) => return,
            }
        }
    });
}

/// An operation name fit for a label: client-chosen, so bounded in form.
pub fn operation_label(name: Option<&str>) -> String {
    match name {
        None => "anonymous".to_owned(),
        Some(name)
            if !name.is_empty()
                && name.len() <= 64
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            name.to_owned()
        }
        Some(_) => "invalid".to_owned(),
    }
}

/// Samples the pools, then renders every metric in Prometheus text format.
pub fn render(handle: &PrometheusHandle, db: &Db) -> String {
    // `writes` is the writer pool with the connections it keeps between
    // statements, which are idle too.
    for (pool, connections) in [("reader", &db.reader), ("writer", &db.writes)] {
        if let Some((size, idle)) = connections.sizes() {
            ::metrics::gauge!(POOL, "pool" => pool, "state" => "in_use")
                .set(size.saturating_sub(idle) as f64);
            ::metrics::gauge!(POOL, "pool" => pool, "state" => "idle").set(idle as f64);
        }
        let holds = connections.pool().holds();
        ::metrics::gauge!(POOL_WAITERS, "pool" => pool).set(holds.waiters() as f64);
        ::metrics::gauge!(POOL_LONGEST_HOLD, "pool" => pool)
            .set(holds.longest_hold().as_secs_f64());
    }
    handle.render()
}
