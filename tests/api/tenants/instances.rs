//! Two instances over one PostgreSQL database (SQLite serves one
//! instance, so these return at once there): a tenant's changes, made
//! through either instance, reach that tenant's subscribers on either, and
//! no other tenant's; a tenant's new work wakes only its own waiting claims.

use std::time::Duration;

use serde_json::{Value, json};

use super::{Client, TENANT_A, TENANT_B, key_line};
use crate::helpers::{TestApp, is_postgres, spawn_app_on, spawn_app_with};
use crate::subscriptions::subscribe_live;
use crate::ws_client::{Received, WsClient};

const KEY_A: &str = "agk_instances_a";
const KEY_B: &str = "agk_instances_b";

async fn two_instances() -> (TestApp, TestApp) {
    let keys = [
        key_line("writer", "write", KEY_A, TENANT_A, None),
        key_line("writer", "write", KEY_B, TENANT_B, None),
    ]
    .join(",");
    let one = spawn_app_with(|config| config.serve.api_keys = Some(keys.clone())).await;
    let two = spawn_app_on(one.database_url.clone(), |config| {
        config.serve.api_keys = Some(keys)
    })
    .await;
    (one, two)
}

const AGENTS: &str = "subscription { agentChanged { kind id } }";

/// A socket on `listener`'s instance hearing every agent change it may,
/// made live by `poker` (the same tenant, through the other instance).
async fn listen(listener: &Client, poker: &Client) -> WsClient {
    let mut ws = listener.ws().await;
    subscribe_live(&mut ws, "1", AGENTS, json!({}), || async {
        poker.create("createAgent", json!({ "name": "poke" })).await;
    })
    .await;
    ws
}

/// The ids of the changes heard up to and including `marker`'s.
async fn heard_until(ws: &mut WsClient, marker: &str) -> Vec<String> {
    let mut ids = Vec::new();
    loop {
        match ws.receive_within(Duration::from_secs(10)).await {
            Some(Received::Message(message)) => {
                let id = message["payload"]["data"]["agentChanged"]["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                ids.push(id.clone());
                if id == marker {
                    return ids;
                }
            }
            other => panic!("{marker} never arrived: {other:?} after {ids:?}"),
        }
    }
}

#[tokio::test]
async fn each_tenant_hears_its_own_changes_through_either_instance_and_none_of_the_other() {
    if !is_postgres() {
        return;
    }
    let (one, two) = two_instances().await;
    let (a1, a2) = (Client::new(&one, KEY_A), Client::new(&two, KEY_A));
    let (b1, b2) = (Client::new(&one, KEY_B), Client::new(&two, KEY_B));
    let mut a_ws = listen(&a1, &a2).await;
    let mut b_ws = listen(&b2, &b1).await;

    let (mut a_ids, mut b_ids) = (Vec::new(), Vec::new());
    for (writer, of_a) in [(&a1, true), (&b1, false), (&a2, true), (&b2, false)] {
        let id = writer
            .create("createAgent", json!({ "name": "written" }))
            .await;
        if of_a { a_ids.push(id) } else { b_ids.push(id) }
    }
    assert_eq!(
        heard_until(&mut a_ws, &a_ids[1]).await,
        a_ids,
        "A hears A's, in order"
    );
    assert_eq!(
        heard_until(&mut b_ws, &b_ids[1]).await,
        b_ids,
        "B hears B's, in order"
    );
    a_ws.expect_silence(Duration::from_millis(500)).await;
    b_ws.expect_silence(Duration::from_millis(500)).await;
}

async fn claim(caller: &Client, agent: &str, wait: u32) -> Value {
    caller
        .gql(
            "mutation($agent: UUID!, $wait: Int!) { claimTasks(input: { agentId: $agent, waitSeconds: $wait }) { task { id } } }",
            json!({ "agent": agent, "wait": wait }),
        )
        .await
}

#[tokio::test]
async fn new_work_through_one_instance_wakes_only_its_tenants_claims_on_another() {
    if !is_postgres() {
        return;
    }
    let (one, two) = two_instances().await;
    let (a1, a2) = (Client::new(&one, KEY_A), Client::new(&two, KEY_A));
    let b2 = Client::new(&two, KEY_B);
    let a_agent = a1
        .create("createAgent", json!({ "name": "A worker" }))
        .await;
    let b_agent = b2
        .create("createAgent", json!({ "name": "B worker" }))
        .await;
    let goal = a1
        .create(
            "createGoal",
            json!({ "agentId": a_agent, "description": "g" }),
        )
        .await;
    let plan = a1
        .create(
            "createPlan",
            json!({ "goalId": goal, "description": "p", "status": "ACTIVE" }),
        )
        .await;
    // B waits alone on instance two: A's new work through instance one
    // wakes it, and it must still find nothing.
    let b_waits = tokio::spawn({
        let (b2, agent) = (b2.clone(), b_agent.clone());
        async move { claim(&b2, &agent, 2).await }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let first = a1
        .create(
            "createTask",
            json!({ "planId": plan, "description": "A's work" }),
        )
        .await;
    let b = b_waits.await.expect("B's claim ran");
    assert_eq!(b["data"]["claimTasks"], json!([]), "{b}");
    // A takes it, then waits on instance two for its next task.
    let a = claim(&a2, &a_agent, 0).await;
    assert_eq!(
        a["data"]["claimTasks"],
        json!([{ "task": { "id": first } }]),
        "{a}"
    );
    let a_waits = tokio::spawn({
        let (a2, agent) = (a2.clone(), a_agent.clone());
        async move { claim(&a2, &agent, 10).await }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let second = a1
        .create(
            "createTask",
            json!({ "planId": plan, "description": "more of A's work" }),
        )
        .await;
    let a = a_waits.await.expect("A's claim ran");
    assert_eq!(
        a["data"]["claimTasks"],
        json!([{ "task": { "id": second } }]),
        "{a}"
    );
}
