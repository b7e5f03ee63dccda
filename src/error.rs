//! The one error type of agentgraph and its mapping to the contract's codes.
//!
//! Database failures are logged here, once, with a reference id; the client
//! only ever sees `INTERNAL_SERVER_ERROR` and that reference.

use sea_orm::{DbErr, SqlErr};
use uuid::Uuid;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// One offending input value: its path (`input.priority`, `first`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// One or more input values break a rule; every one is reported.
    #[error("invalid input")]
    BadUserInput(Vec<Violation>),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// A conflict caused by one input value, named by its path.
    #[error("{message}")]
    ConflictAt { field: String, message: String },
    #[error("a valid API key is required")]
    Unauthenticated,
    #[error("this API key may not do this")]
    Forbidden,
    /// The cause was logged under `reference` when this error was made.
    #[error("internal server error (reference {reference})")]
    Internal { reference: Uuid },
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput(_) => "BAD_USER_INPUT",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Conflict(_) | Self::ConflictAt { .. } => "CONFLICT",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::Internal { .. } => "INTERNAL_SERVER_ERROR",
        }
    }

    /// A single invalid value.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadUserInput(vec![Violation {
            field: field.into(),
            message: message.into(),
        }])
    }

    pub fn conflict_at(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::ConflictAt {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Logs `cause` with a fresh reference id and returns the error the client may see.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        let reference = Uuid::now_v7();
        tracing::error!(%reference, error = %cause, "internal error");
        Self::Internal { reference }
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                Self::Conflict("a value that must be unique is already taken".into())
            }
            // The services check parents and children first, so this is a race
            // with a concurrent write: the object it relied on changed.
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => Self::Conflict(
                "a related object was changed concurrently; retry the request".into(),
            ),
            _ => Self::internal(&err),
        }
    }
}
