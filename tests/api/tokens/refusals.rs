//! Every way a token fails, through every door: 401 UNAUTHENTICATED over
//! HTTP (POST, GET) and SSE, 4401 on a socket, one message that says
//! nothing about why, and a count by reason in `/metrics`.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::json;

use super::{COUNT_AGENTS, Files, NOT_VALID, Signer, claims, now, token_app};
use crate::helpers::TestApp;
use crate::ws_client::WsClient;

const EVENT_STREAM: &str = "text/event-stream";

/// Each refused token, with the reason its refusal is counted under.
fn forged() -> Vec<(&'static str, String, &'static str)> {
    let rsa = Signer::rs256();
    let es = Signer::es256();
    let hs = Signer::hs256();
    let at = now();
    let unsigned = |header: &str| {
        format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims(json!({})).to_string())
        )
    };
    // The RSA key's public modulus as an HMAC secret: the classic confusion.
    let public = rsa.jwk()["n"].as_str().expect("n").to_owned();
    let confused = Signer {
        key: EncodingKey::from_secret(public.as_bytes()).expect("key"),
        alg: Algorithm::HS256,
        kid: rsa.kid.clone(),
    };
    let stranger = Signer {
        key: EncodingKey::from_secret(b"another secret, also long enough!!").expect("key"),
        alg: Algorithm::HS256,
        kid: None,
    };
    let good = rsa.token("read");
    let (head, signature) = good.rsplit_once('.').expect("three parts");
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let tampered = format!("{head}.{flipped}{}", &signature[1..]);
    let mut no_kid = Header::new(Algorithm::RS256);
    no_kid.kid = None;
    let mut unknown_kid = Header::new(Algorithm::RS256);
    unknown_kid.kid = Some("retired".into());
    let mut es_as_rsa = Header::new(Algorithm::ES256);
    es_as_rsa.kid = rsa.kid.clone();
    let mut rs384 = Header::new(Algorithm::RS384);
    rs384.kid = rsa.kid.clone();
    let agent = uuid::Uuid::now_v7().to_string();
    vec![
        (
            "alg none",
            unsigned(r#"{"alg":"none","typ":"JWT"}"#),
            "bad_algorithm",
        ),
        ("alg None", unsigned(r#"{"alg":"None"}"#), "bad_algorithm"),
        (
            "HS256 signed with the RSA public key",
            confused.token("write"),
            "bad_signature",
        ),
        (
            "ES256 naming an RSA key",
            es.sign_with(es_as_rsa, &claims(json!({}))),
            "bad_algorithm",
        ),
        (
            "RS384 with the RS256 key",
            rsa.sign_with(rs384, &claims(json!({}))),
            "bad_algorithm",
        ),
        (
            "no kid",
            rsa.sign_with(no_kid, &claims(json!({}))),
            "unknown_kid",
        ),
        (
            "unknown kid",
            rsa.sign_with(unknown_kid, &claims(json!({}))),
            "unknown_kid",
        ),
        ("another secret", stranger.token("write"), "bad_signature"),
        ("tampered signature", tampered, "bad_signature"),
        ("not a JWT", "not-a-jwt".into(), "malformed"),
        ("four parts", format!("{good}.x"), "malformed"),
        (
            "too large",
            hs.sign(&claims(json!({ "pad": "x".repeat(9000) }))),
            "too_large",
        ),
        (
            "expired 120 s ago",
            hs.sign(&claims(json!({ "exp": at - 120 }))),
            "expired",
        ),
        (
            "no exp",
            hs.sign(&claims(json!({ "exp": null }))),
            "bad_claims",
        ),
        (
            "nbf in 120 s",
            rsa.sign(&claims(json!({ "nbf": at + 120 }))),
            "not_yet_valid",
        ),
        (
            "another issuer",
            es.sign(&claims(json!({ "iss": "https://evil.test" }))),
            "wrong_issuer",
        ),
        (
            "no issuer",
            es.sign(&claims(json!({ "iss": null }))),
            "wrong_issuer",
        ),
        (
            "another audience",
            hs.sign(&claims(json!({ "aud": "other-api" }))),
            "wrong_audience",
        ),
        (
            "no audience",
            hs.sign(&claims(json!({ "aud": null }))),
            "wrong_audience",
        ),
        (
            "unknown role",
            rsa.sign(&claims(json!({ "role": "admin" }))),
            "bad_claims",
        ),
        (
            "no role",
            rsa.sign(&claims(json!({ "role": null }))),
            "bad_claims",
        ),
        (
            "invalid tenant",
            hs.sign(&claims(json!({ "tenant": "a b" }))),
            "bad_claims",
        ),
        (
            "tenant not a string",
            hs.sign(&claims(json!({ "tenant": 3 }))),
            "bad_claims",
        ),
        (
            "agent without agent_id",
            hs.sign(&claims(json!({ "role": "agent" }))),
            "bad_claims",
        ),
        (
            "agent_id not a UUID",
            hs.sign(&claims(json!({ "role": "agent", "agent_id": "bot" }))),
            "bad_claims",
        ),
        (
            "agent_id with role write",
            hs.sign(&claims(json!({ "agent_id": agent }))),
            "bad_claims",
        ),
        (
            "no sub",
            Signer::eddsa().sign(&claims(json!({ "sub": null }))),
            "bad_claims",
        ),
        ("empty bearer", String::new(), "malformed"),
    ]
}

/// `agentgraph_auth_refusals_total` by reason, as scraped.
async fn refusals(app: &TestApp) -> BTreeMap<String, u64> {
    let text = app.get_path("/metrics").send().await.text;
    text.lines()
        .filter_map(|line| line.strip_prefix("agentgraph_auth_refusals_total{reason=\""))
        .filter_map(|rest| {
            let (reason, value) = rest.split_once("\"} ")?;
            Some((reason.to_owned(), value.trim().parse::<f64>().ok()? as u64))
        })
        .collect()
}

#[tokio::test]
async fn every_forged_expired_or_misdirected_token_is_refused_alike_through_every_door() {
    let files = Files::new();
    let app = token_app(&files, |_| {}).await;
    let before = refusals(&app).await;
    let mut expected: BTreeMap<&str, u64> = BTreeMap::new();
    let mut bodies = Vec::new();
    for (case, token, reason) in forged() {
        let authorization = format!("Bearer {token}");
        let post = app
            .post(COUNT_AGENTS)
            .header("Authorization", &authorization)
            .send()
            .await;
        assert_eq!(
            post.status,
            StatusCode::UNAUTHORIZED,
            "{case}: {}",
            post.text
        );
        assert_eq!(post.header("www-authenticate"), Some("Bearer"), "{case}");
        bodies.push((case, post.json()));

        let get = app
            .get(&[("query", COUNT_AGENTS)])
            .header("Authorization", &authorization)
            .send()
            .await;
        assert_eq!(
            get.status,
            StatusCode::UNAUTHORIZED,
            "{case}: GET {}",
            get.text
        );

        let sse = app
            .post("subscription { agentChanged { id } }")
            .accept(EVENT_STREAM)
            .header("Authorization", &authorization)
            .send()
            .await;
        assert_eq!(
            sse.status,
            StatusCode::UNAUTHORIZED,
            "{case}: SSE {}",
            sse.text
        );
        assert_eq!(sse.json(), post.json(), "{case}: SSE");

        let mut ws = WsClient::open(&app.address, None).await;
        ws.send(
            json!({ "type": "connection_init", "payload": { "authorization": authorization } }),
        )
        .await;
        let (code, why) = ws.closed().await;
        assert_eq!(code, 4401, "{case}: {why}");
        assert_eq!(why, format!("Unauthorized: {NOT_VALID}"), "{case}");
        *expected.entry(reason).or_default() += 4;
    }

    // The answer is the same whatever failed: nothing to learn from it.
    let (_, first) = &bodies[0];
    let want = json!({
        "errors": [{ "message": NOT_VALID, "extensions": { "code": "UNAUTHENTICATED" } }],
    });
    for (case, body) in &bodies {
        assert_eq!(body, first, "{case}: {body} differs from {first}");
    }
    assert_eq!(first, &want);

    // Counted by reason, each request once (other tests may add theirs).
    let after = refusals(&app).await;
    for (reason, count) in expected {
        let grew =
            after.get(reason).copied().unwrap_or(0) - before.get(reason).copied().unwrap_or(0);
        assert!(
            grew >= count,
            "{reason}: counted {grew}, expected at least {count}"
        );
    }
}

#[tokio::test]
async fn every_refusal_reason_is_exported_from_the_start() {
    let files = Files::new();
    let app = token_app(&files, |_| {}).await;
    let exported = refusals(&app).await;
    let reasons: Vec<&str> = agentgraph::auth::refusal::Reason::ALL
        .iter()
        .map(|r| r.as_str())
        .collect();
    for reason in &reasons {
        assert!(
            exported.contains_key(*reason),
            "{reason} not exported: {exported:?}"
        );
    }
    for reason in [
        "missing",
        "unknown_key",
        "malformed",
        "too_large",
        "bad_signature",
        "expired",
        "not_yet_valid",
        "wrong_issuer",
        "wrong_audience",
        "unknown_kid",
        "bad_claims",
    ] {
        assert!(reasons.contains(&reason), "{reason}");
    }
    let before = exported.get("missing").copied().unwrap_or(0);
    app.post(COUNT_AGENTS).no_key().send().await;
    app.post(COUNT_AGENTS).key("agk_unknown").send().await;
    let after = refusals(&app).await;
    assert!(after["missing"] > before);
    assert!(after["unknown_key"] >= 1);
}

#[tokio::test]
async fn a_minute_of_clock_skew_is_allowed_and_no_more() {
    let files = Files::new();
    let app = token_app(&files, |_| {}).await;
    let signer = Signer::es256();
    let at = now();
    for (changes, status) in [
        (json!({ "exp": at - 30 }), StatusCode::OK),
        (json!({ "exp": at - 120 }), StatusCode::UNAUTHORIZED),
        (json!({ "nbf": at + 30 }), StatusCode::OK),
        (json!({ "nbf": at + 120 }), StatusCode::UNAUTHORIZED),
        (json!({ "nbf": at - 30, "iat": at - 30 }), StatusCode::OK),
    ] {
        let token = signer.sign(&claims(changes.clone()));
        let (got, body) = super::post_bearer(&app, &token, COUNT_AGENTS).await;
        assert_eq!(got, status, "{changes}: {body}");
    }
    // An audience list is taken when it holds this server's.
    let listed = signer.sign(&claims(json!({ "aud": ["other", super::AUDIENCE] })));
    assert_eq!(
        super::post_bearer(&app, &listed, COUNT_AGENTS).await.0,
        StatusCode::OK
    );
}

/// Not every refusal is a token's: an unknown key, as before, gets the same answer.
#[tokio::test]
async fn an_unknown_key_gets_the_same_answer_as_a_bad_token() {
    let files = Files::new();
    let app = token_app(&files, |_| {}).await;
    let key = app.post(COUNT_AGENTS).key("agk_guess").send().await;
    assert_eq!(key.status, StatusCode::UNAUTHORIZED);
    let (_, token) = super::post_bearer(&app, "x.y.z", COUNT_AGENTS).await;
    assert_eq!(key.json(), token);
}
