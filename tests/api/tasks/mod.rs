//! Tasks: create, update and delete, their statuses and timestamps, and
//! the objects and lists they belong to.

mod relations;
mod statuses;
mod writes;

use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_bad_input, assert_error_code, datetime, node_ids, spawn_app, unknown_id,
};

pub(super) const TASK_FIELDS: &str = "id planId plan { id } agentId agent { id name } description taskType \
                           status inputData outputData error version createdAt updatedAt \
                           startedAt completedAt";

pub(super) fn create_task_doc() -> String {
    format!(
        "mutation($input: CreateTaskInput!) {{ createTask(input: $input) {{ {TASK_FIELDS} }} }}"
    )
}

pub(super) fn update_task_doc() -> String {
    format!(
        "mutation($id: UUID!, $input: UpdateTaskInput!) {{ updateTask(id: $id, input: $input) {{ {TASK_FIELDS} }} }}"
    )
}

pub(super) async fn fetch_task(app: &TestApp, id: &str) -> Value {
    let document = format!("query($id: UUID!) {{ task(id: $id) {{ {TASK_FIELDS} }} }}");
    app.gql_ok(&document, json!({ "id": id })).await["task"].clone()
}

pub(super) async fn set_status(app: &TestApp, id: &str, status: &str) -> Value {
    app.gql_ok(
        &update_task_doc(),
        json!({ "id": id, "input": { "status": status } }),
    )
    .await["updateTask"]
        .clone()
}

pub(super) const DELETE_TASK: &str = "mutation($id: UUID!) { deleteTask(id: $id) }";

/// The statuses a fresh (PENDING) task passes through to reach `status`.
pub(super) fn path_to(status: &str) -> &'static [&'static str] {
    match status {
        "PENDING" => &[],
        "RUNNING" => &["RUNNING"],
        "COMPLETED" => &["RUNNING", "COMPLETED"],
        "FAILED" => &["RUNNING", "FAILED"],
        "CANCELLED" => &["CANCELLED"],
        other => panic!("no task status {other}"),
    }
}

/// An agent, one of its goals and one plan under it; returns (agent, plan).
pub(super) async fn plan_fixture(app: &TestApp) -> (String, String) {
    let agent = app.create_agent("Owner").await;
    let goal = app.create_goal(&agent, "The goal").await;
    let plan = app.create_plan(&goal, "The plan").await;
    (agent, plan)
}
