//! JWT bearer tokens beside API keys: minted here with real keys (an HS256
//! secret, and the RSA, P-256 and Ed25519 keys of `tests/fixtures/jwt/`,
//! whose public halves make the JWKS the server reads), then presented
//! over HTTP, SSE and WebSocket as a client would.

mod accepted;
mod refusals;
mod rotation;
mod sockets;

use std::path::PathBuf;

use agentgraph::config::ServeConfig;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, spawn_app_with};

pub const ISSUER: &str = "https://issuer.test";
pub const AUDIENCE: &str = "agentgraph";
pub const SECRET: &str = "a test secret of more than thirty-two bytes";
/// The API key the token servers also take.
pub const WRITE_KEY: &str = "agk_tokens_write_key";
/// What the client is told about every credential that fails.
pub const NOT_VALID: &str = "the credentials are not valid";

pub const COUNT_AGENTS: &str = "{ agents { totalCount } }";
pub const CREATE_AGENT: &str = r#"mutation { createAgent(input: { name: "by token" }) { name } }"#;
const CREATE_AGENT_ID: &str = r#"mutation { createAgent(input: { name: "team agent" }) { id } }"#;

/// A key that signs tokens, with the `kid` its JWKS entry has.
pub struct Signer {
    pub key: EncodingKey,
    pub alg: Algorithm,
    pub kid: Option<String>,
}

impl Signer {
    pub fn hs256() -> Self {
        Self {
            key: EncodingKey::from_secret(SECRET.as_bytes()).expect("secret"),
            alg: Algorithm::HS256,
            kid: None,
        }
    }

    pub fn rs256() -> Self {
        Self::pem(
            include_str!("../../fixtures/jwt/rsa.pem"),
            Algorithm::RS256,
            "rsa-1",
        )
    }

    pub fn rs256_next() -> Self {
        Self::pem(
            include_str!("../../fixtures/jwt/rsa-next.pem"),
            Algorithm::RS256,
            "rsa-2",
        )
    }

    pub fn es256() -> Self {
        Self::pem(
            include_str!("../../fixtures/jwt/ec.pem"),
            Algorithm::ES256,
            "ec-1",
        )
    }

    pub fn eddsa() -> Self {
        Self::pem(
            include_str!("../../fixtures/jwt/ed25519.pem"),
            Algorithm::EdDSA,
            "ed-1",
        )
    }

    fn pem(pem: &str, alg: Algorithm, kid: &str) -> Self {
        let key = match alg {
            Algorithm::RS256 => EncodingKey::from_rsa_pem(pem.as_bytes()),
            Algorithm::ES256 => EncodingKey::from_ec_pem(pem.as_bytes()),
            _ => EncodingKey::from_ed_pem(pem.as_bytes()),
        }
        .expect("fixture key");
        Self {
            key,
            alg,
            kid: Some(kid.to_owned()),
        }
    }

    /// Its public key as a JWKS entry.
    pub fn jwk(&self) -> Value {
        let mut jwk = Jwk::from_encoding_key(&self.key, self.alg).expect("jwk");
        jwk.common.key_id = self.kid.clone();
        serde_json::to_value(jwk).expect("json")
    }

    /// A token of these claims, with this key's algorithm and kid.
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = self.kid.clone();
        self.sign_with(header, claims)
    }

    pub fn sign_with(&self, header: Header, claims: &Value) -> String {
        jsonwebtoken::encode(&header, claims, &self.key).expect("sign")
    }

    /// A valid token of `role`.
    pub fn token(&self, role: &str) -> String {
        self.sign(&claims(json!({ "role": role })))
    }
}

pub fn jwks(signers: &[&Signer]) -> Value {
    json!({ "keys": signers.iter().map(|s| s.jwk()).collect::<Vec<_>>() })
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Valid claims (a WRITE caller of tenant `default`, ten minutes left),
/// with `changes` applied: a `null` removes the claim.
pub fn claims(changes: Value) -> Value {
    let mut claims = json!({
        "sub": "token-tester", "role": "write", "exp": now() + 600,
        "iss": ISSUER, "aud": AUDIENCE,
    });
    let object = claims.as_object_mut().expect("object");
    for (name, value) in changes.as_object().expect("changes") {
        if value.is_null() {
            object.remove(name);
        } else {
            object.insert(name.clone(), value.clone());
        }
    }
    claims
}

/// The files a token server reads, in a directory of their own.
pub struct Files {
    pub dir: PathBuf,
}

impl Files {
    pub fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("agentgraph-tokens-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("dir");
        Self { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Writes `name` whole and atomically (a rename), as a deploy would.
    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.path(name);
        let staging = self.path(&format!(".{name}.{}", uuid::Uuid::now_v7()));
        std::fs::write(&staging, contents).expect("write");
        std::fs::rename(&staging, &path).expect("rename");
        path
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A server taking HS256 tokens (the secret), RS256, ES256 and EdDSA
/// tokens (a JWKS of the fixtures' keys) with issuer and audience, and a
/// WRITE API key; `configure` adjusts it further.
pub async fn token_app(files: &Files, configure: impl FnOnce(&mut ServeConfig)) -> TestApp {
    let secret = files.write("secret", &format!("\n  {SECRET}  \n"));
    let keys = jwks(&[&Signer::rs256(), &Signer::es256(), &Signer::eddsa()]);
    let jwks = files.write("jwks.json", &keys.to_string());
    spawn_app_with(|config| {
        let serve = &mut config.serve;
        serve.jwt_secret_file = Some(secret);
        serve.jwks_file = Some(jwks);
        serve.jwt_issuer = Some(ISSUER.to_owned());
        serve.jwt_audience = Some(AUDIENCE.to_owned());
        serve.api_keys = Some(format!(
            "ops:write:{}",
            agentgraph::auth::hash_hex(WRITE_KEY)
        ));
        configure(config);
    })
    .await
}

/// POSTs `document` with `Authorization: Bearer <token>`.
pub async fn post_bearer(app: &TestApp, token: &str, document: &str) -> (StatusCode, Value) {
    let response = app
        .post(document)
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await;
    (response.status, response.json())
}

/// Polls until `token` gets `expected` on a query (a file change is read
/// within about a second), for at most ten seconds.
pub async fn until_status(app: &TestApp, token: &str, expected: StatusCode) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (status, body) = post_bearer(app, token, COUNT_AGENTS).await;
        if status == expected {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still {status} after 10 s, expected {expected}: {body}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
