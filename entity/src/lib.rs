//! Database models of agentgraph and the rules that belong to the data itself
//! (status enums and their transitions). Knows nothing of GraphQL.

pub mod agent;
pub mod goal;
pub mod idempotency_key;
pub mod plan;
pub mod status;
pub mod task;
pub mod task_dependency;

pub use status::{AgentStatus, GoalStatus, PlanStatus, TaskStatus};
