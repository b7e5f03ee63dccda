//! A socket's credentials: those of the upgrade request, or the ones its
//! `connection_init` payload carries (browsers cannot set headers on a
//! WebSocket), and how long the token they name keeps the socket open.

use std::time::SystemTime;

use axum::http::HeaderMap;
use serde_json::Value;

use super::API_KEY_HEADER;
use crate::auth::Presented;

/// The `connection_init` entry of a bearer token (the header's name).
const AUTHORIZATION: &str = "authorization";

/// The credentials sent with the upgrade request, kept for the handshake.
#[derive(Default)]
pub(super) struct HeaderCredentials {
    api_key: Option<String>,
    authorization: Option<String>,
}

impl HeaderCredentials {
    pub(super) fn of(headers: &HeaderMap) -> Self {
        let presented = super::graphql::presented(headers);
        Self {
            api_key: presented.api_key.map(str::to_owned),
            authorization: presented.authorization.map(str::to_owned),
        }
    }

    /// What the handshake presents: a payload that carries any credential
    /// takes the place of the headers'.
    pub(super) fn with_payload<'a>(&'a self, payload: Option<&'a Value>) -> Presented<'a> {
        let entry = |name: &str| {
            payload
                .and_then(Value::as_object)
                .and_then(|p| p.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
                .and_then(|(_, v)| v.as_str())
        };
        let from_payload = Presented {
            api_key: entry(API_KEY_HEADER),
            authorization: entry(AUTHORIZATION),
        };
        if from_payload.api_key.is_some() || from_payload.authorization.is_some() {
            from_payload
        } else {
            Presented {
                api_key: self.api_key.as_deref(),
                authorization: self.authorization.as_deref(),
            }
        }
    }
}

/// When a socket opened with a token that expires at `expires` must close.
pub(super) fn deadline(expires: Option<SystemTime>) -> Option<tokio::time::Instant> {
    expires.map(|expires| {
        let left = expires
            .duration_since(SystemTime::now())
            .unwrap_or_default();
        tokio::time::Instant::now() + left
    })
}
