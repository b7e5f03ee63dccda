//! Plans: create, update and delete, their statuses, and the objects and
//! lists they belong to.

mod relations;
mod statuses;
mod writes;

use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_bad_input, assert_error_code, datetime, node_ids, spawn_app, unknown_id,
};

pub(super) const PLAN_FIELDS: &str =
    "id goalId goal { id description } description status version createdAt updatedAt";

pub(super) fn create_plan_doc() -> String {
    format!(
        "mutation($input: CreatePlanInput!) {{ createPlan(input: $input) {{ {PLAN_FIELDS} }} }}"
    )
}

pub(super) fn update_plan_doc() -> String {
    format!(
        "mutation($id: UUID!, $input: UpdatePlanInput!) {{ updatePlan(id: $id, input: $input) {{ {PLAN_FIELDS} }} }}"
    )
}

pub(super) async fn fetch_plan(app: &TestApp, id: &str) -> Value {
    let document = format!("query($id: UUID!) {{ plan(id: $id) {{ {PLAN_FIELDS} }} }}");
    app.gql_ok(&document, json!({ "id": id })).await["plan"].clone()
}

pub(super) const DELETE_PLAN: &str =
    "mutation($id: UUID!, $cascade: Boolean) { deletePlan(id: $id, cascade: $cascade) }";

/// The statuses a fresh (DRAFT) plan passes through to reach `status`.
pub(super) fn path_to(status: &str) -> &'static [&'static str] {
    match status {
        "DRAFT" => &[],
        "ACTIVE" => &["ACTIVE"],
        "COMPLETED" => &["ACTIVE", "COMPLETED"],
        "FAILED" => &["ACTIVE", "FAILED"],
        "CANCELLED" => &["CANCELLED"],
        other => panic!("no plan status {other}"),
    }
}

/// An agent and one of its goals.
pub(super) async fn goal_fixture(app: &TestApp) -> String {
    let agent = app.create_agent("Owner").await;
    app.create_goal(&agent, "The goal").await
}
