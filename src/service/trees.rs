//! Creating a goal with its plans and their tasks, or a plan with its tasks,
//! as one transaction: the root, then one multi-row INSERT per level, in
//! input order (ids are UUIDv7 made in that order and the whole tree shares
//! one timestamp, so each level's creation order is the input order).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entity::{agent, plan, task};
use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Iterable, ModelTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::create::{self, Inserted};
use super::idempotency::{self, Claim};
use super::insert_under_parents;
use super::page::Resource;
use super::plans::PlanFields;
use super::tasks::{self, TaskFields};
use crate::error::{AppError, Result};

/// The children created with a root, and where they sit in the input.
pub enum Children {
    /// Plans of the new goal, under `input.plans`.
    Plans(Vec<PlanFields>),
    /// Tasks of the new plan, under `input.tasks`.
    Tasks(Vec<TaskFields>),
}

/// Creates `root` under `parents` with its `children`, all or nothing,
/// remembering `claim` in the same transaction.
pub async fn create_tree<E: Resource>(
    creates: &super::group_commit::Creates,
    root: &E::Model,
    parents: Vec<SelectStatement>,
    claim: Option<&Claim>,
    at: DateTime<Utc>,
    children: Children,
) -> Result<Inserted>
where
    E::Model: ModelTrait<Entity = E>,
{
    let root_id = E::id_of(root);
    let txn = creates.db().begin().await?;
    if let Some(claim) = claim
        && !idempotency::claim(&txn, claim, root_id, at, &parents).await?
    {
        txn.rollback().await?;
        return create::refused(creates.writes(), claim).await;
    }
    if !insert_under_parents::<E>(&txn, root, parents).await? {
        txn.rollback().await?;
        return Ok(Inserted::ParentMissing);
    }
    // An error below drops the transaction, which rolls everything back.
    let tasks = match children {
        Children::Plans(plans) => {
            let mut plan_models = Vec::with_capacity(plans.len());
            let mut tasks = Vec::new();
            for (index, fields) in plans.into_iter().enumerate() {
                let plan = super::plans::new_model(root_id, fields.description, fields.status, at);
                for (task_index, task) in fields.tasks.into_iter().enumerate() {
                    let path = format!("input.plans.{index}.tasks.{task_index}.agentId");
                    tasks.push((tasks::new_model(plan.id, task, at), path));
                }
                plan_models.push(plan);
            }
            insert_all::<plan::Entity>(&txn, plan_models).await?;
            tasks
        }
        Children::Tasks(fields) => fields
            .into_iter()
            .enumerate()
            .map(|(index, task)| {
                let path = format!("input.tasks.{index}.agentId");
                (tasks::new_model(root_id, task, at), path)
            })
            .collect(),
    };
    check_assignees(&txn, &tasks).await?;
    insert_all::<task::Entity>(&txn, tasks.into_iter().map(|(task, _)| task).collect()).await?;
    txn.commit().await?;
    Ok(Inserted::Created)
}

/// Every assignee named in the tree exists; the first one missing, in
/// input order, is NOT_FOUND with its path.
async fn check_assignees(db: &impl ConnectionTrait, tasks: &[(task::Model, String)]) -> Result<()> {
    let named: HashSet<Uuid> = tasks.iter().filter_map(|(task, _)| task.agent_id).collect();
    if named.is_empty() {
        return Ok(());
    }
    let found: HashSet<Uuid> = agent::Entity::find()
        .select_only()
        .column(agent::Column::Id)
        .filter(agent::Column::Id.is_in(named))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    for (task, path) in tasks {
        if let Some(agent_id) = task.agent_id
            && !found.contains(&agent_id)
        {
            return Err(AppError::NotFound(format!(
                "agent {agent_id} does not exist ({path})"
            )));
        }
    }
    Ok(())
}

/// One INSERT of every row of a level (nothing when there are none).
async fn insert_all<E: Resource>(db: &impl ConnectionTrait, models: Vec<E::Model>) -> Result<()>
where
    E::Model: ModelTrait<Entity = E>,
{
    if models.is_empty() {
        return Ok(());
    }
    let columns: Vec<E::Column> = E::Column::iter().collect();
    let mut insert = Query::insert()
        .into_table(E::default())
        .columns(columns.clone())
        .to_owned();
    for model in &models {
        insert
            .values(columns.iter().map(|column| Expr::val(model.get(*column))))
            .map_err(|err| AppError::internal(&err))?;
    }
    db.execute(&insert).await?;
    Ok(())
}
