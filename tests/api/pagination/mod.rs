//! Relay cursor connections: keyset pages, oldest first, opaque cursors.

mod nested;
mod top_level;

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::helpers::{TestApp, node_ids, spawn_app};

pub(super) const AGENTS_PAGE: &str = "query($first: Int, $after: String) {
    agents(first: $first, after: $after) {
        edges { cursor node { id } }
        nodes { id }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        totalCount
    }
}";

pub(super) async fn create_agents(app: &TestApp, n: usize) -> Vec<String> {
    let inputs: Vec<Value> = (0..n)
        .map(|i| json!({ "name": format!("agent-{i:03}") }))
        .collect();
    app.create_many("createAgent", "CreateAgentInput", &inputs)
        .await
}

/// The node ids of a connection's `edges`, checking them against `nodes` and
/// the cursors against `pageInfo`.
pub(super) fn checked_page(connection: &Value) -> Vec<String> {
    let edges = connection["edges"].as_array().expect("edges");
    let ids: Vec<String> = edges
        .iter()
        .map(|edge| edge["node"]["id"].as_str().expect("node id").to_owned())
        .collect();
    assert_eq!(ids, node_ids(connection), "edges and nodes agree");
    for edge in edges {
        let cursor = edge["cursor"].as_str().expect("cursor");
        let id = edge["node"]["id"].as_str().expect("node id");
        assert_ne!(cursor, id, "cursors are opaque");
        assert!(!cursor.contains(id), "cursors are opaque: {cursor}");
    }
    let page_info = &connection["pageInfo"];
    match (edges.first(), edges.last()) {
        (Some(first), Some(last)) => {
            assert_eq!(page_info["startCursor"], first["cursor"]);
            assert_eq!(page_info["endCursor"], last["cursor"]);
        }
        _ => {
            assert_eq!(page_info["startCursor"], Value::Null);
            assert_eq!(page_info["endCursor"], Value::Null);
        }
    }
    ids
}
