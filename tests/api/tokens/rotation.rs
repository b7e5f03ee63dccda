//! Keys rotate without a restart: the JWKS file, the HS256 secret file and
//! the API keys file are read again when they change; a file that cannot
//! be used keeps the keys in force.

use agentgraph::auth::hash_hex;
use reqwest::StatusCode;

use super::{COUNT_AGENTS, Files, SECRET, Signer, jwks, post_bearer, token_app, until_status};
use crate::helpers::spawn_app_with;

#[tokio::test]
async fn a_rewritten_jwks_takes_the_new_key_and_drops_the_old() {
    let files = Files::new();
    let app = token_app(&files, |_| {}).await;
    let old = Signer::rs256();
    let new = Signer::rs256_next();
    let (status, _) = post_bearer(&app, &old.token("read"), COUNT_AGENTS).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = post_bearer(&app, &new.token("read"), COUNT_AGENTS).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Both keys during the overlap, as a provider publishes them.
    files.write("jwks.json", &jwks(&[&old, &new]).to_string());
    until_status(&app, &new.token("read"), StatusCode::OK).await;
    assert_eq!(
        post_bearer(&app, &old.token("read"), COUNT_AGENTS).await.0,
        StatusCode::OK
    );

    // Then the old one retired: its tokens, still unexpired, are refused.
    files.write("jwks.json", &jwks(&[&new]).to_string());
    until_status(&app, &old.token("read"), StatusCode::UNAUTHORIZED).await;
    assert_eq!(
        post_bearer(&app, &new.token("read"), COUNT_AGENTS).await.0,
        StatusCode::OK
    );

    // A broken file keeps the keys in force.
    files.write("jwks.json", "{ not json");
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(
        post_bearer(&app, &new.token("read"), COUNT_AGENTS).await.0,
        StatusCode::OK
    );
    // And a file rewritten in place (not renamed) is read as well.
    std::fs::write(files.path("jwks.json"), jwks(&[&old]).to_string()).expect("write");
    until_status(&app, &old.token("read"), StatusCode::OK).await;
    until_status(&app, &new.token("read"), StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn a_rewritten_secret_file_takes_the_new_secret() {
    let files = Files::new();
    let app = token_app(&files, |_| {}).await;
    let old = Signer::hs256();
    let next_secret = "the next secret, rotated in, at least 32 bytes";
    let new = Signer {
        key: jsonwebtoken::EncodingKey::from_secret(next_secret.as_bytes()).expect("key"),
        alg: jsonwebtoken::Algorithm::HS256,
        kid: None,
    };
    assert_eq!(
        post_bearer(&app, &old.token("read"), COUNT_AGENTS).await.0,
        StatusCode::OK
    );
    files.write("secret", &format!("{next_secret}\n"));
    until_status(&app, &new.token("read"), StatusCode::OK).await;
    assert_eq!(
        post_bearer(&app, &old.token("read"), COUNT_AGENTS).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Too short a secret is refused and the one in force stays.
    files.write("secret", "short");
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(
        post_bearer(&app, &new.token("read"), COUNT_AGENTS).await.0,
        StatusCode::OK
    );
    files.write("secret", SECRET);
    until_status(&app, &old.token("read"), StatusCode::OK).await;
}

#[tokio::test]
async fn a_rewritten_keys_file_takes_the_new_keys_and_drops_the_old() {
    let files = Files::new();
    let (first, second) = ("agk_rotation_first", "agk_rotation_second");
    let keys = files.write("keys", &format!("first:write:{}\n", hash_hex(first)));
    // A key given in the environment stays whatever the file says.
    let env = format!("env:read:{}", hash_hex("agk_rotation_env"));
    let app = spawn_app_with(|config| {
        config.serve.api_keys_file = Some(keys);
        config.serve.api_keys = Some(env);
    })
    .await;
    let status = |key: &'static str| {
        let app = &app;
        async move { app.post(COUNT_AGENTS).key(key).send().await.status }
    };
    let until = |key: &'static str, expected: StatusCode| {
        let status = &status;
        async move {
            for _ in 0..50 {
                if status(key).await == expected {
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
            panic!("{key} never got {expected}");
        }
    };
    assert_eq!(status(first).await, StatusCode::OK);
    assert_eq!(status(second).await, StatusCode::UNAUTHORIZED);

    files.write("keys", &format!("second:write:{}\n", hash_hex(second)));
    until(second, StatusCode::OK).await;
    assert_eq!(status(first).await, StatusCode::UNAUTHORIZED);
    assert_eq!(status("agk_rotation_env").await, StatusCode::OK);

    // A malformed file keeps the keys in force.
    files.write("keys", "second:admin:not-a-hash\n");
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(status(second).await, StatusCode::OK);

    // Emptied, the file refuses every key of it: keys stay on.
    files.write("keys", "# all revoked\n");
    until(second, StatusCode::UNAUTHORIZED).await;
    assert_eq!(status("agk_rotation_env").await, StatusCode::OK);
    let anonymous = app.post(COUNT_AGENTS).no_key().send().await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}
