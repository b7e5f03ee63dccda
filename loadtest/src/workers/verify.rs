//! After the run: every task of the run's plans read back from the server
//! and held to the rules and to the scenario's own record. Each task must
//! have ended (COMPLETED, FAILED, or CANCELLED because the test cancelled a
//! dependent of a failed task), exactly as the rules make of its kind, its
//! `maxAttempts` and the attempts its agents never answered for; completed
//! by one claimant only, the one the server names; and, when it depends on
//! others, started only after they completed.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::agent::time_of;
use super::check::Check;
use super::documents::PLAN_TASKS;
use super::gql::GqlError;
use super::ledger::{End, TaskLog};
use super::spec::Expected;
use super::stats::QueueOp;
use super::violation::{Rule, Violation};
use super::watch::uuid_of;
use super::{Ctx, PlanMade};

/// What became of the run's tasks.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    pub created: usize,
    pub read: usize,
    pub completed: usize,
    pub completed_after_failures: usize,
    pub failed: usize,
    pub failed_poison: usize,
    pub failed_every_attempt: usize,
    pub failed_lease_expired: usize,
    pub cancelled: usize,
    pub cancelled_by_test: usize,
    /// Tasks that had not ended: PENDING, RUNNING or BLOCKED.
    pub unfinished: usize,
    /// `attempts` summed over all tasks.
    pub attempts: u64,
    /// Attempts a crashing agent walked away from.
    pub abandoned_attempts: u64,
    /// Attempts whose lease was gone when their agent came back to it.
    pub leases_lost: u64,
    pub unanswered_claims: u64,
    /// Tasks that waited for others and were checked to start after them.
    pub dependents_checked: usize,
}

/// A task as the server reports it.
#[derive(Debug)]
pub(crate) struct Stored {
    pub(crate) plan: Option<Uuid>,
    pub(crate) task_type: Value,
    pub(crate) status: String,
    pub(crate) attempts: u32,
    pub(crate) max_attempts: u32,
    pub(crate) error: Value,
    pub(crate) agent: Option<Uuid>,
    pub(crate) started_at: Option<DateTime<Utc>>,
    pub(crate) lease_expires_at: Value,
    pub(crate) output: Value,
    /// (id, status, completedAt) of each dependency, in the order given.
    pub(crate) depends_on: Vec<(Option<Uuid>, String, Option<DateTime<Utc>>)>,
}

impl Stored {
    pub(crate) fn parse(node: &Value) -> Self {
        let count = |value: &Value| {
            value
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(u32::MAX)
        };
        Self {
            plan: uuid_of(&node["planId"]),
            task_type: node["taskType"].clone(),
            status: node["status"].as_str().unwrap_or("?").to_owned(),
            attempts: count(&node["attempts"]),
            max_attempts: count(&node["maxAttempts"]),
            error: node["error"].clone(),
            agent: uuid_of(&node["agentId"]),
            started_at: time_of(&node["startedAt"]),
            lease_expires_at: node["leaseExpiresAt"].clone(),
            output: node["outputData"].clone(),
            depends_on: node["dependsOn"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|dep| {
                    (
                        uuid_of(&dep["id"]),
                        dep["status"].as_str().unwrap_or("?").to_owned(),
                        time_of(&dep["completedAt"]),
                    )
                })
                .collect(),
        }
    }
}

/// Reads the plans back and checks every task; the violations found, with
/// those the agents saw live first.
pub(crate) async fn verify(ctx: &Ctx, plans: &[PlanMade], tally: &mut Tally) -> Vec<Violation> {
    let mut violations = Vec::new();
    let read_back = |detail: String| Violation {
        rule: Rule::ReadBack,
        detail,
    };
    let mut stored: HashMap<Uuid, Stored> = HashMap::new();
    for plan in plans {
        match read_plan(ctx, plan.id).await {
            Ok(tasks) => {
                if tasks.len() != plan.tasks {
                    violations.push(read_back(format!(
                        "plan {} was created with {} tasks; {} are stored",
                        plan.id,
                        plan.tasks,
                        tasks.len()
                    )));
                }
                for (id, task) in tasks {
                    if task.plan != Some(plan.id) || task.task_type != json!(ctx.task_type) {
                        violations.push(read_back(format!("tasks(filter: {{planId: {}}}) returned task {id} of plan {:?}, type {}", plan.id, task.plan, task.task_type)));
                    }
                    if stored.insert(id, task).is_some() {
                        violations.push(read_back(format!("task {id} was listed twice")));
                    }
                }
            }
            Err(err) => violations.push(read_back(format!(
                "reading the tasks of plan {} failed: {err}",
                plan.id
            ))),
        }
    }
    let ledger = ctx.ledger.take();
    violations.extend(ledger.violations.iter().cloned());
    tally.read = stored.len();
    tally.unanswered_claims = ledger.unanswered_claims;
    tally.cancelled_by_test = ledger.cancelled.len();
    for (id, log) in &ledger.tasks {
        tally.abandoned_attempts += log
            .attempts
            .values()
            .filter(|a| a.end == End::Abandoned)
            .count() as u64;
        tally.leases_lost += log
            .attempts
            .values()
            .filter(|a| a.end == End::LeaseLost)
            .count() as u64;
        if log.origin.is_none() {
            violations.push(read_back(format!(
                "task {id} was claimed, but no createPlan of this run returned it"
            )));
        } else if !stored.contains_key(id) {
            violations.push(read_back(format!(
                "task {id} was created but is not among its plan's tasks"
            )));
        }
    }
    tally.created = ledger
        .tasks
        .values()
        .filter(|log| log.origin.is_some())
        .count();

    // Plans in order, each plan's tasks in order: a task's dependencies are
    // judged before it.
    let mut ordered: Vec<(&Uuid, &TaskLog)> = ledger
        .tasks
        .iter()
        .filter(|(_, log)| log.origin.is_some())
        .collect();
    ordered.sort_by_key(|(_, log)| log.origin.as_ref().map(|o| (o.plan, o.index)));
    let mut expected: HashMap<Uuid, Expected> = HashMap::new();
    for (id, log) in ordered {
        let Some(task) = stored.get(id) else { continue };
        let check = Check {
            id: *id,
            log,
            task,
            ledger: &ledger,
            expected: &expected,
        };
        let (verdict, found) = check.run(tally);
        violations.extend(found);
        if let Some(verdict) = verdict {
            expected.insert(*id, verdict);
        }
    }
    violations
}

async fn read_plan(ctx: &Ctx, plan: Uuid) -> Result<Vec<(Uuid, Stored)>, GqlError> {
    let mut tasks = Vec::new();
    let mut after = Value::Null;
    loop {
        let answer = ctx
            .gql
            .call_retrying(
                &ctx.recorder,
                QueueOp::Read,
                PLAN_TASKS,
                &json!({ "plan": plan, "after": after }),
                ctx.config.retry_budget,
                GqlError::is_retryable,
            )
            .await?;
        let page = &answer.data["tasks"];
        for node in page["nodes"].as_array().into_iter().flatten() {
            if let Some(id) = uuid_of(&node["id"]) {
                tasks.push((id, Stored::parse(node)));
            }
        }
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            return Ok(tasks);
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}
