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
use super::targets::{Call, catalogue, snapshot, string};
use super::{Client, Pair, TENANT_B, codes, leaked, report};
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
    /// Every call of the catalogue for this field (tests/api/tenants/targets.rs),
    /// naming A's objects: NOT_FOUND, A unchanged.
    Mutation,
    /// Over a WebSocket: see `subscriptions.rs`.
    Subscription,
}

/// Every root field and its check. `taskStats` and `history` (issue 29)
/// get their rows when the schema has them.
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
    report("B's queries of A's objects", &failures);
}

/// Runs `call` as `caller` and fails (into `failures`) unless the answer is
/// `expected` (`None`: no error) and `untouched`'s snapshot stayed as it was.
async fn expect_call(
    caller: &Client,
    call: &Call,
    expected: Option<&str>,
    untouched: &Client,
    failures: &mut Vec<String>,
) -> Value {
    let before = snapshot(untouched).await;
    let body = caller.gql(&call.document, call.variables.clone()).await;
    let got = codes(&body);
    let fine = match expected {
        None => got.is_empty(),
        Some(code) => {
            got == [code]
                && body["data"]
                    .as_object()
                    .is_none_or(|d| d.values().all(Value::is_null))
        }
    };
    if !fine {
        failures.push(format!(
            "{} ({}): expected {expected:?}, got {body}",
            call.label, call.variables
        ));
    }
    let after = snapshot(untouched).await;
    if before != after {
        failures.push(format!(
            "{} ({}) changed the other tenant's data: {}",
            call.label,
            call.variables,
            super::targets::diff(&before, &after)
        ));
    }
    body
}

#[tokio::test]
async fn mutations_of_tenant_b_naming_tenant_a_objects_are_not_found_and_change_nothing() {
    let pair = Pair::new().await;
    let calls = catalogue(&pair.a.targets);
    let mut failures = Vec::new();
    for field in rows(Check::Mutation) {
        for call in calls.iter().filter(|call| call.field == field) {
            // createAgent names no object: it succeeds, in B's tenant.
            let expected = (field != "createAgent").then_some("NOT_FOUND");
            expect_call(
                &pair.b.writer,
                call,
                expected,
                &pair.a.writer,
                &mut failures,
            )
            .await;
        }
    }
    report("B's mutations of A's objects", &failures);
}

/// B's own parents with a reference to A's object inside: answered as the
/// same reference to an object that does not exist, and nothing created.
#[tokio::test]
async fn references_to_tenant_a_inside_tenant_b_inputs_are_as_absent_as_unknown_ids() {
    let pair = Pair::new().await;
    let (a, b) = (&pair.a.targets, &pair.b.targets);
    type Input<'a> = Box<dyn Fn(&str) -> Value + 'a>;
    let cases: Vec<(&str, &str, &str, Input)> = vec![
        (
            "createTask",
            "CreateTaskInput",
            &a.task,
            Box::new(|id| json!({ "planId": b.plan, "description": "x", "dependsOn": [id] })),
        ),
        (
            "createTask",
            "CreateTaskInput",
            &a.agent,
            Box::new(|id| json!({ "planId": b.plan, "description": "x", "agentId": id })),
        ),
        (
            "createGoal",
            "CreateGoalInput",
            &a.agent,
            Box::new(|id| {
                json!({ "agentId": b.agent, "description": "x",
                        "plans": [{ "description": "x", "tasks": [{ "description": "x", "agentId": id }] }] })
            }),
        ),
        (
            "claimTasks",
            "ClaimTasksInput",
            &a.plan,
            Box::new(|id| json!({ "agentId": b.agent, "planId": id })),
        ),
    ];
    let mut failures = Vec::new();
    for (field, input_type, reference, input) in &cases {
        let document = format!(
            "mutation($input: {input_type}!) {{ {field}(input: $input) {{ __typename }} }}"
        );
        let unknown = pair
            .b
            .writer
            .gql(&document, json!({ "input": input(&unknown_id()) }))
            .await;
        assert!(
            unknown.get("errors").is_some(),
            "{field} with an unknown id is refused: {unknown}"
        );
        let before = (
            snapshot(&pair.a.writer).await,
            snapshot(&pair.b.writer).await,
        );
        let body = pair
            .b
            .writer
            .gql(&document, json!({ "input": input(reference) }))
            .await;
        if coded(&body) != coded(&unknown) {
            failures.push(format!(
                "{field} {} by B: {body}, but with an unknown id: {unknown}",
                input(reference)
            ));
        }
        let after = (
            snapshot(&pair.a.writer).await,
            snapshot(&pair.b.writer).await,
        );
        if before != after {
            failures.push(format!("{field} {} by B changed data", input(reference)));
        }
    }
    let update = "mutation($id: UUID!, $input: UpdateTaskInput!) { updateTask(id: $id, input: $input) { id } }";
    let unknown = pair
        .b
        .writer
        .gql(
            update,
            json!({ "id": b.task, "input": { "agentId": unknown_id() } }),
        )
        .await;
    let body = pair
        .b
        .writer
        .gql(
            update,
            json!({ "id": b.task, "input": { "agentId": a.agent } }),
        )
        .await;
    if coded(&body) != coded(&unknown) || unknown.get("errors").is_none() {
        failures.push(format!(
            "updateTask assigning B's task to A's agent: {body}, unknown: {unknown}"
        ));
    }
    report("references to A inside B's inputs", &failures);
}

#[tokio::test]
async fn claims_of_tenant_b_never_take_tenant_a_tasks_even_while_waiting() {
    let pair = Pair::new().await;
    let (a, b) = (&pair.a.targets, &pair.b.targets);
    let claim =
        "mutation($input: ClaimTasksInput!) { claimTasks(input: $input) { token task { id } } }";
    let taken = pair
        .b
        .writer
        .gql_ok(
            claim,
            json!({ "input": { "agentId": b.agent, "limit": 100 } }),
        )
        .await;
    let ids: Vec<String> = taken["claimTasks"]
        .as_array()
        .expect("leases")
        .iter()
        .map(|lease| string(&lease["task"]["id"]))
        .collect();
    assert_eq!(
        ids,
        std::slice::from_ref(&b.task),
        "B claims its one claimable task and none of A's"
    );

    // Nothing of B's is claimable now: B waits, and A's new work must not wake it with A's task.
    let waiting = {
        let writer = pair.b.writer.clone();
        let agent = b.agent.clone();
        tokio::spawn(async move {
            writer
                .gql(
                    claim,
                    json!({ "input": { "agentId": agent, "waitSeconds": 2 } }),
                )
                .await
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let fresh = pair
        .a
        .writer
        .create(
            "createTask",
            json!({ "planId": a.plan, "description": "A's new work" }),
        )
        .await;
    let body = waiting.await.expect("the claim ran");
    assert_eq!(
        body["data"]["claimTasks"],
        json!([]),
        "B's long poll: {body}"
    );
    let status = pair
        .a
        .writer
        .gql_ok(
            "query($id: UUID!) { task(id: $id) { status } }",
            json!({ "id": fresh }),
        )
        .await;
    assert_eq!(status["task"]["status"], "PENDING");
}
