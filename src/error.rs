//! The one error type of agentgraph, the contract's error codes and the
//! HTTP status each implies.
//!
//! Database failures are logged here, once, with a reference id; the client
//! only ever sees `INTERNAL_SERVER_ERROR` (or `SERVICE_UNAVAILABLE`, when the
//! database could not be reached) and that reference.

use axum::http::StatusCode;
use sea_orm::{DbErr, RuntimeErr, SqlErr};
use uuid::Uuid;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// The contract's `extensions.code` values: every error a client sees, from
/// GraphQL or from the HTTP layer, carries one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    BadUserInput,
    NotFound,
    Conflict,
    Unauthenticated,
    Forbidden,
    PersistedQueryNotFound,
    ServiceUnavailable,
    InternalServerError,
}

impl ErrorCode {
    pub const ALL: [Self; 8] = [
        Self::BadUserInput,
        Self::NotFound,
        Self::Conflict,
        Self::Unauthenticated,
        Self::Forbidden,
        Self::PersistedQueryNotFound,
        Self::ServiceUnavailable,
        Self::InternalServerError,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::NotFound => "NOT_FOUND",
            Self::Conflict => "CONFLICT",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            Self::InternalServerError => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The code a GraphQL error's `extensions.code` spells, if it is one of ours.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == code)
    }

    /// The status of a response that is refused with this code alone.
    pub fn status(self) -> StatusCode {
        match self {
            Self::BadUserInput => StatusCode::BAD_REQUEST,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict => StatusCode::CONFLICT,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            // As Apollo's router answers an unknown persisted query id.
            Self::PersistedQueryNotFound => StatusCode::NOT_FOUND,
            Self::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::InternalServerError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Seconds for `Retry-After`: only a server that is briefly unable to
    /// serve asks to be tried again; every other code needs a changed request.
    pub fn retry_after_secs(self) -> Option<u64> {
        match self {
            Self::ServiceUnavailable => Some(1),
            _ => None,
        }
    }
}

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
    /// No API key, or one the server does not know.
    #[error("{0}")]
    Unauthenticated(String),
    /// A known key that may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The database could not be reached; the cause was logged under
    /// `reference`. The same request may succeed later (a create whose
    /// commit was cut off may have been stored: idempotency keys cover that).
    #[error("the service is temporarily unavailable; retry shortly (reference {reference})")]
    Unavailable { reference: Reference },
    /// A subscriber read changes slower than they came and was cut off; it
    /// may resume from its last cursor.
    #[error("{0}")]
    FellBehind(String),
    /// The cause was logged under `reference` when this error was made.
    #[error("internal server error (reference {reference})")]
    Internal { reference: Reference },
}

impl AppError {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::BadUserInput(_) => ErrorCode::BadUserInput,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Conflict(_) | Self::ConflictAt { .. } => ErrorCode::Conflict,
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::Unavailable { .. } | Self::FellBehind(_) => ErrorCode::ServiceUnavailable,
            Self::Internal { .. } => ErrorCode::InternalServerError,
        }
    }

    /// The id under which the cause was logged, for the errors that hide it.
    pub fn reference(&self) -> Option<Reference> {
        match self {
            Self::Unavailable { reference } | Self::Internal { reference } => Some(*reference),
            _ => None,
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
        let reference = Reference::fresh();
        tracing::error!(%reference, error = %cause, "internal error");
        Self::Internal { reference }
    }

    /// Logs `cause` (a warning: the database is down, not the code wrong)
    /// and returns the retryable error the client may see.
    pub fn unavailable(cause: &dyn std::fmt::Display) -> Self {
        let reference = Reference::fresh();
        tracing::warn!(%reference, error = %cause, "database unavailable");
        Self::Unavailable { reference }
    }
}

/// What a hidden cause is logged under, for a user's report to lead to
/// it. Within a traced operation it is the trace's id (32 hex digits, as
/// trace viewers show it): the one value finds the trace and, in the JSON
/// logs, every line of the request (`trace_id`) with this one among them.
/// Otherwise a fresh UUID, on the log line only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    Logged(Uuid),
    Trace(opentelemetry::TraceId),
}

impl Reference {
    fn fresh() -> Self {
        match crate::telemetry::spans::current_trace_id() {
            Some(trace_id) => Self::Trace(trace_id),
            None => Self::Logged(Uuid::now_v7()),
        }
    }
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Logged(id) => id.fmt(f),
            Self::Trace(id) => id.fmt(f),
        }
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        if is_unavailable(&err) {
            return Self::unavailable(&err);
        }
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

/// Whether the database could not be reached or refused service for now, so
/// that the same request may succeed later. A statement the database ran
/// and rejected (a missing column, a constraint) is not: it would fail again.
fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::SqlxError as Sqlx;
    match err {
        // The pool timed out waiting for a connection, or was closed.
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(RuntimeErr::SqlxError(sqlx))
        | DbErr::Exec(RuntimeErr::SqlxError(sqlx))
        | DbErr::Query(RuntimeErr::SqlxError(sqlx)) => match &**sqlx {
            // Refused, reset or broken connections, failed TLS handshakes.
            Sqlx::Io(_) | Sqlx::Tls(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed => true,
            Sqlx::Database(db) => {
                // SQLite's codes are numbers; its "database is locked" after
                // the busy timeout stays internal (one writer pool means only
                // another process can hold the lock that long).
                db.try_downcast_ref::<sea_orm::SqlxPostgresError>()
                    .is_some_and(|pg| postgres_unavailable(pg.code()))
            }
            _ => false,
        },
        _ => false,
    }
}

/// PostgreSQL SQLSTATEs that say the server cannot serve now: class 08
/// (connection exception), 57P01-57P03 (admin shutdown, crash shutdown,
/// cannot connect now) and 53300 (too many connections).
fn postgres_unavailable(sqlstate: &str) -> bool {
    sqlstate.starts_with("08") || matches!(sqlstate, "57P01" | "57P02" | "57P03" | "53300")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_and_implies_its_status() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::parse("TEAPOT"), None);
        assert_eq!(
            ErrorCode::ServiceUnavailable.status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(ErrorCode::ServiceUnavailable.retry_after_secs(), Some(1));
        assert_eq!(ErrorCode::InternalServerError.retry_after_secs(), None);
    }

    #[test]
    fn an_unreachable_database_is_unavailable_and_a_bad_statement_is_not() {
        use sea_orm::{ConnAcquireErr, SqlxError as Sqlx};
        use std::sync::Arc;
        let sqlx = |e: Sqlx| RuntimeErr::SqlxError(Arc::new(e));
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        for err in [
            DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
            DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
            DbErr::Conn(sqlx(Sqlx::Io(refused))),
            DbErr::Query(sqlx(Sqlx::PoolTimedOut)),
        ] {
            assert_eq!(AppError::from(err).code(), ErrorCode::ServiceUnavailable);
        }
        for err in [
            DbErr::Query(sqlx(Sqlx::ColumnNotFound("name".into()))),
            DbErr::Custom("boom".into()),
        ] {
            assert_eq!(AppError::from(err).code(), ErrorCode::InternalServerError);
        }
        for sqlstate in ["08006", "08001", "57P01", "57P03", "53300"] {
            assert!(postgres_unavailable(sqlstate), "{sqlstate}");
        }
        for sqlstate in ["42703", "23505", "40001", "57014"] {
            assert!(!postgres_unavailable(sqlstate), "{sqlstate}");
        }
    }
}
