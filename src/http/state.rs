//! What every transport handler shares.

use std::sync::Arc;
use std::time::Duration;

use metrics_exporter_prometheus::PrometheusHandle;

use crate::auth::Authenticator;
use crate::engine::Engine;

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) engine: Engine,
    pub(crate) auth: Arc<Authenticator>,
    pub(crate) metrics: Option<PrometheusHandle>,
    pub(crate) sockets: Arc<SocketLimits>,
}

/// What bounds one WebSocket.
#[derive(Debug, Clone)]
pub(crate) struct SocketLimits {
    pub(crate) max_operations: usize,
    pub(crate) init_timeout: Duration,
    /// Flips to true on shutdown: sockets complete their operations and close.
    pub(crate) closing: tokio::sync::watch::Receiver<bool>,
}
