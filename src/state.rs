//! What every request handler shares.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::Context;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::auth::ApiKeys;
use crate::changes::Hub;
use crate::db::Db;
use crate::graphql::AppSchema;
use crate::http::{DocumentCache, PersistedDocuments};
use crate::service::group_commit::Creates;

/// Limits checked per request by the HTTP layer (depth and complexity are the
/// schema's own).
#[derive(Debug, Clone)]
pub struct RequestLimits {
    pub max_fields: usize,
    pub max_root_fields: usize,
    pub timeout: Duration,
    /// Whether `__schema` and `__type` may be asked for.
    pub introspection: bool,
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub schema: AppSchema,
    /// The same schema with async-graphql's fast validation rules, for
    /// documents that passed the full ones (`http::validated`).
    pub validated_schema: AppSchema,
    pub keys: Arc<ApiKeys>,
    pub limits: Arc<RequestLimits>,
    pub metrics: Option<PrometheusHandle>,
    /// Documents already parsed, by text and operation name.
    pub documents: Arc<DocumentCache>,
    /// Documents known by hash: the trusted manifest and registrations.
    pub persisted: Arc<PersistedDocuments>,
    /// One permit per operation allowed to execute at once.
    pub executions: Arc<tokio::sync::Semaphore>,
    /// Live changes for subscriptions.
    pub hub: Arc<Hub>,
    /// Subscriptions that share one execution (same document and variables).
    pub shared: Arc<crate::http::SharedSubscriptions>,
    pub sockets: Arc<SocketLimits>,
}

/// What bounds one WebSocket.
#[derive(Debug, Clone)]
pub struct SocketLimits {
    pub max_operations: usize,
    pub init_timeout: Duration,
    /// Flips to true on shutdown: sockets complete their operations and close.
    pub closing: tokio::sync::watch::Receiver<bool>,
}

/// The database, from a resolver.
pub fn db<'a>(ctx: &Context<'a>) -> &'a Db {
    ctx.data_unchecked::<Db>()
}

/// The create queues (group commit), from a resolver.
pub fn creates<'a>(ctx: &Context<'a>) -> &'a Creates {
    ctx.data_unchecked::<Creates>()
}
