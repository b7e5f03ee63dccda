//! A caller of tenant B aims at tenant A's objects through every root field
//! of the schema. Another tenant's object is exactly as absent as one that
//! does not exist: `null` by id, never in a list or count, NOT_FOUND from a
//! mutation (which changes nothing), its list cursors BAD_USER_INPUT.
//!
//! [`ROWS`] names every root field and how it is checked; a root field of
//! the server's SDL without a row fails
//! `every_root_field_of_the_schema_has_an_isolation_row`, so whoever adds a
//! field adds its row.

use serde_json::{Value, json};

use super::schema_walk::Schema;
use super::targets::catalogue;
use super::{Pair, TENANT_B, leaked, report};
use crate::helpers::{codes as coded, unknown_id};

/// How a root field is checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Check {
    /// `x(id:)` with A's id: `null`, no error.
    ById,
    /// A list: none of A's objects, counts without them, A's filters match
    /// nothing, A's cursors are BAD_USER_INPUT.
    List,
    /// `viewer`: B's own identity.
    Viewer,
    /// `taskStats`: B's groups count B's tasks only, and none names A's
    /// plans or agents, even filtered by them.
    Stats,
    /// `history(id:)` of each of A's objects: empty, no error; A's history
    /// cursor as `after` on B's own object: B's own changes only.
    History,
    /// Every call of the catalogue for this field (`targets.rs`), run in
    /// `isolation_writes.rs`,
    /// naming A's objects: NOT_FOUND, A unchanged.
    Mutation,
    /// Over a WebSocket: see `subscriptions.rs`.
    Subscription,
}

/// Every root field and its check.
pub const ROWS: &[(&str, Check)] = &[
    ("agent", Check::ById),
    ("goal", Check::ById),
    ("plan", Check::ById),
    ("task", Check::ById),
    ("agents", Check::List),
    ("goals", Check::List),
    ("plans", Check::List),
    ("tasks", Check::List),
    ("viewer", Check::Viewer),
    ("taskStats", Check::Stats),
    ("history", Check::History),
    ("createAgent", Check::Mutation),
    ("updateAgent", Check::Mutation),
    ("deleteAgent", Check::Mutation),
    ("createGoal", Check::Mutation),
    ("updateGoal", Check::Mutation),
    ("deleteGoal", Check::Mutation),
    ("createPlan", Check::Mutation),
    ("updatePlan", Check::Mutation),
    ("deletePlan", Check::Mutation),
    ("createTask", Check::Mutation),
    ("updateTask", Check::Mutation),
    ("deleteTask", Check::Mutation),
    ("claimTasks", Check::Mutation),
    ("heartbeatTask", Check::Mutation),
    ("completeTask", Check::Mutation),
    ("failTask", Check::Mutation),
    ("releaseTask", Check::Mutation),
    ("agentChanged", Check::Subscription),
    ("goalChanged", Check::Subscription),
    ("planChanged", Check::Subscription),
    ("taskChanged", Check::Subscription),
];

pub fn rows(check: Check) -> impl Iterator<Item = &'static str> {
    ROWS.iter()
        .filter(move |(_, c)| *c == check)
        .map(|(field, _)| *field)
}

#[test]
fn every_root_field_of_the_schema_has_an_isolation_row() {
    let schema = Schema::load();
    let mut missing = Vec::new();
    for root in ["Query", "Mutation", "Subscription"] {
        for field in schema.root_fields(root) {
            if !ROWS.iter().any(|(name, _)| *name == field) {
                missing.push(format!("{root}.{field}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "root fields without a row in tests/api/tenants/isolation.rs ROWS \
         (add one, and its calls to targets::catalogue for a mutation): {missing:?}"
    );
    // A mutation's row is only as good as its calls.
    let targets = super::targets::Targets {
        agent: unknown_id(),
        goal: unknown_id(),
        plan: unknown_id(),
        task: unknown_id(),
        leases: (0..4).map(|_| (unknown_id(), "t".to_owned())).collect(),
        doomed_agent: unknown_id(),
        doomed_goal: unknown_id(),
        doomed_plan: unknown_id(),
        doomed_task: unknown_id(),
    };
    let calls = catalogue(&targets);
    let uncalled: Vec<_> = rows(Check::Mutation)
        .filter(|field| !calls.iter().any(|call| call.field == *field))
        .collect();
    assert!(
        uncalled.is_empty(),
        "mutations without a catalogue call: {uncalled:?}"
    );
}

/// A's id for `x(id:)`.
fn a_id(pair: &Pair, field: &str) -> String {
    let t = &pair.a.targets;
    match field {
        "agent" => t.agent.clone(),
        "goal" => t.goal.clone(),
        "plan" => t.plan.clone(),
        "task" => t.task.clone(),
        other => panic!("no id for the row {other}: add it here"),
    }
}

/// For a list of A's kind `field`: the filters that match A's objects only,
/// and the nested connection (parent field, parent id of B) that pages the
/// same kind.
fn a_filters(pair: &Pair, field: &str) -> Vec<Value> {
    let t = &pair.a.targets;
    match field {
        "agents" => vec![json!({ "nameContains": "alpha" })],
        "goals" => vec![json!({ "agentId": t.agent })],
        "plans" => vec![json!({ "goalId": t.goal })],
        "tasks" => vec![json!({ "planId": t.plan }), json!({ "agentId": t.agent })],
        other => panic!("no filters for the row {other}: add them here"),
    }
}

fn nested_parent(field: &str) -> Option<&'static str> {
    match field {
        "goals" => Some("agent"),
        "plans" => Some("goal"),
        "tasks" => Some("plan"),
        _ => None,
    }
}

fn parent_id(t: &super::targets::Targets, parent: &str) -> String {
    match parent {
        "agent" => t.agent.clone(),
        "goal" => t.goal.clone(),
        "plan" => t.plan.clone(),
        other => panic!("no parent {other}"),
    }
}

fn filter_type(field: &str) -> String {
    let singular = field.trim_end_matches('s');
    format!("{}Filter", super::client::capitalised(singular))
}

#[tokio::test]
async fn queries_of_tenant_b_find_nothing_of_tenant_a() {
    let pair = Pair::new().await;
    let a_ids = pair.a.targets.ids();
    let b = &pair.b.writer;
    let mut failures = Vec::new();

    for field in rows(Check::ById) {
        let document = format!("query($id: UUID!) {{ {field}(id: $id) {{ id }} }}");
        let id = a_id(&pair, field);
        let own = pair.a.writer.gql_ok(&document, json!({ "id": id })).await;
        assert_eq!(own[field]["id"], id.as_str(), "A sees its own {field}");
        let body = b.gql(&document, json!({ "id": id })).await;
        if body.get("errors").is_some() || !body["data"][field].is_null() {
            failures.push(format!("{field}(id: A's) by B: {body}"));
        }
    }

    for field in rows(Check::List) {
        let document =
            format!("{{ {field}(first: 100) {{ totalCount nodes {{ id }} edges {{ cursor }} }} }}");
        let data = b.gql_ok(&document, json!({})).await;
        let nodes = data[field]["nodes"].as_array().cloned().unwrap_or_default();
        let leaks = leaked(&data, &a_ids);
        if !leaks.is_empty() {
            failures.push(format!("{field} by B lists A's objects {leaks:?}"));
        }
        if nodes.is_empty() || data[field]["totalCount"] != json!(nodes.len()) {
            failures.push(format!(
                "{field} by B: totalCount counts other than B's own: {data}"
            ));
        }

        let filtered = format!(
            "query($f: {}) {{ {field}(filter: $f) {{ totalCount nodes {{ id }} }} }}",
            filter_type(field)
        );
        for filter in a_filters(&pair, field) {
            let own = pair
                .a
                .writer
                .gql_ok(&filtered, json!({ "f": filter }))
                .await;
            assert_ne!(
                own[field]["totalCount"], 0,
                "the filter {filter} matches A's {field}"
            );
            let data = b.gql_ok(&filtered, json!({ "f": filter })).await;
            if data[field]["totalCount"] != 0 || !leaked(&data, &a_ids).is_empty() {
                failures.push(format!("{field}(filter: {filter}) by B: {data}"));
            }
        }

        let cursor = pair
            .a
            .writer
            .gql_ok(
                &format!("{{ {field}(first: 1) {{ edges {{ cursor }} }} }}"),
                json!({}),
            )
            .await[field]["edges"][0]["cursor"]
            .clone();
        for (arguments, argument) in [
            ("first: 5, after: $c", "after"),
            ("last: 5, before: $c", "before"),
        ] {
            let document = format!(
                "query($c: String) {{ {field}({arguments}) {{ totalCount nodes {{ id }} }} }}"
            );
            let body = b.gql(&document, json!({ "c": cursor })).await;
            if coded(&body) != [crate::helpers::bad_input(argument)] {
                failures.push(format!("{field}({argument}: A's cursor) by B: {body}"));
            }
        }

        if let Some(parent) = nested_parent(field) {
            let cursor_of = format!(
                "query($id: UUID!) {{ {parent}(id: $id) {{ {field}(first: 1) {{ edges {{ cursor }} }} }} }}"
            );
            let cursor = pair
                .a
                .writer
                .gql_ok(
                    &cursor_of,
                    json!({ "id": parent_id(&pair.a.targets, parent) }),
                )
                .await[parent][field]["edges"][0]["cursor"]
                .clone();
            assert!(cursor.is_string(), "A's {parent} has {field}");
            let document = format!(
                "query($id: UUID!, $c: String) {{ {parent}(id: $id) {{ {field}(after: $c) {{ totalCount nodes {{ id }} }} }} }}"
            );
            let body = b
                .gql(
                    &document,
                    json!({ "id": parent_id(&pair.b.targets, parent), "c": cursor }),
                )
                .await;
            let refused = coded(&body)
                .iter()
                .any(|(code, field)| code == "BAD_USER_INPUT" && field.as_deref() == Some("after"));
            if !refused {
                failures.push(format!(
                    "{parent} {{ {field}(after: A's cursor) }} by B: {body}"
                ));
            }
        }
    }

    for field in rows(Check::Viewer) {
        let body = b
            .gql("{ viewer { role tenant name agent { id } } }", json!({}))
            .await;
        let expected =
            json!({ "role": "WRITE", "tenant": TENANT_B, "name": "writer", "agent": null });
        if body["data"][field] != expected {
            failures.push(format!("{field} by B: {body}"));
        }
    }
    for field in rows(Check::Stats) {
        let document = format!(
            "query($f: TaskFilter) {{ {field}(filter: $f, groupBy: [PLAN, AGENT, STATUS, TASK_TYPE]) \
             {{ planId agentId count }} }}"
        );
        let own_tasks =
            b.gql_ok("{ tasks { totalCount } }", json!({})).await["tasks"]["totalCount"]
                .as_i64()
                .expect("B's task count");
        let t = &pair.a.targets;
        for filter in [
            Value::Null,
            json!({ "planId": t.plan }),
            json!({ "agentId": t.agent }),
        ] {
            let data = b.gql_ok(&document, json!({ "f": filter })).await;
            let groups = data[field].as_array().cloned().unwrap_or_default();
            let counted: i64 = groups.iter().filter_map(|g| g["count"].as_i64()).sum();
            let expected = if filter.is_null() { own_tasks } else { 0 };
            if !leaked(&data, &a_ids).is_empty() || counted != expected {
                failures.push(format!(
                    "{field}(filter: {filter}) by B counts {counted} (B has {own_tasks}): {data}"
                ));
            }
        }
    }
    for field in rows(Check::History) {
        let document = format!(
            "query($id: UUID!, $c: String) {{ {field}(id: $id, after: $c) {{ \
             nodes {{ kind version actor }} edges {{ cursor }} pageInfo {{ hasNextPage }} }} }}"
        );
        for kind in ["agent", "goal", "plan", "task"] {
            let id = a_id(&pair, kind);
            let own = pair.a.writer.gql_ok(&document, json!({ "id": id })).await;
            let cursor = own[field]["edges"][0]["cursor"].clone();
            assert!(cursor.is_string(), "A's {kind} has a history: {own}");
            let body = b.gql(&document, json!({ "id": id })).await;
            if body.get("errors").is_some() || body["data"][field]["nodes"] != json!([]) {
                failures.push(format!("{field}(id: A's {kind}) by B: {body}"));
            }
            // A change cursor is a position in the log: from A's, B's own
            // object's history goes on with B's changes only.
            let b_id = a_id_of(&pair.b.targets, kind);
            let all = b.gql_ok(&document, json!({ "id": b_id })).await;
            let after = b
                .gql_ok(&document, json!({ "id": b_id, "c": cursor }))
                .await;
            if after[field]["nodes"] != all[field]["nodes"] {
                failures.push(format!(
                    "{field}(id: B's {kind}, after: A's cursor) by B: {after} (all: {all})"
                ));
            }
        }
    }
    report("B's queries of A's objects", &failures);
}

fn a_id_of(t: &super::targets::Targets, kind: &str) -> String {
    match kind {
        "agent" => t.agent.clone(),
        "goal" => t.goal.clone(),
        "plan" => t.plan.clone(),
        _ => t.task.clone(),
    }
}
