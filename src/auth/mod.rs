//! Who is calling: credentials (API keys, JWT bearer tokens) turned into a
//! [`Caller`] with a role and a tenant. Everything below the transports
//! sees only the `Caller`; how it was proven stays here.

mod authenticator;
pub mod jwt;
pub mod keys;
pub mod refusal;
pub mod watched;

use std::fmt;
use std::sync::Arc;

use uuid::Uuid;

use crate::error::AppError;

pub use authenticator::{AuthOptions, Authenticated, Authenticator, Presented};
pub use keys::{ApiKeys, generate, hash_hex};

/// What a caller may do (the contract's `Role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Role {
    /// Queries and subscriptions.
    Read,
    /// Everything.
    Write,
    /// Acts as one agent of its tenant: reads the tenant, works its own tasks.
    Agent,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Agent => "agent",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "read" => Ok(Self::Read),
            "write" => Ok(Self::Write),
            "agent" => Ok(Self::Agent),
            other => Err(format!(
                "unknown role `{other}` (expected read, write or agent)"
            )),
        }
    }
}

/// A tenant's name: 1..=64 characters of `A-Z a-z 0-9 _ . -`. Every row
/// belongs to one, and every statement a caller causes is bound to its.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tenant(Arc<str>);

impl Tenant {
    pub const DEFAULT: &'static str = "default";

    pub fn parse(name: &str) -> Result<Self, String> {
        let valid = (1..=64).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if valid {
            Ok(Self(name.into()))
        } else {
            Err(format!(
                "`{name}` is not a tenant name (1 to 64 characters of A-Z a-z 0-9 _ . -)"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A tenant the server itself stored (a row's), so already valid.
    pub fn trusted(name: &str) -> Self {
        Self(name.into())
    }
}

impl Default for Tenant {
    fn default() -> Self {
        Self(Self::DEFAULT.into())
    }
}

impl fmt::Debug for Tenant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Tenant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The caller a request was authenticated as. With credentials off every
/// caller is [`Caller::anonymous`]: WRITE in tenant `default`, no name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Caller {
    /// The key's name or the token's `sub`.
    pub name: Option<String>,
    pub role: Role,
    pub tenant: Tenant,
    /// The agent an AGENT caller acts as (as claimed; whether it exists in
    /// the tenant is the service's to check).
    pub agent_id: Option<Uuid>,
}

impl Caller {
    pub fn anonymous() -> Self {
        Self {
            name: None,
            role: Role::Write,
            tenant: Tenant::default(),
            agent_id: None,
        }
    }

    /// Mutations need WRITE or AGENT (whose mutations the service narrows).
    pub fn may_mutate(&self) -> Result<(), AppError> {
        match self.role {
            Role::Write | Role::Agent => Ok(()),
            Role::Read => Err(AppError::Forbidden(
                "this credential is read-only; mutations need a write credential".into(),
            )),
        }
    }

    /// The name logs show: the key's name, the token's `sub`, or `-`.
    pub fn log_name(&self) -> &str {
        self.name.as_deref().unwrap_or("-")
    }
}
