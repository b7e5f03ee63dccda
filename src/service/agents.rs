//! Agents: creation with a server id and default DID, partial updates with
//! optimistic versioning, and deletes that cascade or refuse.

use entity::{AgentStatus, agent, goal, task};
use sea_orm::sea_query::IntoCondition;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};
use serde_json::Value as Json;
use uuid::Uuid;

use super::access;
use super::goals;
use super::store::actor;
use super::store::bounds::TimeBounds;
use super::store::resource::{ResourceFilter, in_tenant, not_found, resource};
use super::store::update::{self};
use super::write::create;
use super::write::group_commit::Creates;
use super::write::idempotency::Claim;
use super::{given, now};
use crate::auth::Caller;
use crate::error::{AppError, Result};

resource!(agent {
    did: Did as "did",
    name: Name as "name",
    status: Status as "status",
    configuration: Configuration as "configuration",
    metadata: Metadata as "metadata",
});

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct AgentFilter {
    pub(crate) status: Option<AgentStatus>,
    pub(crate) status_in: Option<Vec<AgentStatus>>,
    /// Case-insensitive substring of the name.
    pub(crate) name_contains: Option<String>,
    pub(crate) time: TimeBounds,
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
            cond = cond.add(crate::service::store::resource::contains_case_insensitive(
                agent::Column::Name,
                needle,
            ));
        }
        cond
    }
}

#[derive(Debug, Clone)]
pub(crate) struct NewAgent {
    pub(crate) name: String,
    pub(crate) did: Option<String>,
    pub(crate) status: Option<AgentStatus>,
    pub(crate) configuration: Option<Json>,
    pub(crate) metadata: Option<Json>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct AgentChanges {
    pub(crate) name: Option<String>,
    pub(crate) status: Option<AgentStatus>,
    pub(crate) configuration: Option<Json>,
    pub(crate) metadata: Option<Json>,
    pub(crate) expected_version: Option<i32>,
}

#[tracing::instrument(skip_all)]
pub(crate) async fn create(
    creates: &Creates,
    caller: &Caller,
    new: NewAgent,
    claim: Option<Claim>,
) -> Result<agent::Model> {
    access::may_manage(caller, "create agents")?;
    let id = Uuid::now_v7();
    let at = now();
    let model = agent::Model {
        id,
        tenant: caller.tenant.as_str().to_owned(),
        did: new.did.unwrap_or_else(|| format!("did:agent:{id}")),
        name: new.name,
        status: new.status.unwrap_or(AgentStatus::Active),
        configuration: new.configuration.unwrap_or_else(super::empty_object),
        metadata: new.metadata.unwrap_or_else(super::empty_object),
        version: 1,
        created_at: at,
        updated_at: at,
    };
    create::create::<agent::Entity>(
        creates,
        actor::of(caller),
        model,
        Vec::new(),
        claim,
        None,
        "agent",
    )
    .await
    .map_err(did_taken)
}

fn did_taken(err: AppError) -> AppError {
    match err {
        AppError::Conflict(_) => {
            AppError::Conflict("an agent with this did already exists in this tenant".into())
        }
        other => other,
    }
}

#[tracing::instrument(skip(db, changes))]
pub(crate) async fn update(
    db: &crate::db::Pool,
    caller: &Caller,
    id: Uuid,
    changes: AgentChanges,
) -> Result<agent::Model> {
    access::may_manage(caller, "update agents")?;
    let (txn, current) =
        update::begin::<agent::Entity>(db, &caller.tenant, id, changes.expected_version, "agent")
            .await?;
    let mut next = current.clone();
    given(&mut next.name, changes.name);
    given(&mut next.status, changes.status);
    given(&mut next.configuration, changes.configuration);
    given(&mut next.metadata, changes.metadata);
    let by = actor::of(caller);
    update::finish::<agent::Entity>(txn, current.version, next, by, now(), "agent").await
}

/// Deletes an agent. Its goals block the delete unless `cascade`, which takes
/// the whole subtree; tasks merely assigned to it are unassigned.
#[tracing::instrument(skip(db))]
pub(crate) async fn delete(
    db: &crate::db::Pool,
    caller: &Caller,
    id: Uuid,
    cascade: bool,
) -> Result<Uuid> {
    let tenant = &caller.tenant;
    let by = actor::of(caller);
    let (txn, goals) = update::begin_delete::<agent::Entity, goal::Entity>(
        db,
        caller,
        id,
        "agent",
        goal::Column::AgentId,
        "goal",
        cascade,
    )
    .await?;
    if goals > 0 {
        let goal_ids = goals::select_ids(tenant, goal::Column::AgentId.eq(id).into_condition());
        goals::delete_subtrees(&txn, tenant, goal_ids, by).await?;
    }
    task::Entity::update_many()
        .col_expr(task::Column::AgentId, Expr::value(Option::<Uuid>::None))
        .col_expr(
            task::Column::Version,
            Expr::col(task::Column::Version).add(1),
        )
        .col_expr(task::Column::UpdatedAt, Expr::value(now()))
        .col_expr(actor::column(), actor::value(by))
        .filter(in_tenant::<task::Entity>(tenant))
        .filter(task::Column::AgentId.eq(id))
        .exec(&txn)
        .await?;
    let deleted =
        actor::delete::<agent::Entity>(&txn, tenant, agent::Column::Id.eq(id), by).await?;
    if deleted != 1 {
        return Err(not_found("agent", id));
    }
    txn.commit().await?;
    Ok(id)
}
