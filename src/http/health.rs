//! `/health`: the process answers. `/ready`: the database answers too, and
//! (PostgreSQL) this instance hears the others' changes; the body names
//! each read replica with its health and lag.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::AppState;

pub(crate) async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

pub(crate) async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if !state.engine.hub.is_listening() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "status": "unavailable",
                "reason": "not listening for other instances' changes"
            })),
        );
    }
    match state.engine.db.reader.ping().await {
        // Replicas are not the server's to be ready with: a read that no
        // replica will serve goes to the primary.
        Ok(()) => match &state.engine.db.replicas {
            None => (StatusCode::OK, Json(json!({ "status": "ready" }))),
            Some(replicas) => (
                StatusCode::OK,
                Json(json!({ "status": "ready", "replicas": replicas.states() })),
            ),
        },
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "reason": "database unreachable" })),
            )
        }
    }
}
