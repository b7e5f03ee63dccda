//! `history(id)`: an object's retained changes, oldest first, with who made
//! each and which fields it changed; paged by change cursors (its own or a
//! subscription's). Tenant isolation is in `tenants/isolation.rs`.

mod actors;
mod paging;

use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::tenants::{Client, key_line};

pub const HISTORY: &str = "query($id: UUID!, $first: Int, $after: String) {
  history(id: $id, first: $first, after: $after) {
    edges { cursor node { cursor kind version at actor changedFields } }
    nodes { kind version actor changedFields }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}";

/// The whole history of `id` as `(kind, version, actor, changedFields)`.
pub async fn story(client: &Client, id: &str) -> Vec<(String, i64, Value, Vec<String>)> {
    let data = client
        .gql_ok(HISTORY, json!({ "id": id, "first": 100 }))
        .await;
    entries(&data)
}

/// As [`story`], without credentials.
pub async fn story_anonymous(app: &TestApp, id: &str) -> Vec<(String, i64, Value, Vec<String>)> {
    let data = app.gql_ok(HISTORY, json!({ "id": id, "first": 100 })).await;
    entries(&data)
}

pub fn entries(data: &Value) -> Vec<(String, i64, Value, Vec<String>)> {
    data["history"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|node| {
            (
                node["kind"].as_str().expect("kind").to_owned(),
                node["version"].as_i64().expect("version"),
                node["actor"].clone(),
                node["changedFields"]
                    .as_array()
                    .expect("changedFields")
                    .iter()
                    .map(|f| f.as_str().expect("a field").to_owned())
                    .collect(),
            )
        })
        .collect()
}

pub fn entry(
    kind: &str,
    version: i64,
    actor: Value,
    fields: &[&str],
) -> (String, i64, Value, Vec<String>) {
    (
        kind.to_owned(),
        version,
        actor,
        fields.iter().map(|f| (*f).to_owned()).collect(),
    )
}

/// WRITE keys named alice and bob, of tenant `default`.
pub const ALICE: &str = "agk_history_alice";
pub const BOB: &str = "agk_history_bob";

pub async fn spawn_with_keys(
    configure: impl FnOnce(&mut agentgraph::config::ServeConfig),
) -> TestApp {
    let keys = [
        key_line("alice", "write", ALICE, "default", None),
        key_line("bob", "write", BOB, "default", None),
    ]
    .join(",");
    crate::helpers::spawn_app_with(|config| {
        config.serve.api_keys = Some(keys);
        configure(config);
    })
    .await
}

/// An agent, a goal and an ACTIVE plan made by `client`: the plan's id
/// and the agent's.
pub async fn active_plan(client: &Client) -> (String, String) {
    let agent = client
        .create("createAgent", json!({ "name": "worker" }))
        .await;
    let goal = client
        .create(
            "createGoal",
            json!({ "agentId": agent, "description": "g" }),
        )
        .await;
    let plan = client
        .create(
            "createPlan",
            json!({ "goalId": goal, "description": "p", "status": "ACTIVE" }),
        )
        .await;
    (plan, agent)
}
