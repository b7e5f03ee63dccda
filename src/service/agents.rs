//! Agents: creation with a server id and default DID, partial updates with
//! optimistic versioning, and deletes that cascade or refuse.

use entity::{AgentStatus, agent, goal, task};
use sea_orm::sea_query::IntoCondition;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use serde_json::Value as Json;
use uuid::Uuid;

use super::bounds::TimeBounds;
use super::columns::Columns;
use super::create::{self, Inserted};
use super::group_commit::Creates;
use super::idempotency::Claim;
use super::page::{Resource, ResourceFilter};
use super::{check_version, goals, load_for_update, not_found, now};
use crate::error::{AppError, Result};

impl Resource for agent::Entity {
    fn id_column() -> agent::Column {
        agent::Column::Id
    }
    fn created_at_column() -> agent::Column {
        agent::Column::CreatedAt
    }
    fn updated_at_column() -> agent::Column {
        agent::Column::UpdatedAt
    }
    fn id_of(model: &agent::Model) -> Uuid {
        model.id
    }
    fn from_partial_row(
        row: &sea_orm::QueryResult,
        columns: Columns,
    ) -> Result<agent::Model, sea_orm::DbErr> {
        use agent::Column;
        Ok(agent::Model {
            id: row.try_get("", "id")?,
            did: columns.read(row, Column::Did)?,
            name: columns.read(row, Column::Name)?,
            status: columns.read(row, Column::Status)?,
            configuration: columns.read(row, Column::Configuration)?,
            metadata: columns.read(row, Column::Metadata)?,
            version: columns.read(row, Column::Version)?,
            created_at: columns.read(row, Column::CreatedAt)?,
            updated_at: columns.read(row, Column::UpdatedAt)?,
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AgentFilter {
    pub status: Option<AgentStatus>,
    pub status_in: Option<Vec<AgentStatus>>,
    /// Case-insensitive substring of the name.
    pub name_contains: Option<String>,
    pub time: TimeBounds,
}

impl ResourceFilter for AgentFilter {
    type Entity = agent::Entity;
    fn condition(&self) -> Condition {
        let mut cond = Condition::all()
            .add_option(self.status.map(|s| agent::Column::Status.eq(s)))
            .add_option(
                self.status_in
                    .clone()
                    .map(|s| agent::Column::Status.is_in(s)),
            )
            .add(self.time.condition::<agent::Entity>());
        if let Some(needle) = &self.name_contains {
            cond = cond.add(super::contains_case_insensitive(
                agent::Column::Name,
                needle,
            ));
        }
        cond
    }
}

#[derive(Debug, Clone)]
pub struct NewAgent {
    pub name: String,
    pub did: Option<String>,
    pub status: Option<AgentStatus>,
    pub configuration: Option<Json>,
    pub metadata: Option<Json>,
}

#[derive(Debug, Clone, Default)]
pub struct AgentChanges {
    pub name: Option<String>,
    pub status: Option<AgentStatus>,
    pub configuration: Option<Json>,
    pub metadata: Option<Json>,
    pub expected_version: Option<i32>,
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<agent::Model>> {
    Ok(agent::Entity::find_by_id(id).one(db).await?)
}

#[tracing::instrument(skip_all)]
pub async fn create(
    creates: &Creates,
    new: NewAgent,
    claim: Option<Claim>,
) -> Result<agent::Model> {
    let id = Uuid::now_v7();
    let at = now();
    let model = agent::Model {
        id,
        did: new.did.unwrap_or_else(|| format!("did:agent:{id}")),
        name: new.name,
        status: new.status.unwrap_or(AgentStatus::Active),
        configuration: new.configuration.unwrap_or_else(super::empty_object),
        metadata: new.metadata.unwrap_or_else(super::empty_object),
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let (model, inserted) =
        create::insert_one::<agent::Entity>(creates, model, Vec::new(), claim, at)
            .await
            .map_err(did_taken)?;
    match inserted {
        Inserted::Created => Ok(model),
        Inserted::Replay(id) => {
            create::replayed::<agent::Entity>(creates.writes(), id, "agent").await
        }
        // An agent has no parent; an insert that did nothing without an
        // error cannot happen.
        Inserted::ParentMissing => Err(AppError::internal(&"an agent insert wrote nothing")),
    }
}

fn did_taken(err: AppError) -> AppError {
    match err {
        AppError::Conflict(_) => AppError::Conflict("an agent with this did already exists".into()),
        other => other,
    }
}

#[tracing::instrument(skip(db, changes))]
pub async fn update(db: &crate::db::Pool, id: Uuid, changes: AgentChanges) -> Result<agent::Model> {
    let txn = db.begin().await?;
    let current: agent::Model = load_for_update::<agent::Entity>(&txn, id, "agent").await?;
    check_version(changes.expected_version, current.version, "agent")?;
    let mut next = current.clone();
    if let Some(name) = changes.name {
        next.name = name;
    }
    if let Some(status) = changes.status {
        next.status = status;
    }
    if let Some(configuration) = changes.configuration {
        next.configuration = configuration;
    }
    if let Some(metadata) = changes.metadata {
        next.metadata = metadata;
    }
    next.version = current.version + 1;
    next.updated_at = now();
    let updated = agent::Entity::update_many()
        .set(agent::ActiveModel::from(next.clone()).reset_all())
        .filter(agent::Column::Id.eq(id))
        .filter(agent::Column::Version.eq(current.version))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(super::concurrent_change("agent"));
    }
    txn.commit().await?;
    Ok(next)
}

/// Deletes an agent. Its goals block the delete unless `cascade`, which takes
/// the whole subtree; tasks merely assigned to it are unassigned.
#[tracing::instrument(skip(db))]
pub async fn delete(db: &crate::db::Pool, id: Uuid, cascade: bool) -> Result<Uuid> {
    let txn = db.begin().await?;
    load_for_update::<agent::Entity>(&txn, id, "agent").await?;
    let goal_count = goal::Entity::find()
        .filter(goal::Column::AgentId.eq(id))
        .count(&txn)
        .await?;
    if goal_count > 0 {
        if !cascade {
            return Err(AppError::Conflict(format!(
                "agent {id} has {goal_count} goal(s); delete them first or pass cascade: true"
            )));
        }
        let goal_ids = goals::select_ids(goal::Column::AgentId.eq(id).into_condition());
        goals::delete_subtrees(&txn, goal_ids).await?;
    }
    task::Entity::update_many()
        .col_expr(task::Column::AgentId, Expr::value(Option::<Uuid>::None))
        .col_expr(
            task::Column::Version,
            Expr::col(task::Column::Version).add(1),
        )
        .col_expr(task::Column::UpdatedAt, Expr::value(now()))
        .filter(task::Column::AgentId.eq(id))
        .exec(&txn)
        .await?;
    let deleted = agent::Entity::delete_by_id(id).exec(&txn).await?;
    if deleted.rows_affected != 1 {
        return Err(not_found("agent", id));
    }
    txn.commit().await?;
    Ok(id)
}
