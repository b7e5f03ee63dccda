//! The mutation rows of the isolation table (`isolation.rs`): a caller of
//! tenant B naming tenant A's objects, directly or inside its own inputs,
//! gets what it would for objects that do not exist, and changes nothing;
//! its claims never take A's tasks.

use serde_json::{Value, json};

use super::isolation::{Check, rows};
use super::targets::{Call, catalogue, snapshot, string};
use super::{Client, Pair, codes, report};
use crate::helpers::{codes as coded, unknown_id};

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
            // The lease calls too expect NOT_FOUND (the errors table: a
            // mutation naming an object that does not exist), though A's
            // token is a real one.
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
