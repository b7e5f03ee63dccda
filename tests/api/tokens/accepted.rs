//! Tokens that pass: every algorithm, the claims as `viewer` reads them,
//! a token beside a key, the claims namespace, the playground.

#![allow(clippy::wildcard_imports)]

use super::*;

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
