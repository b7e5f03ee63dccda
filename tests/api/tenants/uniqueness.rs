//! What is unique is unique within a tenant: a `did`, and an idempotency
//! key (per tenant and caller; both tenants' keys are named `writer`).

use serde_json::json;

use super::{Pair, codes};

const CREATE: &str =
    "mutation($input: CreateAgentInput!) { createAgent(input: $input) { id did } }";

#[tokio::test]
async fn a_did_is_unique_within_its_tenant_only() {
    let pair = Pair::new().await;
    let input = json!({ "input": { "name": "x", "did": "did:x" } });
    let a = pair.a.writer.gql(CREATE, input.clone()).await;
    let b = pair.b.writer.gql(CREATE, input.clone()).await;
    assert!(a.get("errors").is_none(), "A takes did:x: {a}");
    assert!(b.get("errors").is_none(), "B takes did:x too: {b}");
    assert_ne!(
        a["data"]["createAgent"]["id"],
        b["data"]["createAgent"]["id"]
    );
    let again = pair.a.writer.gql(CREATE, input).await;
    assert_eq!(codes(&again), ["CONFLICT"], "did:x twice in A: {again}");
    // A's own seeded did, taken by B.
    let seeded = pair
        .b
        .writer
        .gql(
            CREATE,
            json!({ "input": { "name": "y", "did": "did:alpha" } }),
        )
        .await;
    assert!(
        seeded.get("errors").is_none(),
        "B takes A's did:alpha: {seeded}"
    );
}

#[tokio::test]
async fn the_same_idempotency_key_and_input_from_two_tenants_make_two_objects() {
    let pair = Pair::new().await;
    let input = json!({ "input": { "name": "retried", "idempotencyKey": "k-1" } });
    // At once, as two tenants' retries may well be.
    let (a, b) = tokio::join!(
        pair.a.writer.gql(CREATE, input.clone()),
        pair.b.writer.gql(CREATE, input.clone())
    );
    let (a, b) = (
        a["data"]["createAgent"]["id"].clone(),
        b["data"]["createAgent"]["id"].clone(),
    );
    assert!(a.is_string() && b.is_string(), "{a} {b}");
    assert_ne!(a, b, "B's create is not A's replay");
    // Each tenant's replay answers its own object.
    let replay_a = pair.a.writer.gql(CREATE, input.clone()).await;
    let replay_b = pair.b.writer.gql(CREATE, input.clone()).await;
    assert_eq!(replay_a["data"]["createAgent"]["id"], a, "{replay_a}");
    assert_eq!(replay_b["data"]["createAgent"]["id"], b, "{replay_b}");
    // A different input under B's key is B's conflict, not A's.
    let other = pair
        .b
        .writer
        .gql(
            CREATE,
            json!({ "input": { "name": "other", "idempotencyKey": "k-1" } }),
        )
        .await;
    assert_eq!(codes(&other), ["CONFLICT"], "{other}");
    let listed = pair
        .a
        .writer
        .gql_ok(
            "{ agents(filter: { nameContains: \"retried\" }) { nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["agents"]["nodes"], json!([{ "id": a }]));
}
