//! JWT bearer tokens beside API keys: minted here with real keys (an HS256
//! secret, and the RSA, P-256 and Ed25519 keys of `tests/fixtures/jwt/`,
//! whose public halves make the JWKS the server reads), then presented
//! over HTTP, SSE and WebSocket as a client would.

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

#[tokio::test]
async fn tokens_of_every_algorithm_are_taken_and_their_role_applies() {
    let files = Files::new();
    let app = token_app(&files, |_| {}).await;
    for signer in [
        Signer::hs256(),
        Signer::rs256(),
        Signer::es256(),
        Signer::eddsa(),
    ] {
        let alg = format!("{:?}", signer.alg);
        let (status, body) = post_bearer(&app, &signer.token("read"), "{ viewer { role } }").await;
        assert_eq!(
            body["data"]["viewer"]["role"], "READ",
            "{alg}: {status} {body}"
        );
        let (status, body) = post_bearer(&app, &signer.token("read"), COUNT_AGENTS).await;
        assert_eq!(status, StatusCode::OK, "{alg}: {body}");
        assert!(
            body["data"]["agents"]["totalCount"].is_number(),
            "{alg}: {body}"
        );
        let (status, body) = post_bearer(&app, &signer.token("read"), CREATE_AGENT).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{alg}: {body}");
        assert_eq!(error_codes(&body), ["FORBIDDEN"], "{alg}");
        let (status, body) = post_bearer(&app, &signer.token("write"), CREATE_AGENT).await;
        assert_eq!(status, StatusCode::OK, "{alg}: {body}");
        assert_eq!(body["data"]["createAgent"]["name"], "by token", "{alg}");
        // The scheme's case does not matter (RFC 7235).
        let lower = app
            .post(COUNT_AGENTS)
            .header("Authorization", &format!("bearer {}", signer.token("read")))
            .send()
            .await;
        assert_eq!(lower.status, StatusCode::OK, "{alg}: {}", lower.text);
    }
    // A query over GET takes the header too.
    let response = app
        .get(&[("query", COUNT_AGENTS)])
        .header(
            "Authorization",
            &format!("Bearer {}", Signer::rs256().token("read")),
        )
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
}

#[tokio::test]
async fn the_viewer_is_who_the_claims_say() {
    let files = Files::new();
    let app = token_app(&files, |_| {}).await;
    const VIEWER: &str = "{ viewer { role tenant name agent { id } } }";
    // A writer of team-a makes an agent there; an agent token acts as it.
    let writer = Signer::es256().sign(&claims(json!({ "tenant": "team-a", "sub": "lead" })));
    let (status, body) = post_bearer(&app, &writer, CREATE_AGENT_ID).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let agent = body["data"]["createAgent"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let cases = [
        (
            Signer::hs256().token("read"),
            json!({ "role": "READ", "tenant": "default", "name": "token-tester", "agent": null }),
        ),
        (
            writer,
            json!({ "role": "WRITE", "tenant": "team-a", "name": "lead", "agent": null }),
        ),
        (
            Signer::eddsa().sign(&claims(json!({
                "role": "agent", "tenant": "team-a", "agent_id": agent, "sub": "bot-1",
            }))),
            json!({ "role": "AGENT", "tenant": "team-a", "name": "bot-1", "agent": { "id": agent } }),
        ),
        // The same agent id claimed in another tenant names no agent there.
        (
            Signer::rs256().sign(&claims(json!({
                "role": "agent", "tenant": "team-b", "agent_id": agent, "sub": "bot-2",
            }))),
            json!({ "role": "AGENT", "tenant": "team-b", "name": "bot-2", "agent": null }),
        ),
    ];
    for (token, viewer) in cases {
        let (status, body) = post_bearer(&app, &token, VIEWER).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["viewer"], viewer);
    }
    // The token's tenant is the one its statements see.
    let lookup = format!(r#"{{ agent(id: "{agent}") {{ id }} }}"#);
    let other = Signer::hs256().sign(&claims(json!({ "tenant": "team-b", "role": "read" })));
    let (_, body) = post_bearer(&app, &other, &lookup).await;
    assert_eq!(body["data"]["agent"], Value::Null, "{body}");
    let same = Signer::hs256().sign(&claims(json!({ "tenant": "team-a", "role": "read" })));
    let (_, body) = post_bearer(&app, &same, &lookup).await;
    assert_eq!(body["data"]["agent"]["id"], agent, "{body}");
    // The key beside the tokens is a caller too.
    let keyed = app.post(VIEWER).key(WRITE_KEY).send().await.json();
    assert_eq!(keyed["data"]["viewer"]["name"], "ops");
}

#[tokio::test]
async fn a_token_and_a_key_each_work_but_not_together_and_one_is_needed() {
    let files = Files::new();
    let app = token_app(&files, |_| {}).await;
    let key = app.post(CREATE_AGENT).key(WRITE_KEY).send().await;
    assert_eq!(key.status, StatusCode::OK, "{}", key.text);
    let (status, _) = post_bearer(&app, &Signer::rs256().token("write"), CREATE_AGENT).await;
    assert_eq!(status, StatusCode::OK);

    let both = app
        .post(COUNT_AGENTS)
        .key(WRITE_KEY)
        .header(
            "Authorization",
            &format!("Bearer {}", Signer::rs256().token("write")),
        )
        .send()
        .await;
    assert_eq!(both.status, StatusCode::UNAUTHORIZED);
    let body = both.json();
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"]);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("not both"),
        "{body}"
    );

    let none = app.post(COUNT_AGENTS).no_key().send().await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.header("www-authenticate"), Some("Bearer"));
    let message = none.json()["errors"][0]["message"].clone();
    assert!(
        message.as_str().unwrap_or("").contains("Authorization"),
        "{message}"
    );
    // Another scheme is not a bearer token: the request has no credential.
    let basic = app
        .post(COUNT_AGENTS)
        .header("Authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await;
    assert_eq!(basic.status, StatusCode::UNAUTHORIZED);
    assert_eq!(basic.json()["errors"][0]["message"], message);
}

#[tokio::test]
async fn with_tokens_only_a_key_is_no_credential() {
    let files = Files::new();
    let app = token_app(&files, |config| config.serve.api_keys = None).await;
    let key = app.post(COUNT_AGENTS).key(WRITE_KEY).send().await;
    assert_eq!(key.status, StatusCode::UNAUTHORIZED);
    let (status, _) = post_bearer(&app, &Signer::hs256().token("read"), COUNT_AGENTS).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn without_jwt_configured_an_authorization_header_is_ignored() {
    // Keys only: the header is not a credential, a key still is.
    let line = format!("ops:write:{}", agentgraph::auth::hash_hex(WRITE_KEY));
    let keyed = spawn_app_with(|config| config.serve.api_keys = Some(line)).await;
    let response = keyed
        .post(COUNT_AGENTS)
        .key(WRITE_KEY)
        .header("Authorization", "Bearer not-a-token")
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let (status, _) = post_bearer(&keyed, &Signer::hs256().token("write"), COUNT_AGENTS).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Credentials off: everyone is anonymous, whatever they send.
    let open = spawn_app_with(|_| {}).await;
    let (status, body) = post_bearer(&open, "not-a-token", CREATE_AGENT).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn claims_can_live_under_a_namespace() {
    const NAMESPACE: &str = "https://agentgraph.example/claims";
    let files = Files::new();
    let app = token_app(&files, |config| {
        config.serve.jwt_claims_namespace = Some(NAMESPACE.to_owned());
    })
    .await;
    let signer = Signer::rs256();
    let namespaced = |role: &str| {
        signer.sign(&claims(json!({
            "sub": null, "role": null,
            NAMESPACE: { "sub": "svc", "role": role, "tenant": "default" },
        })))
    };
    let (status, body) = post_bearer(&app, &namespaced("write"), CREATE_AGENT).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = post_bearer(&app, &namespaced("read"), CREATE_AGENT).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Top-level claims are not read once a namespace is configured.
    let (status, body) = post_bearer(&app, &signer.token("write"), COUNT_AGENTS).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn the_playground_takes_a_bearer_token_or_a_key() {
    let files = Files::new();
    let app = token_app(&files, |_| {}).await;
    let page = app
        .get_path("/graphql")
        .accept("text/html")
        .send()
        .await
        .text;
    for needle in [
        r#"id="credential-value""#,
        r#"<option value="bearer">"#,
        r#"<option value="key">"#,
        "Authorization: /^bearer",
        "lower === 'authorization'",
    ] {
        assert!(page.contains(needle), "the page lacks {needle}");
    }
}
