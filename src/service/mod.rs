//! Business rules and storage: one module per resource, plain async
//! functions over sea-orm connections. Knows nothing of GraphQL.
//!
//! Every mutation runs in one transaction; reads take the reader pool and
//! writes the writer (see `db`).

pub mod agents;
pub mod goals;
pub mod plans;
pub mod store;
pub mod tasks;
pub mod write;

use chrono::{DateTime, SubsecRound, Utc};

use crate::error::{AppError, Result};

/// The current time at the precision both backends store (microseconds), so
/// what a mutation returns equals what a later read returns.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

pub fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

/// A status change must follow the contract's transitions.
pub fn check_transition<S>(from: S, to: S) -> Result<()>
where
    S: entity::status::Transitions + sea_orm::ActiveEnum<Value = String>,
{
    if from.can_become(to) {
        Ok(())
    } else {
        Err(AppError::invalid(
            "input.status",
            format!(
                "status cannot change from {} to {}",
                from.to_value(),
                to.to_value()
            ),
        ))
    }
}
