//! Why a credential was refused. The client is told only that it was (one
//! message for every reason but a missing credential, so that a forger
//! learns nothing from the answer); the reason goes to the metrics, a
//! fixed set of labels, and to the debug log with its detail.

use std::fmt;

use crate::error::AppError;

/// The label of `agentgraph_auth_refusals_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// No credential this server takes.
    Missing,
    /// An API key and a bearer token in one request (which one speaks?).
    Ambiguous,
    /// An API key the server does not know.
    UnknownKey,
    /// Not a JWT: not three base64url parts, or a header that is not JSON.
    Malformed,
    /// Longer than [`super::jwt::MAX_TOKEN_BYTES`]; refused unread.
    TooLarge,
    /// `alg` none, unknown, or not the algorithm of the configured key.
    BadAlgorithm,
    /// No `kid`, or one that names no JWKS key.
    UnknownKid,
    BadSignature,
    Expired,
    NotYetValid,
    WrongIssuer,
    WrongAudience,
    /// `sub`, `role`, `tenant` or `agent_id` missing or invalid, no `exp`.
    BadClaims,
}

impl Reason {
    pub const ALL: [Self; 13] = [
        Self::Missing,
        Self::Ambiguous,
        Self::UnknownKey,
        Self::Malformed,
        Self::TooLarge,
        Self::BadAlgorithm,
        Self::UnknownKid,
        Self::BadSignature,
        Self::Expired,
        Self::NotYetValid,
        Self::WrongIssuer,
        Self::WrongAudience,
        Self::BadClaims,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Ambiguous => "ambiguous",
            Self::UnknownKey => "unknown_key",
            Self::Malformed => "malformed",
            Self::TooLarge => "too_large",
            Self::BadAlgorithm => "bad_algorithm",
            Self::UnknownKid => "unknown_kid",
            Self::BadSignature => "bad_signature",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::WrongIssuer => "wrong_issuer",
            Self::WrongAudience => "wrong_audience",
            Self::BadClaims => "bad_claims",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the client is told about every refusal but [`Reason::Missing`] and
/// [`Reason::Ambiguous`] (which say how to call instead).
pub const NOT_VALID: &str = "the credentials are not valid";

/// A refused credential: the reason and, for the debug log only, the detail.
#[derive(Debug, Clone)]
pub struct Refused {
    pub reason: Reason,
    pub detail: String,
}

impl Refused {
    pub fn new(reason: Reason, detail: impl Into<String>) -> Self {
        Self {
            reason,
            detail: detail.into(),
        }
    }
}

impl From<Refused> for AppError {
    fn from(refused: Refused) -> Self {
        Self::Unauthenticated(match refused.reason {
            Reason::Missing | Reason::Ambiguous => refused.detail,
            _ => NOT_VALID.to_owned(),
        })
    }
}
