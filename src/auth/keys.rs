//! API keys: who may call, in which tenant, with which role.
//!
//! Keys are configured as `name:role:sha256-hex-of-key[:tenant[:agent-id]]`
//! lines, so the server
//! never holds a key itself, only its hash. A presented key is hashed and
//! compared with every configured hash in constant time, so neither the
//! comparison nor the number of comparisons reveals how close a guess was.

use std::fmt;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use uuid::Uuid;

use super::{Caller, Role, Tenant};
use crate::error::AppError;

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
        let names: Vec<_> = self.keys.iter().map(|k| k.caller.log_name()).collect();
        f.debug_struct("ApiKeys").field("names", &names).finish()
    }
}

impl ApiKeys {
    /// Parses `name:role:sha256hex[:tenant[:agent-id]]` entries, one per line (or separated by
    /// `,` or `;` in an environment variable); `#` starts a comment.
    pub fn parse(text: &str, source: &str) -> Result<Self, String> {
        let mut keys = Vec::new();
        for (index, entry) in text.split(['\n', ',', ';']).enumerate() {
            let entry = entry.split('#').next().unwrap_or("").trim();
            if entry.is_empty() {
                continue;
            }
            let fail = |why: &str| format!("{source}: entry {}: {why}", index + 1);
            let mut parts = entry.split(':');
            let (Some(name), Some(role), Some(hash)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(fail("expected name:role:sha256-hex[:tenant[:agent-id]]"));
            };
            let tenant = match parts.next().map(str::trim).filter(|t| !t.is_empty()) {
                Some(tenant) => Tenant::parse(tenant).map_err(|e| fail(&e))?,
                None => Tenant::default(),
            };
            let agent_id = match parts.next().map(str::trim).filter(|a| !a.is_empty()) {
                Some(id) => {
                    Some(Uuid::parse_str(id).map_err(|_| fail("the agent id must be a UUID"))?)
                }
                None => None,
            };
            if parts.next().is_some() {
                return Err(fail("too many fields"));
            }
            let role: Role = role.trim().parse().map_err(|e: String| fail(&e))?;
            let mut digest = [0u8; 32];
            hex::decode_to_slice(hash.trim(), &mut digest)
                .map_err(|_| fail("the hash must be 64 hex digits (a SHA-256)"))?;
            let name = name.trim();
            if name.is_empty() {
                return Err(fail("the name is empty"));
            }
            if (role == Role::Agent) != agent_id.is_some() {
                return Err(fail("an agent id is given with role agent, and only then"));
            }
            keys.push(ApiKey {
                caller: Caller {
                    name: Some(name.to_owned()),
                    role,
                    tenant,
                    agent_id,
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
pub fn generate(
    name: &str,
    role: Role,
    tenant: Option<&Tenant>,
    agent_id: Option<Uuid>,
) -> anyhow::Result<(String, String)> {
    if (role == Role::Agent) != agent_id.is_some() {
        anyhow::bail!("--agent-id is given with --role agent, and only then");
    }
    if name.is_empty() || name.contains([':', ',', ';', '#', '\n']) {
        anyhow::bail!("a key's name is not empty and has no : , ; # or line break");
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
    let key = format!("agk_{}", URL_SAFE_NO_PAD.encode(bytes));
    let mut line = format!("{name}:{}:{}", role.as_str(), hash_hex(&key));
    if tenant.is_some() || agent_id.is_some() {
        line.push(':');
        line.push_str(tenant.map_or(Tenant::DEFAULT, Tenant::as_str));
    }
    if let Some(agent_id) = agent_id {
        line.push(':');
        line.push_str(&agent_id.to_string());
    }
    Ok((key, line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_authenticates_through_its_line() {
        let (key, line) = generate("ci", Role::Write, None, None).expect("key");
        let keys = ApiKeys::parse(&line, "test").expect("parse");
        assert_eq!(
            keys.authenticate(&key),
            Some(Caller {
                name: Some("ci".into()),
                role: Role::Write,
                tenant: Tenant::default(),
                agent_id: None,
            })
        );
        let agent = Uuid::now_v7();
        let tenant = Tenant::parse("team-a").expect("tenant");
        let (key, line) = generate("bot", Role::Agent, Some(&tenant), Some(agent)).expect("key");
        let caller = ApiKeys::parse(&line, "test")
            .expect("parse")
            .authenticate(&key)
            .expect("the agent's key");
        assert_eq!((caller.tenant, caller.agent_id), (tenant, Some(agent)));
        assert!(generate("bot", Role::Agent, None, None).is_err());
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
        let hash = hash_hex("k");
        assert!(ApiKeys::parse(&format!("a:read:{hash}:bad tenant"), "f").is_err());
        assert!(ApiKeys::parse(&format!("a:agent:{hash}:t"), "f").is_err());
        assert!(ApiKeys::parse(&format!("a:agent:{hash}:t:not-a-uuid"), "f").is_err());
        let id = Uuid::now_v7();
        assert!(ApiKeys::parse(&format!("a:agent:{hash}:t:{id}"), "f").is_ok());
        assert!(ApiKeys::parse(&format!("a:read:{hash}:t:{id}"), "f").is_err());
    }
}
