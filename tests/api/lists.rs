//! Walking a connection page by page the way a client does, and the same
//! list sorted in memory to compare with.

use std::cmp::Ordering;

use serde_json::{Value, json};

use crate::helpers::{TestApp, datetime};

/// One connection field: top level (`tasks`) or under a parent (`plan.tasks`).
pub struct List {
    pub name: String,
    document: String,
    parent: Option<(String, String)>,
    path: Vec<String>,
}

/// What every page selects: ids, both timestamps and the other sort keys.
fn selection(node_type: &str) -> String {
    let keys = match node_type {
        "Agent" => "name",
        "Goal" => "priority",
        _ => "",
    };
    format!(
        "edges {{ cursor node {{ id createdAt updatedAt {keys} }} }} \
         pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} totalCount"
    )
}

const PARAMS: &str = "$first: Int, $after: String, $last: Int, $before: String";
const ARGS: &str =
    "first: $first, after: $after, last: $last, before: $before, orderBy: $order, filter: $filter";

impl List {
    /// `field` at the top level, listing `node_type`s.
    pub fn top(field: &str, node_type: &str) -> Self {
        Self {
            name: field.to_owned(),
            document: format!(
                "query({PARAMS}, $order: {node_type}Order, $filter: {node_type}Filter) \
                 {{ {field}({ARGS}) {{ {} }} }}",
                selection(node_type)
            ),
            parent: None,
            path: vec![field.to_owned()],
        }
    }

    /// `parent(id: …).field`, listing `node_type`s.
    pub fn nested(parent: &str, parent_id: &str, field: &str, node_type: &str) -> Self {
        Self {
            name: format!("{parent}.{field}"),
            document: format!(
                "query($id: UUID!, {PARAMS}, $order: {node_type}Order, $filter: {node_type}Filter) \
                 {{ {parent}(id: $id) {{ {field}({ARGS}) {{ {} }} }} }}",
                selection(node_type)
            ),
            parent: Some(("id".to_owned(), parent_id.to_owned())),
            path: vec![parent.to_owned(), field.to_owned()],
        }
    }

    /// The whole response body of one page; `args` holds `first`, `after`,
    /// `last`, `before`, `order`, `filter` as wanted.
    pub async fn request(&self, app: &TestApp, mut args: Value) -> Value {
        if let Some((name, id)) = &self.parent {
            args[name] = json!(id);
        }
        app.gql(&self.document, args).await
    }

    /// One page, which must succeed, with its cursors checked.
    pub async fn page(&self, app: &TestApp, args: Value) -> Value {
        let body = self.request(app, args).await;
        assert!(
            body.get("errors").is_none(),
            "{}: unexpected errors: {body:#}",
            self.name
        );
        let mut connection = &body["data"];
        for step in &self.path {
            connection = &connection[step];
        }
        check_cursors(connection);
        connection.clone()
    }

    /// Every node, in pages of `size` read forward with `first`/`after`.
    pub async fn walk_forward(&self, app: &TestApp, order: &Value, size: usize) -> Vec<Value> {
        let mut nodes = Vec::new();
        let mut after = Value::Null;
        loop {
            let page = self
                .page(
                    app,
                    json!({ "first": size, "after": after, "order": order }),
                )
                .await;
            let info = &page["pageInfo"];
            assert_eq!(
                info["hasPreviousPage"],
                json!(!after.is_null()),
                "{}",
                self.name
            );
            let edges = page["edges"].as_array().expect("edges");
            let has_next = info["hasNextPage"].as_bool().expect("hasNextPage");
            if has_next {
                assert_eq!(
                    edges.len(),
                    size,
                    "{}: a page before the end is full",
                    self.name
                );
            }
            nodes.extend(edges.iter().map(|edge| edge["node"].clone()));
            if !has_next {
                return nodes;
            }
            after = info["endCursor"].clone();
            assert!(nodes.len() < 10_000, "{}: the walk does not end", self.name);
        }
    }

    /// Every node, in pages of `size` read backward with `last`/`before`,
    /// returned in the ordering's order.
    pub async fn walk_backward(&self, app: &TestApp, order: &Value, size: usize) -> Vec<Value> {
        let mut pages = Vec::new();
        let mut before = Value::Null;
        loop {
            let page = self
                .page(
                    app,
                    json!({ "last": size, "before": before, "order": order }),
                )
                .await;
            let info = &page["pageInfo"];
            assert_eq!(
                info["hasNextPage"],
                json!(!before.is_null()),
                "{}",
                self.name
            );
            let edges = page["edges"].as_array().expect("edges");
            let has_previous = info["hasPreviousPage"].as_bool().expect("hasPreviousPage");
            if has_previous {
                assert_eq!(
                    edges.len(),
                    size,
                    "{}: a page after the start is full",
                    self.name
                );
            }
            pages.push(
                edges
                    .iter()
                    .map(|edge| edge["node"].clone())
                    .collect::<Vec<_>>(),
            );
            if !has_previous {
                pages.reverse();
                return pages.concat();
            }
            before = info["startCursor"].clone();
            assert!(pages.len() < 1_000, "{}: the walk does not end", self.name);
        }
    }
}

/// Edges and `pageInfo` agree on the cursors.
pub fn check_cursors(connection: &Value) {
    let edges = connection["edges"].as_array().expect("edges");
    let info = &connection["pageInfo"];
    match (edges.first(), edges.last()) {
        (Some(first), Some(last)) => {
            assert_eq!(info["startCursor"], first["cursor"]);
            assert_eq!(info["endCursor"], last["cursor"]);
        }
        _ => {
            assert_eq!(info["startCursor"], Value::Null);
            assert_eq!(info["endCursor"], Value::Null);
        }
    }
}

/// The value of a sort field as a node reports it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum SortKey {
    Time(chrono::DateTime<chrono::Utc>),
    Int(i64),
    Text(String),
}

fn sort_key(node: &Value, field: &str) -> SortKey {
    let value = &node[field];
    if field.ends_with("At") {
        SortKey::Time(datetime(value))
    } else if let Some(n) = value.as_i64() {
        SortKey::Int(n)
    } else {
        SortKey::Text(value.as_str().expect("a sort key").to_owned())
    }
}

/// The GraphQL field an `XOrderField` value sorts by.
pub fn key_field(order_field: &str) -> &'static str {
    match order_field {
        "CREATED_AT" => "createdAt",
        "UPDATED_AT" => "updatedAt",
        "NAME" => "name",
        "PRIORITY" => "priority",
        other => panic!("no such order field {other}"),
    }
}

/// `nodes` sorted as the server must: by the key, then by id, both in
/// `direction`. UUIDs compare as their canonical text does; names compare
/// by bytes (SQLite's BINARY and PostgreSQL's C collation, the test
/// databases' default).
pub fn sorted(nodes: &[Value], order_field: &str, direction: &str) -> Vec<Value> {
    let field = key_field(order_field);
    let mut sorted = nodes.to_vec();
    sorted.sort_by(|a, b| {
        let ordering = sort_key(a, field)
            .cmp(&sort_key(b, field))
            .then_with(|| a["id"].as_str().cmp(&b["id"].as_str()));
        if direction == "DESC" {
            ordering.reverse()
        } else {
            ordering
        }
    });
    sorted
}

pub fn ids(nodes: &[Value]) -> Vec<String> {
    nodes
        .iter()
        .map(|node| node["id"].as_str().expect("id").to_owned())
        .collect()
}

/// Two sort keys the same, for building ties.
pub fn same_key(a: &Value, b: &Value, order_field: &str) -> bool {
    let field = key_field(order_field);
    sort_key(a, field).cmp(&sort_key(b, field)) == Ordering::Equal
}
