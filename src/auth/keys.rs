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

use super::watched::Watched;
use super::{Caller, Role, Tenant};

#[derive(Clone)]
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

    /// The keys in force: those of the file (read again whenever it
    /// changes) and those of the environment (fixed), merged; `None` when
    /// neither is given, which turns keys off. A keys file given turns keys
    /// on even while it holds none, so emptying it refuses every key rather
    /// than opening the server.
    pub fn watched(
        file: Option<&Path>,
        env: Option<&str>,
    ) -> anyhow::Result<Option<Watched<Self>>> {
        let fixed = match env {
            Some(text) => Self::parse(text, "AGENTGRAPH_API_KEYS").map_err(anyhow::Error::msg)?,
            None => Self::default(),
        };
        let Some(path) = file else {
            return Ok((!fixed.is_empty()).then(|| Watched::fixed("API keys", fixed)));
        };
        let source = path.display().to_string();
        let watched = Watched::load("API keys", path, move |bytes| {
            let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned())?;
            let mut keys = Self::parse(text, &source)?;
            keys.keys.extend(fixed.keys.iter().cloned());
            Ok(keys)
        })?;
        Ok(Some(watched))
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn len(&self) -> usize {
        self.keys.len()
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
    fn read_keys_may_not_mutate() {
        use crate::error::ErrorCode;
        let keys = ApiKeys::parse(&format!("r:read:{}", hash_hex("r")), "test").expect("parse");
        let reader = keys.authenticate("r").expect("a caller");
        assert_eq!(
            reader.may_mutate().err().map(|e| e.code()),
            Some(ErrorCode::Forbidden)
        );
    }

    #[test]
    fn a_keys_file_merges_with_the_environment_and_turns_keys_on_even_when_empty() {
        assert!(ApiKeys::watched(None, None).expect("none").is_none());
        assert!(ApiKeys::watched(None, Some("")).expect("empty").is_none());
        let path = std::env::temp_dir().join(format!("agentgraph-keys-{}", Uuid::now_v7()));
        std::fs::write(&path, "# no keys yet\n").expect("write");
        let env = format!("e:read:{}", hash_hex("env"));
        let watched = ApiKeys::watched(Some(&path), Some(&env))
            .expect("load")
            .expect("keys on");
        assert_eq!(watched.current().len(), 1);
        std::fs::write(&path, format!("f:write:{}\n", hash_hex("file"))).expect("write");
        watched.reload_if_changed();
        let keys = watched.current();
        assert_eq!(keys.authenticate("file").map(|c| c.role), Some(Role::Write));
        assert_eq!(keys.authenticate("env").map(|c| c.role), Some(Role::Read));
        let empty = ApiKeys::watched(Some(&path), None)
            .expect("load")
            .expect("on");
        std::fs::write(&path, "").expect("write");
        empty.reload_if_changed();
        assert!(empty.current().is_empty());
        let _ = std::fs::remove_file(&path);
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
