use std::path::PathBuf;

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{EncodingKey, Header as JwtHeader, encode};
use serde_json::{Value, json};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::*;
use crate::auth::{Role, Tenant};

mod cache;

const SECRET: &str = "a-test-secret-that-is-long-enough-for-hs256";
const RSA_PEM: &str = include_str!("../../../../tests/fixtures/jwt/rsa.pem");
const EC_PEM: &str = include_str!("../../../../tests/fixtures/jwt/ec.pem");

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

fn temp_file(contents: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("agentgraph-jwt-{}", uuid::Uuid::now_v7()));
    std::fs::write(&path, contents).expect("write");
    path
}

fn jwk(key: &EncodingKey, alg: Algorithm, kid: &str) -> Value {
    let mut jwk = Jwk::from_encoding_key(key, alg).expect("jwk");
    jwk.common.key_id = Some(kid.to_owned());
    serde_json::to_value(jwk).expect("json")
}

fn rsa() -> EncodingKey {
    EncodingKey::from_rsa_pem(RSA_PEM.as_bytes()).expect("rsa")
}

fn ec() -> EncodingKey {
    EncodingKey::from_ec_pem(EC_PEM.as_bytes()).expect("ec")
}

fn verifier(secret: bool, jwks: Option<Value>, namespace: Option<&str>) -> JwtVerifier {
    let secret = secret.then(|| temp_file(&format!("  {SECRET}\n")));
    let jwks = jwks.map(|jwks| temp_file(&jwks.to_string()));
    JwtVerifier::new(&JwtOptions {
        secret_file: secret.as_deref(),
        jwks_file: jwks.as_deref(),
        issuer: Some("https://issuer.test"),
        audience: Some("agentgraph"),
        namespace,
    })
    .expect("options")
    .expect("configured")
}

fn claims(extra: Value) -> Value {
    let mut claims = json!({
        "sub": "alice", "role": "write", "exp": now() + 600,
        "iss": "https://issuer.test", "aud": "agentgraph",
    });
    for (k, v) in extra.as_object().expect("object") {
        if v.is_null() {
            claims.as_object_mut().expect("object").remove(k);
        } else {
            claims[k] = v.clone();
        }
    }
    claims
}

fn hs256(claims: &Value) -> String {
    let key = EncodingKey::from_secret(SECRET.as_bytes()).expect("key");
    encode(&JwtHeader::new(Algorithm::HS256), claims, &key).expect("encode")
}

fn signed(key: &EncodingKey, alg: Algorithm, kid: Option<&str>, claims: &Value) -> String {
    let mut header = JwtHeader::new(alg);
    header.kid = kid.map(str::to_owned);
    encode(&header, claims, key).expect("encode")
}

fn reason(result: Result<Verified, Refused>) -> Reason {
    match result {
        Ok(verified) => panic!("accepted: {:?}", verified.caller),
        Err(refused) => refused.reason,
    }
}

#[test]
fn a_secret_file_is_trimmed_and_must_be_long_enough() {
    assert!(Secret::parse(format!("\n {SECRET} \n").as_bytes()).is_ok());
    let short = Secret::parse(b"  short secret \n")
        .err()
        .unwrap_or_default();
    assert!(short.contains("12 bytes"), "{short}");
    assert!(Secret::parse(b"   ").is_err());
}

#[test]
fn a_jwks_keeps_signature_keys_it_can_verify_with_and_skips_the_rest() {
    let rsa = jwk(&rsa(), Algorithm::RS256, "rsa");
    let ec = jwk(&ec(), Algorithm::ES256, "ec");
    let mut encryption = rsa.clone();
    encryption["kid"] = json!("enc");
    encryption["use"] = json!("enc");
    let mut no_kid = ec.clone();
    no_kid.as_object_mut().expect("object").remove("kid");
    let mut wrong_alg = ec.clone();
    wrong_alg["kid"] = json!("wrong-alg");
    wrong_alg["alg"] = json!("RS256");
    let mut hmac_alg = rsa.clone();
    hmac_alg["kid"] = json!("hmac-alg");
    hmac_alg["alg"] = json!("HS256");
    let symmetric = json!({ "kty": "oct", "kid": "oct", "k": "c2VjcmV0" });
    let p384 = json!({ "kty": "EC", "crv": "P-384", "kid": "p384", "x": "AA", "y": "AA" });
    let small_rsa = json!({ "kty": "RSA", "kid": "small", "n": URL_SAFE_NO_PAD.encode([0xC5; 128]), "e": "AQAB" });
    let mut no_alg = rsa.clone();
    no_alg["kid"] = json!("no-alg");
    no_alg.as_object_mut().expect("object").remove("alg");
    let document = json!({ "keys": [rsa, ec, encryption, no_kid, wrong_alg, hmac_alg, symmetric, p384, small_rsa, no_alg] });
    let set = KeySet::parse(document.to_string().as_bytes()).expect("parse");
    let mut kids: Vec<_> = set.keys.keys().map(String::as_str).collect();
    kids.sort_unstable();
    assert_eq!(kids, ["ec", "no-alg", "rsa"]);
    assert_eq!(set.keys["ec"].algorithm, Algorithm::ES256);
    assert_eq!(set.keys["no-alg"].algorithm, Algorithm::RS256);
}

#[test]
fn a_jwks_that_cannot_serve_is_refused_whole() {
    let rsa = jwk(&rsa(), Algorithm::RS256, "same");
    let twice = json!({ "keys": [rsa.clone(), rsa] });
    let err = KeySet::parse(twice.to_string().as_bytes())
        .err()
        .unwrap_or_default();
    assert!(err.contains("two keys"), "{err}");
    let unusable = json!({ "keys": [{ "kty": "oct", "kid": "oct", "k": "c2VjcmV0" }] });
    assert!(KeySet::parse(unusable.to_string().as_bytes()).is_err());
    assert!(KeySet::parse(b"not json").is_err());
    assert!(KeySet::parse(b"{\"keys\": {}}").is_err());
    let empty = KeySet::parse(b"{\"keys\": []}").expect("no keys is a choice");
    assert!(empty.is_empty());
}

#[test]
fn a_token_becomes_a_caller_of_its_claims() {
    let jwt = verifier(true, None, None);
    let agent = uuid::Uuid::now_v7();
    let verified = jwt
        .verify(&hs256(&claims(json!({
            "role": "agent", "tenant": "team-a", "agent_id": agent.to_string(), "sub": "bot-7",
        }))))
        .expect("valid");
    assert_eq!(verified.caller.name.as_deref(), Some("bot-7"));
    assert_eq!(verified.caller.role, Role::Agent);
    assert_eq!(verified.caller.tenant.as_str(), "team-a");
    assert_eq!(verified.caller.agent_id, Some(agent));
    let default = jwt.verify(&hs256(&claims(json!({})))).expect("valid");
    assert_eq!(default.caller.tenant, Tenant::default());
    assert_eq!(default.caller.agent_id, None);
    let exp = now() + 600;
    let expires = default
        .expires
        .duration_since(UNIX_EPOCH)
        .expect("after")
        .as_secs();
    assert!((exp + LEEWAY_SECS).abs_diff(expires) <= 2, "{expires}");
}

#[test]
fn claims_that_make_no_valid_caller_are_bad_claims() {
    let jwt = verifier(true, None, None);
    for extra in [
        json!({ "role": "admin" }),
        json!({ "role": null }),
        json!({ "role": 1 }),
        json!({ "sub": null }),
        json!({ "sub": "" }),
        json!({ "tenant": "no spaces" }),
        json!({ "tenant": "" }),
        json!({ "tenant": 7 }),
        json!({ "tenant": "x".repeat(65) }),
        json!({ "role": "agent" }),
        json!({ "role": "agent", "agent_id": "not-a-uuid" }),
        json!({ "role": "agent", "agent_id": 12 }),
        json!({ "role": "write", "agent_id": uuid::Uuid::now_v7().to_string() }),
        json!({ "exp": null }),
        json!({ "exp": "tomorrow" }),
    ] {
        assert_eq!(
            reason(jwt.verify(&hs256(&claims(extra.clone())))),
            Reason::BadClaims,
            "{extra}"
        );
    }
}

#[test]
fn time_issuer_and_audience_are_checked_with_a_minute_of_leeway() {
    let jwt = verifier(true, None, None);
    let at = now();
    assert!(
        jwt.verify(&hs256(&claims(json!({ "exp": at - 30 }))))
            .is_ok()
    );
    let cases = [
        (json!({ "exp": at - 120 }), Reason::Expired),
        (json!({ "nbf": at + 120 }), Reason::NotYetValid),
        (json!({ "iss": "https://other.test" }), Reason::WrongIssuer),
        (json!({ "iss": null }), Reason::WrongIssuer),
        (json!({ "aud": "someone-else" }), Reason::WrongAudience),
        (json!({ "aud": null }), Reason::WrongAudience),
    ];
    for (extra, expected) in cases {
        assert_eq!(
            reason(jwt.verify(&hs256(&claims(extra.clone())))),
            expected,
            "{extra}"
        );
    }
    assert!(
        jwt.verify(&hs256(&claims(json!({ "nbf": at + 30 }))))
            .is_ok()
    );
    assert!(
        jwt.verify(&hs256(&claims(json!({ "aud": ["x", "agentgraph"] }))))
            .is_ok()
    );
}

#[test]
fn the_configured_key_decides_the_algorithm() {
    let rsa_jwk = jwk(&rsa(), Algorithm::RS256, "rsa");
    let ec_jwk = jwk(&ec(), Algorithm::ES256, "ec");
    let only_jwks = verifier(
        false,
        Some(json!({ "keys": [rsa_jwk.clone(), ec_jwk] })),
        None,
    );
    let good = claims(json!({}));
    assert!(
        only_jwks
            .verify(&signed(&rsa(), Algorithm::RS256, Some("rsa"), &good))
            .is_ok()
    );
    assert!(
        only_jwks
            .verify(&signed(&ec(), Algorithm::ES256, Some("ec"), &good))
            .is_ok()
    );

    // An HS256 token made with the RSA key's public material as its secret
    // (the classic confusion): no secret is configured, so it names no key.
    let public = rsa_jwk["n"].as_str().expect("n").as_bytes().to_vec();
    let forged = signed(
        &EncodingKey::from_secret(&public).expect("key"),
        Algorithm::HS256,
        Some("rsa"),
        &good,
    );
    assert_eq!(reason(only_jwks.verify(&forged)), Reason::BadAlgorithm);
    // An ES256 token that names the RSA key's kid.
    let mismatch = signed(&ec(), Algorithm::ES256, Some("rsa"), &good);
    assert_eq!(reason(only_jwks.verify(&mismatch)), Reason::BadAlgorithm);
    assert_eq!(
        reason(only_jwks.verify(&signed(&rsa(), Algorithm::RS256, Some("gone"), &good))),
        Reason::UnknownKid
    );
    assert_eq!(
        reason(only_jwks.verify(&signed(&rsa(), Algorithm::RS256, None, &good))),
        Reason::UnknownKid
    );
    // RS384 with the same key is not RS256.
    assert_eq!(
        reason(only_jwks.verify(&signed(&rsa(), Algorithm::RS384, Some("rsa"), &good))),
        Reason::BadAlgorithm
    );
    // With a secret too, an HS256 token goes to the secret only.
    let both = verifier(true, Some(json!({ "keys": [rsa_jwk] })), None);
    assert_eq!(reason(both.verify(&forged)), Reason::BadSignature);
    let only_secret = verifier(true, None, None);
    assert_eq!(
        reason(only_secret.verify(&signed(&rsa(), Algorithm::RS256, Some("rsa"), &good))),
        Reason::BadAlgorithm
    );
}

#[test]
fn unsigned_malformed_and_oversized_tokens_are_refused_before_any_key() {
    let jwt = verifier(true, None, None);
    let body = URL_SAFE_NO_PAD.encode(claims(json!({})).to_string());
    let none = format!(
        "{}.{body}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#)
    );
    assert_eq!(reason(jwt.verify(&none)), Reason::BadAlgorithm);
    let lower = format!("{}.{body}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"hs256"}"#));
    assert_eq!(reason(jwt.verify(&lower)), Reason::BadAlgorithm);
    for malformed in ["", "abc", "a.b", "a.b.c.d", "!!!.e30.", "e30.e30.sig"] {
        assert_eq!(
            reason(jwt.verify(malformed)),
            Reason::Malformed,
            "{malformed}"
        );
    }
    let token = hs256(&claims(json!({})));
    let (head, signature) = token.rsplit_once('.').expect("three parts");
    let tampered = format!("{head}.{}", signature.replace(&signature[..4], "AAAA"));
    assert_eq!(reason(jwt.verify(&tampered)), Reason::BadSignature);
    let huge = hs256(&claims(json!({ "pad": "x".repeat(MAX_TOKEN_BYTES) })));
    assert_eq!(reason(jwt.verify(&huge)), Reason::TooLarge);
}

#[test]
fn with_a_namespace_the_identity_comes_from_that_object() {
    const NS: &str = "https://agentgraph.example/claims";
    let jwt = verifier(true, None, Some(NS));
    let inside = claims(json!({
        "sub": "outer", "role": null,
        NS: { "sub": "inner", "role": "read", "tenant": "team-b" },
    }));
    let verified = jwt.verify(&hs256(&inside)).expect("valid");
    assert_eq!(verified.caller.name.as_deref(), Some("inner"));
    assert_eq!(verified.caller.role, Role::Read);
    assert_eq!(verified.caller.tenant.as_str(), "team-b");
    // Top-level claims are not read when a namespace is configured.
    assert_eq!(
        reason(jwt.verify(&hs256(&claims(json!({}))))),
        Reason::BadClaims
    );
    let not_object = claims(json!({ NS: "write" }));
    assert_eq!(reason(jwt.verify(&hs256(&not_object))), Reason::BadClaims);
}

#[test]
fn options_without_a_key_are_an_error_and_none_at_all_is_off() {
    let none = JwtOptions {
        secret_file: None,
        jwks_file: None,
        issuer: None,
        audience: None,
        namespace: None,
    };
    assert!(JwtVerifier::new(&none).expect("off").is_none());
    let dangling = JwtOptions {
        issuer: Some("x"),
        ..none
    };
    assert!(JwtVerifier::new(&dangling).is_err());
}
