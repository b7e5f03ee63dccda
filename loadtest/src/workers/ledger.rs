//! The scenario's own record of every task: what its producer asked for,
//! every attempt an agent was handed and how that attempt ended, and which
//! claimant completed it. The verification holds the server's account to
//! this one; a few contradictions show up live and are kept here too.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::spec::TaskSpec;
use super::violation::{Rule, Violation};

/// Where a task came from.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    pub(crate) plan: Uuid,
    pub(crate) index: usize,
    pub(crate) spec: TaskSpec,
    /// The ids of `spec.depends_on`.
    pub(crate) depends_on: Vec<Uuid>,
}

/// How an attempt ended, as its agent saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum End {
    Working,
    Completed,
    /// `failTask` answered (`final`: FAILED rather than requeued).
    Failed,
    /// The agent "crashed": it stopped heartbeating and walked away.
    Abandoned,
    /// CONFLICT on `token` from a heartbeat, complete or fail.
    LeaseLost,
    /// Complete or fail never got an answer: it may or may not have run.
    Unknown(String),
}

#[derive(Debug, Clone)]
pub(crate) struct AttemptLog {
    pub(crate) agent: Uuid,
    /// When the claim's answer arrived.
    pub(crate) claimed_at: Instant,
    /// When the server made the claim: the lease's end less its length.
    pub(crate) server_claimed_at: DateTime<Utc>,
    /// The latest lease end the server confirmed.
    pub(crate) lease_until: DateTime<Utc>,
    /// When the first `completeTask` for it was sent.
    pub(crate) complete_sent: Option<Instant>,
    /// The `outputData` it sent with `completeTask`.
    pub(crate) output: Option<Value>,
    pub(crate) end: End,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct TaskLog {
    /// `None` until its producer's `createPlan` answered (an agent may
    /// claim a task before that).
    pub(crate) origin: Option<Origin>,
    pub(crate) attempts: BTreeMap<u32, AttemptLog>,
    /// (agent, attempt) of every `completeTask` that answered COMPLETED.
    pub(crate) completions: Vec<(Uuid, u32)>,
}

/// Running totals for the progress line.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Counters {
    pub(crate) registered: usize,
    pub(crate) claimed: u64,
    pub(crate) completed: u64,
    pub(crate) failed_retry: u64,
    pub(crate) failed_final: u64,
    pub(crate) abandoned: u64,
    pub(crate) leases_lost: u64,
    pub(crate) cancelled: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Inner {
    pub(crate) tasks: HashMap<Uuid, TaskLog>,
    /// Claims that got no answer (or a 503 that may hide a commit): the
    /// server may have leased tasks no agent heard of.
    pub(crate) unanswered_claims: u64,
    /// Tasks the test cancelled, each with the failed dependency that made
    /// it do so.
    pub(crate) cancelled: HashMap<Uuid, Uuid>,
    pub(crate) violations: Vec<Violation>,
    pub(crate) counters: Counters,
    /// Agents of the run, for the verification's "assigned to whom".
    pub(crate) agents: HashSet<Uuid>,
}

#[derive(Debug, Default)]
pub(crate) struct Ledger {
    inner: Mutex<Inner>,
}

impl Ledger {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn agent(&self, id: Uuid) {
        self.lock().agents.insert(id);
    }

    pub(crate) fn register(&self, task: Uuid, origin: Origin) {
        let mut inner = self.lock();
        inner.counters.registered += 1;
        let log = inner.tasks.entry(task).or_default();
        if log.origin.is_some() {
            let detail = format!("task {task} was returned by two createPlan answers");
            inner.violations.push(Violation {
                rule: Rule::ReadBack,
                detail,
            });
        } else {
            log.origin = Some(origin);
        }
    }

    pub(crate) fn unanswered_claim(&self) {
        self.lock().unanswered_claims += 1;
    }

    pub(crate) fn violation(&self, rule: Rule, detail: String) {
        self.lock().violations.push(Violation { rule, detail });
    }

    /// Attempt `attempt` of `task` handed to `agent`.
    pub(crate) fn claimed(
        &self,
        task: Uuid,
        attempt: u32,
        agent: Uuid,
        server_claimed_at: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) {
        let mut inner = self.lock();
        inner.counters.claimed += 1;
        let log = inner.tasks.entry(task).or_default();
        let earlier = log.attempts.insert(
            attempt,
            AttemptLog {
                agent,
                claimed_at: Instant::now(),
                server_claimed_at,
                lease_until,
                complete_sent: None,
                output: None,
                end: End::Working,
            },
        );
        if let Some(earlier) = earlier {
            let detail = format!(
                "task {task}: attempt {attempt} was handed out twice, to agents {} and {agent}",
                earlier.agent
            );
            inner.violations.push(Violation {
                rule: Rule::HandedOutTwice,
                detail,
            });
        }
    }

    fn with_attempt(&self, task: Uuid, attempt: u32, f: impl FnOnce(&mut AttemptLog)) {
        if let Some(log) = self
            .lock()
            .tasks
            .get_mut(&task)
            .and_then(|log| log.attempts.get_mut(&attempt))
        {
            f(log);
        }
    }

    pub(crate) fn extended(&self, task: Uuid, attempt: u32, lease_until: DateTime<Utc>) {
        self.with_attempt(task, attempt, |log| {
            log.lease_until = log.lease_until.max(lease_until);
        });
    }

    pub(crate) fn completing(&self, task: Uuid, attempt: u32, output: &Value) {
        self.with_attempt(task, attempt, |log| {
            log.complete_sent.get_or_insert_with(Instant::now);
            log.output = Some(output.clone());
        });
    }

    pub(crate) fn ended(&self, task: Uuid, attempt: u32, end: End) {
        let mut inner = self.lock();
        let counters = &mut inner.counters;
        match &end {
            End::Abandoned => counters.abandoned += 1,
            End::LeaseLost => counters.leases_lost += 1,
            _ => {}
        }
        if let Some(log) = inner
            .tasks
            .get_mut(&task)
            .and_then(|log| log.attempts.get_mut(&attempt))
        {
            log.end = end;
        }
    }

    pub(crate) fn failed(&self, task: Uuid, attempt: u32, requeued: bool) {
        if requeued {
            self.lock().counters.failed_retry += 1;
        } else {
            self.lock().counters.failed_final += 1;
        }
        self.ended(task, attempt, End::Failed);
    }

    /// A `completeTask` by `agent` answered COMPLETED.
    pub(crate) fn completed(&self, task: Uuid, attempt: u32, agent: Uuid) {
        let mut inner = self.lock();
        inner.counters.completed += 1;
        let log = inner.tasks.entry(task).or_default();
        log.completions.push((agent, attempt));
        if let Some(attempt_log) = log.attempts.get_mut(&attempt) {
            attempt_log.end = End::Completed;
        }
        if log.completions.len() > 1 {
            let who: Vec<String> = log
                .completions
                .iter()
                .map(|(agent, attempt)| format!("agent {agent} (attempt {attempt})"))
                .collect();
            let detail = format!("task {task} was completed twice: by {}", who.join(" and "));
            inner.violations.push(Violation {
                rule: Rule::CompletedTwice,
                detail,
            });
        }
    }

    pub(crate) fn cancelled(&self, task: Uuid, because_of: Uuid) {
        let mut inner = self.lock();
        if inner.cancelled.insert(task, because_of).is_none() {
            inner.counters.cancelled += 1;
        }
    }

    pub(crate) fn counters(&self) -> Counters {
        self.lock().counters
    }

    /// Everything recorded, for the verification.
    pub(crate) fn take(&self) -> Inner {
        std::mem::take(&mut *self.lock())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_completions_of_one_task_are_a_violation() {
        let ledger = Ledger::default();
        let (task, a, b) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let now = Utc::now();
        ledger.claimed(task, 1, a, now, now);
        ledger.claimed(task, 2, b, now, now);
        ledger.completed(task, 1, a);
        assert!(ledger.take().violations.is_empty());
        ledger.claimed(task, 1, a, now, now);
        ledger.claimed(task, 1, b, now, now);
        ledger.completed(task, 1, a);
        ledger.completed(task, 1, b);
        let inner = ledger.take();
        assert_eq!(inner.violations.len(), 2, "{:?}", inner.violations);
        assert_eq!(inner.violations[0].rule, Rule::HandedOutTwice);
        assert_eq!(inner.violations[1].rule, Rule::CompletedTwice);
    }
}
