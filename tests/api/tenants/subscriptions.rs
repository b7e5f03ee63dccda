//! The subscription rows of the isolation table, over graphql-transport-ws:
//! for each `xChanged` field, a subscriber of tenant B with no filter hears
//! B's own changes and none of A's; subscribed by A's ids (every filter
//! argument the schema gives the field) it hears nothing; resuming `after`
//! a cursor (its own, or one of A's) it gets only B's changes.

use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::isolation::{Check, rows};
use super::schema_walk::Schema;
use super::targets::Targets;
use super::{Pair, Side, leaked, report};
use crate::subscriptions::subscribe_live;
use crate::ws_client::{Received, WsClient};

/// The object kind of `xChanged`: `agent`, `goal`, `plan`, `task`.
fn kind(field: &str) -> &str {
    field.trim_end_matches("Changed")
}

fn document(field: &str, arguments: &[&str]) -> String {
    let declared: Vec<String> = arguments
        .iter()
        .map(|a| format!("${a}: {}", if *a == "after" { "String" } else { "UUID" }))
        .collect();
    let given: Vec<String> = arguments.iter().map(|a| format!("{a}: ${a}")).collect();
    let (declared, given) = if arguments.is_empty() {
        (String::new(), String::new())
    } else {
        (
            format!("({})", declared.join(", ")),
            format!("({})", given.join(", ")),
        )
    };
    format!(
        "subscription{declared} {{ {field}{given} {{ cursor kind id {} {{ id }} }} }}",
        kind(field)
    )
}

/// A's object that a filter argument of `xChanged` names.
fn a_object(t: &Targets, field: &str, argument: &str) -> String {
    match (kind(field), argument) {
        ("agent", "id") | (_, "agentId") => t.agent.clone(),
        ("goal", "id") | (_, "goalId") => t.goal.clone(),
        ("plan", "id") | (_, "planId") => t.plan.clone(),
        ("task", "id") => t.leases[0].0.clone(),
        other => panic!("no object of A for the filter {other:?}: add it here"),
    }
}

/// Writes of `side` that are changes of `kind`: a create, an update, a
/// delete; the ids they touched, the created one first.
async fn writes(side: &Side, kind: &str) -> Vec<String> {
    let t = &side.targets;
    let w = &side.writer;
    let (created, updated, update, delete) = match kind {
        "agent" => (
            w.create("createAgent", json!({ "name": "written" })).await,
            t.agent.clone(),
            "updateAgent(id: $id, input: { name: \"written\" }) { id }",
            "deleteAgent",
        ),
        "goal" => (
            w.create(
                "createGoal",
                json!({ "agentId": t.agent, "description": "written" }),
            )
            .await,
            t.goal.clone(),
            "updateGoal(id: $id, input: { description: \"written\" }) { id }",
            "deleteGoal",
        ),
        "plan" => (
            w.create(
                "createPlan",
                json!({ "goalId": t.goal, "description": "written" }),
            )
            .await,
            t.plan.clone(),
            "updatePlan(id: $id, input: { description: \"written\" }) { id }",
            "deletePlan",
        ),
        "task" => (
            w.create(
                "createTask",
                json!({ "planId": t.plan, "description": "written", "agentId": t.agent }),
            )
            .await,
            t.leases[0].0.clone(),
            "updateTask(id: $id, input: { description: \"written\" }) { id }",
            "deleteTask",
        ),
        other => panic!("no writes for {other}: add them here"),
    };
    w.gql_ok(
        &format!("mutation($id: UUID!) {{ {update} }}"),
        json!({ "id": updated }),
    )
    .await;
    w.gql_ok(
        &format!("mutation($id: UUID!) {{ {delete}(id: $id) }}"),
        json!({ "id": created }),
    )
    .await;
    vec![created, updated]
}

/// Every message on `ws` until subscription `id` delivers a change of
/// `marker`; fails after 10 s.
async fn until_marker(ws: &mut WsClient, id: &str, marker: &str) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match ws.receive_within(left).await {
            Some(Received::Message(message)) => {
                let done = message["id"] == id
                    && message["payload"]["data"]
                        .as_object()
                        .and_then(|data| data.values().next())
                        .is_some_and(|change| change["id"] == marker);
                seen.push(message);
                if done {
                    return seen;
                }
            }
            other => panic!("subscription {id} never delivered {marker}: {other:?} after {seen:?}"),
        }
    }
}

async fn check(pair: &Pair, schema: &Schema, field: &str) -> Vec<String> {
    let mut failures = Vec::new();
    let kind = kind(field);
    let filters: Vec<String> = schema
        .arguments("Subscription", field)
        .into_iter()
        .filter(|a| a != "after")
        .collect();
    let a_ids = Mutex::new(pair.a.targets.ids());

    let mut b = pair.b.writer.ws().await;
    for argument in &filters {
        let variables = json!({ argument.as_str(): a_object(&pair.a.targets, field, argument) });
        b.subscribe(
            &format!("by A's {argument}"),
            &document(field, &[argument]),
            variables,
        )
        .await;
    }
    let first = subscribe_live(&mut b, "all", &document(field, &[]), json!({}), || async {
        writes(&pair.b, kind).await;
    })
    .await;
    let b_cursor = first[field]["cursor"].clone();

    let mut a = pair.a.writer.ws().await;
    let first = subscribe_live(&mut a, "all", &document(field, &[]), json!({}), || async {
        let touched = writes(&pair.a, kind).await;
        a_ids.lock().expect("ids").extend(touched);
    })
    .await;
    let a_cursor = first[field]["cursor"].clone();

    let touched = writes(&pair.a, kind).await;
    a_ids.lock().expect("ids").extend(touched);
    let marker = writes(&pair.b, kind).await.remove(0);
    let a_ids = a_ids.into_inner().expect("ids");

    let mut heard = until_marker(&mut b, "all", &marker).await;
    while let Some(Received::Message(message)) = b.receive_within(Duration::from_millis(500)).await
    {
        heard.push(message);
    }
    for message in &heard {
        if message["id"] != "all" {
            failures.push(format!(
                "{field} subscribed by B with A's ids delivered {message}"
            ));
        } else if !leaked(message, &a_ids).is_empty() {
            failures.push(format!(
                "{field} subscribed by B delivered A's change {message}"
            ));
        }
    }

    for (label, cursor) in [("its own", b_cursor), ("A's", a_cursor)] {
        let id = format!("after {label} cursor");
        let mut variables = Map::new();
        variables.insert("after".into(), cursor);
        b.subscribe(&id, &document(field, &["after"]), Value::Object(variables))
            .await;
        for message in until_marker(&mut b, &id, &marker).await {
            if !leaked(&message, &a_ids).is_empty() {
                failures.push(format!(
                    "{field} resumed by B {label} delivered A's change {message}"
                ));
            }
        }
    }
    failures
}

#[tokio::test]
async fn subscribers_of_tenant_b_hear_nothing_of_tenant_a() {
    let pair = Pair::new().await;
    let schema = Schema::load();
    let checks = rows(Check::Subscription).map(|field| check(&pair, &schema, field));
    let failures: Vec<String> = futures_util::future::join_all(checks)
        .await
        .into_iter()
        .flatten()
        .collect();
    report("B's subscriptions", &failures);
}
