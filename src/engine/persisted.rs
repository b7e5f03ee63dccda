//! Persisted documents: a request may name its document by the SHA-256 of
//! its text instead of sending the text, as `documentId` or as Apollo's
//! automatic persisted queries (`extensions.persistedQuery`).
//!
//! Documents come from the manifest given with `--persisted-documents`
//! (trusted, loaded once) and, unless only trusted documents may run, from
//! clients that send hash and text together (registered, bounded, in this
//! process only: every instance learns on its own, which costs a client one
//! extra round trip per instance). [`resolve`] turns a request that names
//! a hash into one that carries the text, before the request is prepared,
//! so the text then goes through the parsed-document cache and every limit
//! like any other. Every request path (POST, GET, and any added later)
//! calls it first.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context as _;
use lru::LruCache;
use sha2::{Digest, Sha256};

use super::Engine;
use super::rejection::Rejection;
use crate::error::ErrorCode;

/// The message Apollo's clients look for, with the code, to resend the text.
const NOT_FOUND_MESSAGE: &str = "PersistedQueryNotFound";

type Hash = [u8; 32];

/// The parts of a request naming a persisted document that
/// `async_graphql::Request` does not keep: `documentId` (`extensions`,
/// where APQ puts its hash, it keeps).
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(crate) struct PersistedRef {
    #[serde(rename = "documentId", default)]
    pub(crate) document_id: Option<String>,
}

impl PersistedRef {
    /// From a JSON request body. Most bodies carry no `documentId`, so they
    /// are not parsed a second time.
    pub(crate) fn from_json(body: &[u8]) -> Result<Self, Rejection> {
        const KEY: &[u8] = b"\"documentId\"";
        if !body.windows(KEY.len()).any(|w| w == KEY) {
            return Ok(Self::default());
        }
        serde_json::from_slice(body)
            .map_err(|err| Rejection::bad_request(format!("invalid `documentId`: {err}")))
    }

    /// From the query string of a GET.
    pub(crate) fn from_query_string(query: &str) -> Result<Self, Rejection> {
        if !query.contains("documentId=") {
            return Ok(Self::default());
        }
        serde_urlencoded::from_str(query)
            .map_err(|err| Rejection::bad_request(format!("invalid `documentId`: {err}")))
    }
}

/// The documents this server knows by hash.
pub(crate) struct PersistedDocuments {
    trusted: HashMap<Hash, Arc<str>>,
    only_trusted: bool,
    /// Registered by clients; `None` when registration is off.
    registered: Option<Mutex<LruCache<Hash, Arc<str>>>>,
}

impl PersistedDocuments {
    /// `trusted` from a manifest; `capacity` registered documents at most
    /// (none at all when 0 or when only trusted documents may run).
    pub(crate) fn new(
        trusted: HashMap<Hash, Arc<str>>,
        only_trusted: bool,
        capacity: usize,
    ) -> Self {
        let registered = NonZeroUsize::new(capacity)
            .filter(|_| !only_trusted)
            .map(|capacity| Mutex::new(LruCache::new(capacity)));
        Self {
            trusted,
            only_trusted,
            registered,
        }
    }

    /// Reads a manifest: a JSON object from hash (hex, optionally
    /// `sha256:`-prefixed) to document text, as graphql-codegen's client
    /// preset writes with `hashAlgorithm: 'sha256'`. Every hash is checked
    /// against its text: a wrong one (a SHA-1 manifest) fails the start.
    pub(crate) fn load_manifest(path: &Path) -> anyhow::Result<HashMap<Hash, Arc<str>>> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading persisted documents {}", path.display()))?;
        let entries: HashMap<String, String> = serde_json::from_str(&text).with_context(|| {
            format!(
                "{}: expected a JSON object from SHA-256 hash to document text",
                path.display()
            )
        })?;
        let mut trusted = HashMap::with_capacity(entries.len());
        for (key, document) in entries {
            let hex = key.strip_prefix("sha256:").unwrap_or(&key);
            let hash = parse_hash(hex).with_context(|| {
                format!("{}: `{key}` is not a SHA-256 hash in hex", path.display())
            })?;
            anyhow::ensure!(
                sha256(&document) == hash,
                "{}: `{key}` is not the SHA-256 of its document (the manifest must be made \
                 with hashAlgorithm 'sha256')",
                path.display()
            );
            trusted.insert(hash, Arc::from(document));
        }
        Ok(trusted)
    }

    pub(crate) fn only_trusted(&self) -> bool {
        self.only_trusted
    }

    pub(crate) fn trusted_len(&self) -> usize {
        self.trusted.len()
    }

    fn lookup(&self, hash: &Hash) -> Option<Arc<str>> {
        if let Some(document) = self.trusted.get(hash) {
            return Some(document.clone());
        }
        let registered = self.registered.as_ref()?;
        let mut registered = registered.lock().unwrap_or_else(PoisonError::into_inner);
        registered.get(hash).cloned()
    }

    fn register(&self, hash: Hash, document: &str) {
        if self.trusted.contains_key(&hash) {
            return;
        }
        if let Some(registered) = &self.registered {
            let mut registered = registered.lock().unwrap_or_else(PoisonError::into_inner);
            if registered.get(&hash).is_none() {
                registered.put(hash, Arc::from(document));
            }
        }
    }
}

/// Gives `request` the text of the document it names by hash, registers
/// a document sent with its hash, and refuses what may not run: an
/// unknown hash (`PERSISTED_QUERY_NOT_FOUND`), a hash that is not the
/// text's (`BAD_USER_INPUT`), and, when only trusted documents may run,
/// any other text (`FORBIDDEN`).
pub(crate) fn resolve(
    engine: &Engine,
    request: &mut async_graphql::Request,
    named: &PersistedRef,
) -> Result<(), Rejection> {
    let documents = &engine.persisted;
    let has_text = !request.query.trim().is_empty();
    let Some((hash, field)) = requested_hash(request, named)? else {
        if documents.only_trusted
            && has_text
            && !documents.trusted.contains_key(&sha256(&request.query))
        {
            return Err(forbidden());
        }
        return Ok(());
    };
    if has_text {
        if sha256(&request.query) != hash {
            return Err(Rejection::bad_request(
                "the hash is not the SHA-256 of the document sent with it",
            )
            .at(field));
        }
        if documents.only_trusted && !documents.trusted.contains_key(&hash) {
            return Err(forbidden());
        }
        // Only what parses is remembered. The parse is not wasted: the
        // request is prepared from the same cache right after.
        let parses = engine
            .documents
            .prepare(&request.query, request.operation_name.as_deref())
            .is_ok();
        if parses {
            documents.register(hash, &request.query);
        }
        return Ok(());
    }
    match documents.lookup(&hash) {
        Some(document) => {
            request.query = document.to_string();
            Ok(())
        }
        None => Err(Rejection::request_error(
            ErrorCode::PersistedQueryNotFound,
            NOT_FOUND_MESSAGE,
        )),
    }
}

fn forbidden() -> Rejection {
    Rejection::new(
        ErrorCode::Forbidden,
        "this server runs only trusted documents: send the `documentId` of one from its manifest",
    )
}

/// The hash the request names, and the parameter naming it.
fn requested_hash(
    request: &async_graphql::Request,
    named: &PersistedRef,
) -> Result<Option<(Hash, &'static str)>, Rejection> {
    let from_id = match &named.document_id {
        Some(id) => {
            let hex = id.strip_prefix("sha256:").unwrap_or(id);
            let hash = parse_hash(hex).ok_or_else(|| {
                Rejection::bad_request("`documentId` must be `sha256:` and 64 hex digits")
                    .at("documentId")
            })?;
            Some(hash)
        }
        None => None,
    };
    let from_apq = match request.extensions.get("persistedQuery") {
        Some(persisted) => Some(apq_hash(persisted)?),
        None => None,
    };
    Ok(match (from_id, from_apq) {
        (Some(a), Some(b)) if a != b => {
            return Err(Rejection::bad_request(
                "`documentId` and `extensions.persistedQuery` name different documents",
            )
            .at("documentId"));
        }
        (Some(hash), _) => Some((hash, "documentId")),
        (None, Some(hash)) => Some((hash, APQ_FIELD)),
        (None, None) => None,
    })
}

const APQ_FIELD: &str = "extensions.persistedQuery.sha256Hash";

fn apq_hash(persisted: &async_graphql::Value) -> Result<Hash, Rejection> {
    use async_graphql::Value;
    let Value::Object(fields) = persisted else {
        return Err(
            Rejection::bad_request("`extensions.persistedQuery` must be an object")
                .at("extensions.persistedQuery"),
        );
    };
    let version = fields.get("version");
    if !matches!(version, Some(Value::Number(n)) if n.as_u64() == Some(1)) {
        return Err(Rejection::bad_request(
            "only version 1 of `extensions.persistedQuery` is supported",
        )
        .at("extensions.persistedQuery.version"));
    }
    match fields.get("sha256Hash") {
        Some(Value::String(hex)) => parse_hash(hex),
        _ => None,
    }
    .ok_or_else(|| Rejection::bad_request("`sha256Hash` must be 64 hex digits").at(APQ_FIELD))
}

fn parse_hash(hex: &str) -> Option<Hash> {
    let mut hash = [0; 32];
    hex::decode_to_slice(hex, &mut hash).ok()?;
    Some(hash)
}

fn sha256(text: &str) -> Hash {
    Sha256::digest(text.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex_of(text: &str) -> String {
        hex::encode(sha256(text))
    }

    #[test]
    fn hashes_parse_in_either_case_and_nothing_else_does() {
        let hex = hex_of("{ agents { totalCount } }");
        assert_eq!(parse_hash(&hex), Some(sha256("{ agents { totalCount } }")));
        assert_eq!(parse_hash(&hex.to_uppercase()), parse_hash(&hex));
        assert_eq!(parse_hash(&hex[1..]), None);
        assert_eq!(parse_hash("zz"), None);
    }

    #[test]
    fn registration_is_bounded_and_off_when_only_trusted() {
        let docs = PersistedDocuments::new(HashMap::new(), false, 2);
        for n in 0..3 {
            let text = format!("{{ a{n}: agents {{ totalCount }} }}");
            docs.register(sha256(&text), &text);
        }
        assert!(
            docs.lookup(&sha256("{ a0: agents { totalCount } }"))
                .is_none()
        );
        assert!(
            docs.lookup(&sha256("{ a2: agents { totalCount } }"))
                .is_some()
        );
        let locked = PersistedDocuments::new(HashMap::new(), true, 2);
        locked.register(sha256("{ x }"), "{ x }");
        assert!(locked.lookup(&sha256("{ x }")).is_none());
    }

    #[test]
    fn a_manifest_with_a_wrong_hash_is_refused() {
        let dir = std::env::temp_dir().join(format!("agentgraph-manifest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let good = dir.join("good.json");
        let text = "query A { agents { totalCount } }";
        let body = serde_json::json!({ format!("sha256:{}", hex_of(text)): text });
        std::fs::write(&good, body.to_string()).expect("write");
        let loaded = PersistedDocuments::load_manifest(&good).expect("loads");
        assert_eq!(loaded.len(), 1);
        let bad = dir.join("bad.json");
        let body = serde_json::json!({ hex_of("{ other }"): text });
        std::fs::write(&bad, body.to_string()).expect("write");
        let err = PersistedDocuments::load_manifest(&bad).expect_err("refused");
        assert!(err.to_string().contains("not the SHA-256"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
