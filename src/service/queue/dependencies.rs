//! A plan's task graph: which tasks wait for which, and what a status
//! change does to the tasks waiting for it, in the transaction that makes
//! the change (so a completion and the unblocking it causes commit
//! together, and a cancel takes everything downstream with it or nothing).

use chrono::{DateTime, Utc};
use entity::{TaskStatus, task, task_dependency};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement,
};
use uuid::Uuid;

use super::sql::{Sql, statuses};
use crate::auth::Tenant;
use crate::error::{AppError, Result, Violation};
use crate::service::store::actor::{self, Actor};
use crate::service::store::resource::{find_in, in_tenant};

fn edges_in(tenant: &Tenant) -> sea_orm::sea_query::SimpleExpr {
    Expr::col((task_dependency::Entity, task_dependency::Column::Tenant)).eq(tenant.as_str())
}

/// Whether every task of `ids` is COMPLETED (a read before the create's
/// transaction; see [`link_new`]).
pub(crate) async fn all_completed(
    db: &impl ConnectionTrait,
    tenant: &Tenant,
    ids: &[Uuid],
) -> Result<bool> {
    let unfinished: Option<Uuid> = find_in::<task::Entity>(tenant)
        .select_only()
        .column(task::Column::Id)
        .filter(task::Column::Id.is_in(ids.iter().copied()))
        .filter(task::Column::Status.ne(TaskStatus::Completed))
        .into_tuple()
        .one(db)
        .await?;
    Ok(unfinished.is_none())
}

/// Links the new task `task_id` to the tasks `on` of `plan_id` it waits
/// for, marking each `awaited` in the same statement that locks it: a
/// dependency completing meanwhile either commits first (and is read
/// COMPLETED here) or waits for this transaction and then finds itself
/// awaited, so it completes the long way, unblocking through the new edge.
/// A task created `blocked` whose dependencies have all completed since the
/// read before the transaction is unblocked here, as their completion
/// would have: one UPDATED change.
pub(crate) async fn link_new(
    db: &impl ConnectionTrait,
    tenant: &Tenant,
    by: Actor<'_>,
    task_id: Uuid,
    plan_id: Uuid,
    on: &[Uuid],
    blocked: bool,
    at: DateTime<Utc>,
) -> Result<()> {
    // Not a change: `version` stays, so the change log records nothing.
    let found: Vec<(Uuid, TaskStatus)> = task::Entity::update_many()
        .col_expr(task::Column::Awaited, Expr::value(true))
        .filter(in_tenant::<task::Entity>(tenant))
        .filter(task::Column::Id.is_in(on.iter().copied()))
        .filter(task::Column::PlanId.eq(plan_id))
        .exec_with_returning(db)
        .await?
        .into_iter()
        .map(|task| (task.id, task.status))
        .collect();
    let missing: Vec<Violation> = on
        .iter()
        .enumerate()
        .filter(|(_, id)| !found.iter().any(|(found, _)| found == *id))
        .map(|(index, id)| Violation {
            field: format!("input.dependsOn.{index}"),
            message: format!("{id} is not a task of plan {plan_id}"),
        })
        .collect();
    if !missing.is_empty() {
        return Err(AppError::BadUserInput(missing));
    }
    insert_edges(db, tenant, &[(task_id, on.to_vec())]).await?;
    let done = found
        .iter()
        .all(|(_, status)| *status == TaskStatus::Completed);
    if blocked && done {
        task::Entity::update_many()
            .col_expr(task::Column::Status, Expr::value(TaskStatus::Pending))
            .col_expr(
                task::Column::Version,
                Expr::col(task::Column::Version).add(1),
            )
            .col_expr(task::Column::UpdatedAt, Expr::value(at))
            .col_expr(actor::column(), actor::value(by))
            .filter(in_tenant::<task::Entity>(tenant))
            .filter(task::Column::Id.eq(task_id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// One INSERT of the edges of new tasks (nothing when there are none).
pub(crate) async fn insert_edges(
    db: &impl ConnectionTrait,
    tenant: &Tenant,
    edges: &[(Uuid, Vec<Uuid>)],
) -> Result<()> {
    let mut insert = Query::insert()
        .into_table(task_dependency::Entity)
        .columns([
            task_dependency::Column::TaskId,
            task_dependency::Column::DependsOnId,
            task_dependency::Column::Position,
            task_dependency::Column::Tenant,
        ])
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .to_owned();
    let mut any = false;
    for (task_id, on) in edges {
        for (position, depends_on) in on.iter().enumerate() {
            insert
                .values([
                    (*task_id).into(),
                    (*depends_on).into(),
                    (position as i32).into(),
                    tenant.as_str().into(),
                ])
                .map_err(|err| AppError::internal(&err))?;
            any = true;
        }
    }
    if any {
        db.execute(&insert).await?;
    }
    Ok(())
}

/// A task is about to be deleted: CONFLICT when others wait for it.
pub(crate) async fn refuse_if_depended_on(
    db: &impl ConnectionTrait,
    tenant: &Tenant,
    id: Uuid,
) -> Result<()> {
    let dependent: Option<Uuid> = task_dependency::Entity::find()
        .select_only()
        .column(task_dependency::Column::TaskId)
        .filter(edges_in(tenant))
        .filter(task_dependency::Column::DependsOnId.eq(id))
        .into_tuple()
        .one(db)
        .await?;
    match dependent {
        Some(dependent) => Err(AppError::Conflict(format!(
            "task {id} has dependents (task {dependent} waits for it); delete them first \
             or delete the plan"
        ))),
        None => Ok(()),
    }
}

/// What `task` entering its status does to the tasks waiting for it:
/// COMPLETED may unblock them, CANCELLED cancels all of them downstream,
/// each change made as `by`, whose change caused it.
pub(crate) async fn status_changed(
    db: &impl ConnectionTrait,
    task: &task::Model,
    by: Actor<'_>,
    at: DateTime<Utc>,
) -> Result<()> {
    let tenant = Tenant::trusted(&task.tenant);
    match task.status {
        TaskStatus::Completed => unblock_after(db, &tenant, task.id, by, at).await,
        TaskStatus::Cancelled => cancel_after(db, &tenant, task.id, by, at).await,
        _ => Ok(()),
    }
}

/// Makes PENDING every BLOCKED dependent of `id` whose dependencies are all
/// COMPLETED now. The dependents are locked first, in id order: two
/// transactions completing two dependencies of one task then take turns,
/// and the second, reading after the first committed, sees both done (read
/// in one statement, each would see the other still RUNNING, and the task
/// would stay BLOCKED for good).
async fn unblock_after(
    db: &impl ConnectionTrait,
    tenant: &Tenant,
    id: Uuid,
    by: Actor<'_>,
    at: DateTime<Utc>,
) -> Result<()> {
    let backend = db.get_database_backend();
    let mut waiting = find_in::<task::Entity>(tenant)
        .select_only()
        .column(task::Column::Id)
        .filter(task::Column::Status.eq(TaskStatus::Blocked))
        .filter(
            task::Column::Id.in_subquery(
                Query::select()
                    .column(task_dependency::Column::TaskId)
                    .from(task_dependency::Entity)
                    .and_where(Expr::col(task_dependency::Column::DependsOnId).eq(id))
                    .to_owned(),
            ),
        )
        .order_by_asc(task::Column::Id);
    if backend == DbBackend::Postgres {
        waiting = waiting.lock_exclusive();
    }
    let waiting: Vec<Uuid> = waiting.into_tuple().all(db).await?;
    if waiting.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new(backend);
    let at_param = sql.bind(at);
    let tenant = sql.bind(tenant.as_str());
    let ids = sql.bind_list(waiting);
    let by = sql.bind(by.map(str::to_owned));
    let statement = sql.finish(format!(
        "UPDATE tasks SET status = 'PENDING', version = version + 1, updated_at = {at_param},
           actor = {by}
         WHERE tenant = {tenant} AND id IN ({ids}) AND status = 'BLOCKED'
           AND NOT EXISTS (
             SELECT 1 FROM task_dependencies d JOIN tasks x ON x.id = d.depends_on_id
             WHERE d.task_id = tasks.id AND x.status <> 'COMPLETED')"
    ));
    db.execute_raw(statement).await?;
    Ok(())
}

/// Cancels every unfinished task that depends on `id`, directly or not,
/// naming `id` as the cause.
async fn cancel_after(
    db: &impl ConnectionTrait,
    tenant: &Tenant,
    id: Uuid,
    by: Actor<'_>,
    at: DateTime<Utc>,
) -> Result<()> {
    let mut sql = Sql::new(db.get_database_backend());
    let tenant = sql.bind(tenant.as_str());
    let root = sql.bind(id);
    let at_param = sql.bind(at);
    let error = sql.bind(format!("dependency {id} cancelled"));
    let by = sql.bind(by.map(str::to_owned));
    let open = statuses(&[
        TaskStatus::Blocked,
        TaskStatus::Pending,
        TaskStatus::Running,
    ]);
    let statement: Statement = sql.finish(format!(
        "WITH RECURSIVE downstream(id) AS (
           SELECT task_id FROM task_dependencies WHERE tenant = {tenant} AND depends_on_id = {root}
           UNION
           SELECT d.task_id FROM task_dependencies d JOIN downstream ON d.depends_on_id = downstream.id
           WHERE d.tenant = {tenant})
         UPDATE tasks SET status = 'CANCELLED', error = {error}, completed_at = {at_param},
           lease_expires_at = NULL, lease_token = NULL, lease_seconds = NULL, lease_ended_by = NULL,
           version = version + 1, updated_at = {at_param}, actor = {by}
         WHERE tenant = {tenant} AND id IN (SELECT id FROM downstream) AND status IN ({open})"
    ));
    db.execute_raw(statement).await?;
    Ok(())
}

/// The tasks each of `ids` waits for, in the order they were given.
pub(crate) async fn depends_on(
    db: &impl ConnectionTrait,
    tenant: &Tenant,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, Uuid)>> {
    Ok(task_dependency::Entity::find()
        .filter(edges_in(tenant))
        .select_only()
        .columns([
            task_dependency::Column::TaskId,
            task_dependency::Column::DependsOnId,
        ])
        .filter(task_dependency::Column::TaskId.is_in(ids.iter().copied()))
        .order_by_asc(task_dependency::Column::TaskId)
        .order_by_asc(task_dependency::Column::Position)
        .into_tuple()
        .all(db)
        .await?)
}
