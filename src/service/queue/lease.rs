//! What a claimant does with a lease: heartbeat, complete, fail, release.
//!
//! Every call names the task and the lease's token, and the statement that
//! changes the row checks them itself (`id`, token, RUNNING, lease not yet
//! expired, not yet ended), so nothing can slip in between a check and the
//! act: a zombie whose lease expired a moment ago changes nothing. When
//! the statement matches no row, the row is read once to tell a retry of
//! the call that already ended this lease (answered with the task as it
//! is) from a stale token (CONFLICT on `token`).

use chrono::{DateTime, Utc};
use entity::{TaskStatus, task};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::Value as Json;
use uuid::Uuid;

use super::backoff::Backoff;
use super::{Clock, Lease, parse_token};
use crate::auth::{Caller, Tenant};
use crate::db::Db;
use crate::error::{AppError, Result};
use crate::service::access;
use crate::service::queue::dependencies;
use crate::service::store::actor;
use crate::service::store::resource::{find_by_id_in, in_tenant};

/// Who calls: the tenant whose task it must be, and for an AGENT caller the
/// agent that must hold the lease (the task's assignee).
struct Holder {
    tenant: Tenant,
    agent: Option<Uuid>,
    /// The caller's name, recorded on the task as its last writer.
    name: Option<String>,
}

impl Holder {
    async fn of(db: &Db, caller: &Caller) -> Result<Self> {
        Ok(Self {
            tenant: caller.tenant.clone(),
            agent: access::acting_agent(&db.writes, caller).await?,
            name: caller.name.clone(),
        })
    }
}

/// The call that ended a lease, kept with its token (`lease_ended_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    Completed = 1,
    Failed = 2,
    Released = 3,
}

impl Ending {
    fn name(self) -> &'static str {
        match self {
            Self::Completed => "completeTask",
            Self::Failed => "failTask",
            Self::Released => "releaseTask",
        }
    }
}

/// The lease `token` on task `id` of the caller's tenant is live now (and
/// the caller's, for an AGENT): the guard of every call.
fn holds(id: Uuid, token: Uuid, clock: &Clock, holder: &Holder) -> sea_orm::Condition {
    let mut held = sea_orm::Condition::all()
        .add(in_tenant::<task::Entity>(&holder.tenant))
        .add(task::Column::Id.eq(id))
        .add(task::Column::LeaseToken.eq(token))
        .add(task::Column::Status.eq(TaskStatus::Running))
        .add(Expr::col(task::Column::LeaseExpiresAt).gt(clock.now()))
        .add(task::Column::LeaseEndedBy.is_null());
    if let Some(agent) = holder.agent {
        held = held.add(task::Column::AgentId.eq(agent));
    }
    held
}

fn stale(id: Uuid) -> AppError {
    AppError::conflict_at(
        "token",
        format!(
            "this lease on task {id} is no longer held: it expired, a newer claim holds the \
             task, or the task left RUNNING another way"
        ),
    )
}

/// Moves the lease's end to `lease_seconds` (default: the claim's) from
/// now. Not a change: neither `version` nor `updatedAt` moves, so the
/// change log and subscribers see nothing.
pub(crate) async fn heartbeat(
    db: &Db,
    caller: &Caller,
    id: Uuid,
    token: &str,
    lease_seconds: Option<i32>,
) -> Result<Lease> {
    let holder = Holder::of(db, caller).await?;
    let token = parse_token(token).ok_or_else(|| stale(id))?;
    let (clock, turn) = super::clock(db).await;
    let Some(current) = task::Entity::find()
        .filter(holds(id, token, &clock, &holder))
        .one(&db.writes)
        .await?
    else {
        drop(turn);
        return Err(not_held(db, &holder, id).await);
    };
    let seconds = lease_seconds
        .or(current.lease_seconds)
        .unwrap_or(super::DEFAULT_LEASE_SECONDS);
    let updated = task::Entity::update_many()
        .col_expr(
            task::Column::LeaseExpiresAt,
            clock.after(super::seconds(seconds)),
        )
        .filter(holds(id, token, &clock, &holder))
        .exec_with_returning(&db.writes)
        .await?;
    drop(turn);
    let task = updated.into_iter().next().ok_or_else(|| stale(id))?;
    Ok(Lease {
        token,
        expires_at: task.lease_expires_at.unwrap_or(task.updated_at),
        task,
    })
}

/// COMPLETED with `output`. A task nobody waits for completes in one
/// statement; one with dependents in a transaction that also unblocks the
/// dependents waiting only for it.
pub(crate) async fn complete(
    db: &Db,
    caller: &Caller,
    id: Uuid,
    token: &str,
    output: Option<Json>,
) -> Result<task::Model> {
    let holder = Holder::of(db, caller).await?;
    let token = parse_token(token).ok_or_else(|| stale(id))?;
    let (clock, turn) = super::clock(db).await;
    let alone = completion(output.clone(), &clock, &holder)
        .filter(holds(id, token, &clock, &holder))
        .filter(task::Column::Awaited.eq(false))
        .exec_with_returning(&db.writes)
        .await?;
    if let Some(done) = alone.into_iter().next() {
        return Ok(done);
    }
    let txn = db.writer.begin().await?;
    let done = completion(output, &clock, &holder)
        .filter(holds(id, token, &clock, &holder))
        .exec_with_returning(&txn)
        .await?;
    let Some(done) = done.into_iter().next() else {
        drop(txn);
        drop(turn);
        return retried(db, &holder, id, token, Ending::Completed).await;
    };
    // The dependents' change is stamped as the completion was.
    let at = done.completed_at.unwrap_or(done.updated_at);
    dependencies::status_changed(&txn, &done, holder.name.as_deref(), at).await?;
    txn.commit().await?;
    Ok(done)
}

fn completion(
    output: Option<Json>,
    clock: &Clock,
    holder: &Holder,
) -> sea_orm::UpdateMany<task::Entity> {
    task::Entity::update_many()
        .col_expr(actor::column(), actor::value(holder.name.as_deref()))
        .col_expr(task::Column::Status, Expr::value(TaskStatus::Completed))
        .col_expr(task::Column::OutputData, Expr::value(output))
        .col_expr(task::Column::CompletedAt, clock.now())
        .col_expr(
            task::Column::LeaseExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            task::Column::LeaseEndedBy,
            Expr::value(Ending::Completed as i16),
        )
        .col_expr(
            task::Column::Version,
            Expr::col(task::Column::Version).add(1),
        )
        .col_expr(task::Column::UpdatedAt, clock.now())
}

/// With `retry` and attempts left: PENDING again after the backoff, the
/// assignee cleared and `error` kept; otherwise FAILED.
pub(crate) async fn fail(
    db: &Db,
    caller: &Caller,
    id: Uuid,
    token: &str,
    error: String,
    retry: bool,
    backoff: &Backoff,
) -> Result<task::Model> {
    let holder = Holder::of(db, caller).await?;
    let token = parse_token(token).ok_or_else(|| stale(id))?;
    let (clock, turn) = super::clock(db).await;
    let Some(current) = task::Entity::find()
        .filter(holds(id, token, &clock, &holder))
        .one(&db.writes)
        .await?
    else {
        drop(turn);
        return retried(db, &holder, id, token, Ending::Failed).await;
    };
    let again = retry && current.attempts < current.max_attempts;
    let mut update = task::Entity::update_many()
        .col_expr(actor::column(), actor::value(holder.name.as_deref()))
        .col_expr(task::Column::Error, Expr::value(Some(error)))
        .col_expr(
            task::Column::LeaseExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            task::Column::LeaseEndedBy,
            Expr::value(Ending::Failed as i16),
        )
        .col_expr(
            task::Column::Version,
            Expr::col(task::Column::Version).add(1),
        )
        .col_expr(task::Column::UpdatedAt, clock.now());
    update = if again {
        update
            .col_expr(task::Column::Status, Expr::value(TaskStatus::Pending))
            .col_expr(task::Column::AgentId, Expr::value(Option::<Uuid>::None))
            .col_expr(
                task::Column::RunAt,
                clock.after(backoff.delay(current.attempts)),
            )
            .col_expr(
                task::Column::StartedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                task::Column::CompletedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
    } else {
        update
            .col_expr(task::Column::Status, Expr::value(TaskStatus::Failed))
            .col_expr(task::Column::CompletedAt, clock.now())
    };
    // The token pins the lease, and with it the attempts the backoff was
    // computed from (only a claim or a release moves them).
    let failed = update
        .filter(holds(id, token, &clock, &holder))
        .exec_with_returning(&db.writes)
        .await?;
    drop(turn);
    match failed.into_iter().next() {
        Some(failed) => Ok(failed),
        None => retried(db, &holder, id, token, Ending::Failed).await,
    }
}

/// PENDING at once for another claimant; this claim is not counted.
pub(crate) async fn release(
    db: &Db,
    caller: &Caller,
    id: Uuid,
    token: &str,
) -> Result<task::Model> {
    let holder = Holder::of(db, caller).await?;
    let token = parse_token(token).ok_or_else(|| stale(id))?;
    let (clock, turn) = super::clock(db).await;
    let released = task::Entity::update_many()
        .col_expr(actor::column(), actor::value(holder.name.as_deref()))
        .col_expr(task::Column::Status, Expr::value(TaskStatus::Pending))
        .col_expr(task::Column::AgentId, Expr::value(Option::<Uuid>::None))
        .col_expr(
            task::Column::Attempts,
            Expr::col(task::Column::Attempts).sub(1),
        )
        .col_expr(
            task::Column::StartedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            task::Column::LeaseExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            task::Column::LeaseEndedBy,
            Expr::value(Ending::Released as i16),
        )
        .col_expr(
            task::Column::Version,
            Expr::col(task::Column::Version).add(1),
        )
        .col_expr(task::Column::UpdatedAt, clock.now())
        .filter(holds(id, token, &clock, &holder))
        .exec_with_returning(&db.writes)
        .await?;
    drop(turn);
    match released.into_iter().next() {
        Some(released) => Ok(released),
        None => retried(db, &holder, id, token, Ending::Released).await,
    }
}

/// The call changed nothing: the task as it is if this very call already
/// ended this lease (a retry after a lost answer), else CONFLICT.
async fn retried(
    db: &Db,
    holder: &Holder,
    id: Uuid,
    token: Uuid,
    ending: Ending,
) -> Result<task::Model> {
    let Some(current) = find_by_id_in::<task::Entity>(&holder.tenant, id)
        .one(&db.writes)
        .await?
    else {
        return Err(missing(db, holder, id).await);
    };
    if holder.agent.is_some() && current.agent_id != holder.agent {
        return Err(someone_elses(id));
    }
    match (current.lease_token, current.lease_ended_by) {
        (Some(held), Some(by)) if held == token && by == ending as i16 => Ok(current),
        (Some(held), Some(_)) if held == token => Err(AppError::conflict_at(
            "token",
            format!(
                "this lease on task {id} was already ended by another call, not {}",
                ending.name()
            ),
        )),
        _ => Err(stale(id)),
    }
}

/// An AGENT caller's call on a task assigned to another agent.
fn someone_elses(id: Uuid) -> AppError {
    AppError::Forbidden(format!(
        "task {id} is not assigned to this agent; an agent credential works only its own leases"
    ))
}

/// Why a heartbeat found no live lease: NOT_FOUND for a task that is not
/// (and was not) in the caller's tenant, FORBIDDEN for an AGENT caller on
/// another agent's task, CONFLICT otherwise.
async fn not_held(db: &Db, holder: &Holder, id: Uuid) -> AppError {
    match find_by_id_in::<task::Entity>(&holder.tenant, id)
        .one(&db.writes)
        .await
    {
        Ok(None) => missing(db, holder, id).await,
        Ok(Some(task)) if holder.agent.is_some() && task.agent_id != holder.agent => {
            someone_elses(id)
        }
        Ok(Some(_)) => stale(id),
        Err(err) => err.into(),
    }
}

/// A lease call names a task the caller's tenant does not have: one deleted
/// since its claim (its change log says so, within the retention) makes the
/// token stale, CONFLICT as for any task that left RUNNING; one that never
/// was, or is another tenant's, is NOT_FOUND.
async fn missing(db: &Db, holder: &Holder, id: Uuid) -> AppError {
    let mut sql = super::sql::Sql::new(db.backend());
    let statement = {
        let tenant = sql.bind(holder.tenant.as_str());
        let object = sql.bind(id);
        // resource 4 is a task, kind 3 a deletion (the change log's codes).
        sql.finish(format!(
            "SELECT 1 AS deleted FROM change_log
             WHERE tenant = {tenant} AND object_id = {object} AND resource = 4 AND kind = 3"
        ))
    };
    match db.writes.query_one_raw(statement).await {
        Ok(Some(_)) => stale(id),
        Ok(None) => crate::service::store::resource::not_found("task", id),
        Err(err) => err.into(),
    }
}
