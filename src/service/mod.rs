//! Business rules and storage: one module per resource (its fields and
//! rules), over `store/` (reading and updating rows) and `write/` (creates,
//! group commit, idempotency, trees). Knows nothing of GraphQL.
//!
//! Every mutation runs in one transaction; reads take the reader pool and
//! writes the writer (see `db`).

pub(crate) mod access;
pub(crate) mod agents;
pub(crate) mod counting;
pub(crate) mod goals;
pub(crate) mod plans;
pub(crate) mod queue;
pub(crate) mod store;
pub(crate) mod tasks;
pub(crate) mod write;

use chrono::{DateTime, SubsecRound, Utc};

use crate::error::{AppError, Result};

/// The current time at the precision both backends store (microseconds), so
/// what a mutation returns equals what a later read returns.
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// An update's change of one field: the value given, or the field as it is.
pub(crate) fn given<T>(field: &mut T, change: Option<T>) {
    if let Some(value) = change {
        *field = value;
    }
}

pub(crate) fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

/// A status change must follow the contract's transitions.
pub(crate) fn check_transition<S>(from: S, to: S) -> Result<()>
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
