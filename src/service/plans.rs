//! Plans that break a goal down, with status transitions.

use chrono::{DateTime, Utc};
use entity::{PlanStatus, goal, plan, task};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use super::bounds::TimeBounds;
use super::columns::Columns;
use super::create::{self, Inserted};
use super::group_commit::Creates;
use super::idempotency::Claim;
use super::page::{Resource, ResourceFilter};
use super::tasks::TaskFields;
use super::trees::{self, Children};
use super::{check_version, ensure_exists, load_for_update, now, parent, parent_vanished};
use crate::error::{AppError, Result};

impl Resource for plan::Entity {
    fn id_column() -> plan::Column {
        plan::Column::Id
    }
    fn created_at_column() -> plan::Column {
        plan::Column::CreatedAt
    }
    fn updated_at_column() -> plan::Column {
        plan::Column::UpdatedAt
    }
    fn id_of(model: &plan::Model) -> Uuid {
        model.id
    }
    fn from_partial_row(
        row: &sea_orm::QueryResult,
        columns: Columns,
    ) -> Result<plan::Model, sea_orm::DbErr> {
        use plan::Column;
        Ok(plan::Model {
            id: row.try_get("", "id")?,
            goal_id: columns.read(row, Column::GoalId)?,
            description: columns.read(row, Column::Description)?,
            status: columns.read(row, Column::Status)?,
            version: columns.read(row, Column::Version)?,
            created_at: columns.read(row, Column::CreatedAt)?,
            updated_at: columns.read(row, Column::UpdatedAt)?,
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PlanFilter {
    pub goal_id: Option<Uuid>,
    pub status: Option<PlanStatus>,
    pub status_in: Option<Vec<PlanStatus>>,
    pub time: TimeBounds,
}

impl ResourceFilter for PlanFilter {
    type Entity = plan::Entity;
    fn condition(&self) -> Condition {
        Condition::all()
            .add_option(self.goal_id.map(|id| plan::Column::GoalId.eq(id)))
            .add_option(self.status.map(|s| plan::Column::Status.eq(s)))
            .add_option(
                self.status_in
                    .clone()
                    .map(|s| plan::Column::Status.is_in(s)),
            )
            .add(self.time.condition::<plan::Entity>())
    }
}

/// What a new plan says of itself, wherever it is created, with its tasks.
#[derive(Debug, Clone)]
pub struct PlanFields {
    pub description: String,
    pub status: Option<PlanStatus>,
    pub tasks: Vec<TaskFields>,
}

#[derive(Debug, Clone)]
pub struct NewPlan {
    pub goal_id: Uuid,
    pub plan: PlanFields,
}

/// A new plan of `goal_id` with the contract's defaults.
pub fn new_model(
    goal_id: Uuid,
    description: String,
    status: Option<PlanStatus>,
    at: DateTime<Utc>,
) -> plan::Model {
    plan::Model {
        id: Uuid::now_v7(),
        goal_id,
        description,
        status: status.unwrap_or(PlanStatus::Draft),
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

#[derive(Debug, Clone, Default)]
pub struct PlanChanges {
    pub description: Option<String>,
    pub status: Option<PlanStatus>,
    pub expected_version: Option<i32>,
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<plan::Model>> {
    Ok(plan::Entity::find_by_id(id).one(db).await?)
}

/// Creates a plan, and its tasks when it has any, in one transaction.
#[tracing::instrument(skip_all)]
pub async fn create(creates: &Creates, new: NewPlan, claim: Option<Claim>) -> Result<plan::Model> {
    let at = now();
    let PlanFields {
        description,
        status,
        tasks,
    } = new.plan;
    let model = new_model(new.goal_id, description, status, at);
    let parents = vec![parent::<goal::Entity>(model.goal_id)];
    let (model, inserted) = if tasks.is_empty() {
        create::insert_one::<plan::Entity>(creates, model, parents, claim, at).await?
    } else {
        let children = Children::Tasks(tasks);
        let inserted = trees::create_tree::<plan::Entity>(
            creates,
            &model,
            parents,
            claim.as_ref(),
            at,
            children,
        )
        .await?;
        (model, inserted)
    };
    match inserted {
        Inserted::Created => Ok(model),
        Inserted::Replay(id) => {
            create::replayed::<plan::Entity>(creates.writes(), id, "plan").await
        }
        Inserted::ParentMissing => {
            ensure_exists::<goal::Entity>(creates.writes(), model.goal_id, "goal").await?;
            Err(parent_vanished("plan"))
        }
    }
}

#[tracing::instrument(skip(db, changes))]
pub async fn update(db: &crate::db::Pool, id: Uuid, changes: PlanChanges) -> Result<plan::Model> {
    let txn = db.begin().await?;
    let current: plan::Model = load_for_update::<plan::Entity>(&txn, id, "plan").await?;
    check_version(changes.expected_version, current.version, "plan")?;
    let mut next = current.clone();
    if let Some(status) = changes.status {
        super::check_transition(current.status, status)?;
        next.status = status;
    }
    if let Some(description) = changes.description {
        next.description = description;
    }
    next.version = current.version + 1;
    next.updated_at = now();
    let updated = plan::Entity::update_many()
        .set(plan::ActiveModel::from(next.clone()).reset_all())
        .filter(plan::Column::Id.eq(id))
        .filter(plan::Column::Version.eq(current.version))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(super::concurrent_change("plan"));
    }
    txn.commit().await?;
    Ok(next)
}

#[tracing::instrument(skip(db))]
pub async fn delete(db: &crate::db::Pool, id: Uuid, cascade: bool) -> Result<Uuid> {
    let txn = db.begin().await?;
    load_for_update::<plan::Entity>(&txn, id, "plan").await?;
    let tasks = task::Entity::find()
        .filter(task::Column::PlanId.eq(id))
        .count(&txn)
        .await?;
    if tasks > 0 && !cascade {
        return Err(AppError::Conflict(format!(
            "plan {id} has {tasks} task(s); delete them first or pass cascade: true"
        )));
    }
    task::Entity::delete_many()
        .filter(task::Column::PlanId.eq(id))
        .exec(&txn)
        .await?;
    plan::Entity::delete_by_id(id).exec(&txn).await?;
    txn.commit().await?;
    Ok(id)
}

/// Deletes every plan of the goals `goal_ids` selects, and their tasks,
/// children first. Subqueries keep it to two statements however many rows.
pub async fn delete_under_goals(
    txn: &DatabaseTransaction,
    goal_ids: SelectStatement,
) -> Result<()> {
    let plan_ids = Query::select()
        .column(plan::Column::Id)
        .from(plan::Entity)
        .and_where(Expr::col(plan::Column::GoalId).in_subquery(goal_ids.clone()))
        .to_owned();
    task::Entity::delete_many()
        .filter(task::Column::PlanId.in_subquery(plan_ids))
        .exec(txn)
        .await?;
    plan::Entity::delete_many()
        .filter(plan::Column::GoalId.in_subquery(goal_ids))
        .exec(txn)
        .await?;
    Ok(())
}
