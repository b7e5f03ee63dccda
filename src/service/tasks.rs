//! Tasks that carry a plan out: assignment, status transitions and the
//! timestamps those transitions stamp.

use chrono::{DateTime, Utc};
use entity::{TaskStatus, agent, plan, task};
use sea_orm::{ColumnTrait, Condition, EntityTrait};
use serde_json::Value as Json;
use uuid::Uuid;

use super::store::bounds::TimeBounds;
use super::store::resource::{ResourceFilter, ensure_exists, resource};
use super::store::update::{self, load_for_update};
use super::write::create;
use super::write::group_commit::Creates;
use super::write::idempotency::Claim;
use super::write::parent;
use super::write::trees::Children;
use super::{given, now};
use crate::error::Result;

resource!(task {
    plan_id: PlanId as "planId",
    agent_id: AgentId as "agentId",
    description: Description as "description",
    task_type: TaskType as "taskType",
    status: Status as "status",
    input_data: InputData as "inputData",
    output_data: OutputData as "outputData",
    error: Error as "error",
    started_at: StartedAt as "startedAt",
    completed_at: CompletedAt as "completedAt",
});

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct TaskFilter {
    pub(crate) plan_id: Option<Uuid>,
    pub(crate) agent_id: Option<Uuid>,
    /// `Some(true)`: only tasks with no assignee; `Some(false)`: only assigned ones.
    pub(crate) unassigned: Option<bool>,
    pub(crate) status: Option<TaskStatus>,
    pub(crate) status_in: Option<Vec<TaskStatus>>,
    pub(crate) task_type: Option<String>,
    pub(crate) time: TimeBounds,
}

impl ResourceFilter for TaskFilter {
    type Entity = task::Entity;
    fn condition(&self) -> Condition {
        Condition::all()
            .add_option(self.plan_id.map(|id| task::Column::PlanId.eq(id)))
            .add_option(self.agent_id.map(|id| task::Column::AgentId.eq(id)))
            .add_option(self.unassigned.map(|none| {
                if none {
                    task::Column::AgentId.is_null()
                } else {
                    task::Column::AgentId.is_not_null()
                }
            }))
            .add_option(self.status.map(|s| task::Column::Status.eq(s)))
            .add_option(
                self.status_in
                    .clone()
                    .map(|s| task::Column::Status.is_in(s)),
            )
            .add_option(self.task_type.clone().map(|t| task::Column::TaskType.eq(t)))
            .add(self.time.condition::<task::Entity>())
    }
}

pub(crate) const DEFAULT_TASK_TYPE: &str = "generic";

/// What a new task says of itself, wherever it is created.
#[derive(Debug, Clone)]
pub(crate) struct TaskFields {
    pub(crate) agent_id: Option<Uuid>,
    pub(crate) description: String,
    pub(crate) task_type: Option<String>,
    pub(crate) input_data: Option<Json>,
}

#[derive(Debug, Clone)]
pub(crate) struct NewTask {
    pub(crate) plan_id: Uuid,
    pub(crate) task: TaskFields,
}

/// A new task of `plan_id` with the contract's defaults.
pub(crate) fn new_model(plan_id: Uuid, fields: TaskFields, at: DateTime<Utc>) -> task::Model {
    task::Model {
        id: Uuid::now_v7(),
        plan_id,
        agent_id: fields.agent_id,
        description: fields.description,
        task_type: fields
            .task_type
            .unwrap_or_else(|| DEFAULT_TASK_TYPE.to_owned()),
        status: TaskStatus::Pending,
        input_data: fields.input_data.unwrap_or_else(super::empty_object),
        output_data: None,
        error: None,
        version: 1,
        created_at: at,
        updated_at: at,
        started_at: None,
        completed_at: None,
    }
}

/// `None` leaves a field as it is; `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub(crate) struct TaskChanges {
    pub(crate) agent_id: Option<Option<Uuid>>,
    pub(crate) description: Option<String>,
    pub(crate) status: Option<TaskStatus>,
    pub(crate) output_data: Option<Option<Json>>,
    pub(crate) error: Option<Option<String>>,
    pub(crate) expected_version: Option<i32>,
}

#[tracing::instrument(skip_all)]
pub(crate) async fn create(
    creates: &Creates,
    new: NewTask,
    claim: Option<Claim>,
) -> Result<task::Model> {
    let at = now();
    let model = new_model(new.plan_id, new.task, at);
    let parents = std::iter::once(parent::<plan::Entity>(model.plan_id, "plan"))
        .chain(
            model
                .agent_id
                .map(|id| parent::<agent::Entity>(id, "agent")),
        )
        .collect();
    create::create::<task::Entity>(creates, model, parents, claim, None, "task").await
}

/// The tasks of a new plan, for its tree, each with its path in the input.
pub(crate) fn children_of_plan(
    plan_id: Uuid,
    tasks: Vec<TaskFields>,
    at: DateTime<Utc>,
) -> Children {
    let tasks = tasks
        .into_iter()
        .enumerate()
        .map(|(index, task)| {
            (
                new_model(plan_id, task, at),
                format!("input.tasks.{index}.agentId"),
            )
        })
        .collect();
    Children::Tasks(tasks)
}

#[tracing::instrument(skip(db, changes))]
pub(crate) async fn update(
    db: &crate::db::Pool,
    id: Uuid,
    changes: TaskChanges,
) -> Result<task::Model> {
    let (txn, current) =
        update::begin::<task::Entity>(db, id, changes.expected_version, "task").await?;
    let at = now();
    let mut next = current.clone();
    if let Some(status) = changes.status {
        super::check_transition(current.status, status)?;
        if status != current.status {
            stamp_transition(&mut next, status, at);
        }
    }
    if let Some(agent_id) = changes.agent_id {
        if let Some(agent_id) = agent_id {
            ensure_exists::<agent::Entity>(&txn, agent_id, "agent").await?;
        }
        next.agent_id = agent_id;
    }
    given(&mut next.description, changes.description);
    given(&mut next.output_data, changes.output_data);
    given(&mut next.error, changes.error);
    update::finish::<task::Entity>(txn, current.version, next, at, "task").await
}

/// Entering RUNNING starts the clock, entering a terminal status stops it,
/// and a retry (back to PENDING) clears both for the next run.
fn stamp_transition(task: &mut task::Model, status: TaskStatus, at: chrono::DateTime<chrono::Utc>) {
    task.status = status;
    match status {
        TaskStatus::Running => task.started_at = Some(at),
        TaskStatus::Pending => {
            task.started_at = None;
            task.completed_at = None;
        }
        terminal if terminal.is_terminal() => task.completed_at = Some(at),
        _ => {}
    }
}

#[tracing::instrument(skip(db))]
pub(crate) async fn delete(db: &crate::db::Pool, id: Uuid) -> Result<Uuid> {
    let txn = db.begin().await?;
    load_for_update::<task::Entity>(&txn, id, "task").await?;
    task::Entity::delete_by_id(id).exec(&txn).await?;
    txn.commit().await?;
    Ok(id)
}
