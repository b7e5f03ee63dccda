//! What a token says: the header fields that pick the key, and the claims a
//! [`Caller`] is made of.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use crate::auth::refusal::{Reason, Refused};
use crate::auth::{Caller, Role, Tenant};

/// The part of the header that picks the key.
#[derive(Deserialize)]
pub(super) struct Header {
    pub(super) alg: String,
    #[serde(default)]
    pub(super) kid: Option<String>,
}

impl Header {
    pub(super) fn parse(token: &str) -> Result<Self, Refused> {
        let malformed = |why: &str| Refused::new(Reason::Malformed, why.to_owned());
        let mut parts = token.split('.');
        let (Some(header), Some(_), Some(_), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed("not three dot-separated parts"));
        };
        let json = URL_SAFE_NO_PAD
            .decode(header)
            .map_err(|_| malformed("the header is not base64url"))?;
        serde_json::from_slice(&json).map_err(|_| malformed("the header is not a JWT header"))
    }
}

/// The top-level claims read without a namespace (`jsonwebtoken` reads
/// `exp`, `nbf`, `iss` and `aud` for itself).
#[derive(Deserialize)]
pub(super) struct Claims {
    #[serde(default)]
    exp: Value,
    #[serde(default)]
    sub: Value,
    #[serde(default)]
    role: Value,
    #[serde(default)]
    tenant: Value,
    #[serde(default)]
    agent_id: Value,
}

impl Claims {
    /// `exp` (as far as it is a number) and the identity.
    pub(super) fn split(self) -> (Option<f64>, Identity) {
        let identity = Identity {
            sub: self.sub,
            role: self.role,
            tenant: self.tenant,
            agent_id: self.agent_id,
        };
        (self.exp.as_f64(), identity)
    }
}

/// The claims a caller is made of; any JSON is taken here and judged in
/// [`Identity::caller`], so a claim of the wrong type is `bad_claims`.
#[derive(Deserialize)]
pub(super) struct Identity {
    #[serde(default)]
    sub: Value,
    #[serde(default)]
    role: Value,
    #[serde(default)]
    tenant: Value,
    #[serde(default)]
    agent_id: Value,
}

impl Identity {
    pub(super) fn caller(self) -> Result<Caller, Refused> {
        let bad = |why: String| Refused::new(Reason::BadClaims, why);
        let name = match self.sub {
            Value::String(sub) if !sub.is_empty() => sub,
            _ => return Err(bad("sub is missing or not a non-empty string".into())),
        };
        let role: Role = match &self.role {
            Value::String(role) => role.parse().map_err(bad)?,
            _ => return Err(bad("role is missing or not a string".into())),
        };
        let tenant = match &self.tenant {
            Value::Null => Tenant::default(),
            Value::String(tenant) => Tenant::parse(tenant).map_err(bad)?,
            _ => return Err(bad("tenant is not a string".into())),
        };
        let agent_id = match (&self.agent_id, role) {
            (Value::Null, Role::Agent) => {
                return Err(bad("role agent needs an agent_id".into()));
            }
            (Value::Null, _) => None,
            (Value::String(id), Role::Agent) => {
                Some(Uuid::parse_str(id).map_err(|_| bad("agent_id is not a UUID".into()))?)
            }
            (_, Role::Agent) => return Err(bad("agent_id is not a string".into())),
            (_, _) => return Err(bad("agent_id is given with a role other than agent".into())),
        };
        Ok(Caller {
            name: Some(name),
            role,
            tenant,
            agent_id,
        })
    }
}
