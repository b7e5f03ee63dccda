//! Plans in GraphQL: the object, its inputs, queries and mutations.

use async_graphql::{Context, Enum, InputObject, Result};
use chrono::{DateTime, Utc};
use entity::{goal, plan, task};
use uuid::Uuid;

use super::connection::{FilterInput, connection};
use super::counting::{TaskCounts, task_counts};
use super::goal::Goal;
use super::idempotent::KEY_MAX;
use super::loaders::referenced;
use super::node_list::Plain;
use super::pagination::{order_field, page_complexity};
use super::projection::Projection;
use super::resource::{paged_object, resource_roots};
use super::task::{NewTaskInput, Task, TaskFilter, TaskOrderField};
use super::validate::{DESCRIPTION_MAX, Violations, join};
use crate::service::counting::CountsOf;
use crate::service::plans;
use crate::service::store::bounds::TimeBounds;

/// Where a plan stands. DRAFT -> ACTIVE | CANCELLED; ACTIVE -> COMPLETED |
/// FAILED | CANCELLED.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::PlanStatus")]
pub(crate) enum PlanStatus {
    /// Being written (the default).
    Draft,
    /// Being carried out.
    Active,
    /// Carried out.
    Completed,
    /// Could not be carried out.
    Failed,
    /// Abandoned.
    Cancelled,
}

/// A way to reach a goal, carried out as tasks.
#[derive(Clone)]
pub(crate) struct Plan(pub plan::Model);

order_field! {
    /// What a list of plans can be ordered by.
    PlanOrderField for plan {
        /// When it was created.
        CreatedAt,
        /// When it last changed.
        UpdatedAt,
    }
}

// The fields of `Plan` that are not one of its own columns (those are listed
// once, in `service::plans`): what each reads of the row.
impl Projection for plan::Entity {
    const RELATIONS: &'static [(&'static str, &'static [plan::Column])] = &[
        ("goal", &[plan::Column::GoalId]),
        ("tasks", &[]),
        ("taskCounts", &[]),
    ];
    const TASK_COUNTS: Option<CountsOf> = Some(CountsOf::Plan);
}

paged_object! {
    impl Plan {
        /// Server-generated id (UUIDv7: ordering by id is creation order).
        async fn id(&self) -> Uuid {
            self.0.id
        }
        /// The id of the goal this plan breaks down.
        async fn goal_id(&self) -> Uuid {
            self.0.goal_id
        }
        /// The goal this plan breaks down.
        async fn goal(&self, ctx: &Context<'_>) -> Result<Goal> {
            let found = referenced::<goal::Entity>(ctx, self.0.goal_id, "goal").await?;
            Ok(Goal(found))
        }
        /// How the goal is to be reached, 1 to 10,000 characters.
        async fn description(&self) -> &str {
            &self.0.description
        }
        /// The current status; see the enum for the allowed transitions.
        async fn status(&self) -> PlanStatus {
            self.0.status.into()
        }
        /// Starts at 1 and grows by one with every successful update.
        async fn version(&self) -> i32 {
            self.0.version
        }
        /// When the plan was created (UTC).
        async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
            self.0.created_at
        }
        /// When the plan last changed (UTC).
        async fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
            self.0.updated_at
        }
        /// Its tasks, by status.
        async fn task_counts(&self, ctx: &Context<'_>) -> Result<Plain<TaskCounts>> {
            task_counts(ctx, CountsOf::Plan, self.0.id).await
        }
    }
    pages {
        /// The tasks that carry this plan out, oldest first unless `orderBy` says otherwise.
        tasks: Task, TaskFilter, TaskOrderField, children(task::Column::PlanId);
    }
}

connection!(
    Plan {
        entity: plan::Entity,
        filter: plans::PlanFilter,
        filter_input: PlanFilter,
        order_field: PlanOrderField,
    },
    "PlanConnection",
    "PlanEdge",
    "plans"
);

/// Narrows a list of plans; all given conditions must hold.
#[derive(InputObject, Clone, Default)]
pub(crate) struct PlanFilter {
    /// Only plans of this goal.
    pub(crate) goal_id: Option<Uuid>,
    /// Only plans in this status.
    pub(crate) status: Option<PlanStatus>,
    /// Only plans in one of these statuses (1 to 10 of them).
    pub(crate) status_in: Option<Vec<PlanStatus>>,
    /// Only plans created after this time (exclusive).
    pub(crate) created_after: Option<DateTime<Utc>>,
    /// Only plans created before this time (exclusive).
    pub(crate) created_before: Option<DateTime<Utc>>,
    /// Only plans changed after this time (exclusive).
    pub(crate) updated_after: Option<DateTime<Utc>>,
}

impl FilterInput for PlanFilter {
    type Filter = plans::PlanFilter;

    fn validate(self, violations: &mut Violations) -> plans::PlanFilter {
        violations.choices("filter.statusIn", self.status_in.as_deref());
        plans::PlanFilter {
            goal_id: self.goal_id,
            status: self.status.map(Into::into),
            status_in: self
                .status_in
                .map(|s| s.into_iter().map(Into::into).collect()),
            time: TimeBounds::new(self.created_after, self.created_before, self.updated_after),
        }
    }
}

/// A new plan for an existing goal, with its tasks if given, all created
/// in one transaction. The server generates every id.
#[derive(InputObject)]
pub(crate) struct CreatePlanInput {
    /// The goal the plan breaks down (NOT_FOUND when there is none).
    pub(crate) goal_id: Uuid,
    /// 1 to 10,000 characters.
    pub(crate) description: String,
    /// Defaults to DRAFT.
    pub(crate) status: Option<PlanStatus>,
    /// Tasks created with the plan, in this order.
    pub(crate) tasks: Option<Vec<NewTaskInput>>,
    /// 1 to 200 characters: a retry with the same key and input returns the
    /// plan the first attempt created instead of creating another.
    pub(crate) idempotency_key: Option<String>,
}

impl CreatePlanInput {
    fn validate(self) -> crate::error::Result<plans::NewPlan> {
        let mut v = Violations::under("input");
        v.optional_text("idempotencyKey", self.idempotency_key.as_deref(), KEY_MAX);
        let plan = NewPlanInput {
            description: self.description,
            status: self.status,
            tasks: self.tasks,
        };
        v.tree_size("tasks", plan.size());
        let plan = plan.check(&mut v, "");
        v.finish()?;
        Ok(plans::NewPlan {
            goal_id: self.goal_id,
            plan,
        })
    }
}

/// A plan created together with its goal (in `createGoal`).
#[derive(InputObject)]
pub(crate) struct NewPlanInput {
    /// 1 to 10,000 characters.
    pub(crate) description: String,
    /// Defaults to DRAFT.
    pub(crate) status: Option<PlanStatus>,
    /// Tasks created with the plan, in this order.
    pub(crate) tasks: Option<Vec<NewTaskInput>>,
}

impl NewPlanInput {
    /// The plan and its tasks.
    pub(crate) fn size(&self) -> usize {
        1 + self.tasks.as_ref().map_or(0, Vec::len)
    }

    /// Checks the plan at input path `at` (`plans.1`) and its tasks.
    pub(crate) fn check(self, v: &mut Violations, at: &str) -> plans::PlanFields {
        v.text(&join(at, "description"), &self.description, DESCRIPTION_MAX);
        let tasks = self
            .tasks
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(index, task)| task.check(v, &join(at, &format!("tasks.{index}")), Some(index)))
            .collect();
        plans::PlanFields {
            description: self.description,
            status: self.status.map(Into::into),
            tasks,
        }
    }
}

/// Changes to a plan: only the fields given change.
#[derive(InputObject)]
pub(crate) struct UpdatePlanInput {
    /// 1 to 10,000 characters.
    pub(crate) description: Option<String>,
    /// Must follow the plan transitions (else BAD_USER_INPUT).
    pub(crate) status: Option<PlanStatus>,
    /// When given, the update applies only if the plan is still at this version (else CONFLICT).
    pub(crate) expected_version: Option<i32>,
}

impl UpdatePlanInput {
    fn validate(self) -> crate::error::Result<plans::PlanChanges> {
        let mut v = Violations::under("input");
        v.optional_text("description", self.description.as_deref(), DESCRIPTION_MAX);
        v.finish()?;
        Ok(plans::PlanChanges {
            description: self.description,
            status: self.status.map(Into::into),
            expected_version: self.expected_version,
        })
    }
}

resource_roots! {
    Plan of plan::Entity, through plans {
        query PlanQuery {
            /// The plan with this id, or null when there is none.
            plan;
            /// Plans, oldest first unless `orderBy` says otherwise.
            plans: PlanFilter, PlanOrderField;
        }
        mutation PlanMutation {
            /// Creates a plan for an existing goal; the server generates its id.
            create_plan(CreatePlanInput) as "createPlan";
            /// Changes the fields given and increments `version`.
            update_plan(UpdatePlanInput);
            /// Deletes a plan and returns its id. Its tasks block the delete
            /// (CONFLICT) unless `cascade`, which removes them too.
            delete_plan(cascade);
        }
    }
}
