//! Goals: create, update and delete, their statuses, and the objects and
//! lists they belong to.

mod relations;
mod statuses;
mod writes;

use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_bad_input, assert_error_code, datetime, node_ids, spawn_app, unknown_id,
};

pub(super) const GOAL_FIELDS: &str = "id agentId agent { id name } description successCriteria priority \
                           status version createdAt updatedAt";

pub(super) fn create_goal_doc() -> String {
    format!(
        "mutation($input: CreateGoalInput!) {{ createGoal(input: $input) {{ {GOAL_FIELDS} }} }}"
    )
}

pub(super) fn update_goal_doc() -> String {
    format!(
        "mutation($id: UUID!, $input: UpdateGoalInput!) {{ updateGoal(id: $id, input: $input) {{ {GOAL_FIELDS} }} }}"
    )
}

pub(super) async fn fetch_goal(app: &TestApp, id: &str) -> Value {
    let document = format!("query($id: UUID!) {{ goal(id: $id) {{ {GOAL_FIELDS} }} }}");
    app.gql_ok(&document, json!({ "id": id })).await["goal"].clone()
}

pub(super) const DELETE_GOAL: &str =
    "mutation($id: UUID!, $cascade: Boolean) { deleteGoal(id: $id, cascade: $cascade) }";

/// The statuses a fresh (PENDING) goal passes through to reach `status`.
pub(super) fn path_to(status: &str) -> &'static [&'static str] {
    match status {
        "PENDING" => &[],
        "ACTIVE" => &["ACTIVE"],
        "COMPLETED" => &["ACTIVE", "COMPLETED"],
        "FAILED" => &["ACTIVE", "FAILED"],
        "CANCELLED" => &["CANCELLED"],
        other => panic!("no goal status {other}"),
    }
}
