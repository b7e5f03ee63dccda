//! The key material: the HS256 secret and the JWKS document's public keys.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use serde_json::Value;

use super::algorithm_name;

/// Each key material read gets the next number, so a verification can say
/// which one it was made with (see `cache.rs`).
static GENERATIONS: AtomicU64 = AtomicU64::new(1);

fn next_generation() -> u64 {
    GENERATIONS.fetch_add(1, Ordering::Relaxed)
}

/// RFC 7518 §3.2: an HS256 key is at least as long as the hash.
const MIN_SECRET_BYTES: usize = 32;
/// RSA moduli below 2048 bits are refused (NIST SP 800-131A).
const MIN_RSA_BYTES: usize = 256;

/// The HS256 secret.
pub struct Secret {
    pub(super) key: DecodingKey,
    pub(super) generation: u64,
}

/// The JWKS keys by `kid`, each with the one algorithm it verifies.
pub struct KeySet {
    pub(super) keys: HashMap<String, PublicKey>,
    pub(super) generation: u64,
}

pub(super) struct PublicKey {
    pub(super) algorithm: Algorithm,
    pub(super) key: DecodingKey,
}

impl Secret {
    /// The file's bytes, surrounding whitespace trimmed.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let secret = bytes.trim_ascii();
        if secret.len() < MIN_SECRET_BYTES {
            return Err(format!(
                "the HS256 secret is {} bytes; it must be at least {MIN_SECRET_BYTES} \
                 (e.g. `openssl rand -base64 48`)",
                secret.len()
            ));
        }
        let key = DecodingKey::from_secret(secret).map_err(|e| e.to_string())?;
        Ok(Self {
            key,
            generation: next_generation(),
        })
    }
}

/// One key of a JWKS document, as much of it as is read.
#[derive(Deserialize)]
struct RawJwk {
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    alg: Option<String>,
    #[serde(default, rename = "use")]
    usage: Option<String>,
    #[serde(default)]
    key_ops: Option<Vec<String>>,
    #[serde(default)]
    crv: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
    #[serde(default)]
    x: Option<String>,
    #[serde(default)]
    y: Option<String>,
}

#[derive(Deserialize)]
struct RawJwks {
    keys: Vec<Value>,
}

impl KeySet {
    /// A JWKS document. Keys this server does not verify with (encryption
    /// keys, other algorithms and curves, symmetric keys, keys without a
    /// `kid`, RSA keys under 2048 bits, an `alg` that is not its type's,
    /// broken material) are skipped with a warning, as an OIDC provider's
    /// document may hold some; two keys with one `kid`, or keys of which
    /// none is usable, make the whole document unusable (`{"keys": []}` is
    /// taken: no key).
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let document: RawJwks = serde_json::from_slice(bytes)
            .map_err(|e| format!("not a JWKS document ({{\"keys\": [...]}}): {e}"))?;
        let mut keys = HashMap::new();
        let given = document.keys.len();
        for (index, value) in document.keys.into_iter().enumerate() {
            let jwk: RawJwk = serde_json::from_value(value)
                .map_err(|e| format!("key {index}: not a JWK: {e}"))?;
            let kid = jwk.kid.clone().unwrap_or_default();
            let key = match PublicKey::from_jwk(&jwk) {
                Ok(Some(key)) => key,
                Ok(None) => continue,
                Err(Skip(why)) => {
                    tracing::warn!(index, kid, "JWKS key skipped: {why}");
                    continue;
                }
            };
            if keys.insert(kid.clone(), key).is_some() {
                return Err(format!("two keys have the kid {kid:?}"));
            }
        }
        if given > 0 && keys.is_empty() {
            return Err(format!(
                "none of its {given} keys is an RS256, ES256 or EdDSA signature key with a kid"
            ));
        }
        Ok(Self {
            keys,
            generation: next_generation(),
        })
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Why a JWK is left out.
struct Skip(String);

fn field<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str, Skip> {
    value
        .as_deref()
        .ok_or_else(|| Skip(format!("its {name} is missing")))
}

impl PublicKey {
    /// `Ok(None)` for a key that is not for signatures, `Err` for one this
    /// server cannot verify with.
    fn from_jwk(jwk: &RawJwk) -> Result<Option<Self>, Skip> {
        let skip = |why: String| Err(Skip(why));
        if jwk.usage.as_deref().is_some_and(|u| u != "sig")
            || jwk
                .key_ops
                .as_ref()
                .is_some_and(|ops| !ops.iter().any(|op| op == "verify"))
        {
            return Ok(None);
        }
        if jwk.kid.as_deref().is_none_or(str::is_empty) {
            return skip("it has no kid, which tokens name their key by".into());
        }
        let (algorithm, key) = match (jwk.kty.as_str(), jwk.crv.as_deref()) {
            ("RSA", _) => {
                let n = field(&jwk.n, "n")?;
                let modulus = URL_SAFE_NO_PAD
                    .decode(n)
                    .map_err(|_| Skip("its n is not base64url".into()))?;
                let significant = modulus.iter().skip_while(|b| **b == 0).count();
                if significant < MIN_RSA_BYTES {
                    return skip(format!(
                        "its modulus is {} bits, under 2048",
                        significant * 8
                    ));
                }
                let key = DecodingKey::from_rsa_components(n, field(&jwk.e, "e")?);
                (Algorithm::RS256, key)
            }
            ("EC", Some("P-256")) => {
                let key = DecodingKey::from_ec_components(field(&jwk.x, "x")?, field(&jwk.y, "y")?);
                (Algorithm::ES256, key)
            }
            ("OKP", Some("Ed25519")) => (
                Algorithm::EdDSA,
                DecodingKey::from_ed_components(field(&jwk.x, "x")?),
            ),
            (kty, crv) => {
                return skip(format!(
                    "key type {kty}{} is not one of RSA, EC P-256, OKP Ed25519",
                    crv.map(|c| format!(" curve {c}")).unwrap_or_default()
                ));
            }
        };
        if let Some(alg) = jwk.alg.as_deref()
            && alg != algorithm_name(algorithm)
        {
            return skip(format!(
                "its alg {alg} is not {}, the one algorithm of its key type this server verifies",
                algorithm_name(algorithm)
            ));
        }
        let key = key.map_err(|e| Skip(format!("its key material is not valid: {e}")))?;
        Ok(Some(Self { algorithm, key }))
    }
}
