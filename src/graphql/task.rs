//! Tasks in GraphQL: the object, its inputs, queries and mutations.

use async_graphql::{Context, Enum, InputObject, Result};
use chrono::{DateTime, Utc};
use entity::{agent, plan, task};
use serde_json::Value as Json;
use uuid::Uuid;

use super::agent::Agent;
use super::connection::{FilterInput, connection};
use super::errors::GqlResult;
use super::loaders::{ById, DependsOn, Loaders, referenced};
use super::pagination::{OrderField, page_complexity};
use super::plan::Plan;
use super::projection::Projection;
use super::resource::{paged_object, resource_roots};
pub(crate) use super::task_inputs::{CreateTaskInput, NewTaskInput, UpdateTaskInput};
use super::validate::Violations;
use crate::service::store::bounds::TimeBounds;
use crate::service::tasks;

/// Where a task stands. BLOCKED -> PENDING | CANCELLED; PENDING -> RUNNING |
/// CANCELLED; RUNNING -> COMPLETED | FAILED | CANCELLED | PENDING; FAILED ->
/// PENDING (a retry).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::TaskStatus")]
pub(crate) enum TaskStatus {
    /// Waiting to run (the initial status, and the status of a retry).
    Pending,
    /// Running; `startedAt` says since when.
    Running,
    /// Done; `completedAt` says when.
    Completed,
    /// Ended in failure; may be retried by setting PENDING.
    Failed,
    /// Will not run.
    Cancelled,
    /// Waiting for its dependencies; never set by hand.
    Blocked,
}

/// A unit of work that carries a plan out, optionally assigned to an agent.
#[derive(Clone)]
pub(crate) struct Task(pub task::Model);

/// What a list of tasks can be ordered by.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum TaskOrderField {
    /// When it was created.
    CreatedAt,
    /// When it last changed.
    UpdatedAt,
}

impl OrderField for TaskOrderField {
    type Entity = task::Entity;
    fn column(self) -> task::Column {
        match self {
            Self::CreatedAt => task::Column::CreatedAt,
            Self::UpdatedAt => task::Column::UpdatedAt,
        }
    }
}

// The fields of `Task` that are not one of its own columns (those are listed
// once, in `service::tasks`): what each reads of the row.
impl Projection for task::Entity {
    const RELATIONS: &'static [(&'static str, &'static [task::Column])] = &[
        ("plan", &[task::Column::PlanId]),
        ("agent", &[task::Column::AgentId]),
        ("dependsOn", &[]),
        ("dependents", &[]),
    ];
}

paged_object! {
impl Task {
    /// Server-generated id (UUIDv7: ordering by id is creation order).
    async fn id(&self) -> Uuid {
        self.0.id
    }
    /// The id of the plan this task carries out.
    async fn plan_id(&self) -> Uuid {
        self.0.plan_id
    }
    /// The plan this task carries out.
    async fn plan(&self, ctx: &Context<'_>) -> Result<Plan> {
        let found = referenced::<plan::Entity>(ctx, self.0.plan_id, "plan").await?;
        Ok(Plan(found))
    }
    /// The id of the assignee, if any.
    async fn agent_id(&self) -> Option<Uuid> {
        self.0.agent_id
    }
    /// The assignee, if any.
    async fn agent(&self, ctx: &Context<'_>) -> Result<Option<Agent>> {
        let Some(agent_id) = self.0.agent_id else {
            return Ok(None);
        };
        let found = ctx
            .data_unchecked::<Loaders>()
            .load_one(ById::<agent::Entity>::new(agent_id))
            .await
            .gql(ctx)?;
        Ok(found.map(Agent))
    }
    /// What is to be done, 1 to 10,000 characters.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// A free-form kind, 1 to 100 characters; defaults to `generic`.
    async fn task_type(&self) -> &str {
        &self.0.task_type
    }
    /// The current status; see the enum for the allowed transitions.
    async fn status(&self) -> TaskStatus {
        self.0.status.into()
    }
    /// Input of the task; always a JSON object.
    async fn input_data(&self) -> &Json {
        &self.0.input_data
    }
    /// Output of the task: a JSON object, or null until there is one.
    async fn output_data(&self) -> Option<&Json> {
        self.0.output_data.as_ref()
    }
    /// What went wrong, if anything.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    /// Starts at 1 and grows by one with every successful update.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the task was created (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the task last changed (UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When the task last entered RUNNING; cleared on a retry.
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }
    /// When the task entered COMPLETED, FAILED or CANCELLED; cleared on a retry.
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
    /// 0 to 100 (default 50): claims take the highest first.
    async fn priority(&self) -> i32 {
        self.0.priority
    }
    /// The earliest time it may be claimed (default: its creation).
    async fn run_at(&self) -> DateTime<Utc> {
        self.0.run_at
    }
    /// How many times it has been claimed (a released claim does not count).
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// How many claims it gets before a failure or an expired lease is final
    /// (1 to 100, default 3).
    async fn max_attempts(&self) -> i32 {
        self.0.max_attempts
    }
    /// When the lease of the claim holding it ends; null unless RUNNING
    /// under a lease.
    async fn lease_expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.lease_expires_at
    }
    /// The tasks it waits for, in the order given.
    async fn depends_on(&self, ctx: &Context<'_>) -> Result<Vec<Task>> {
        let loaders = ctx.data_unchecked::<Loaders>();
        let ids = loaders.load_one(DependsOn(self.0.id)).await.gql(ctx)?;
        let Some(ids) = ids else {
            return Ok(Vec::new());
        };
        let mut found = loaders
            .load_many(ids.iter().map(|&id| ById::<task::Entity>::new(id)))
            .await
            .gql(ctx)?;
        // Edges and tasks go together (a task's delete waits for its
        // dependents'), so each id is found.
        Ok(ids
            .iter()
            .filter_map(|&id| found.remove(&ById::new(id)).map(Task))
            .collect())
    }
}
pages {
    /// The tasks waiting for this one.
    dependents: Task, TaskFilter, TaskOrderField, narrowed(tasks::dependents_of);
}
}

connection!(
    Task {
        entity: task::Entity,
        filter: tasks::TaskFilter,
        filter_input: TaskFilter,
        order_field: TaskOrderField,
    },
    "TaskConnection",
    "TaskEdge",
    "tasks"
);

/// Narrows a list of tasks; all given conditions must hold.
#[derive(InputObject, Clone, Default)]
pub(crate) struct TaskFilter {
    /// Only tasks of this plan.
    pub(crate) plan_id: Option<Uuid>,
    /// Only tasks assigned to this agent.
    pub(crate) agent_id: Option<Uuid>,
    /// true: only tasks with no assignee; false: only tasks with one. Not with `agentId`.
    pub(crate) unassigned: Option<bool>,
    /// Only tasks in this status.
    pub(crate) status: Option<TaskStatus>,
    /// Only tasks in one of these statuses (1 to 10 of them).
    pub(crate) status_in: Option<Vec<TaskStatus>>,
    /// Only tasks of exactly this type.
    pub(crate) task_type: Option<String>,
    /// Only tasks created after this time (exclusive).
    pub(crate) created_after: Option<DateTime<Utc>>,
    /// Only tasks created before this time (exclusive).
    pub(crate) created_before: Option<DateTime<Utc>>,
    /// Only tasks changed after this time (exclusive).
    pub(crate) updated_after: Option<DateTime<Utc>>,
}

impl FilterInput for TaskFilter {
    type Filter = tasks::TaskFilter;

    fn validate(self, violations: &mut Violations) -> tasks::TaskFilter {
        violations.choices("filter.statusIn", self.status_in.as_deref());
        if self.agent_id.is_some() && self.unassigned.is_some() {
            violations.add("filter.unassigned", "cannot be given together with agentId");
        }
        tasks::TaskFilter {
            plan_id: self.plan_id,
            agent_id: self.agent_id,
            unassigned: self.unassigned,
            status: self.status.map(Into::into),
            status_in: self
                .status_in
                .map(|s| s.into_iter().map(Into::into).collect()),
            task_type: self.task_type,
            time: TimeBounds::new(self.created_after, self.created_before, self.updated_after),
            waiting_for: None,
        }
    }
}

resource_roots! {
    Task of task::Entity, through tasks {
        query TaskQuery {
            /// The task with this id, or null when there is none.
            task;
            /// Tasks, oldest first unless `orderBy` says otherwise.
            tasks: TaskFilter, TaskOrderField;
        }
        mutation TaskMutation {
            /// Creates a task for an existing plan; the server generates its id.
            create_task(CreateTaskInput) as "createTask";
            /// Changes the fields given and increments `version`. Entering RUNNING
            /// sets `startedAt`; entering COMPLETED, FAILED or CANCELLED sets `completedAt`.
            update_task(UpdateTaskInput);
            /// Deletes a task and returns its id.
            delete_task;
        }
    }
}
