//! Creating a goal with its plans and their tasks, or a plan with its tasks,
//! as one transaction: the root, then one multi-row INSERT per level, in
//! input order (ids are UUIDv7 made in that order and the whole tree shares
//! one timestamp, so each level's creation order is the input order).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entity::{agent, plan, task};
use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, Iterable, ModelTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::batch::{Inserted, refused};
use super::idempotency::{self, Claim};
use super::insert_under_parents;
use crate::auth::Tenant;
use crate::error::{AppError, Result};
use crate::service::queue::dependencies;
use crate::service::store::actor::{self, Actor};
use crate::service::store::resource::{Resource, find_in};

/// The children created with a root.
pub(crate) enum Children {
    /// Plans of the new goal, and all their tasks.
    Plans(Vec<plan::Model>, Vec<ChildTask>),
    /// Tasks of the new plan.
    Tasks(Vec<ChildTask>),
    /// Not children: the existing tasks of `plan_id` a new task waits for,
    /// linked to it in the transaction that creates it, which unblocks it
    /// if it was created `blocked` and they have all completed since.
    Dependencies {
        plan_id: Uuid,
        on: Vec<Uuid>,
        blocked: bool,
    },
}

/// A task created in a tree.
pub(crate) struct ChildTask {
    pub(crate) model: task::Model,
    /// Its assignee's path in the input, for the error that names a
    /// missing one.
    pub(crate) path: String,
    /// The earlier tasks of its list that it waits for.
    pub(crate) depends_on: Vec<Uuid>,
}

/// Creates `root` under `parents` with its `children`, all or nothing,
/// remembering `claim` in the same transaction.
pub(crate) async fn create_tree<E: Resource>(
    creates: &super::group_commit::Creates,
    by: Actor<'_>,
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
    if !insert_under_parents::<E>(&txn, root, by, parents).await? {
        txn.rollback().await?;
        return Ok(Inserted::ParentMissing);
    }
    // An error below drops the transaction, which rolls everything back.
    let tasks = match children {
        Children::Plans(plans, tasks) => {
            insert_all::<plan::Entity>(&txn, plans, by).await?;
            tasks
        }
        Children::Tasks(tasks) => tasks,
        Children::Dependencies {
            plan_id,
            on,
            blocked,
        } => {
            let tenant = Tenant::trusted(E::tenant_of(root));
            let task = E::id_of(root);
            dependencies::link_new(&txn, &tenant, by, task, plan_id, &on, blocked, at).await?;
            txn.commit().await?;
            return Ok(Inserted::Created);
        }
    };
    let tenant = Tenant::trusted(E::tenant_of(root));
    check_assignees(&txn, &tenant, &tasks).await?;
    let edges: Vec<(Uuid, Vec<Uuid>)> = tasks
        .iter()
        .filter(|task| !task.depends_on.is_empty())
        .map(|task| (task.model.id, task.depends_on.clone()))
        .collect();
    let models = tasks.into_iter().map(|task| task.model).collect();
    insert_all::<task::Entity>(&txn, models, by).await?;
    dependencies::insert_edges(&txn, &tenant, &edges).await?;
    txn.commit().await?;
    Ok(Inserted::Created)
}

/// Every assignee named in the tree exists; the first one missing, in
/// input order, is NOT_FOUND with its path.
async fn check_assignees(
    db: &impl ConnectionTrait,
    tenant: &Tenant,
    tasks: &[ChildTask],
) -> Result<()> {
    let named: HashSet<Uuid> = tasks
        .iter()
        .filter_map(|task| task.model.agent_id)
        .collect();
    if named.is_empty() {
        return Ok(());
    }
    let found: HashSet<Uuid> = find_in::<agent::Entity>(tenant)
        .select_only()
        .column(agent::Column::Id)
        .filter(agent::Column::Id.is_in(named))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    for ChildTask { model, path, .. } in tasks {
        if let Some(agent_id) = model.agent_id
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
async fn insert_all<E: Resource>(
    db: &impl ConnectionTrait,
    models: Vec<E::Model>,
    by: Actor<'_>,
) -> Result<()>
where
    E::Model: ModelTrait<Entity = E>,
{
    if models.is_empty() {
        return Ok(());
    }
    let columns: Vec<E::Column> = E::Column::iter().collect();
    let mut insert = Query::insert()
        .into_table(E::default())
        .columns(super::written_columns(&columns))
        .to_owned();
    for model in &models {
        let values = columns.iter().map(|column| Expr::val(model.get(*column)));
        insert
            .values(values.chain(std::iter::once(actor::value(by))))
            .map_err(|err| AppError::internal(&err))?;
    }
    db.execute(&insert).await?;
    Ok(())
}
