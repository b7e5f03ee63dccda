//! Verified tokens remembered: only unexpired ones, only for the key
//! material that verified them.

#![allow(clippy::wildcard_imports)]

use super::*;

#[test]
fn the_cache_serves_only_unexpired_tokens_of_the_key_material_in_force() {
    let cache = TokenCache::new();
    let caller = crate::auth::Caller::anonymous();
    let now = SystemTime::now();
    let verified = |expires| Verified {
        caller: caller.clone(),
        expires,
    };
    cache.insert(
        [1; 32],
        verified(now + Duration::from_secs(60)),
        Source::Jwks,
        7,
    );
    let in_force = |generation| move |source| (source == Source::Jwks).then_some(generation);
    assert!(cache.get(&[1; 32], now, in_force(7)).is_some());
    assert!(cache.get(&[2; 32], now, in_force(7)).is_none());
    // Once the JWKS is reloaded the entry is gone for good.
    assert!(cache.get(&[1; 32], now, in_force(8)).is_none());
    assert!(cache.get(&[1; 32], now, in_force(7)).is_none());
    // A secret's entry is not one of the JWKS.
    cache.insert(
        [3; 32],
        verified(now + Duration::from_secs(60)),
        Source::Secret,
        7,
    );
    assert!(cache.get(&[3; 32], now, in_force(7)).is_none());
    cache.insert(
        [4; 32],
        verified(now + Duration::from_secs(1)),
        Source::Jwks,
        7,
    );
    assert!(
        cache
            .get(&[4; 32], now + Duration::from_secs(2), in_force(7))
            .is_none()
    );
}

#[test]
fn a_remembered_token_is_refused_once_it_expires_or_its_key_is_retired() {
    let rsa_jwk = jwk(&rsa(), Algorithm::RS256, "rsa");
    let ec_jwk = jwk(&ec(), Algorithm::ES256, "ec");
    let path = temp_file(&json!({ "keys": [rsa_jwk, ec_jwk.clone()] }).to_string());
    let jwt = JwtVerifier::new(&JwtOptions {
        secret_file: None,
        jwks_file: Some(&path),
        issuer: Some("https://issuer.test"),
        audience: Some("agentgraph"),
        namespace: None,
    })
    .expect("options")
    .expect("configured");
    let token = signed(&rsa(), Algorithm::RS256, Some("rsa"), &claims(json!({})));
    let hits = || jwt.cache.hits.load(std::sync::atomic::Ordering::Relaxed);
    assert!(jwt.verify(&token).is_ok());
    assert_eq!(hits(), 0);
    let again = jwt.verify(&token).expect("remembered");
    assert_eq!(hits(), 1);
    assert_eq!(again.caller.name.as_deref(), Some("alice"));
    // One character changed is another token, verified (and refused) afresh.
    let altered = format!("{}A", &token[..token.len() - 1]);
    if altered != token {
        assert_eq!(reason(jwt.verify(&altered)), Reason::BadSignature);
        assert_eq!(hits(), 1);
    }
    std::fs::write(&path, json!({ "keys": [ec_jwk] }).to_string()).expect("write");
    let watched = jwt.jwks.as_ref().expect("jwks");
    assert_eq!(
        watched.reload_if_changed(),
        crate::auth::watched::Reload::Replaced
    );
    assert_eq!(reason(jwt.verify(&token)), Reason::UnknownKid);

    // Within the leeway for one more second, then not.
    let at = now();
    let closing = signed(
        &ec(),
        Algorithm::ES256,
        Some("ec"),
        &claims(json!({ "exp": at - LEEWAY_SECS + 1 })),
    );
    assert!(jwt.verify(&closing).is_ok());
    std::thread::sleep(Duration::from_millis(2100));
    assert_eq!(reason(jwt.verify(&closing)), Reason::Expired);
    let _ = std::fs::remove_file(&path);
}
