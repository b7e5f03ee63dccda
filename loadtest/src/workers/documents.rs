//! The GraphQL documents of the queue scenario, as the contract names its
//! fields (API.md, "Work queue: agents pulling tasks").

pub(crate) const CREATE_AGENT: &str =
    "mutation($input: CreateAgentInput!) { createAgent(input: $input) { id status } }";

pub(crate) const CREATE_GOAL: &str =
    "mutation($input: CreateGoalInput!) { createGoal(input: $input) { id } }";

/// A plan of at most 100 tasks: its connection shows them all, in the order
/// given.
pub(crate) const CREATE_PLAN: &str = "mutation($input: CreatePlanInput!) {
  createPlan(input: $input) { id status tasks(first: 100) { nodes { id } } }
}";

pub(crate) const CLAIM: &str = "mutation($input: ClaimTasksInput!) {
  claimTasks(input: $input) {
    token expiresAt
    task { id planId status attempts maxAttempts agentId inputData }
  }
}";

pub(crate) const HEARTBEAT: &str = "mutation($id: UUID!, $token: String!, $lease: Int) {
  heartbeatTask(id: $id, token: $token, leaseSeconds: $lease) { token expiresAt }
}";

pub(crate) const COMPLETE: &str = "mutation($id: UUID!, $token: String!, $output: JSON) {
  completeTask(id: $id, token: $token, outputData: $output) { id status attempts agentId }
}";

pub(crate) const FAIL: &str =
    "mutation($id: UUID!, $token: String!, $error: String!, $retry: Boolean) {
  failTask(id: $id, token: $token, error: $error, retry: $retry) { id status attempts error }
}";

pub(crate) const CANCEL: &str = "mutation($id: UUID!, $error: String!) {
  updateTask(id: $id, input: { status: CANCELLED, error: $error }) { id status }
}";

/// How many of the run's tasks there are, and how many have not ended.
pub(crate) const COUNTS: &str = "query($type: String!) {
  all: tasks(first: 1, filter: { taskType: $type }) { totalCount }
  open: tasks(first: 1, filter: { taskType: $type, statusIn: [PENDING, RUNNING, BLOCKED] }) { totalCount }
  blocked: tasks(first: 1, filter: { taskType: $type, status: BLOCKED }) { totalCount }
  failed: tasks(first: 1, filter: { taskType: $type, status: FAILED }) { totalCount }
}";

/// The run's FAILED tasks with the dependents they keep BLOCKED.
pub(crate) const FAILED_PAGE: &str = "query($type: String!, $after: String) {
  tasks(first: 100, after: $after, filter: { taskType: $type, status: FAILED }) {
    nodes { id dependents(first: 100, filter: { status: BLOCKED }) { nodes { id } } }
    pageInfo { hasNextPage endCursor }
  }
}";

/// One page of a plan's tasks, all the verification looks at.
pub(crate) const PLAN_TASKS: &str = "query($plan: UUID!, $after: String) {
  tasks(first: 100, after: $after, filter: { planId: $plan }) {
    nodes {
      id planId taskType status attempts maxAttempts error agentId
      startedAt completedAt leaseExpiresAt outputData inputData
      dependsOn { id status completedAt }
    }
    pageInfo { hasNextPage endCursor }
  }
}";
