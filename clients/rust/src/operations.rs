//! One struct per operation of `graphql/`, named as the operation in its
//! document; `#[derive(GraphQLQuery)]` generates, in a module named after it
//! in snake case, its `Variables` and its `ResponseData`. `skip_serializing_none`
//! leaves unset input fields out of the request rather than sending them as
//! null (which would mean "clear it" where null is allowed).

#![allow(missing_docs)]

use graphql_client::GraphQLQuery;

// The schema's custom scalars, as the Rust types the generated code uses.
#[allow(clippy::upper_case_acronyms)]
type UUID = uuid::Uuid;
#[allow(clippy::upper_case_acronyms)]
type JSON = serde_json::Value;
/// RFC 3339, UTC.
type DateTime = String;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/create_agent.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct CreateAgent;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/create_goal.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct CreateGoal;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/create_plan.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct CreatePlan;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/create_task.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct CreateTask;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/delete_agent.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct DeleteAgent;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/delete_goal.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct DeleteGoal;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/delete_plan.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct DeletePlan;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/delete_task.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct DeleteTask;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/get_agent.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct GetAgent;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/get_goal.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct GetGoal;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/get_plan.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct GetPlan;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/get_task.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct GetTask;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/list_agents.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct ListAgents;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/list_goals.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct ListGoals;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/list_plans.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct ListPlans;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/list_tasks.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct ListTasks;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/update_agent.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct UpdateAgent;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/update_goal.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct UpdateGoal;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/update_plan.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct UpdatePlan;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/update_task.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct UpdateTask;

/// Counting (API.md, "Counting and history"): a plan's and its goal's
/// tasks by status, and the tasks a filter matches, grouped.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/plan_progress.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct PlanProgress;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/task_stats.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct TaskStats;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/history.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct History;

/// Who the server takes the caller to be (API.md, "Identity, roles and
/// tenants").
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/viewer.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct Viewer;

/// The work queue (API.md, "Work queue: agents pulling tasks"): claim,
/// then heartbeat, complete, fail or release with the lease's token.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/claim_tasks.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct ClaimTasks;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/heartbeat_task.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct HeartbeatTask;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/complete_task.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct CompleteTask;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/fail_task.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct FailTask;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/release_task.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct ReleaseTask;

/// Live changes of a plan's tasks. Its types fit any graphql-transport-ws
/// client (the server's WebSocket at `/graphql`); this crate's HTTP client
/// does not run subscriptions.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../operations/task_changed.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct TaskChanged;
