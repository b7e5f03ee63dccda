//! What each role may do, asked in one place by every kind of mutation
//! (the contract's "Roles"). READ never gets here: the engine refuses its
//! mutations before they run. WRITE may do everything in its tenant.
//! AGENT acts as one agent of its tenant: it works under its own goals and
//! on tasks assigned to it, and manages no agents and deletes nothing.
//!
//! Ownership is read outside the mutation's own statement where it cannot
//! change under it: a goal's agent, a plan's goal and a task's plan are
//! fixed at creation. A task's assignee can change, so a task's update
//! asks inside its transaction, with the row locked.

use entity::{agent, goal, plan, task};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, QuerySelect};
use uuid::Uuid;

use crate::auth::{Caller, Role};
use crate::error::{AppError, Result};
use crate::service::store::resource::{find_by_id_in, in_tenant};

fn forbidden(why: &str) -> AppError {
    AppError::Forbidden(why.to_owned())
}

fn no_agent() -> AppError {
    forbidden("this agent credential names no agent of its tenant")
}

/// Creating, updating or deleting agents, and deleting anything: WRITE only.
pub(crate) fn may_manage(caller: &Caller, act: &str) -> Result<()> {
    match caller.role {
        Role::Write => Ok(()),
        Role::Agent => Err(forbidden(&format!("an agent credential may not {act}"))),
        Role::Read => Err(forbidden("this credential is read-only")),
    }
}

/// The agent an AGENT caller acts as, once it is known to exist in the
/// caller's tenant; `None` for WRITE, which acts for everyone.
pub(crate) async fn acting_agent(
    db: &impl ConnectionTrait,
    caller: &Caller,
) -> Result<Option<Uuid>> {
    match caller.role {
        Role::Write => Ok(None),
        Role::Read => Err(forbidden("this credential is read-only")),
        Role::Agent => {
            let id = caller.agent_id.ok_or_else(no_agent)?;
            let found = find_by_id_in::<agent::Entity>(&caller.tenant, id)
                .select_only()
                .column(agent::Column::Id)
                .into_tuple::<Uuid>()
                .one(db)
                .await?;
            found.map(Some).ok_or_else(no_agent)
        }
    }
}

/// What a new or changed goal, plan or task hangs from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Under {
    Agent(Uuid),
    Goal(Uuid),
    Plan(Uuid),
}

/// Working under `under` (creating or changing a goal, a plan or a task
/// there): an AGENT caller only under its own goals. When `under` does not
/// exist in the tenant the mutation itself answers NOT_FOUND.
pub(crate) async fn may_work_under(
    db: &impl ConnectionTrait,
    caller: &Caller,
    under: Under,
) -> Result<()> {
    let Some(me) = acting_agent(db, caller).await? else {
        return Ok(());
    };
    match owner(db, caller, under).await? {
        Some(owner) if owner != me => Err(forbidden(
            "an agent credential works only under its own agent's goals",
        )),
        _ => Ok(()),
    }
}

/// Changing `task` (read in the caller's transaction): an AGENT caller only
/// a task assigned to it or under its own goals.
pub(crate) async fn may_change_task(
    db: &impl ConnectionTrait,
    caller: &Caller,
    task: &task::Model,
) -> Result<()> {
    let Some(me) = acting_agent(db, caller).await? else {
        return Ok(());
    };
    if task.agent_id == Some(me) {
        return Ok(());
    }
    match owner(db, caller, Under::Plan(task.plan_id)).await? {
        Some(owner) if owner == me => Ok(()),
        _ => Err(forbidden(
            "an agent credential changes only its own tasks and those under its goals",
        )),
    }
}

/// Claiming as `agent_id`: an AGENT caller only as itself.
pub(crate) async fn may_claim_as(
    db: &impl ConnectionTrait,
    caller: &Caller,
    agent_id: Uuid,
) -> Result<()> {
    match acting_agent(db, caller).await? {
        Some(me) if me != agent_id => Err(forbidden(
            "an agent credential claims tasks only for its own agent",
        )),
        _ => Ok(()),
    }
}

/// The agent whose goals `under` hangs from, if it exists in the tenant.
async fn owner(db: &impl ConnectionTrait, caller: &Caller, under: Under) -> Result<Option<Uuid>> {
    let tenant = &caller.tenant;
    let query = match under {
        Under::Agent(id) => return Ok(Some(id)),
        Under::Goal(id) => Query::select()
            .column((goal::Entity, goal::Column::AgentId))
            .from(goal::Entity)
            .and_where(in_tenant::<goal::Entity>(tenant))
            .and_where(Expr::col((goal::Entity, goal::Column::Id)).eq(id))
            .to_owned(),
        Under::Plan(id) => Query::select()
            .column((goal::Entity, goal::Column::AgentId))
            .from(plan::Entity)
            .inner_join(
                goal::Entity,
                Expr::col((goal::Entity, goal::Column::Id))
                    .equals((plan::Entity, plan::Column::GoalId)),
            )
            .and_where(in_tenant::<plan::Entity>(tenant))
            .and_where(in_tenant::<goal::Entity>(tenant))
            .and_where(Expr::col((plan::Entity, plan::Column::Id)).eq(id))
            .to_owned(),
    };
    let row = db.query_one(&query).await?;
    Ok(row.map(|row| row.try_get_by_index::<Uuid>(0)).transpose()?)
}
