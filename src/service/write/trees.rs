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

use super::batch::{Inserted, refused};
use super::idempotency::{self, Claim};
use super::insert_under_parents;
use crate::error::{AppError, Result};
use crate::service::store::resource::Resource;

/// The children created with a root; each task with its path in the
/// input, for the error that names a missing assignee.
pub(crate) enum Children {
    /// Plans of the new goal, and all their tasks.
    Plans(Vec<plan::Model>, Vec<(task::Model, String)>),
    /// Tasks of the new plan.
    Tasks(Vec<(task::Model, String)>),
}

/// Creates `root` under `parents` with its `children`, all or nothing,
/// remembering `claim` in the same transaction.
pub(crate) async fn create_tree<E: Resource>(
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
    let txn = creates.db().begin().await?;
    if let Some(claim) = claim
        && !idempotency::claim(&txn, claim, E::id_of(root), at, &parents).await?
    {
        txn.rollback().await?;
        return refused(creates.writes(), claim).await;
    }
    if !insert_under_parents::<E>(&txn, root, parents).await? {
        txn.rollback().await?;
        return Ok(Inserted::ParentMissing);
    }
    // An error below drops the transaction, which rolls everything back.
    let tasks = match children {
        Children::Plans(plans, tasks) => {
            insert_all::<plan::Entity>(&txn, plans).await?;
            tasks
        }
        Children::Tasks(tasks) => tasks,
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
