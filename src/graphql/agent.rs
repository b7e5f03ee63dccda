//! Agents in GraphQL: the object, its inputs, queries and mutations.

use async_graphql::{Context, Enum, InputObject, Object, Result};
use entity::agent;
use serde_json::Value as Json;
use uuid::Uuid;

use super::errors::GqlResult;
use super::goal::{GoalConnection, GoalFilter};
use super::loaders::Loaders;
use super::pagination::{
    Node, Projection, TotalCount, connection, load_children, load_list, page_request,
};
use super::task::{TaskConnection, TaskFilter};
use super::validate::{DID_MAX, NAME_MAX, Violations};
use crate::service::agents;
use crate::state::db;

/// What an agent is doing; an agent may move between any two statuses.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::AgentStatus")]
pub enum AgentStatus {
    /// Working on its goals.
    Active,
    /// Switched off.
    Inactive,
    /// Temporarily holding its work.
    Paused,
}

/// An AI agent: it pursues goals and may be assigned tasks.
#[derive(Clone)]
pub struct Agent(pub agent::Model);

impl Node for Agent {
    type Model = agent::Model;
}

// Keep in step with the resolvers of `Agent`: each field lists every column it
// reads. A field missing here makes lists of agents read whole rows.
impl Projection for agent::Entity {
    fn columns_of(field: &str) -> Option<&'static [agent::Column]> {
        use agent::Column as C;
        Some(match field {
            // Connections below this node need only its id.
            "id" | "__typename" | "goals" | "tasks" => &[],
            "did" => &[C::Did],
            "name" => &[C::Name],
            "status" => &[C::Status],
            "configuration" => &[C::Configuration],
            "metadata" => &[C::Metadata],
            "version" => &[C::Version],
            "createdAt" => &[C::CreatedAt],
            "updatedAt" => &[C::UpdatedAt],
            _ => return None,
        })
    }
}

#[Object]
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
    /// The goals this agent pursues, oldest first.
    #[graphql(complexity = "super::pagination::page_complexity(first, child_complexity)")]
    async fn goals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the object to start after.")] after: Option<String>,
        #[graphql(desc = "Only objects matching every condition given.")] filter: Option<
            GoalFilter,
        >,
    ) -> Result<GoalConnection> {
        let request = page_request(first, after.as_deref()).gql(ctx)?;
        let filter = filter.map(Into::into).unwrap_or_default();
        let page = load_children(ctx, "agent_id", self.0.id, request, Clone::clone(&filter))
            .await
            .gql(ctx)?;
        Ok(GoalConnection::new(
            page,
            request.after,
            TotalCount::Children {
                parent_column: "agent_id",
                parent: self.0.id,
                filter,
            },
        ))
    }
    /// The tasks assigned to this agent, oldest first.
    #[graphql(complexity = "super::pagination::page_complexity(first, child_complexity)")]
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the object to start after.")] after: Option<String>,
        #[graphql(desc = "Only objects matching every condition given.")] filter: Option<
            TaskFilter,
        >,
    ) -> Result<TaskConnection> {
        let request = page_request(first, after.as_deref()).gql(ctx)?;
        let filter = filter.map(Into::into).unwrap_or_default();
        let page = load_children(ctx, "agent_id", self.0.id, request, Clone::clone(&filter))
            .await
            .gql(ctx)?;
        Ok(TaskConnection::new(
            page,
            request.after,
            TotalCount::Children {
                parent_column: "agent_id",
                parent: self.0.id,
                filter,
            },
        ))
    }
}

connection!(
    AgentConnection,
    AgentEdge,
    Agent,
    agents::AgentFilter,
    "A page of agents, oldest first.",
    "An agent and its cursor."
);

/// Narrows a list of agents; all given conditions must hold.
#[derive(InputObject, Clone, Default)]
pub struct AgentFilter {
    /// Only agents in this status.
    pub status: Option<AgentStatus>,
    /// Only agents whose name contains this text, ignoring case.
    pub name_contains: Option<String>,
}

impl From<AgentFilter> for agents::AgentFilter {
    fn from(filter: AgentFilter) -> Self {
        Self {
            status: filter.status.map(Into::into),
            name_contains: filter.name_contains,
        }
    }
}

/// A new agent. The server generates its id.
#[derive(InputObject)]
pub struct CreateAgentInput {
    /// 1 to 200 characters.
    pub name: String,
    /// Unique; defaults to `did:agent:<id>`.
    pub did: Option<String>,
    /// Defaults to ACTIVE.
    pub status: Option<AgentStatus>,
    /// A JSON object; defaults to `{}`.
    pub configuration: Option<Json>,
    /// A JSON object; defaults to `{}`.
    pub metadata: Option<Json>,
}

impl CreateAgentInput {
    fn validate(self) -> crate::error::Result<agents::NewAgent> {
        let mut v = Violations::under("input");
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
pub struct UpdateAgentInput {
    /// 1 to 200 characters.
    pub name: Option<String>,
    pub status: Option<AgentStatus>,
    /// A JSON object; replaces the current one.
    pub configuration: Option<Json>,
    /// A JSON object; replaces the current one.
    pub metadata: Option<Json>,
    /// When given, the update applies only if the agent is still at this version (else CONFLICT).
    pub expected_version: Option<i32>,
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

#[derive(Default)]
pub struct AgentQuery;

#[Object]
impl AgentQuery {
    /// The agent with this id, or null when there is none.
    async fn agent(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<Agent>> {
        let found = ctx
            .data_unchecked::<Loaders>()
            .load_one(super::loaders::ById::<agent::Entity>::new(id))
            .await
            .gql(ctx)?;
        Ok(found.map(Agent))
    }

    /// Agents, oldest first.
    #[graphql(complexity = "super::pagination::page_complexity(first, child_complexity)")]
    async fn agents(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the object to start after.")] after: Option<String>,
        #[graphql(desc = "Only objects matching every condition given.")] filter: Option<
            AgentFilter,
        >,
    ) -> Result<AgentConnection> {
        let request = page_request(first, after.as_deref()).gql(ctx)?;
        let filter: agents::AgentFilter = filter.map(Into::into).unwrap_or_default();
        let page = load_list(ctx, request, &filter).await.gql(ctx)?;
        Ok(AgentConnection::new(
            page,
            request.after,
            TotalCount::All(filter),
        ))
    }
}

#[derive(Default)]
pub struct AgentMutation;

#[Object]
impl AgentMutation {
    /// Creates an agent; the server generates its id.
    async fn create_agent(&self, ctx: &Context<'_>, input: CreateAgentInput) -> Result<Agent> {
        let new = input.validate().gql(ctx)?;
        let model = agents::create(&db(ctx).writer, new).await.gql(ctx)?;
        Ok(Agent(model))
    }

    /// Changes the fields given and increments `version`.
    async fn update_agent(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        input: UpdateAgentInput,
    ) -> Result<Agent> {
        let changes = input.validate().gql(ctx)?;
        let model = agents::update(&db(ctx).writer, id, changes)
            .await
            .gql(ctx)?;
        Ok(Agent(model))
    }

    /// Deletes an agent and returns its id. Its goals block the delete
    /// (CONFLICT) unless `cascade`, which removes its goals, their plans and
    /// tasks in one transaction. Tasks assigned to it become unassigned.
    async fn delete_agent(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        #[graphql(default_with = "Some(false)")] cascade: Option<bool>,
    ) -> Result<Uuid> {
        agents::delete(&db(ctx).writer, id, cascade.unwrap_or(false))
            .await
            .gql(ctx)
    }
}
