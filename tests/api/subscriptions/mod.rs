//! Subscriptions: what each mutation delivers, to which filters, and
//! resuming with `after`; the transports (graphql-transport-ws, SSE) and
//! many subscriptions at once. Over a real WebSocket, on both backends.

mod deliveries;
mod resume;
mod streams;
mod transport;

use std::future::Future;
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_bad_input, spawn_app, spawn_app_with};
use crate::ws_client::{Received, WsClient};

pub const TASK_CHANGES: &str =
    "subscription($id: UUID, $plan: UUID, $agent: UUID, $after: String) {
  taskChanged(id: $id, planId: $plan, agentId: $agent, after: $after) {
    cursor kind id version at task { id status description agentId }
  }
}";

/// Subscribes `id` and pokes (a mutation the subscription hears) until the
/// first event arrives, so the test knows the subscription is live; then
/// lets any late pokes arrive and drops them. Returns the first event.
pub async fn subscribe_live<F, Fut>(
    ws: &mut WsClient,
    id: &str,
    query: &str,
    variables: Value,
    poke: F,
) -> Value
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    ws.subscribe(id, query, variables).await;
    for _ in 0..40 {
        poke().await;
        let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
        let mut first = None;
        while let Some(Received::Message(message)) = ws
            .receive_within(deadline.saturating_duration_since(tokio::time::Instant::now()))
            .await
        {
            if message["id"] == id && first.is_none() {
                assert_eq!(message["type"], "next", "{message}");
                assert!(message["payload"].get("errors").is_none(), "{message}");
                first = Some(message["payload"]["data"].clone());
            }
        }
        if let Some(first) = first {
            while ws
                .receive_within(Duration::from_millis(300))
                .await
                .is_some()
            {}
            return first;
        }
    }
    panic!("the subscription never delivered");
}

/// A socket whose subscription `1` hears the task changes of `plan`, live
/// (see [`subscribe_live`]); and the first event it heard.
pub async fn watch_plan(app: &TestApp, plan: &str) -> (WsClient, Value) {
    let mut ws = WsClient::connect(&app.address).await;
    let first = subscribe_live(
        &mut ws,
        "1",
        TASK_CHANGES,
        json!({ "plan": plan }),
        || async {
            app.create_task(plan, "poke").await;
        },
    )
    .await;
    (ws, first)
}

/// A socket whose subscription `1` hears every agent change, live (see
/// [`subscribe_live`]).
pub async fn watch_agents(app: &TestApp) -> WsClient {
    let mut ws = WsClient::connect(&app.address).await;
    subscribe_live(
        &mut ws,
        "1",
        "subscription { agentChanged { id } }",
        json!({}),
        || async {
            app.create_agent("poke").await;
        },
    )
    .await;
    ws
}

/// The field under `data` of the next event for `id`.
pub async fn event(ws: &mut WsClient, id: &str, field: &str) -> Value {
    ws.next_data(id).await[field].clone()
}

pub(super) struct Tree {
    pub(super) agent: String,
    pub(super) plan: String,
}

pub(super) async fn tree(app: &TestApp) -> Tree {
    let agent = app.create_agent("watched").await;
    let goal = app.create_goal(&agent, "watched goal").await;
    let plan = app.create_plan(&goal, "watched plan").await;
    Tree { agent, plan }
}

pub(super) async fn goal_of(app: &TestApp, plan: &str) -> String {
    let data = app
        .gql_ok(
            "query($id: UUID!) { plan(id: $id) { goalId } }",
            json!({ "id": plan }),
        )
        .await;
    data["plan"]["goalId"].as_str().expect("goal id").to_owned()
}
