//! API keys: who may call, and whether they may write.
//!
//! Keys are configured as `name:role:sha256-hex-of-key` lines, so the server
//! never holds a key itself, only its hash. A presented key is hashed and
//! compared with every configured hash in constant time, so neither the
//! comparison nor the number of comparisons reveals how close a guess was.

use std::fmt;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::AppError;

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    /// Queries only.
    Read,
    /// Queries and mutations.
    Write,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "read" => Ok(Self::Read),
            "write" => Ok(Self::Write),
            other => Err(format!("unknown role `{other}` (expected read or write)")),
        }
    }
}

/// The caller a request was authenticated as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub name: String,
    pub role: Role,
}

impl Caller {
    /// Mutations need a write key.
    pub fn may_mutate(&self) -> Result<(), AppError> {
        match self.role {
            Role::Write => Ok(()),
            Role::Read => Err(AppError::Forbidden(
                "this API key is read-only; mutations need a write key".into(),
            )),
        }
    }
}

struct ApiKey {
    caller: Caller,
    hash: [u8; 32],
}

/// The configured keys; empty means authentication is off.
#[derive(Default)]
pub struct ApiKeys {
    keys: Vec<ApiKey>,
}

impl fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = self.keys.iter().map(|k| &k.caller.name).collect();
        f.debug_struct("ApiKeys").field("names", &names).finish()
    }
}

impl ApiKeys {
    /// Parses `name:role:sha256hex` entries, one per line (or separated by
    /// `,` or `;` in an environment variable); `#` starts a comment.
    pub fn parse(text: &str, source: &str) -> Result<Self, String> {
        let mut keys = Vec::new();
        for (index, entry) in text.split(['\n', ',', ';']).enumerate() {
            let entry = entry.split('#').next().unwrap_or("").trim();
            if entry.is_empty() {
                continue;
            }
            let fail = |why: &str| format!("{source}: entry {}: {why}", index + 1);
            let mut parts = entry.splitn(3, ':');
            let (Some(name), Some(role), Some(hash)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(fail("expected name:role:sha256-hex"));
            };
            let role: Role = role.trim().parse().map_err(|e: String| fail(&e))?;
            let mut digest = [0u8; 32];
            hex::decode_to_slice(hash.trim(), &mut digest)
                .map_err(|_| fail("the hash must be 64 hex digits (a SHA-256)"))?;
            let name = name.trim();
            if name.is_empty() {
                return Err(fail("the name is empty"));
            }
            keys.push(ApiKey {
                caller: Caller {
                    name: name.to_owned(),
                    role,
                },
                hash: digest,
            });
        }
        Ok(Self { keys })
    }

    /// Keys from a file and/or an environment value, merged.
    pub fn load(file: Option<&Path>, env: Option<&str>) -> anyhow::Result<Self> {
        let mut all = Self::default();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                anyhow::anyhow!("cannot read API keys file {}: {e}", path.display())
            })?;
            all.keys.extend(
                Self::parse(&text, &path.display().to_string())
                    .map_err(anyhow::Error::msg)?
                    .keys,
            );
        }
        if let Some(text) = env {
            all.keys.extend(
                Self::parse(text, "AGENTGRAPH_API_KEYS")
                    .map_err(anyhow::Error::msg)?
                    .keys,
            );
        }
        Ok(all)
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Who presents `presented` (the `X-API-Key` header, if sent): `None`
    /// when authentication is off, UNAUTHENTICATED for a missing or unknown key.
    pub fn caller(&self, presented: Option<&str>) -> Result<Option<Caller>, AppError> {
        if self.is_empty() {
            return Ok(None);
        }
        let Some(presented) = presented.map(str::trim).filter(|k| !k.is_empty()) else {
            return Err(AppError::Unauthenticated(
                "an API key is required in the X-API-Key header".into(),
            ));
        };
        match self.authenticate(presented) {
            Some(caller) => Ok(Some(caller)),
            None => Err(AppError::Unauthenticated("the API key is not valid".into())),
        }
    }

    /// The caller whose key this is, if any.
    pub fn authenticate(&self, presented: &str) -> Option<Caller> {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        // Every hash is compared, match or not, so timing says nothing.
        let mut found = None;
        for key in &self.keys {
            if bool::from(key.hash.ct_eq(&digest)) && found.is_none() {
                found = Some(key.caller.clone());
            }
        }
        found
    }
}

/// The SHA-256 of a key, as it goes in a keys file.
pub fn hash_hex(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// A fresh random key (256 bits) and its keys-file line.
pub fn generate(name: &str, role: Role) -> anyhow::Result<(String, String)> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
    let key = format!("agk_{}", URL_SAFE_NO_PAD.encode(bytes));
    let line = format!("{name}:{}:{}", role.as_str(), hash_hex(&key));
    Ok((key, line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_authenticates_through_its_line() {
        let (key, line) = generate("ci", Role::Write).expect("key");
        let keys = ApiKeys::parse(&line, "test").expect("parse");
        assert_eq!(
            keys.authenticate(&key),
            Some(Caller {
                name: "ci".into(),
                role: Role::Write
            })
        );
        assert_eq!(keys.authenticate("agk_wrong"), None);
        assert_eq!(keys.authenticate(""), None);
    }

    #[test]
    fn missing_and_unknown_keys_are_unauthenticated_and_read_keys_may_not_mutate() {
        use crate::error::ErrorCode;
        assert_eq!(ApiKeys::default().caller(None).ok(), Some(None));
        let keys = ApiKeys::parse(&format!("r:read:{}", hash_hex("r")), "test").expect("parse");
        for presented in [None, Some(""), Some("wrong")] {
            let refused = keys.caller(presented).err().map(|e| e.code());
            assert_eq!(refused, Some(ErrorCode::Unauthenticated), "{presented:?}");
        }
        let reader = keys.caller(Some(" r ")).ok().flatten().expect("a caller");
        assert_eq!(
            reader.may_mutate().err().map(|e| e.code()),
            Some(ErrorCode::Forbidden)
        );
    }

    #[test]
    fn comments_blank_lines_and_separators_are_accepted() {
        let text = format!(
            "# keys\n\nreader:read:{}\nwriter:write:{} # ops\n",
            hash_hex("r"),
            hash_hex("w")
        );
        let keys = ApiKeys::parse(&text, "test").expect("parse");
        assert_eq!(keys.len(), 2);
        assert_eq!(keys.authenticate("r").map(|c| c.role), Some(Role::Read));
        let env = format!("a:read:{},b:write:{}", hash_hex("x"), hash_hex("y"));
        assert_eq!(ApiKeys::parse(&env, "env").expect("parse").len(), 2);
    }

    #[test]
    fn malformed_entries_are_refused_with_their_position() {
        assert!(ApiKeys::parse("a:admin:00", "f").is_err());
        let err = ApiKeys::parse("a:read:xyz", "f").err().unwrap_or_default();
        assert!(err.contains("entry 1"), "{err}");
        assert!(ApiKeys::parse("justaname", "f").is_err());
    }
}
