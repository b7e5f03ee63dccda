//! Agents: create, update and delete, optimistic concurrency, cascades,
//! and the list of agents.

mod deletes;
mod writes;

use serde_json::{Value, json};

use crate::helpers::{assert_error_code, datetime, error_codes, node_ids, spawn_app, unknown_id};

pub(super) const AGENT_FIELDS: &str =
    "id did name status configuration metadata version createdAt updatedAt";

pub(super) fn create_agent_doc() -> String {
    format!(
        "mutation($input: CreateAgentInput!) {{ createAgent(input: $input) {{ {AGENT_FIELDS} }} }}"
    )
}

pub(super) fn update_agent_doc() -> String {
    format!(
        "mutation($id: UUID!, $input: UpdateAgentInput!) {{ updateAgent(id: $id, input: $input) {{ {AGENT_FIELDS} }} }}"
    )
}

pub(super) fn agent_doc() -> String {
    format!("query($id: UUID!) {{ agent(id: $id) {{ {AGENT_FIELDS} }} }}")
}

pub(super) const DELETE_AGENT: &str =
    "mutation($id: UUID!, $cascade: Boolean) { deleteAgent(id: $id, cascade: $cascade) }";

pub(super) const SUBTREE: &str = "query($goal: UUID!, $plan: UUID!, $task: UUID!) {
    goal(id: $goal) { id }
    plan(id: $plan) { id }
    task(id: $task) { id }
}";

pub(super) async fn fetch_agent(app: &crate::helpers::TestApp, id: &str) -> Value {
    app.gql_ok(&agent_doc(), json!({ "id": id })).await["agent"].clone()
}
