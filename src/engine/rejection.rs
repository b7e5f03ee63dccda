//! An operation refused before it ran, said without any transport: HTTP
//! turns it into a status and a body (`http::status`), a WebSocket or an
//! SSE stream into a GraphQL error.

use std::time::Instant;

use async_graphql::ServerError;

use crate::error::{AppError, ErrorCode};

/// What kind of refusal it is, where the code alone does not say; a
/// transport with statuses may answer each more exactly (405, 408).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reason {
    /// The code says it all.
    Code,
    /// A mutation sent where only queries may run (HTTP GET).
    MutationOverGet,
    /// The operation did not finish within the request timeout.
    TimedOut,
}

/// A refusal of one operation, as a GraphQL error with the contract's code.
#[derive(Debug)]
pub(crate) struct Rejection {
    pub(crate) code: ErrorCode,
    pub(crate) message: String,
    /// The request parameter at fault, for `BAD_USER_INPUT`.
    pub(crate) field: Option<&'static str>,
    pub(crate) reason: Reason,
    /// A request error in the GraphQL-over-HTTP sense: answered 200 under
    /// `application/json` (older APQ clients also stop sending hashes after
    /// a 400).
    pub(crate) request_error: bool,
}

impl Rejection {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            reason: Reason::Code,
            request_error: false,
        }
    }

    /// A request error: 200 under `application/json`, its code's status
    /// under `application/graphql-response+json`.
    pub(crate) fn request_error(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            request_error: true,
            ..Self::new(code, message)
        }
    }

    /// The same refusal naming the request parameter at fault.
    pub(crate) fn at(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    pub(crate) fn because(mut self, reason: Reason) -> Self {
        self.reason = reason;
        self
    }

    /// What the document asks for is refused (`field` is `query`).
    pub(crate) fn bad_document(message: impl Into<String>) -> Self {
        Self::bad_request(message).at("query")
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadUserInput, message)
    }

    /// The refusal as a GraphQL error, for transports without statuses.
    pub(crate) fn to_server_error(&self) -> ServerError {
        let mut error = ServerError::new(self.message.clone(), None);
        let extensions = error.extensions.get_or_insert_with(Default::default);
        extensions.set("code", self.code.as_str());
        if let Some(field) = self.field {
            extensions.set("field", field);
        }
        error
    }

    /// Counts and logs a refusal that leaves by another way than HTTP.
    pub(crate) fn record(&self, operation: &str, started: Instant) {
        super::outcome::record(operation, "rejected", &[self.code], started);
        tracing::info!(
            operation,
            outcome = "rejected",
            code = self.code.as_str(),
            "graphql operation refused: {}",
            self.message
        );
    }
}

impl From<AppError> for Rejection {
    fn from(err: AppError) -> Self {
        Self::new(err.code(), err.to_string())
    }
}
