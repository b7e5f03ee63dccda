//! JWT bearer tokens: HS256 with a shared secret, RS256, ES256 and EdDSA
//! with the public keys of a JWKS document.
//!
//! The configured key decides the algorithm, never the token: an HS256
//! token is checked only against the secret, and an RS256, ES256 or EdDSA
//! token only against the JWKS key its `kid` names, whose own algorithm
//! (from its `alg`, else its type and curve) must be the token's. So a
//! public key can never serve as an HMAC secret, `alg: none` names no key,
//! and a JWKS key of another algorithm than the token's refuses it. The
//! signature, `exp` (required), `nbf`, `iss` and `aud` are checked by
//! `jsonwebtoken`; the claims are then read into a [`Caller`].

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

mod cache;
mod claims;
mod keys;
#[cfg(test)]
mod tests;

use cache::{Source, TokenCache};
use claims::{Claims, Header, Identity};

pub use keys::{KeySet, Secret};

use super::Caller;
use super::refusal::{Reason, Refused};
use super::watched::Watched;

/// The largest token looked at; anything longer is refused unread. Real
/// tokens are well under 2 KiB, and a bound keeps base64 and JSON decoding
/// of hostile input small.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Clock skew allowed on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECS: u64 = 60;

/// How tokens are checked; everything but the key material is fixed at start.
pub struct JwtOptions<'a> {
    pub secret_file: Option<&'a Path>,
    pub jwks_file: Option<&'a Path>,
    pub issuer: Option<&'a str>,
    pub audience: Option<&'a str>,
    pub namespace: Option<&'a str>,
}

/// Verifies bearer tokens.
pub struct JwtVerifier {
    secret: Option<Arc<Watched<Secret>>>,
    jwks: Option<Arc<Watched<KeySet>>>,
    namespace: Option<String>,
    cache: TokenCache,
    hs256: Validation,
    rs256: Validation,
    es256: Validation,
    eddsa: Validation,
}

/// A token's verified identity and when it stops being valid.
#[derive(Debug, Clone)]
pub struct Verified {
    pub caller: Caller,
    /// `exp` plus the leeway: a connection that outlives it is closed.
    pub expires: SystemTime,
}

impl JwtVerifier {
    /// `None` when neither a secret nor a JWKS file is configured.
    pub fn new(options: &JwtOptions<'_>) -> anyhow::Result<Option<Self>> {
        if options.secret_file.is_none() && options.jwks_file.is_none() {
            if options.issuer.is_some() || options.audience.is_some() || options.namespace.is_some()
            {
                anyhow::bail!(
                    "--jwt-issuer, --jwt-audience and --jwt-claims-namespace need \
                     --jwt-secret-file or --jwks-file"
                );
            }
            return Ok(None);
        }
        let secret = match options.secret_file {
            Some(path) => Some(Arc::new(Watched::load("JWT secret", path, Secret::parse)?)),
            None => None,
        };
        let jwks = match options.jwks_file {
            Some(path) => {
                let jwks = Watched::load("JWKS", path, KeySet::parse)?;
                tracing::info!(
                    keys = jwks.current().keys.len(),
                    file = %path.display(),
                    "JWKS loaded"
                );
                Some(Arc::new(jwks))
            }
            None => None,
        };
        if let Some(namespace) = options.namespace
            && namespace.is_empty()
        {
            anyhow::bail!("--jwt-claims-namespace is empty");
        }
        let validation = |algorithm| validation(algorithm, options.issuer, options.audience);
        Ok(Some(Self {
            secret,
            jwks,
            namespace: options.namespace.map(str::to_owned),
            cache: TokenCache::new(),
            hs256: validation(Algorithm::HS256),
            rs256: validation(Algorithm::RS256),
            es256: validation(Algorithm::ES256),
            eddsa: validation(Algorithm::EdDSA),
        }))
    }

    /// The files that may change under the server.
    pub(crate) fn spawn_watchers(&self, stop: &tokio::sync::watch::Receiver<bool>) {
        let every = super::watched::POLL_EVERY;
        if let Some(secret) = &self.secret {
            secret.spawn(every, stop.clone());
        }
        if let Some(jwks) = &self.jwks {
            jwks.spawn(every, stop.clone());
        }
    }

    /// Checks `token` (the part after `Bearer `) and reads its claims;
    /// a token verified before is taken from the cache (see `cache.rs`).
    pub fn verify(&self, token: &str) -> Result<Verified, Refused> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Refused::new(Reason::TooLarge, "the token is too large"));
        }
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let current = |source| match source {
            Source::Secret => self.secret.as_ref().map(|s| s.current().generation),
            Source::Jwks => self.jwks.as_ref().map(|j| j.current().generation),
        };
        if let Some(verified) = self.cache.get(&digest, SystemTime::now(), current) {
            return Ok(verified);
        }
        let (verified, source, generation) = self.verify_afresh(token)?;
        self.cache
            .insert(digest, verified.clone(), source, generation);
        Ok(verified)
    }

    /// The whole check: the header picks the key, `jsonwebtoken` checks the
    /// signature and the registered claims, then the identity is read.
    fn verify_afresh(&self, token: &str) -> Result<(Verified, Source, u64), Refused> {
        let header = Header::parse(token)?;
        let secret;
        let jwks;
        let (key, validation, source, generation) = match header.alg.as_str() {
            "HS256" => {
                let Some(watched) = &self.secret else {
                    return Err(no_key_for("HS256"));
                };
                secret = watched.current();
                (&secret.key, &self.hs256, Source::Secret, secret.generation)
            }
            alg @ ("RS256" | "ES256" | "EdDSA") => {
                let Some(watched) = &self.jwks else {
                    return Err(no_key_for(alg));
                };
                let Some(kid) = &header.kid else {
                    return Err(Refused::new(Reason::UnknownKid, "the token has no kid"));
                };
                jwks = watched.current();
                let Some(public) = jwks.keys.get(kid) else {
                    return Err(Refused::new(Reason::UnknownKid, "no JWKS key has this kid"));
                };
                let validation = match public.algorithm {
                    Algorithm::RS256 => &self.rs256,
                    Algorithm::ES256 => &self.es256,
                    _ => &self.eddsa,
                };
                if algorithm_name(public.algorithm) != alg {
                    return Err(Refused::new(
                        Reason::BadAlgorithm,
                        format!(
                            "the token's alg {alg} is not the algorithm of the key {kid} ({})",
                            algorithm_name(public.algorithm)
                        ),
                    ));
                }
                (&public.key, validation, Source::Jwks, jwks.generation)
            }
            other => {
                return Err(Refused::new(
                    Reason::BadAlgorithm,
                    format!("alg {other:?} is not accepted"),
                ));
            }
        };
        let (caller, exp) = match &self.namespace {
            None => {
                let data =
                    jsonwebtoken::decode::<Claims>(token, key, validation).map_err(refused)?;
                let (exp, identity) = data.claims.split();
                (identity.caller()?, exp)
            }
            Some(namespace) => {
                let data =
                    jsonwebtoken::decode::<serde_json::Map<String, Value>>(token, key, validation)
                        .map_err(refused)?;
                let mut claims = data.claims;
                let exp = claims.get("exp").and_then(Value::as_f64);
                let identity = match claims.remove(namespace) {
                    Some(object @ Value::Object(_)) => Identity::deserialize(object)
                        .map_err(|e| Refused::new(Reason::BadClaims, e.to_string()))?,
                    _ => {
                        return Err(Refused::new(
                            Reason::BadClaims,
                            format!("the claim {namespace:?} is not an object"),
                        ));
                    }
                };
                (identity.caller()?, exp)
            }
        };
        let exp = exp.filter(|e| e.is_finite() && *e >= 0.0).unwrap_or(0.0);
        let expires = UNIX_EPOCH + Duration::from_secs_f64(exp.min(f64::from(u32::MAX))) + leeway();
        Ok((Verified { caller, expires }, source, generation))
    }
}

fn leeway() -> Duration {
    Duration::from_secs(LEEWAY_SECS)
}

fn no_key_for(alg: &str) -> Refused {
    Refused::new(
        Reason::BadAlgorithm,
        format!("no key is configured for {alg} tokens"),
    )
}

fn validation(algorithm: Algorithm, issuer: Option<&str>, audience: Option<&str>) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.leeway = LEEWAY_SECS;
    validation.validate_exp = true;
    validation.validate_nbf = true;
    let mut required = vec!["exp"];
    if let Some(issuer) = issuer {
        validation.set_issuer(&[issuer]);
        required.push("iss");
    }
    match audience {
        Some(audience) => {
            validation.set_audience(&[audience]);
            required.push("aud");
        }
        // Without --jwt-audience the token's `aud` is not this server's to judge.
        None => validation.validate_aud = false,
    }
    validation.set_required_spec_claims(&required);
    validation
}

fn algorithm_name(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::HS256 => "HS256",
        Algorithm::RS256 => "RS256",
        Algorithm::ES256 => "ES256",
        Algorithm::EdDSA => "EdDSA",
        _ => "another algorithm",
    }
}

/// What `jsonwebtoken` found wrong, as a refusal.
fn refused(err: jsonwebtoken::errors::Error) -> Refused {
    let reason = match err.kind() {
        ErrorKind::InvalidSignature => Reason::BadSignature,
        ErrorKind::ExpiredSignature => Reason::Expired,
        ErrorKind::ImmatureSignature => Reason::NotYetValid,
        ErrorKind::InvalidIssuer => Reason::WrongIssuer,
        ErrorKind::InvalidAudience => Reason::WrongAudience,
        ErrorKind::MissingRequiredClaim(claim) if claim == "iss" => Reason::WrongIssuer,
        ErrorKind::MissingRequiredClaim(claim) if claim == "aud" => Reason::WrongAudience,
        ErrorKind::MissingRequiredClaim(_) | ErrorKind::InvalidClaimFormat(_) => Reason::BadClaims,
        ErrorKind::InvalidAlgorithm | ErrorKind::UnsupportedAlgorithm => Reason::BadAlgorithm,
        // The header was read before: what fails to decode now is the
        // signature's encoding or the claims, which the signature covers.
        ErrorKind::Json(_) => Reason::BadClaims,
        ErrorKind::InvalidEcdsaKey
        | ErrorKind::InvalidEddsaKey
        | ErrorKind::InvalidRsaKey(_)
        | ErrorKind::InvalidKeyFormat => {
            tracing::warn!(error = %err, "a configured JWT key cannot verify tokens");
            Reason::BadSignature
        }
        _ => Reason::Malformed,
    };
    Refused::new(reason, err.to_string())
}
