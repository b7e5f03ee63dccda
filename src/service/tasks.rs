//! Tasks that carry a plan out: assignment, status transitions and the
//! timestamps those transitions stamp.

use chrono::{DateTime, Utc};
use entity::{TaskStatus, agent, plan, task};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
};
use serde_json::Value as Json;
use uuid::Uuid;

use super::bounds::TimeBounds;
use super::columns::Columns;
use super::create::{self, Inserted};
use super::group_commit::Creates;
use super::idempotency::Claim;
use super::page::{Resource, ResourceFilter};
use super::{check_version, ensure_exists, load_for_update, now, parent, parent_vanished};
use crate::error::Result;

impl Resource for task::Entity {
    fn id_column() -> task::Column {
        task::Column::Id
    }
    fn created_at_column() -> task::Column {
        task::Column::CreatedAt
    }
    fn updated_at_column() -> task::Column {
        task::Column::UpdatedAt
    }
    fn id_of(model: &task::Model) -> Uuid {
        model.id
    }
    fn from_partial_row(
        row: &sea_orm::QueryResult,
        columns: Columns,
    ) -> Result<task::Model, sea_orm::DbErr> {
        use task::Column;
        Ok(task::Model {
            id: row.try_get("", "id")?,
            plan_id: columns.read(row, Column::PlanId)?,
            agent_id: columns.read(row, Column::AgentId)?,
            description: columns.read(row, Column::Description)?,
            task_type: columns.read(row, Column::TaskType)?,
            status: columns.read(row, Column::Status)?,
            input_data: columns.read(row, Column::InputData)?,
            output_data: columns.read(row, Column::OutputData)?,
            error: columns.read(row, Column::Error)?,
            version: columns.read(row, Column::Version)?,
            created_at: columns.read(row, Column::CreatedAt)?,
            updated_at: columns.read(row, Column::UpdatedAt)?,
            started_at: columns.read(row, Column::StartedAt)?,
            completed_at: columns.read(row, Column::CompletedAt)?,
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TaskFilter {
    pub plan_id: Option<Uuid>,
    pub agent_id: Option<Uuid>,
    /// `Some(true)`: only tasks with no assignee; `Some(false)`: only assigned ones.
    pub unassigned: Option<bool>,
    pub status: Option<TaskStatus>,
    pub status_in: Option<Vec<TaskStatus>>,
    pub task_type: Option<String>,
    pub time: TimeBounds,
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

pub const DEFAULT_TASK_TYPE: &str = "generic";

/// What a new task says of itself, wherever it is created.
#[derive(Debug, Clone)]
pub struct TaskFields {
    pub agent_id: Option<Uuid>,
    pub description: String,
    pub task_type: Option<String>,
    pub input_data: Option<Json>,
}

#[derive(Debug, Clone)]
pub struct NewTask {
    pub plan_id: Uuid,
    pub task: TaskFields,
}

/// A new task of `plan_id` with the contract's defaults.
pub fn new_model(plan_id: Uuid, fields: TaskFields, at: DateTime<Utc>) -> task::Model {
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
pub struct TaskChanges {
    pub agent_id: Option<Option<Uuid>>,
    pub description: Option<String>,
    pub status: Option<TaskStatus>,
    pub output_data: Option<Option<Json>>,
    pub error: Option<Option<String>>,
    pub expected_version: Option<i32>,
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<task::Model>> {
    Ok(task::Entity::find_by_id(id).one(db).await?)
}

#[tracing::instrument(skip_all)]
pub async fn create(creates: &Creates, new: NewTask, claim: Option<Claim>) -> Result<task::Model> {
    let at = now();
    let model = new_model(new.plan_id, new.task, at);
    let parents = std::iter::once(parent::<plan::Entity>(model.plan_id))
        .chain(model.agent_id.map(parent::<agent::Entity>))
        .collect();
    let (model, inserted) =
        create::insert_one::<task::Entity>(creates, model, parents, claim, at).await?;
    match inserted {
        Inserted::Created => Ok(model),
        Inserted::Replay(id) => {
            create::replayed::<task::Entity>(creates.writes(), id, "task").await
        }
        Inserted::ParentMissing => {
            ensure_exists::<plan::Entity>(creates.writes(), model.plan_id, "plan").await?;
            if let Some(agent_id) = model.agent_id {
                ensure_exists::<agent::Entity>(creates.writes(), agent_id, "agent").await?;
            }
            Err(parent_vanished("task"))
        }
    }
}

#[tracing::instrument(skip(db, changes))]
pub async fn update(db: &crate::db::Pool, id: Uuid, changes: TaskChanges) -> Result<task::Model> {
    let txn = db.begin().await?;
    let current: task::Model = load_for_update::<task::Entity>(&txn, id, "task").await?;
    check_version(changes.expected_version, current.version, "task")?;
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
    if let Some(description) = changes.description {
        next.description = description;
    }
    if let Some(output_data) = changes.output_data {
        next.output_data = output_data;
    }
    if let Some(error) = changes.error {
        next.error = error;
    }
    next.version = current.version + 1;
    next.updated_at = at;
    let updated = task::Entity::update_many()
        .set(task::ActiveModel::from(next.clone()).reset_all())
        .filter(task::Column::Id.eq(id))
        .filter(task::Column::Version.eq(current.version))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(super::concurrent_change("task"));
    }
    txn.commit().await?;
    Ok(next)
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
pub async fn delete(db: &crate::db::Pool, id: Uuid) -> Result<Uuid> {
    let txn = db.begin().await?;
    load_for_update::<task::Entity>(&txn, id, "task").await?;
    task::Entity::delete_by_id(id).exec(&txn).await?;
    txn.commit().await?;
    Ok(id)
}
