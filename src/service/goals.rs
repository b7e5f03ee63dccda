//! Goals of an agent: priority, success criteria and status transitions.

use entity::{GoalStatus, agent, goal, plan};
use sea_orm::sea_query::{IntoCondition, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait};
use uuid::Uuid;

use super::access::{self, Under};
use super::plans;
use super::plans::PlanFields;
use super::store::actor::{self, Actor};
use super::store::bounds::TimeBounds;
use super::store::resource::{ResourceFilter, in_tenant, resource};
use super::store::update::{self};
use super::write::create;
use super::write::group_commit::Creates;
use super::write::idempotency::Claim;
use super::write::parent;
use super::{given, now};
use crate::auth::{Caller, Tenant};
use crate::error::Result;

resource!(goal {
    agent_id: AgentId as "agentId",
    description: Description as "description",
    success_criteria: SuccessCriteria as "successCriteria",
    priority: Priority as "priority",
    status: Status as "status",
});

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct GoalFilter {
    pub(crate) agent_id: Option<Uuid>,
    pub(crate) status: Option<GoalStatus>,
    pub(crate) status_in: Option<Vec<GoalStatus>>,
    pub(crate) min_priority: Option<i32>,
    pub(crate) max_priority: Option<i32>,
    pub(crate) time: TimeBounds,
}

impl ResourceFilter for GoalFilter {
    type Entity = goal::Entity;
    fn condition(&self) -> Condition {
        Condition::all()
            .add_option(self.agent_id.map(|id| goal::Column::AgentId.eq(id)))
            .add_option(self.status.map(|s| goal::Column::Status.eq(s)))
            .add_option(
                self.status_in
                    .clone()
                    .map(|s| goal::Column::Status.is_in(s)),
            )
            .add_option(self.min_priority.map(|p| goal::Column::Priority.gte(p)))
            .add_option(self.max_priority.map(|p| goal::Column::Priority.lte(p)))
            .add(self.time.condition::<goal::Entity>())
    }
}

#[derive(Debug, Clone)]
pub(crate) struct NewGoal {
    pub(crate) agent_id: Uuid,
    pub(crate) description: String,
    pub(crate) success_criteria: Option<Vec<String>>,
    pub(crate) priority: Option<i32>,
    /// Created with the goal, in one transaction.
    pub(crate) plans: Vec<PlanFields>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct GoalChanges {
    pub(crate) description: Option<String>,
    pub(crate) success_criteria: Option<Vec<String>>,
    pub(crate) priority: Option<i32>,
    pub(crate) status: Option<GoalStatus>,
    pub(crate) expected_version: Option<i32>,
}

pub(crate) const DEFAULT_PRIORITY: i32 = 5;

/// Creates a goal, and its plans and their tasks when it has any, in one
/// transaction.
#[tracing::instrument(skip_all)]
pub(crate) async fn create(
    creates: &Creates,
    caller: &Caller,
    new: NewGoal,
    claim: Option<Claim>,
) -> Result<goal::Model> {
    access::may_work_under(creates.writes(), caller, Under::Agent(new.agent_id)).await?;
    let tenant = &caller.tenant;
    let at = now();
    let model = goal::Model {
        id: Uuid::now_v7(),
        tenant: tenant.as_str().to_owned(),
        agent_id: new.agent_id,
        description: new.description,
        success_criteria: serde_json::json!(new.success_criteria.unwrap_or_default()),
        priority: new.priority.unwrap_or(DEFAULT_PRIORITY),
        status: GoalStatus::Pending,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let parents = vec![parent::<agent::Entity>(tenant, model.agent_id, "agent")];
    let children =
        (!new.plans.is_empty()).then(|| plans::children_of_goal(tenant, model.id, new.plans, at));
    create::create::<goal::Entity>(
        creates,
        actor::of(caller),
        model,
        parents,
        claim,
        children,
        "goal",
    )
    .await
}

#[tracing::instrument(skip(db, changes))]
pub(crate) async fn update(
    db: &crate::db::Pool,
    caller: &Caller,
    id: Uuid,
    changes: GoalChanges,
) -> Result<goal::Model> {
    let (txn, current) =
        update::begin::<goal::Entity>(db, &caller.tenant, id, changes.expected_version, "goal")
            .await?;
    access::may_work_under(&txn, caller, Under::Agent(current.agent_id)).await?;
    let mut next = current.clone();
    if let Some(status) = changes.status {
        super::check_transition(current.status, status)?;
        next.status = status;
    }
    given(&mut next.description, changes.description);
    if let Some(criteria) = changes.success_criteria {
        next.success_criteria = serde_json::json!(criteria);
    }
    given(&mut next.priority, changes.priority);
    let by = actor::of(caller);
    update::finish::<goal::Entity>(txn, current.version, next, by, now(), "goal").await
}

#[tracing::instrument(skip(db))]
pub(crate) async fn delete(
    db: &crate::db::Pool,
    caller: &Caller,
    id: Uuid,
    cascade: bool,
) -> Result<Uuid> {
    let tenant = &caller.tenant;
    let (txn, _) = update::begin_delete::<goal::Entity, plan::Entity>(
        db,
        caller,
        id,
        "goal",
        plan::Column::GoalId,
        "plan",
        cascade,
    )
    .await?;
    let goal_ids = select_ids(tenant, goal::Column::Id.eq(id).into_condition());
    delete_subtrees(&txn, tenant, goal_ids, actor::of(caller)).await?;
    txn.commit().await?;
    Ok(id)
}

/// Deletes the goals `goal_ids` selects with their plans and tasks, children first.
pub(crate) async fn delete_subtrees(
    txn: &impl ConnectionTrait,
    tenant: &Tenant,
    goal_ids: SelectStatement,
    by: Actor<'_>,
) -> Result<()> {
    plans::delete_under_goals(txn, tenant, goal_ids.clone(), by).await?;
    let goals = goal::Column::Id.in_subquery(goal_ids);
    actor::delete::<goal::Entity>(txn, tenant, goals, by).await?;
    Ok(())
}

/// `SELECT id FROM goals WHERE tenant = ? AND <condition>`, for cascading
/// deletes.
pub(crate) fn select_ids(tenant: &Tenant, condition: Condition) -> SelectStatement {
    Query::select()
        .column(goal::Column::Id)
        .from(goal::Entity)
        .and_where(in_tenant::<goal::Entity>(tenant))
        .cond_where(condition)
        .to_owned()
}
