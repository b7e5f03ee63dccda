//! What can go wrong with a request, and whether it may be sent again.

use std::fmt;

use reqwest::StatusCode;

/// Why a request did not produce the data its operation asked for.
#[derive(Debug)]
pub enum Error {
    /// The request could not be sent or its response not read.
    Transport(String),
    /// The server answered with a status other than 200.
    Status { status: StatusCode, message: String },
    /// The response carried GraphQL errors; the first one's code, message
    /// and `extensions.field` (the input value or argument it is about).
    GraphQL {
        code: String,
        message: String,
        field: Option<String>,
    },
    /// The body was not a GraphQL response fitting the operation (a field
    /// missing, null where the schema says non-null, of the wrong type...).
    Decode(String),
    /// Neither `data` nor `errors` in the response.
    NoData,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(message) => write!(f, "request failed: {message}"),
            Self::Status { status, message } => write!(f, "HTTP {status}: {message}"),
            Self::GraphQL {
                code,
                message,
                field: Some(field),
            } => write!(f, "GraphQL error {code} on {field}: {message}"),
            Self::GraphQL { code, message, .. } => write!(f, "GraphQL error {code}: {message}"),
            Self::Decode(message) => write!(f, "unexpected response: {message}"),
            Self::NoData => write!(f, "unexpected response: no data and no errors"),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// Whether the request may be sent again as it is: the server was not
    /// reached or did not answer, or said it could not serve it now. A
    /// create is safe to resend only with its idempotency key.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport(_) => true,
            Self::Status { status, .. } => *status == StatusCode::SERVICE_UNAVAILABLE,
            Self::GraphQL { code, .. } => code == "SERVICE_UNAVAILABLE",
            Self::Decode(_) | Self::NoData => false,
        }
    }

    /// Whether the server did not know the hash sent for the document
    /// (automatic persisted queries: send the text with it).
    pub fn is_persisted_query_not_found(&self) -> bool {
        matches!(self, Self::GraphQL { code, .. } if code == "PERSISTED_QUERY_NOT_FOUND")
    }

    /// Whether a work-queue call failed because its lease is gone (CONFLICT
    /// on `token`): it expired, a newer claim holds the task, or the task
    /// left RUNNING another way. Nothing was changed; the worker drops the
    /// task, since the queue already gave it, or will give it, to someone.
    pub fn is_lease_lost(&self) -> bool {
        matches!(
            self,
            Self::GraphQL { code, field: Some(field), .. } if code == "CONFLICT" && field == "token"
        )
    }

    pub(crate) fn transport(err: &reqwest::Error) -> Self {
        if err.is_timeout() {
            return Self::Transport("timed out".into());
        }
        // The innermost causes say what went wrong ("Connection refused"); the
        // URL is left out so that equal failures read alike.
        let mut message = err.to_string();
        if let Some(url) = err.url() {
            message = message.replace(&format!(" for url ({url})"), "");
        }
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        Self::Transport(message)
    }

    pub(crate) fn decode(err: &serde_json::Error) -> Self {
        // Drop " at line 1 column 87" so that equal failures read alike.
        let message = err.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message);
        Self::Decode(message.to_owned())
    }
}
