//! Paging a history forward: `first`/`after`, exact `hasNextPage`, the
//! entries' cursors, a subscription's cursor as `after`, and what is
//! refused.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

use super::{HISTORY, entries};
use crate::helpers::{bad_input, codes, sorted, spawn_app};
use crate::subscriptions::{TASK_CHANGES, subscribe_live};
use crate::ws_client::WsClient;

const RENAME: &str = "mutation($id: UUID!, $d: String!) { updateTask(id: $id, input: { description: $d }) { version } }";

#[tokio::test]
async fn a_history_pages_forward_by_its_cursors_and_by_a_subscriptions() {
    let app = spawn_app().await;
    let agent = app.create_agent("a").await;
    let plan = app
        .create_plan(&app.create_goal(&agent, "g").await, "p")
        .await;
    let task = app.create_task(&plan, "v1").await;
    for n in 2..=5 {
        app.gql_ok(RENAME, json!({ "id": task, "d": format!("v{n}") }))
            .await;
    }
    let page = |first: i64, after: Option<String>| {
        let app = &app;
        let task = task.clone();
        async move {
            app.gql_ok(
                HISTORY,
                json!({ "id": task, "first": first, "after": after }),
            )
            .await["history"]
                .clone()
        }
    };
    let one = page(2, None).await;
    let versions = |page: &serde_json::Value| -> Vec<i64> {
        entries(&json!({ "history": page }))
            .into_iter()
            .map(|(_, version, _, _)| version)
            .collect()
    };
    assert_eq!(versions(&one), [1, 2]);
    assert_eq!(one["pageInfo"]["hasNextPage"], true);
    assert_eq!(one["pageInfo"]["hasPreviousPage"], false);
    for edge in one["edges"].as_array().expect("edges") {
        assert_eq!(edge["cursor"], edge["node"]["cursor"]);
    }
    assert_eq!(one["pageInfo"]["startCursor"], one["edges"][0]["cursor"]);
    assert_eq!(one["pageInfo"]["endCursor"], one["edges"][1]["cursor"]);
    let end = |page: &serde_json::Value| page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    let two = page(2, end(&one)).await;
    assert_eq!(versions(&two), [3, 4]);
    assert_eq!(two["pageInfo"]["hasNextPage"], true);
    assert_eq!(two["pageInfo"]["hasPreviousPage"], true);
    let three = page(2, end(&two)).await;
    assert_eq!(versions(&three), [5]);
    assert_eq!(three["pageInfo"]["hasNextPage"], false);
    let past = page(2, end(&three)).await;
    assert_eq!(past["nodes"], json!([]));
    assert_eq!(past["pageInfo"]["hasNextPage"], false);
    assert_eq!(past["pageInfo"]["endCursor"], serde_json::Value::Null);
    // The default page holds them all.
    let all = app.gql_ok(HISTORY, json!({ "id": task })).await;
    assert_eq!(versions(&all["history"]), [1, 2, 3, 4, 5]);

    // A subscription's cursor resumes the history right after its change.
    let mut ws = WsClient::connect(&app.address).await;
    let heard = subscribe_live(
        &mut ws,
        "1",
        TASK_CHANGES,
        json!({ "id": task }),
        || async {
            app.gql_ok(RENAME, json!({ "id": task, "d": "poked" }))
                .await;
        },
    )
    .await;
    let change = &heard["taskChanged"];
    let version = change["version"].as_i64().expect("version");
    app.gql_ok(RENAME, json!({ "id": task, "d": "after" }))
        .await;
    let cursor = change["cursor"].as_str().map(str::to_owned);
    let resumed = page(100, cursor).await;
    let later = versions(&resumed);
    assert!(!later.is_empty(), "{resumed}");
    assert_eq!(later[0], version + 1, "{resumed}");
    assert_eq!(later.last(), versions(&page(100, None).await).last());
}

#[tokio::test]
async fn a_bad_first_or_after_is_bad_user_input_on_it() {
    let app = spawn_app().await;
    let task = crate::helpers::unknown_id();
    for first in [0, 101, -1] {
        let body = app
            .gql(HISTORY, json!({ "id": task, "first": first }))
            .await;
        assert_eq!(codes(&body), [bad_input("first")], "first: {first}: {body}");
    }
    let expired = URL_SAFE_NO_PAD.encode("agentgraph:change:v1:1:0");
    let list_cursor = URL_SAFE_NO_PAD.encode("agentgraph:v2:x|y|z");
    for after in ["nope", expired.as_str(), list_cursor.as_str()] {
        let body = app
            .gql(HISTORY, json!({ "id": task, "after": after }))
            .await;
        assert_eq!(codes(&body), [bad_input("after")], "after: {after}: {body}");
    }
    let body = app
        .gql(HISTORY, json!({ "id": task, "first": 0, "after": "nope" }))
        .await;
    assert_eq!(
        sorted(codes(&body)),
        sorted(vec![bad_input("first"), bad_input("after")]),
        "{body}"
    );
}
