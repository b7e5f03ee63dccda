//! The work queue over the wire: claims, leases, retries, dependencies, the
//! lease sweep and the long poll, on whichever backend the suite runs on.

mod claims;
mod dependencies;
mod leases;
mod long_poll;
mod metrics;
mod model;
mod sweep;

use serde_json::{Value, json};

use crate::helpers::{TestApp, codes, on, spawn_app_with};

/// The call was refused: its token holds no lease.
pub(super) fn assert_stale(body: &Value) {
    assert_eq!(codes(body), [on("CONFLICT", "token")], "{body:#}");
}

pub(super) const LEASE_FIELDS: &str = "token expiresAt task { id status agentId attempts \
    maxAttempts priority runAt leaseExpiresAt startedAt completedAt version error }";

pub(super) const TASK_FIELDS: &str = "id status agentId attempts maxAttempts priority runAt \
    leaseExpiresAt startedAt completedAt version error outputData";

/// A server whose retries and sweeps are quick enough for a test.
pub(super) async fn queue_app() -> TestApp {
    spawn_app_with(|config| {
        config.serve.retry_backoff = std::time::Duration::from_millis(100);
        config.serve.lease_sweep_interval = std::time::Duration::from_millis(100);
    })
    .await
}

/// An agent, a goal and an ACTIVE plan; (agent, plan).
pub(super) async fn active_plan(app: &TestApp) -> (String, String) {
    let agent = app.create_agent("Worker").await;
    let goal = app.create_goal(&agent, "Work").await;
    let data = app
        .gql_ok(
            "mutation($input: CreatePlanInput!) { createPlan(input: $input) { id } }",
            json!({ "input": { "goalId": goal, "description": "Queue", "status": "ACTIVE" } }),
        )
        .await;
    (
        agent,
        data["createPlan"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// Creates a task of `plan` with extra `fields`; the task as created.
pub(super) async fn add_task(app: &TestApp, plan: &str, fields: Value) -> Value {
    let mut input = json!({ "planId": plan, "description": "A task" });
    if let (Some(input), Some(fields)) = (input.as_object_mut(), fields.as_object()) {
        input.extend(fields.clone());
    }
    let document = format!(
        "mutation($input: CreateTaskInput!) {{ createTask(input: $input) {{ {TASK_FIELDS} }} }}"
    );
    app.gql_ok(&document, json!({ "input": input })).await["createTask"].clone()
}

/// The raw answer to `claimTasks(input:)`.
pub(super) async fn claim_raw(app: &TestApp, input: Value) -> Value {
    let document = format!(
        "mutation($input: ClaimTasksInput!) {{ claimTasks(input: $input) {{ {LEASE_FIELDS} }} }}"
    );
    app.gql(&document, json!({ "input": input })).await
}

/// The leases `agent` claims with `extra` input fields.
pub(super) async fn claim(app: &TestApp, agent: &str, extra: Value) -> Vec<Value> {
    let mut input = json!({ "agentId": agent });
    if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
        input.extend(extra.clone());
    }
    let body = claim_raw(app, input).await;
    assert!(body.get("errors").is_none(), "claim failed: {body:#}");
    body["data"]["claimTasks"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// One of `completeTask`, `failTask`, `releaseTask`, `heartbeatTask` with
/// its arguments (`id` and `token` plus `extra`); the raw answer.
pub(super) async fn lease_call(
    app: &TestApp,
    call: &str,
    id: &str,
    token: &str,
    extra: &str,
) -> Value {
    let selection = if call == "heartbeatTask" {
        LEASE_FIELDS
    } else {
        TASK_FIELDS
    };
    let document = format!(
        "mutation($id: UUID!, $token: String!) {{ {call}(id: $id, token: $token{extra}) {{ {selection} }} }}"
    );
    app.gql(&document, json!({ "id": id, "token": token }))
        .await
}

pub(super) async fn task(app: &TestApp, id: &str) -> Value {
    let document = format!("query($id: UUID!) {{ task(id: $id) {{ {TASK_FIELDS} }} }}");
    app.gql_ok(&document, json!({ "id": id })).await["task"].clone()
}

pub(super) fn id_of(value: &Value) -> String {
    value["id"].as_str().unwrap_or_default().to_owned()
}

pub(super) fn lease_parts(lease: &Value) -> (String, String) {
    (
        lease["task"]["id"].as_str().unwrap_or_default().to_owned(),
        lease["token"].as_str().unwrap_or_default().to_owned(),
    )
}
