//! Goals in GraphQL: the object, its inputs, queries and mutations.

use async_graphql::{Context, Enum, InputObject, Result};
use chrono::{DateTime, Utc};
use entity::{agent, goal, plan};
use uuid::Uuid;

use super::agent::Agent;
use super::connection::{FilterInput, connection};
use super::counting::{TaskCounts, task_counts};
use super::idempotent::KEY_MAX;
use super::loaders::referenced;
use super::node_list::Plain;
use super::pagination::{order_field, page_complexity};
use super::plan::{NewPlanInput, Plan, PlanFilter, PlanOrderField};
use super::projection::Projection;
use super::resource::{paged_object, resource_roots};
use super::validate::{DESCRIPTION_MAX, Violations};
use crate::service::counting::CountsOf;
use crate::service::goals;
use crate::service::store::bounds::TimeBounds;

/// Where a goal stands. PENDING -> ACTIVE | CANCELLED; ACTIVE -> COMPLETED |
/// FAILED | CANCELLED.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::GoalStatus")]
pub(crate) enum GoalStatus {
    /// Not started (the initial status).
    Pending,
    /// Being pursued.
    Active,
    /// Reached.
    Completed,
    /// Given up as unreachable.
    Failed,
    /// No longer wanted.
    Cancelled,
}

/// Something an agent pursues, broken down into plans.
#[derive(Clone)]
pub(crate) struct Goal(pub goal::Model);

order_field! {
    /// What a list of goals can be ordered by.
    GoalOrderField for goal {
        /// When it was created.
        CreatedAt,
        /// When it last changed.
        UpdatedAt,
        /// Its priority.
        Priority,
    }
}

// The fields of `Goal` that are not one of its own columns (those are listed
// once, in `service::goals`): what each reads of the row.
impl Projection for goal::Entity {
    const RELATIONS: &'static [(&'static str, &'static [goal::Column])] = &[
        ("agent", &[goal::Column::AgentId]),
        ("plans", &[]),
        ("taskCounts", &[]),
    ];
    const TASK_COUNTS: Option<CountsOf> = Some(CountsOf::Goal);
}

paged_object! {
    impl Goal {
        /// Server-generated id (UUIDv7: ordering by id is creation order).
        async fn id(&self) -> Uuid {
            self.0.id
        }
        /// The id of the agent pursuing this goal.
        async fn agent_id(&self) -> Uuid {
            self.0.agent_id
        }
        /// The agent pursuing this goal.
        async fn agent(&self, ctx: &Context<'_>) -> Result<Agent> {
            let found = referenced::<agent::Entity>(ctx, self.0.agent_id, "agent").await?;
            Ok(Agent(found))
        }
        /// What is to be achieved, 1 to 10,000 characters.
        async fn description(&self) -> &str {
            &self.0.description
        }
        /// How to tell the goal is reached; at most 100 entries.
        async fn success_criteria(&self) -> Vec<String> {
            serde_json::from_value(self.0.success_criteria.clone()).unwrap_or_default()
        }
        /// 1 (lowest) to 10 (highest); defaults to 5.
        async fn priority(&self) -> i32 {
            self.0.priority
        }
        /// The current status; see the enum for the allowed transitions.
        async fn status(&self) -> GoalStatus {
            self.0.status.into()
        }
        /// Starts at 1 and grows by one with every successful update.
        async fn version(&self) -> i32 {
            self.0.version
        }
        /// When the goal was created (UTC).
        async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
            self.0.created_at
        }
        /// When the goal last changed (UTC).
        async fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
            self.0.updated_at
        }
        /// The tasks of all its plans, by status.
        async fn task_counts(&self, ctx: &Context<'_>) -> Result<Plain<TaskCounts>> {
            task_counts(ctx, CountsOf::Goal, self.0.id).await
        }
    }
    pages {
        /// The plans that break this goal down, oldest first unless `orderBy` says otherwise.
        plans: Plan, PlanFilter, PlanOrderField, children(plan::Column::GoalId);
    }
}

connection!(
    Goal {
        entity: goal::Entity,
        filter: goals::GoalFilter,
        filter_input: GoalFilter,
        order_field: GoalOrderField,
    },
    "GoalConnection",
    "GoalEdge",
    "goals"
);

/// Narrows a list of goals; all given conditions must hold.
#[derive(InputObject, Clone, Default)]
pub(crate) struct GoalFilter {
    /// Only goals of this agent.
    pub(crate) agent_id: Option<Uuid>,
    /// Only goals in this status.
    pub(crate) status: Option<GoalStatus>,
    /// Only goals in one of these statuses (1 to 10 of them).
    pub(crate) status_in: Option<Vec<GoalStatus>>,
    /// Only goals with at least this priority.
    pub(crate) min_priority: Option<i32>,
    /// Only goals with at most this priority.
    pub(crate) max_priority: Option<i32>,
    /// Only goals created after this time (exclusive).
    pub(crate) created_after: Option<DateTime<Utc>>,
    /// Only goals created before this time (exclusive).
    pub(crate) created_before: Option<DateTime<Utc>>,
    /// Only goals changed after this time (exclusive).
    pub(crate) updated_after: Option<DateTime<Utc>>,
}

impl FilterInput for GoalFilter {
    type Filter = goals::GoalFilter;

    fn validate(self, violations: &mut Violations) -> goals::GoalFilter {
        violations.choices("filter.statusIn", self.status_in.as_deref());
        goals::GoalFilter {
            agent_id: self.agent_id,
            status: self.status.map(Into::into),
            status_in: self
                .status_in
                .map(|s| s.into_iter().map(Into::into).collect()),
            min_priority: self.min_priority,
            max_priority: self.max_priority,
            time: TimeBounds::new(self.created_after, self.created_before, self.updated_after),
        }
    }
}

/// A new goal of an existing agent, with its plans and their tasks if
/// given, all created in one transaction. The server generates every id.
#[derive(InputObject)]
pub(crate) struct CreateGoalInput {
    /// The agent that pursues the goal (NOT_FOUND when there is none).
    pub(crate) agent_id: Uuid,
    /// 1 to 10,000 characters.
    pub(crate) description: String,
    /// At most 100 entries; defaults to `[]`.
    pub(crate) success_criteria: Option<Vec<String>>,
    /// 1 to 10; defaults to 5.
    pub(crate) priority: Option<i32>,
    /// Plans created with the goal, in this order; at most 1,000 objects in all.
    pub(crate) plans: Option<Vec<NewPlanInput>>,
    /// 1 to 200 characters: a retry with the same key and input returns the
    /// goal the first attempt created instead of creating another.
    pub(crate) idempotency_key: Option<String>,
}

impl CreateGoalInput {
    fn validate(self) -> crate::error::Result<goals::NewGoal> {
        let mut v = Violations::under("input");
        v.text("description", &self.description, DESCRIPTION_MAX);
        v.criteria("successCriteria", self.success_criteria.as_deref());
        v.priority("priority", self.priority);
        v.optional_text("idempotencyKey", self.idempotency_key.as_deref(), KEY_MAX);
        let plans = self.plans.unwrap_or_default();
        v.tree_size(
            "plans",
            1 + plans.iter().map(NewPlanInput::size).sum::<usize>(),
        );
        let plans = plans
            .into_iter()
            .enumerate()
            .map(|(index, plan)| plan.check(&mut v, &format!("plans.{index}")))
            .collect();
        v.finish()?;
        Ok(goals::NewGoal {
            agent_id: self.agent_id,
            description: self.description,
            success_criteria: self.success_criteria,
            priority: self.priority,
            plans,
        })
    }
}

/// Changes to a goal: only the fields given change.
#[derive(InputObject)]
pub(crate) struct UpdateGoalInput {
    /// 1 to 10,000 characters.
    pub(crate) description: Option<String>,
    /// At most 100 entries; replaces the current list.
    pub(crate) success_criteria: Option<Vec<String>>,
    /// 1 to 10.
    pub(crate) priority: Option<i32>,
    /// Must follow the goal transitions (else BAD_USER_INPUT).
    pub(crate) status: Option<GoalStatus>,
    /// When given, the update applies only if the goal is still at this version (else CONFLICT).
    pub(crate) expected_version: Option<i32>,
}

impl UpdateGoalInput {
    fn validate(self) -> crate::error::Result<goals::GoalChanges> {
        let mut v = Violations::under("input");
        v.optional_text("description", self.description.as_deref(), DESCRIPTION_MAX);
        v.criteria("successCriteria", self.success_criteria.as_deref());
        v.priority("priority", self.priority);
        v.finish()?;
        Ok(goals::GoalChanges {
            description: self.description,
            success_criteria: self.success_criteria,
            priority: self.priority,
            status: self.status.map(Into::into),
            expected_version: self.expected_version,
        })
    }
}

resource_roots! {
    Goal of goal::Entity, through goals {
        query GoalQuery {
            /// The goal with this id, or null when there is none.
            goal;
            /// Goals, oldest first unless `orderBy` says otherwise.
            goals: GoalFilter, GoalOrderField;
        }
        mutation GoalMutation {
            /// Creates a goal for an existing agent; the server generates its id.
            create_goal(CreateGoalInput) as "createGoal";
            /// Changes the fields given and increments `version`.
            update_goal(UpdateGoalInput);
            /// Deletes a goal and returns its id. Its plans block the delete
            /// (CONFLICT) unless `cascade`, which removes them and their tasks too.
            delete_goal(cascade);
        }
    }
}
