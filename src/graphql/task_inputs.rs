//! The inputs of task mutations and the rules checked on them.

use async_graphql::{InputObject, MaybeUndefined};
use chrono::{DateTime, Utc};
use serde_json::Value as Json;
use uuid::Uuid;

use super::idempotent::KEY_MAX;
use super::task::TaskStatus;
use super::validate::{DESCRIPTION_MAX, TASK_TYPE_MAX, Violations, join};
use crate::service::tasks;

/// A new task for an existing plan. The server generates its id.
#[derive(InputObject)]
pub(crate) struct CreateTaskInput {
    /// The plan the task carries out (NOT_FOUND when there is none).
    pub(crate) plan_id: Uuid,
    /// The assignee, if any (NOT_FOUND when there is no such agent).
    pub(crate) agent_id: Option<Uuid>,
    /// 1 to 10,000 characters.
    pub(crate) description: String,
    /// 1 to 100 characters; defaults to `generic`.
    pub(crate) task_type: Option<String>,
    /// A JSON object; defaults to `{}`.
    pub(crate) input_data: Option<Json>,
    /// 1 to 200 characters: a retry with the same key and input returns the
    /// task the first attempt created instead of creating another.
    pub(crate) idempotency_key: Option<String>,
    /// 0 to 100 (default 50): claims take the highest first.
    pub(crate) priority: Option<i32>,
    /// The earliest time it may be claimed (default: now; the past is allowed).
    pub(crate) run_at: Option<DateTime<Utc>>,
    /// 1 to 100 (default 3).
    pub(crate) max_attempts: Option<i32>,
    /// Tasks of the same plan it waits for (at most 100, none twice): it is
    /// BLOCKED until all of them are COMPLETED.
    pub(crate) depends_on: Option<Vec<Uuid>>,
}

impl CreateTaskInput {
    pub(crate) fn validate(self) -> crate::error::Result<tasks::NewTask> {
        let mut v = Violations::under("input");
        v.optional_text("idempotencyKey", self.idempotency_key.as_deref(), KEY_MAX);
        let depends_on = self.depends_on.unwrap_or_default();
        v.distinct("dependsOn", &depends_on, DEPENDENCIES_MAX);
        let task = NewTaskInput {
            agent_id: self.agent_id,
            description: self.description,
            task_type: self.task_type,
            input_data: self.input_data,
            priority: self.priority,
            run_at: self.run_at,
            max_attempts: self.max_attempts,
            depends_on: None,
        }
        .check(&mut v, "", None);
        v.finish()?;
        Ok(tasks::NewTask {
            plan_id: self.plan_id,
            task,
            depends_on,
        })
    }
}

/// The most tasks one task may wait for.
const DEPENDENCIES_MAX: usize = 100;
pub(crate) const TASK_PRIORITY_RANGE: std::ops::RangeInclusive<i32> = 0..=100;
pub(crate) const MAX_ATTEMPTS_RANGE: std::ops::RangeInclusive<i32> = 1..=100;

/// A task created together with its plan (in `createPlan` or `createGoal`).
#[derive(InputObject)]
pub(crate) struct NewTaskInput {
    /// The assignee, if any (NOT_FOUND when there is no such agent, and then
    /// nothing of the tree is created).
    pub(crate) agent_id: Option<Uuid>,
    /// 1 to 10,000 characters.
    pub(crate) description: String,
    /// 1 to 100 characters; defaults to `generic`.
    pub(crate) task_type: Option<String>,
    /// A JSON object; defaults to `{}`.
    pub(crate) input_data: Option<Json>,
    /// 0 to 100 (default 50): claims take the highest first.
    pub(crate) priority: Option<i32>,
    /// The earliest time it may be claimed (default: now; the past is allowed).
    pub(crate) run_at: Option<DateTime<Utc>>,
    /// 1 to 100 (default 3).
    pub(crate) max_attempts: Option<i32>,
    /// The earlier tasks of the same list it waits for, by index (at most
    /// 100, none twice): it is BLOCKED until all of them are COMPLETED.
    pub(crate) depends_on: Option<Vec<i32>>,
}

impl NewTaskInput {
    /// Checks the task at input path `at` (`plans.0.tasks.2`), the
    /// `index`-th of its list when it is in one.
    pub(crate) fn check(
        self,
        v: &mut Violations,
        at: &str,
        index: Option<usize>,
    ) -> tasks::TaskFields {
        v.text(&join(at, "description"), &self.description, DESCRIPTION_MAX);
        v.optional_text(
            &join(at, "taskType"),
            self.task_type.as_deref(),
            TASK_TYPE_MAX,
        );
        v.object(&join(at, "inputData"), self.input_data.as_ref());
        v.within(&join(at, "priority"), self.priority, TASK_PRIORITY_RANGE);
        v.within(
            &join(at, "maxAttempts"),
            self.max_attempts,
            MAX_ATTEMPTS_RANGE,
        );
        let indices = self.depends_on.unwrap_or_default();
        let field = join(at, "dependsOn");
        v.distinct(&field, &indices, DEPENDENCIES_MAX);
        let mut depends_on = Vec::with_capacity(indices.len());
        for (position, &earlier) in indices.iter().enumerate() {
            match usize::try_from(earlier) {
                Ok(earlier) if index.is_some_and(|index| earlier < index) => {
                    depends_on.push(earlier);
                }
                _ => v.add(
                    &format!("{field}.{position}"),
                    "must be the index of an earlier task of the same list",
                ),
            }
        }
        tasks::TaskFields {
            agent_id: self.agent_id,
            description: self.description,
            task_type: self.task_type,
            input_data: self.input_data,
            priority: self.priority,
            run_at: self.run_at,
            max_attempts: self.max_attempts,
            depends_on,
        }
    }
}

/// Changes to a task: only the fields given change; `null` clears
/// `agentId`, `outputData` and `error`.
#[derive(InputObject)]
pub(crate) struct UpdateTaskInput {
    /// The new assignee, or null to unassign.
    pub(crate) agent_id: MaybeUndefined<Uuid>,
    /// 1 to 10,000 characters.
    pub(crate) description: Option<String>,
    /// Must follow the task transitions (else BAD_USER_INPUT).
    pub(crate) status: Option<TaskStatus>,
    /// A JSON object, or null to clear it.
    pub(crate) output_data: MaybeUndefined<Json>,
    /// What went wrong, or null to clear it.
    pub(crate) error: MaybeUndefined<String>,
    /// When given, the update applies only if the task is still at this version (else CONFLICT).
    pub(crate) expected_version: Option<i32>,
    /// 0 to 100.
    pub(crate) priority: Option<i32>,
    /// The earliest time it may be claimed.
    pub(crate) run_at: Option<DateTime<Utc>>,
    /// 1 to 100.
    pub(crate) max_attempts: Option<i32>,
}

/// `undefined` leaves a field alone, `null` clears it, a value sets it.
fn change<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(value) => Some(Some(value)),
    }
}

impl UpdateTaskInput {
    pub(crate) fn validate(self) -> crate::error::Result<tasks::TaskChanges> {
        let mut v = Violations::under("input");
        v.optional_text("description", self.description.as_deref(), DESCRIPTION_MAX);
        v.object("outputData", self.output_data.as_opt_ref().flatten());
        v.within("priority", self.priority, TASK_PRIORITY_RANGE);
        v.within("maxAttempts", self.max_attempts, MAX_ATTEMPTS_RANGE);
        v.finish()?;
        Ok(tasks::TaskChanges {
            agent_id: change(self.agent_id),
            description: self.description,
            status: self.status.map(Into::into),
            output_data: change(self.output_data),
            error: change(self.error),
            priority: self.priority,
            run_at: self.run_at,
            max_attempts: self.max_attempts,
            expected_version: self.expected_version,
        })
    }
}
