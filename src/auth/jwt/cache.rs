//! Tokens already verified, so a client that sends the same token with
//! every request pays for its signature once: an RS256 verification costs
//! about 165 µs of CPU here, an ES256 one 540 µs, EdDSA 70 µs (pure-Rust
//! crypto), against about 120 µs for a whole point read; a hit costs a
//! SHA-256 of the token and a map lookup, about a microsecond.
//!
//! Why a hit is as good as a verification:
//! - An entry is made only after a token passed every check, and is found
//!   only by the SHA-256 of the token's exact bytes (signature included),
//!   so no other token, forged or altered, can reach it; the map compares
//!   digests, never tokens, and holds no token a memory dump could replay.
//! - It is good only until the token's `exp` plus the leeway, the moment
//!   verification would refuse it too; `nbf` only ever turns a refusal
//!   into an acceptance, so it needs no second look.
//! - It names the key material it was verified with (the secret's or the
//!   JWKS's generation): once that file is reloaded, the entry is never
//!   used again, so a retired key's tokens are refused at once.
//! - Everything else a verification depends on (issuer, audience,
//!   namespace, leeway) is fixed for the life of the process.
//!
//! Bounded (least recently used dropped first), and only verified tokens
//! get in, so refused garbage cannot push good entries out.

use std::num::NonZeroUsize;
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use lru::LruCache;

use super::Verified;

/// Distinct live tokens remembered; about 200 bytes each.
const CAPACITY: NonZeroUsize = match NonZeroUsize::new(4096) {
    Some(capacity) => capacity,
    None => NonZeroUsize::MIN,
};

/// Which key material verified a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    Secret,
    Jwks,
}

struct Entry {
    verified: Verified,
    source: Source,
    generation: u64,
}

pub(super) struct TokenCache {
    entries: Mutex<LruCache<[u8; 32], Entry>>,
    /// Tokens answered from here (tests check that repeats are).
    #[cfg(test)]
    pub(super) hits: std::sync::atomic::AtomicUsize,
}

impl TokenCache {
    pub(super) fn new() -> Self {
        Self {
            entries: Mutex::new(LruCache::new(CAPACITY)),
            #[cfg(test)]
            hits: Default::default(),
        }
    }

    /// The verified token of this digest, if it is still good: unexpired at
    /// `now`, and verified by the key material `current` says is in force.
    pub(super) fn get(
        &self,
        digest: &[u8; 32],
        now: SystemTime,
        current: impl Fn(Source) -> Option<u64>,
    ) -> Option<Verified> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = entries.get(digest)?;
        if now < entry.verified.expires && current(entry.source) == Some(entry.generation) {
            #[cfg(test)]
            self.hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return Some(entry.verified.clone());
        }
        entries.pop(digest);
        None
    }

    pub(super) fn insert(
        &self,
        digest: [u8; 32],
        verified: Verified,
        source: Source,
        generation: u64,
    ) {
        let entry = Entry {
            verified,
            source,
            generation,
        };
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .put(digest, entry);
    }
}
