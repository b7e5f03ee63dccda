//! Tasks that carry a plan out: assignment, status transitions and the
//! timestamps those transitions stamp.

use chrono::{DateTime, Utc};
use entity::{TaskStatus, agent, plan, task, task_dependency};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition};
use serde_json::Value as Json;
use uuid::Uuid;

use super::access::{self, Under};
use super::queue::dependencies;
use super::store::actor;
use super::store::bounds::TimeBounds;
use super::store::resource::{ResourceFilter, ensure_exists, find_by_id_in, not_found, resource};
use super::store::update::{self, load_for_update};
use super::write::create;
use super::write::group_commit::Creates;
use super::write::idempotency::Claim;
use super::write::parent;
use super::write::trees::{ChildTask, Children};
use super::{given, now};
use crate::auth::{Caller, Tenant};
use crate::error::{AppError, Result};

resource!(task {
    plan_id: PlanId as "planId",
    agent_id: AgentId as "agentId",
    description: Description as "description",
    task_type: TaskType as "taskType",
    status: Status as "status",
    input_data: InputData as "inputData",
    output_data: OutputData as "outputData",
    error: Error as "error",
    started_at: StartedAt as "startedAt",
    completed_at: CompletedAt as "completedAt",
    priority: Priority as "priority",
    run_at: RunAt as "runAt",
    attempts: Attempts as "attempts",
    max_attempts: MaxAttempts as "maxAttempts",
    lease_expires_at: LeaseExpiresAt as "leaseExpiresAt";
    hidden {
        lease_token: LeaseToken,
        lease_seconds: LeaseSeconds,
        lease_ended_by: LeaseEndedBy,
        awaited: Awaited,
    }
});

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct TaskFilter {
    pub(crate) plan_id: Option<Uuid>,
    pub(crate) agent_id: Option<Uuid>,
    /// `Some(true)`: only tasks with no assignee; `Some(false)`: only assigned ones.
    pub(crate) unassigned: Option<bool>,
    pub(crate) status: Option<TaskStatus>,
    pub(crate) status_in: Option<Vec<TaskStatus>>,
    pub(crate) task_type: Option<String>,
    pub(crate) time: TimeBounds,
    /// Only the tasks that wait for this one (a task's `dependents`).
    pub(crate) waiting_for: Option<Uuid>,
}

/// Narrows `filter` to the tasks that wait for task `id`.
pub(crate) fn dependents_of(filter: &mut TaskFilter, id: Uuid) {
    filter.waiting_for = Some(id);
}

impl ResourceFilter for TaskFilter {
    type Entity = task::Entity;
    fn condition(&self) -> Condition {
        Condition::all()
            .add_option(self.plan_id.map(|id| task::Column::PlanId.eq(id)))
            .add_option(self.agent_id.map(|id| task::Column::AgentId.eq(id)))
            .add_option(self.unassigned.map(|none| {
                if none {
                    task::Column::AgentId.is_null()
                } else {
                    task::Column::AgentId.is_not_null()
                }
            }))
            .add_option(self.status.map(|s| task::Column::Status.eq(s)))
            .add_option(
                self.status_in
                    .clone()
                    .map(|s| task::Column::Status.is_in(s)),
            )
            .add_option(self.task_type.clone().map(|t| task::Column::TaskType.eq(t)))
            .add_option(self.waiting_for.map(|id| {
                task::Column::Id.in_subquery(
                    Query::select()
                        .column(task_dependency::Column::TaskId)
                        .from(task_dependency::Entity)
                        .and_where(Expr::col(task_dependency::Column::DependsOnId).eq(id))
                        .to_owned(),
                )
            }))
            .add(self.time.condition::<task::Entity>())
    }
}

pub(crate) const DEFAULT_TASK_TYPE: &str = "generic";
pub(crate) const DEFAULT_PRIORITY: i32 = 50;
pub(crate) const DEFAULT_MAX_ATTEMPTS: i32 = 3;

/// What a new task says of itself, wherever it is created.
#[derive(Debug, Clone)]
pub(crate) struct TaskFields {
    pub(crate) agent_id: Option<Uuid>,
    pub(crate) description: String,
    pub(crate) task_type: Option<String>,
    pub(crate) input_data: Option<Json>,
    pub(crate) priority: Option<i32>,
    pub(crate) run_at: Option<DateTime<Utc>>,
    pub(crate) max_attempts: Option<i32>,
    /// In a nested list: the indices of the earlier tasks of that list it
    /// waits for (a lone create names its dependencies by id instead).
    pub(crate) depends_on: Vec<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct NewTask {
    pub(crate) plan_id: Uuid,
    pub(crate) task: TaskFields,
    /// The tasks of the same plan it waits for, in the order given.
    pub(crate) depends_on: Vec<Uuid>,
}

/// A new task of `plan_id` with the contract's defaults: BLOCKED when it
/// waits for anything (a nested one's dependencies are as new as itself).
pub(crate) fn new_model(
    tenant: &Tenant,
    plan_id: Uuid,
    fields: TaskFields,
    at: DateTime<Utc>,
) -> task::Model {
    let status = if fields.depends_on.is_empty() {
        TaskStatus::Pending
    } else {
        TaskStatus::Blocked
    };
    task::Model {
        id: Uuid::now_v7(),
        tenant: tenant.as_str().to_owned(),
        plan_id,
        agent_id: fields.agent_id,
        description: fields.description,
        task_type: fields
            .task_type
            .unwrap_or_else(|| DEFAULT_TASK_TYPE.to_owned()),
        status,
        input_data: fields.input_data.unwrap_or_else(super::empty_object),
        output_data: None,
        error: None,
        version: 1,
        created_at: at,
        updated_at: at,
        started_at: None,
        completed_at: None,
        priority: fields.priority.unwrap_or(DEFAULT_PRIORITY),
        run_at: fields.run_at.unwrap_or(at),
        attempts: 0,
        max_attempts: fields.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS),
        lease_token: None,
        lease_expires_at: None,
        lease_seconds: None,
        lease_ended_by: None,
        awaited: false,
    }
}

/// `None` leaves a field as it is; `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub(crate) struct TaskChanges {
    pub(crate) agent_id: Option<Option<Uuid>>,
    pub(crate) description: Option<String>,
    pub(crate) status: Option<TaskStatus>,
    pub(crate) output_data: Option<Option<Json>>,
    pub(crate) error: Option<Option<String>>,
    pub(crate) priority: Option<i32>,
    pub(crate) run_at: Option<DateTime<Utc>>,
    pub(crate) max_attempts: Option<i32>,
    pub(crate) expected_version: Option<i32>,
}

#[tracing::instrument(skip_all)]
pub(crate) async fn create(
    creates: &Creates,
    caller: &Caller,
    new: NewTask,
    claim: Option<Claim>,
) -> Result<task::Model> {
    access::may_work_under(creates.writes(), caller, Under::Plan(new.plan_id)).await?;
    let tenant = &caller.tenant;
    let at = now();
    let mut model = new_model(tenant, new.plan_id, new.task, at);
    let parents = std::iter::once(parent::<plan::Entity>(tenant, model.plan_id, "plan"))
        .chain(
            model
                .agent_id
                .map(|id| parent::<agent::Entity>(tenant, id, "agent")),
        )
        .collect();
    if new.depends_on.is_empty() {
        return create::create::<task::Entity>(
            creates,
            actor::of(caller),
            model,
            parents,
            claim,
            None,
            "task",
        )
        .await;
    }
    // Read first so that the create's change already says whether it is
    // ready (parked claims wake for a PENDING one); the transaction reads
    // again under lock and settles it.
    let blocked = !dependencies::all_completed(creates.writes(), tenant, &new.depends_on).await?;
    if blocked {
        model.status = TaskStatus::Blocked;
    }
    let children = Children::Dependencies {
        plan_id: model.plan_id,
        on: new.depends_on,
        blocked,
    };
    let created = create::create::<task::Entity>(
        creates,
        actor::of(caller),
        model,
        parents,
        claim,
        Some(children),
        "task",
    )
    .await?;
    if !blocked {
        return Ok(created);
    }
    // Its dependencies may have completed meanwhile, which unblocked it.
    find_by_id_in::<task::Entity>(tenant, created.id)
        .one(creates.writes())
        .await?
        .ok_or_else(|| not_found("task", created.id))
}

/// The tasks of a new plan, for its tree, each with its path in the input
/// (under `at`, `input` or `input.plans.2`) and the ids of the earlier
/// tasks it waits for.
pub(crate) fn tasks_of_plan(
    tenant: &Tenant,
    plan_id: Uuid,
    tasks: Vec<TaskFields>,
    at: DateTime<Utc>,
    path: &str,
) -> Vec<ChildTask> {
    let mut children: Vec<ChildTask> = Vec::with_capacity(tasks.len());
    for (index, task) in tasks.into_iter().enumerate() {
        // Indices were checked to name earlier tasks of this list.
        let depends_on = task
            .depends_on
            .iter()
            .filter_map(|&earlier| children.get(earlier).map(|c| c.model.id))
            .collect();
        for earlier in &task.depends_on {
            if let Some(child) = children.get_mut(*earlier) {
                child.model.awaited = true;
            }
        }
        children.push(ChildTask {
            model: new_model(tenant, plan_id, task, at),
            path: format!("{path}.tasks.{index}.agentId"),
            depends_on,
        });
    }
    children
}

/// The tasks of a new plan, for its tree.
pub(crate) fn children_of_plan(
    tenant: &Tenant,
    plan_id: Uuid,
    tasks: Vec<TaskFields>,
    at: DateTime<Utc>,
) -> Children {
    Children::Tasks(tasks_of_plan(tenant, plan_id, tasks, at, "input"))
}

#[tracing::instrument(skip(db, changes))]
pub(crate) async fn update(
    db: &crate::db::Pool,
    caller: &Caller,
    id: Uuid,
    changes: TaskChanges,
) -> Result<task::Model> {
    let tenant = &caller.tenant;
    let (txn, current) =
        update::begin::<task::Entity>(db, tenant, id, changes.expected_version, "task").await?;
    access::may_change_task(&txn, caller, &current).await?;
    let at = now();
    let mut next = current.clone();
    if let Some(status) = changes.status {
        if status == TaskStatus::Blocked {
            return Err(AppError::invalid(
                "input.status",
                "BLOCKED is set and lifted by a task's dependencies only",
            ));
        }
        if current.status == TaskStatus::Blocked && status == TaskStatus::Pending {
            return Err(AppError::invalid(
                "input.status",
                "a BLOCKED task becomes PENDING when its last dependency completes",
            ));
        }
        super::check_transition(current.status, status)?;
        if status != current.status {
            stamp_transition(&mut next, status, at);
            // Leaving RUNNING by hand ends the lease: the claimant's token
            // is stale from now on.
            next.lease_token = None;
            next.lease_expires_at = None;
            next.lease_seconds = None;
            next.lease_ended_by = None;
        }
    }
    given(&mut next.priority, changes.priority);
    given(&mut next.run_at, changes.run_at);
    given(&mut next.max_attempts, changes.max_attempts);
    if let Some(agent_id) = changes.agent_id {
        if let Some(agent_id) = agent_id {
            ensure_exists::<agent::Entity>(&txn, tenant, agent_id, "agent").await?;
        }
        next.agent_id = agent_id;
    }
    given(&mut next.description, changes.description);
    given(&mut next.output_data, changes.output_data);
    given(&mut next.error, changes.error);
    let by = actor::of(caller);
    let next = update::write::<task::Entity>(&txn, current.version, next, by, at, "task").await?;
    if next.status != current.status {
        dependencies::status_changed(&txn, &next, by, at).await?;
    }
    txn.commit().await?;
    Ok(next)
}

/// Entering RUNNING starts the clock, entering a terminal status stops it,
/// and a retry (back to PENDING) clears both for the next run.
fn stamp_transition(task: &mut task::Model, status: TaskStatus, at: chrono::DateTime<chrono::Utc>) {
    task.status = status;
    match status {
        TaskStatus::Running => task.started_at = Some(at),
        TaskStatus::Pending => {
            task.started_at = None;
            task.completed_at = None;
        }
        terminal if terminal.is_terminal() => task.completed_at = Some(at),
        _ => {}
    }
}

#[tracing::instrument(skip(db))]
pub(crate) async fn delete(db: &crate::db::Pool, caller: &Caller, id: Uuid) -> Result<Uuid> {
    access::may_manage(caller, "delete")?;
    let tenant = &caller.tenant;
    let txn = db.begin().await?;
    load_for_update::<task::Entity>(&txn, tenant, id, "task").await?;
    dependencies::refuse_if_depended_on(&txn, tenant, id).await?;
    actor::delete::<task::Entity>(&txn, tenant, task::Column::Id.eq(id), actor::of(caller)).await?;
    txn.commit().await?;
    Ok(id)
}
