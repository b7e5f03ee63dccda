//! Agents in GraphQL: the object, its inputs, queries and mutations.

use async_graphql::{Context, Enum, InputObject, Result};
use chrono::{DateTime, Utc};
use entity::{agent, goal, task};
use serde_json::Value as Json;
use uuid::Uuid;

use super::connection::{FilterInput, connection};
use super::counting::{TaskCounts, task_counts};
use super::goal::{Goal, GoalFilter, GoalOrderField};
use super::idempotent::KEY_MAX;
use super::node_list::Plain;
use super::pagination::{order_field, page_complexity};
use super::projection::Projection;
use super::resource::{paged_object, resource_roots};
use super::task::{Task, TaskFilter, TaskOrderField};
use super::validate::{DID_MAX, NAME_MAX, Violations};
use crate::service::agents;
use crate::service::counting::CountsOf;
use crate::service::store::bounds::TimeBounds;

/// What an agent is doing; an agent may move between any two statuses.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::AgentStatus")]
pub(crate) enum AgentStatus {
    /// Working on its goals.
    Active,
    /// Switched off.
    Inactive,
    /// Temporarily holding its work.
    Paused,
}

/// An AI agent: it pursues goals and may be assigned tasks.
#[derive(Clone)]
pub(crate) struct Agent(pub agent::Model);

order_field! {
    /// What a list of agents can be ordered by.
    AgentOrderField for agent {
        /// When it was created.
        CreatedAt,
        /// When it last changed.
        UpdatedAt,
        /// Its name (in the database's collation).
        Name,
    }
}

// The fields of `Agent` that are not one of its own columns (those are listed
// once, in `service::agents`): what each reads of the row.
impl Projection for agent::Entity {
    const RELATIONS: &'static [(&'static str, &'static [agent::Column])] =
        &[("goals", &[]), ("tasks", &[]), ("taskCounts", &[])];
    const TASK_COUNTS: Option<CountsOf> = Some(CountsOf::Agent);
}

paged_object! {
    impl Agent {
        /// Server-generated id (UUIDv7: ordering by id is creation order).
        async fn id(&self) -> Uuid {
            self.0.id
        }
        /// Decentralised identifier, unique across agents; defaults to `did:agent:<id>`.
        async fn did(&self) -> &str {
            &self.0.did
        }
        /// Display name, 1 to 200 characters.
        async fn name(&self) -> &str {
            &self.0.name
        }
        /// The current status; see the enum for the allowed transitions.
        async fn status(&self) -> AgentStatus {
            self.0.status.into()
        }
        /// Free-form configuration; always a JSON object.
        async fn configuration(&self) -> &Json {
            &self.0.configuration
        }
        /// Free-form metadata; always a JSON object.
        async fn metadata(&self) -> &Json {
            &self.0.metadata
        }
        /// Starts at 1 and grows by one with every successful update; pass it as
        /// `expectedVersion` to update only what you read.
        async fn version(&self) -> i32 {
            self.0.version
        }
        /// When the agent was created (UTC).
        async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
            self.0.created_at
        }
        /// When the agent last changed (UTC).
        async fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
            self.0.updated_at
        }
        /// The tasks assigned to it, by status.
        async fn task_counts(&self, ctx: &Context<'_>) -> Result<Plain<TaskCounts>> {
            task_counts(ctx, CountsOf::Agent, self.0.id).await
        }
    }
    pages {
        /// The goals this agent pursues, oldest first unless `orderBy` says otherwise.
        goals: Goal, GoalFilter, GoalOrderField, children(goal::Column::AgentId);
        /// The tasks assigned to this agent, oldest first unless `orderBy` says otherwise.
        tasks: Task, TaskFilter, TaskOrderField, children(task::Column::AgentId);
    }
}

connection!(
    Agent {
        entity: agent::Entity,
        filter: agents::AgentFilter,
        filter_input: AgentFilter,
        order_field: AgentOrderField,
    },
    "AgentConnection",
    "AgentEdge",
    "agents"
);

/// Narrows a list of agents; all given conditions must hold.
#[derive(InputObject, Clone, Default)]
pub(crate) struct AgentFilter {
    /// Only agents in this status.
    pub(crate) status: Option<AgentStatus>,
    /// Only agents in one of these statuses (1 to 10 of them).
    pub(crate) status_in: Option<Vec<AgentStatus>>,
    /// Only agents whose name contains this text, ignoring case.
    pub(crate) name_contains: Option<String>,
    /// Only agents created after this time (exclusive).
    pub(crate) created_after: Option<DateTime<Utc>>,
    /// Only agents created before this time (exclusive).
    pub(crate) created_before: Option<DateTime<Utc>>,
    /// Only agents changed after this time (exclusive).
    pub(crate) updated_after: Option<DateTime<Utc>>,
}

impl FilterInput for AgentFilter {
    type Filter = agents::AgentFilter;

    fn validate(self, violations: &mut Violations) -> agents::AgentFilter {
        violations.choices("filter.statusIn", self.status_in.as_deref());
        agents::AgentFilter {
            status: self.status.map(Into::into),
            status_in: self
                .status_in
                .map(|s| s.into_iter().map(Into::into).collect()),
            name_contains: self.name_contains,
            time: TimeBounds::new(self.created_after, self.created_before, self.updated_after),
        }
    }
}

/// A new agent. The server generates its id.
#[derive(InputObject)]
pub(crate) struct CreateAgentInput {
    /// 1 to 200 characters.
    pub(crate) name: String,
    /// Unique; defaults to `did:agent:<id>`.
    pub(crate) did: Option<String>,
    /// Defaults to ACTIVE.
    pub(crate) status: Option<AgentStatus>,
    /// A JSON object; defaults to `{}`.
    pub(crate) configuration: Option<Json>,
    /// A JSON object; defaults to `{}`.
    pub(crate) metadata: Option<Json>,
    /// 1 to 200 characters: a retry with the same key and input returns the
    /// agent the first attempt created instead of creating another.
    pub(crate) idempotency_key: Option<String>,
}

impl CreateAgentInput {
    fn validate(self) -> crate::error::Result<agents::NewAgent> {
        let mut v = Violations::under("input");
        v.optional_text("idempotencyKey", self.idempotency_key.as_deref(), KEY_MAX);
        v.text("name", &self.name, NAME_MAX);
        v.optional_text("did", self.did.as_deref(), DID_MAX);
        v.object("configuration", self.configuration.as_ref());
        v.object("metadata", self.metadata.as_ref());
        v.finish()?;
        Ok(agents::NewAgent {
            name: self.name,
            did: self.did,
            status: self.status.map(Into::into),
            configuration: self.configuration,
            metadata: self.metadata,
        })
    }
}

/// Changes to an agent: only the fields given change; a JSON field given
/// replaces the whole object.
#[derive(InputObject)]
pub(crate) struct UpdateAgentInput {
    /// 1 to 200 characters.
    pub(crate) name: Option<String>,
    pub(crate) status: Option<AgentStatus>,
    /// A JSON object; replaces the current one.
    pub(crate) configuration: Option<Json>,
    /// A JSON object; replaces the current one.
    pub(crate) metadata: Option<Json>,
    /// When given, the update applies only if the agent is still at this version (else CONFLICT).
    pub(crate) expected_version: Option<i32>,
}

impl UpdateAgentInput {
    fn validate(self) -> crate::error::Result<agents::AgentChanges> {
        let mut v = Violations::under("input");
        v.optional_text("name", self.name.as_deref(), NAME_MAX);
        v.object("configuration", self.configuration.as_ref());
        v.object("metadata", self.metadata.as_ref());
        v.finish()?;
        Ok(agents::AgentChanges {
            name: self.name,
            status: self.status.map(Into::into),
            configuration: self.configuration,
            metadata: self.metadata,
            expected_version: self.expected_version,
        })
    }
}

resource_roots! {
    Agent of agent::Entity, through agents {
        query AgentQuery {
            /// The agent with this id, or null when there is none.
            agent;
            /// Agents, oldest first unless `orderBy` says otherwise.
            agents: AgentFilter, AgentOrderField;
        }
        mutation AgentMutation {
            /// Creates an agent; the server generates its id.
            create_agent(CreateAgentInput) as "createAgent";
            /// Changes the fields given and increments `version`.
            update_agent(UpdateAgentInput);
            /// Deletes an agent and returns its id. Its goals block the delete
            /// (CONFLICT) unless `cascade`, which removes its goals, their plans and
            /// tasks in one transaction. Tasks assigned to it become unassigned.
            delete_agent(cascade);
        }
    }
}
