//! One place that turns what a request presents (an API key, a bearer
//! token, or nothing) into a [`Caller`], for HTTP, SSE and WebSocket alike.
//!
//! - Neither keys nor JWT configured: every caller is [`Caller::anonymous`],
//!   whatever it sends.
//! - Otherwise a request presents exactly one credential this server takes:
//!   `X-API-Key` (when keys are configured) or `Authorization: Bearer`
//!   (when JWT is). A bearer token that is sent must verify, even when a
//!   key could have been sent instead; an `Authorization` header of another
//!   scheme, or any header of a kind not configured, is not a credential.
//!   Both kinds at once are refused rather than one silently preferred.
//!
//! Every refusal is counted by reason and logged at debug level with its
//! detail; the client gets UNAUTHENTICATED and one message for all of them.

use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use super::Caller;
use super::jwt::{JwtOptions, JwtVerifier};
use super::keys::ApiKeys;
use super::refusal::{Reason, Refused};
use super::watched::{POLL_EVERY, Watched};
use crate::error::AppError;

/// What the server accepts as credentials.
pub struct AuthOptions<'a> {
    pub api_keys_file: Option<&'a Path>,
    /// Keys from the environment: fixed for the life of the process.
    pub api_keys: Option<&'a str>,
    pub jwt: JwtOptions<'a>,
}

/// The credentials a request presents, as sent.
#[derive(Debug, Default, Clone, Copy)]
pub struct Presented<'a> {
    /// `X-API-Key` (or the `x-api-key` entry of a `connection_init`).
    pub api_key: Option<&'a str>,
    /// `Authorization` (or the `authorization` entry).
    pub authorization: Option<&'a str>,
}

/// Who the request is, and until when a long-lived connection may stay so.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub caller: Caller,
    /// A token's `exp` plus the leeway; `None` for keys and anonymous callers.
    pub expires: Option<SystemTime>,
}

/// Checks credentials; shared by every transport.
#[derive(Default)]
pub struct Authenticator {
    keys: Option<Arc<Watched<ApiKeys>>>,
    jwt: Option<JwtVerifier>,
}

impl Authenticator {
    /// Credentials off: everyone is anonymous.
    pub fn off() -> Self {
        Self::default()
    }

    pub fn new(options: &AuthOptions<'_>) -> anyhow::Result<Self> {
        let keys = ApiKeys::watched(options.api_keys_file, options.api_keys)?.map(Arc::new);
        let jwt = JwtVerifier::new(&options.jwt)?;
        Ok(Self { keys, jwt })
    }

    /// Whether every caller is anonymous.
    pub fn is_off(&self) -> bool {
        self.keys.is_none() && self.jwt.is_none()
    }

    /// Whether bearer tokens are taken (a 401 then says `WWW-Authenticate: Bearer`).
    pub fn takes_tokens(&self) -> bool {
        self.jwt.is_some()
    }

    /// How many API keys are in force (`None`: keys are off).
    pub fn key_count(&self) -> Option<usize> {
        self.keys.as_ref().map(|keys| keys.current().len())
    }

    /// Rereads the keys file, JWT secret file and JWKS file when they
    /// change, until `stop` turns true.
    pub fn spawn_watchers(&self, stop: &tokio::sync::watch::Receiver<bool>) {
        if let Some(keys) = &self.keys {
            keys.spawn(POLL_EVERY, stop.clone());
        }
        if let Some(jwt) = &self.jwt {
            jwt.spawn_watchers(stop);
        }
    }

    /// The caller `presented` proves, or UNAUTHENTICATED (counted by reason).
    pub fn authenticate(&self, presented: Presented<'_>) -> Result<Authenticated, AppError> {
        self.check(presented).map_err(|refused| {
            ::metrics::counter!(crate::metrics::AUTH_REFUSALS, "reason" => refused.reason.as_str())
                .increment(1);
            tracing::debug!(
                reason = refused.reason.as_str(),
                detail = %refused.detail,
                "credentials refused"
            );
            AppError::from(refused)
        })
    }

    fn check(&self, presented: Presented<'_>) -> Result<Authenticated, Refused> {
        if self.is_off() {
            return Ok(Authenticated {
                caller: Caller::anonymous(),
                expires: None,
            });
        }
        let key = match &self.keys {
            Some(_) => presented.api_key.map(str::trim).filter(|k| !k.is_empty()),
            None => None,
        };
        let token = match &self.jwt {
            Some(_) => presented.authorization.and_then(bearer),
            None => None,
        };
        match (key, token, &self.keys, &self.jwt) {
            (Some(_), Some(_), _, _) => Err(Refused::new(
                Reason::Ambiguous,
                "send one credential: an API key (X-API-Key) or a bearer token \
                 (Authorization), not both",
            )),
            (Some(key), None, Some(keys), _) => match keys.current().authenticate(key) {
                Some(caller) => Ok(Authenticated {
                    caller,
                    expires: None,
                }),
                None => Err(Refused::new(
                    Reason::UnknownKey,
                    "no configured key matches",
                )),
            },
            (None, Some(""), _, _) => Err(Refused::new(Reason::Malformed, "an empty bearer token")),
            (None, Some(token), _, Some(jwt)) => jwt.verify(token).map(|verified| Authenticated {
                caller: verified.caller,
                expires: Some(verified.expires),
            }),
            _ => Err(Refused::new(Reason::Missing, self.what_is_required())),
        }
    }

    fn what_is_required(&self) -> &'static str {
        match (&self.keys, &self.jwt) {
            (Some(_), Some(_)) => {
                "credentials are required: an API key in the X-API-Key header or a bearer \
                 token in the Authorization header"
            }
            (None, Some(_)) => "a bearer token is required in the Authorization header",
            _ => "an API key is required in the X-API-Key header",
        }
    }
}

/// The token of `Bearer <token>` (the scheme is case-insensitive, RFC 7235);
/// `None` for another scheme.
fn bearer(authorization: &str) -> Option<&str> {
    let authorization = authorization.trim();
    let (scheme, rest) = authorization.split_once(' ').unwrap_or((authorization, ""));
    scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::hash_hex;
    use crate::auth::jwt::JwtOptions;
    use crate::error::ErrorCode;

    fn no_jwt() -> JwtOptions<'static> {
        JwtOptions {
            secret_file: None,
            jwks_file: None,
            issuer: None,
            audience: None,
            namespace: None,
        }
    }

    fn refused(auth: &Authenticator, presented: Presented<'_>) -> Option<Reason> {
        auth.check(presented).err().map(|refused| refused.reason)
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_other_schemes_are_not_tokens() {
        assert_eq!(bearer("Bearer abc.def.ghi"), Some("abc.def.ghi"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("BEARER"), Some(""));
        assert_eq!(bearer("Basic dXNlcjpwYXNz"), None);
        assert_eq!(bearer("Bearerabc"), None);
    }

    #[test]
    fn with_credentials_off_everyone_is_anonymous_whatever_they_send() {
        let auth = Authenticator::off();
        let sent = Presented {
            api_key: Some("agk_x"),
            authorization: Some("Bearer nonsense"),
        };
        let caller = auth.authenticate(sent).expect("anonymous").caller;
        assert_eq!(caller, Caller::anonymous());
    }

    #[test]
    fn with_keys_only_a_bearer_header_is_not_a_credential() {
        let line = format!("ci:write:{}", hash_hex("agk_ok"));
        let auth = Authenticator::new(&AuthOptions {
            api_keys_file: None,
            api_keys: Some(&line),
            jwt: no_jwt(),
        })
        .expect("keys");
        let token_only = Presented {
            api_key: None,
            authorization: Some("Bearer x.y.z"),
        };
        assert_eq!(refused(&auth, token_only), Some(Reason::Missing));
        let both = Presented {
            api_key: Some("agk_ok"),
            authorization: Some("Bearer x.y.z"),
        };
        assert!(auth.check(both).is_ok());
        let unknown = Presented {
            api_key: Some("agk_no"),
            authorization: None,
        };
        assert_eq!(refused(&auth, unknown), Some(Reason::UnknownKey));
        let err = auth.authenticate(unknown).expect_err("refused");
        assert_eq!(err.code(), ErrorCode::Unauthenticated);
        assert_eq!(err.to_string(), crate::auth::refusal::NOT_VALID);
    }

    #[test]
    fn with_keys_and_tokens_one_credential_is_sent_and_a_bearer_token_must_verify() {
        let line = format!("ci:write:{}", hash_hex("agk_ok"));
        let secret =
            std::env::temp_dir().join(format!("agentgraph-secret-{}", uuid::Uuid::now_v7()));
        std::fs::write(&secret, "0123456789abcdef0123456789abcdef").expect("write");
        let auth = Authenticator::new(&AuthOptions {
            api_keys_file: None,
            api_keys: Some(&line),
            jwt: JwtOptions {
                secret_file: Some(&secret),
                ..no_jwt()
            },
        })
        .expect("both");
        let _ = std::fs::remove_file(&secret);
        let key = Presented {
            api_key: Some("agk_ok"),
            authorization: None,
        };
        assert!(auth.check(key).is_ok());
        let both = Presented {
            api_key: Some("agk_ok"),
            authorization: Some("Bearer x.y.z"),
        };
        assert_eq!(refused(&auth, both), Some(Reason::Ambiguous));
        let bad_token = Presented {
            api_key: None,
            authorization: Some("Bearer x.y.z"),
        };
        assert_eq!(refused(&auth, bad_token), Some(Reason::Malformed));
        let empty = Presented {
            api_key: None,
            authorization: Some("Bearer "),
        };
        assert_eq!(refused(&auth, empty), Some(Reason::Malformed));
        let basic = Presented {
            api_key: None,
            authorization: Some("Basic dXNlcjpwYXNz"),
        };
        assert_eq!(refused(&auth, basic), Some(Reason::Missing));
        assert!(auth.takes_tokens());
    }
}
