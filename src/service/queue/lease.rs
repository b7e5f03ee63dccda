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
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value as Json;
use uuid::Uuid;

use super::backoff::Backoff;
use super::{Lease, parse_token};
use crate::db::Db;
use crate::error::{AppError, Result};
use crate::service::queue::dependencies;

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

/// The lease `token` on task `id` is live at `at`: the guard of every call.
fn holds(id: Uuid, token: Uuid, at: DateTime<Utc>) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(task::Column::Id.eq(id))
        .add(task::Column::LeaseToken.eq(token))
        .add(task::Column::Status.eq(TaskStatus::Running))
        .add(task::Column::LeaseExpiresAt.gt(at))
        .add(task::Column::LeaseEndedBy.is_null())
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
    id: Uuid,
    token: &str,
    lease_seconds: Option<i32>,
    at: DateTime<Utc>,
) -> Result<Lease> {
    let token = parse_token(token).ok_or_else(|| stale(id))?;
    let current = task::Entity::find()
        .filter(holds(id, token, at))
        .one(&db.writes)
        .await?
        .ok_or_else(|| stale(id))?;
    let seconds = lease_seconds
        .or(current.lease_seconds)
        .unwrap_or(super::DEFAULT_LEASE_SECONDS);
    let expires_at = at + chrono::Duration::seconds(i64::from(seconds));
    let updated = task::Entity::update_many()
        .col_expr(task::Column::LeaseExpiresAt, Expr::value(expires_at))
        .filter(holds(id, token, at))
        .exec_with_returning(&db.writes)
        .await?;
    let task = updated.into_iter().next().ok_or_else(|| stale(id))?;
    Ok(Lease {
        token,
        expires_at,
        task,
    })
}

/// COMPLETED with `output`, and the tasks waiting only for this one
/// unblocked, in one transaction.
pub(crate) async fn complete(
    db: &Db,
    id: Uuid,
    token: &str,
    output: Option<Json>,
    at: DateTime<Utc>,
) -> Result<task::Model> {
    let token = parse_token(token).ok_or_else(|| stale(id))?;
    let txn = db.writer.begin().await?;
    let done = task::Entity::update_many()
        .col_expr(task::Column::Status, Expr::value(TaskStatus::Completed))
        .col_expr(task::Column::OutputData, Expr::value(output))
        .col_expr(task::Column::CompletedAt, Expr::value(at))
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
        .col_expr(task::Column::UpdatedAt, Expr::value(at))
        .filter(holds(id, token, at))
        .exec_with_returning(&*txn)
        .await?;
    let Some(done) = done.into_iter().next() else {
        drop(txn);
        return retried(db, id, token, Ending::Completed).await;
    };
    dependencies::status_changed(&*txn, &done, at).await?;
    txn.commit().await?;
    Ok(done)
}

/// With `retry` and attempts left: PENDING again after the backoff, the
/// assignee cleared and `error` kept; otherwise FAILED.
pub(crate) async fn fail(
    db: &Db,
    id: Uuid,
    token: &str,
    error: String,
    retry: bool,
    backoff: &Backoff,
    at: DateTime<Utc>,
) -> Result<task::Model> {
    let token = parse_token(token).ok_or_else(|| stale(id))?;
    let Some(current) = task::Entity::find()
        .filter(holds(id, token, at))
        .one(&db.writes)
        .await?
    else {
        return retried(db, id, token, Ending::Failed).await;
    };
    let again = retry && current.attempts < current.max_attempts;
    let mut update = task::Entity::update_many()
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
        .col_expr(task::Column::UpdatedAt, Expr::value(at));
    update = if again {
        let run_at = super::later(at, backoff.delay(current.attempts));
        update
            .col_expr(task::Column::Status, Expr::value(TaskStatus::Pending))
            .col_expr(task::Column::AgentId, Expr::value(Option::<Uuid>::None))
            .col_expr(task::Column::RunAt, Expr::value(run_at))
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
            .col_expr(task::Column::CompletedAt, Expr::value(at))
    };
    // The token pins the lease, and with it the attempts the backoff was
    // computed from (only a claim or a release moves them).
    let failed = update
        .filter(holds(id, token, at))
        .exec_with_returning(&db.writes)
        .await?;
    match failed.into_iter().next() {
        Some(failed) => Ok(failed),
        None => retried(db, id, token, Ending::Failed).await,
    }
}

/// PENDING at once for another claimant; this claim is not counted.
pub(crate) async fn release(
    db: &Db,
    id: Uuid,
    token: &str,
    at: DateTime<Utc>,
) -> Result<task::Model> {
    let token = parse_token(token).ok_or_else(|| stale(id))?;
    let released = task::Entity::update_many()
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
        .col_expr(task::Column::UpdatedAt, Expr::value(at))
        .filter(holds(id, token, at))
        .exec_with_returning(&db.writes)
        .await?;
    match released.into_iter().next() {
        Some(released) => Ok(released),
        None => retried(db, id, token, Ending::Released).await,
    }
}

/// The call changed nothing: the task as it is if this very call already
/// ended this lease (a retry after a lost answer), else CONFLICT.
async fn retried(db: &Db, id: Uuid, token: Uuid, ending: Ending) -> Result<task::Model> {
    let current = task::Entity::find_by_id(id)
        .one(&db.writes)
        .await?
        .ok_or_else(|| stale(id))?;
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
