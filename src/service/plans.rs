//! Plans that break a goal down, with status transitions.

use chrono::{DateTime, Utc};
use entity::{PlanStatus, goal, plan, task};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait};
use uuid::Uuid;

use super::access::{self, Under};
use super::store::actor::{self, Actor};
use super::store::bounds::TimeBounds;
use super::store::resource::{ResourceFilter, in_tenant, resource};
use super::store::update::{self};
use super::tasks;
use super::tasks::TaskFields;
use super::write::create;
use super::write::group_commit::Creates;
use super::write::idempotency::Claim;
use super::write::parent;
use super::write::trees::Children;
use super::{given, now};
use crate::auth::{Caller, Tenant};
use crate::error::Result;

resource!(plan {
    goal_id: GoalId as "goalId",
    description: Description as "description",
    status: Status as "status",
});

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct PlanFilter {
    pub(crate) goal_id: Option<Uuid>,
    pub(crate) status: Option<PlanStatus>,
    pub(crate) status_in: Option<Vec<PlanStatus>>,
    pub(crate) time: TimeBounds,
}

impl ResourceFilter for PlanFilter {
    type Entity = plan::Entity;
    fn condition(&self) -> Condition {
        Condition::all()
            .add_option(self.goal_id.map(|id| plan::Column::GoalId.eq(id)))
            .add_option(self.status.map(|s| plan::Column::Status.eq(s)))
            .add_option(
                self.status_in
                    .clone()
                    .map(|s| plan::Column::Status.is_in(s)),
            )
            .add(self.time.condition::<plan::Entity>())
    }
}

/// What a new plan says of itself, wherever it is created, with its tasks.
#[derive(Debug, Clone)]
pub(crate) struct PlanFields {
    pub(crate) description: String,
    pub(crate) status: Option<PlanStatus>,
    pub(crate) tasks: Vec<TaskFields>,
}

#[derive(Debug, Clone)]
pub(crate) struct NewPlan {
    pub(crate) goal_id: Uuid,
    pub(crate) plan: PlanFields,
}

/// A new plan of `goal_id` (in `tenant`) with the contract's defaults.
pub(crate) fn new_model(
    tenant: &Tenant,
    goal_id: Uuid,
    description: String,
    status: Option<PlanStatus>,
    at: DateTime<Utc>,
) -> plan::Model {
    plan::Model {
        id: Uuid::now_v7(),
        tenant: tenant.as_str().to_owned(),
        goal_id,
        description,
        status: status.unwrap_or(PlanStatus::Draft),
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct PlanChanges {
    pub(crate) description: Option<String>,
    pub(crate) status: Option<PlanStatus>,
    pub(crate) expected_version: Option<i32>,
}

/// Creates a plan, and its tasks when it has any, in one transaction.
#[tracing::instrument(skip_all)]
pub(crate) async fn create(
    creates: &Creates,
    caller: &Caller,
    new: NewPlan,
    claim: Option<Claim>,
) -> Result<plan::Model> {
    access::may_work_under(creates.writes(), caller, Under::Goal(new.goal_id)).await?;
    let tenant = &caller.tenant;
    let at = now();
    let PlanFields {
        description,
        status,
        tasks,
    } = new.plan;
    let model = new_model(tenant, new.goal_id, description, status, at);
    let parents = vec![parent::<goal::Entity>(tenant, model.goal_id, "goal")];
    let children =
        (!tasks.is_empty()).then(|| tasks::children_of_plan(tenant, model.id, tasks, at));
    create::create::<plan::Entity>(
        creates,
        actor::of(caller),
        model,
        parents,
        claim,
        children,
        "plan",
    )
    .await
}

/// The plans of a new goal with their tasks, for its tree, each task with
/// its path in the input.
pub(crate) fn children_of_goal(
    tenant: &Tenant,
    goal_id: Uuid,
    plans: Vec<PlanFields>,
    at: DateTime<Utc>,
) -> Children {
    let mut models = Vec::with_capacity(plans.len());
    let mut tasks = Vec::new();
    for (index, fields) in plans.into_iter().enumerate() {
        let plan = new_model(tenant, goal_id, fields.description, fields.status, at);
        tasks.extend(tasks::tasks_of_plan(
            tenant,
            plan.id,
            fields.tasks,
            at,
            &format!("input.plans.{index}"),
        ));
        models.push(plan);
    }
    Children::Plans(models, tasks)
}

#[tracing::instrument(skip(db, changes))]
pub(crate) async fn update(
    db: &crate::db::Pool,
    caller: &Caller,
    id: Uuid,
    changes: PlanChanges,
) -> Result<plan::Model> {
    let (txn, current) =
        update::begin::<plan::Entity>(db, &caller.tenant, id, changes.expected_version, "plan")
            .await?;
    access::may_work_under(&txn, caller, Under::Goal(current.goal_id)).await?;
    let mut next = current.clone();
    if let Some(status) = changes.status {
        super::check_transition(current.status, status)?;
        next.status = status;
    }
    given(&mut next.description, changes.description);
    let by = actor::of(caller);
    update::finish::<plan::Entity>(txn, current.version, next, by, now(), "plan").await
}

#[tracing::instrument(skip(db))]
pub(crate) async fn delete(
    db: &crate::db::Pool,
    caller: &Caller,
    id: Uuid,
    cascade: bool,
) -> Result<Uuid> {
    let tenant = &caller.tenant;
    let (txn, _) = update::begin_delete::<plan::Entity, task::Entity>(
        db,
        caller,
        id,
        "plan",
        task::Column::PlanId,
        "task",
        cascade,
    )
    .await?;
    let by = actor::of(caller);
    actor::delete::<task::Entity>(&txn, tenant, task::Column::PlanId.eq(id), by).await?;
    actor::delete::<plan::Entity>(&txn, tenant, plan::Column::Id.eq(id), by).await?;
    txn.commit().await?;
    Ok(id)
}

/// Deletes every plan of the goals `goal_ids` selects, and their tasks,
/// children first. Subqueries keep it to four statements however many rows
/// (each DELETE stamped with the deleter first).
pub(crate) async fn delete_under_goals(
    txn: &impl ConnectionTrait,
    tenant: &Tenant,
    goal_ids: SelectStatement,
    by: Actor<'_>,
) -> Result<()> {
    let plan_ids = Query::select()
        .column(plan::Column::Id)
        .from(plan::Entity)
        .and_where(in_tenant::<plan::Entity>(tenant))
        .and_where(Expr::col(plan::Column::GoalId).in_subquery(goal_ids.clone()))
        .to_owned();
    let tasks = task::Column::PlanId.in_subquery(plan_ids);
    actor::delete::<task::Entity>(txn, tenant, tasks, by).await?;
    let plans = plan::Column::GoalId.in_subquery(goal_ids);
    actor::delete::<plan::Entity>(txn, tenant, plans, by).await?;
    Ok(())
}
