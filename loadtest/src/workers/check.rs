//! The checks of one task read back after the run, against the rules and
//! against the scenario's own record of it.

use std::collections::{HashMap, HashSet};

use serde_json::json;
use uuid::Uuid;

use super::ledger::{End, Inner, TaskLog};
use super::spec::{Expected, Kind, LEASE_EXPIRED, expected_run};
use super::verify::{Stored, Tally};
use super::violation::{Rule, Violation};

/// The checks of one task.
pub(crate) struct Check<'a> {
    pub(crate) id: Uuid,
    pub(crate) log: &'a TaskLog,
    pub(crate) task: &'a Stored,
    pub(crate) ledger: &'a Inner,
    pub(crate) expected: &'a HashMap<Uuid, Expected>,
}

impl Check<'_> {
    /// The end the rules give this task (`None` when it cannot be told)
    /// and what does not hold.
    pub(crate) fn run(&self, tally: &mut Tally) -> (Option<Expected>, Vec<Violation>) {
        let (id, task, log) = (self.id, self.task, self.log);
        let origin = log
            .origin
            .as_ref()
            .expect("only tasks with an origin are checked");
        let spec = &origin.spec;
        let mut out = Vec::new();
        let mut fail = |rule: Rule, message: String| {
            out.push(Violation {
                rule,
                detail: format!(
                    "task {id} ({}, plan index {}): {message}",
                    spec.behaviour.kind.label(),
                    origin.index
                ),
            });
        };
        tally.attempts += u64::from(task.attempts);
        match task.status.as_str() {
            "COMPLETED" => tally.completed += 1,
            "FAILED" => tally.failed += 1,
            "CANCELLED" => tally.cancelled += 1,
            _ => tally.unfinished += 1,
        }
        if !matches!(task.status.as_str(), "COMPLETED" | "FAILED" | "CANCELLED") {
            fail(
                Rule::NotEnded,
                format!("still {} after {} attempts", task.status, task.attempts),
            );
        }
        if !task.lease_expires_at.is_null() {
            fail(
                Rule::LeaseLeft,
                format!(
                    "status {} with leaseExpiresAt {}",
                    task.status, task.lease_expires_at
                ),
            );
        }
        if task.max_attempts != spec.max_attempts() {
            fail(
                Rule::Fields,
                format!(
                    "maxAttempts {} (asked {:?}, default 3)",
                    task.max_attempts, spec.max_attempts
                ),
            );
        }
        let deps: Vec<Option<Uuid>> = task.depends_on.iter().map(|d| d.0).collect();
        if deps
            != origin
                .depends_on
                .iter()
                .copied()
                .map(Some)
                .collect::<Vec<_>>()
        {
            fail(
                Rule::Fields,
                format!(
                    "dependsOn is {deps:?}, created with {:?}",
                    origin.depends_on
                ),
            );
        }

        let doomed = origin.depends_on.iter().find(|dep| {
            matches!(
                self.expected.get(dep),
                Some(Expected::Failed { .. } | Expected::Cancelled)
            )
        });
        let verdict = if doomed.is_some() {
            Some(Expected::Cancelled)
        } else if let Some(unknown) = log.attempts.values().find_map(|a| match &a.end {
            End::Unknown(why) => Some(why.clone()),
            End::Working => Some("its agent was still working on it when the run ended".into()),
            _ => None,
        }) {
            fail(
                Rule::Unknown,
                format!("the outcome of an attempt is unknown: {unknown}"),
            );
            None
        } else {
            if self.ledger.unanswered_claims == 0
                && let Some(gap) = (1..=task.attempts).find(|n| !log.attempts.contains_key(n))
            {
                fail(
                    Rule::NeverHandedOut,
                    format!("attempt {gap} was counted but never handed to an agent"),
                );
            }
            let interrupted = |n: u32| {
                log.attempts
                    .get(&n)
                    .is_none_or(|a| matches!(a.end, End::Abandoned | End::LeaseLost))
            };
            Some(expected_run(
                spec.behaviour.kind,
                spec.max_attempts(),
                interrupted,
            ))
        };
        match &verdict {
            Some(Expected::Completed { attempts }) => {
                if task.status != "COMPLETED" || task.attempts != *attempts {
                    fail(
                        Rule::End,
                        format!(
                            "{} after {} attempts; the rules say COMPLETED after {attempts}",
                            task.status, task.attempts
                        ),
                    );
                }
                match log.completions.as_slice() {
                    [(agent, attempt)] => {
                        if task.agent != Some(*agent) || attempt != attempts {
                            fail(
                                Rule::Claimant,
                                format!(
                                    "completed by agent {agent} at attempt {attempt}, but the server names agent {:?}",
                                    task.agent
                                ),
                            );
                        }
                        if log.attempts.get(attempt).and_then(|a| a.output.as_ref())
                            != Some(&task.output)
                        {
                            fail(
                                Rule::Claimant,
                                format!(
                                    "outputData {} is not what its completing agent sent",
                                    task.output
                                ),
                            );
                        }
                    }
                    [] => fail(Rule::End, "no completeTask answered COMPLETED".into()),
                    // The ledger caught it as it happened.
                    _ => {}
                }
                if *attempts > 1 {
                    tally.completed_after_failures += 1;
                }
            }
            Some(Expected::Failed { attempts, error }) => {
                if task.status != "FAILED"
                    || task.attempts != *attempts
                    || task.error != json!(error)
                {
                    fail(
                        Rule::End,
                        format!(
                            "{} after {} attempts with error {}; the rules say FAILED after {attempts} with {error:?}",
                            task.status, task.attempts, task.error
                        ),
                    );
                }
                if !log.completions.is_empty() {
                    fail(
                        Rule::End,
                        "FAILED, yet a completeTask answered COMPLETED".into(),
                    );
                }
                match spec.behaviour.kind {
                    _ if error == LEASE_EXPIRED => tally.failed_lease_expired += 1,
                    Kind::Poison => tally.failed_poison += 1,
                    _ => tally.failed_every_attempt += 1,
                }
            }
            Some(Expected::Cancelled) => {
                if task.status != "CANCELLED"
                    || task.attempts != 0
                    || task.started_at.is_some()
                    || !log.attempts.is_empty()
                {
                    fail(
                        Rule::End,
                        format!(
                            "{} after {} attempts, though dependency {:?} cannot complete",
                            task.status, task.attempts, doomed
                        ),
                    );
                } else if !self.cancelled_rightly(origin.depends_on.as_slice()) {
                    fail(
                        Rule::Cancelled,
                        format!(
                            "CANCELLED with error {}, which names no cancellation of this test",
                            task.error
                        ),
                    );
                }
            }
            None => {}
        }
        if task.attempts > 0 && !origin.depends_on.is_empty() {
            tally.dependents_checked += 1;
            self.ran_after_dependencies(&mut fail);
        }
        self.leases_never_overlap(&mut fail);
        (verdict, out)
    }

    /// Its error names the failed dependency the test cancelled it for, or
    /// (a cascade) a task the test cancelled among those it waits for.
    fn cancelled_rightly(&self, depends_on: &[Uuid]) -> bool {
        let Some(error) = self.task.error.as_str() else {
            return false;
        };
        if let Some(failed) = self.ledger.cancelled.get(&self.id)
            && error == format!("dependency {failed} failed")
        {
            return true;
        }
        let Some(named) = error
            .strip_prefix("dependency ")
            .and_then(|rest| rest.strip_suffix(" cancelled"))
            .and_then(|id| id.parse::<Uuid>().ok())
        else {
            return false;
        };
        self.ledger.cancelled.contains_key(&named) && self.waits_for(depends_on, named)
    }

    /// Whether `target` is among the tasks it waits for, directly or not.
    fn waits_for(&self, depends_on: &[Uuid], target: Uuid) -> bool {
        let mut seen = HashSet::new();
        let mut stack: Vec<Uuid> = depends_on.to_vec();
        while let Some(dep) = stack.pop() {
            if dep == target {
                return true;
            }
            if seen.insert(dep)
                && let Some(origin) = self
                    .ledger
                    .tasks
                    .get(&dep)
                    .and_then(|log| log.origin.as_ref())
            {
                stack.extend(origin.depends_on.iter().copied());
            }
        }
        false
    }

    /// It started after each dependency completed: by the server's times,
    /// and by this test's own clock (claimed only after the dependency's
    /// completeTask was sent).
    fn ran_after_dependencies(&self, fail: &mut impl FnMut(Rule, String)) {
        let first_claim = self.log.attempts.values().map(|a| a.claimed_at).min();
        for (dep, status, completed_at) in &self.task.depends_on {
            let ok = status == "COMPLETED"
                && matches!((completed_at, self.task.started_at), (Some(done), Some(started)) if *done <= started);
            if !ok {
                fail(
                    Rule::StartedBeforeDependency,
                    format!(
                        "started at {:?} though dependency {dep:?} is {status}, completed at {completed_at:?}",
                        self.task.started_at
                    ),
                );
            }
            let sent = dep
                .and_then(|dep| self.ledger.tasks.get(&dep))
                .and_then(|log| {
                    log.completions
                        .first()
                        .and_then(|(_, attempt)| log.attempts.get(attempt))
                })
                .and_then(|attempt| attempt.complete_sent);
            if let (Some(claimed), Some(sent)) = (first_claim, sent)
                && claimed < sent
            {
                fail(
                    Rule::ClaimedBeforeDependency,
                    format!("claimed before dependency {dep:?} was even sent its completeTask"),
                );
            }
        }
    }

    /// An attempt its agent never answered for kept its lease to the end:
    /// the next claim came after that lease ran out (by the server's clock).
    fn leases_never_overlap(&self, fail: &mut impl FnMut(Rule, String)) {
        let attempts: Vec<_> = self.log.attempts.iter().collect();
        for pair in attempts.windows(2) {
            let ((n, before), (m, after)) = (pair[0], pair[1]);
            if matches!(before.end, End::Abandoned | End::LeaseLost)
                && after.server_claimed_at + chrono::Duration::milliseconds(1) < before.lease_until
            {
                fail(
                    Rule::LeasesOverlap,
                    format!(
                        "attempt {m} was claimed at {} by agent {}, while attempt {n}'s lease (agent {}) ran until {}",
                        after.server_claimed_at, after.agent, before.agent, before.lease_until
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use chrono::Utc;
    use serde_json::Value;

    use super::*;
    use crate::workers::ledger::{AttemptLog, Origin};
    use crate::workers::spec::{Behaviour, TaskSpec};

    /// A flaky task (one failure, maxAttempts 3) that failed attempt 1 and
    /// was completed at attempt 2 by `agent`.
    fn flaky_log(agent: Uuid) -> TaskLog {
        let attempt = |end: End, output: Option<Value>| AttemptLog {
            agent,
            claimed_at: Instant::now(),
            server_claimed_at: Utc::now(),
            lease_until: Utc::now(),
            complete_sent: output.as_ref().map(|_| Instant::now()),
            output,
            end,
        };
        TaskLog {
            origin: Some(Origin {
                plan: Uuid::nil(),
                index: 0,
                spec: TaskSpec {
                    behaviour: Behaviour {
                        kind: Kind::Flaky { failures: 1 },
                        work_ms: 0,
                    },
                    max_attempts: None,
                    depends_on: Vec::new(),
                },
                depends_on: Vec::new(),
            }),
            attempts: [
                (1, attempt(End::Failed, None)),
                (2, attempt(End::Completed, Some(json!({ "attempt": 2 })))),
            ]
            .into(),
            completions: vec![(agent, 2)],
        }
    }

    fn stored(agent: Uuid, status: &str, attempts: u32) -> Stored {
        Stored::parse(&json!({
            "status": status, "attempts": attempts, "maxAttempts": 3, "agentId": agent,
            "error": "flaky: attempt 1 failed", "startedAt": null, "leaseExpiresAt": null,
            "outputData": { "attempt": 2 }, "dependsOn": [],
        }))
    }

    fn violations(log: &TaskLog, task: &Stored) -> Vec<Rule> {
        let ledger = Inner::default();
        let check = Check {
            id: Uuid::nil(),
            log,
            task,
            ledger: &ledger,
            expected: &HashMap::new(),
        };
        check
            .run(&mut Tally::default())
            .1
            .iter()
            .map(|v| v.rule)
            .collect()
    }

    #[test]
    fn a_flaky_task_completes_after_its_failure() {
        let agent = Uuid::now_v7();
        let log = flaky_log(agent);
        assert_eq!(violations(&log, &stored(agent, "COMPLETED", 2)), []);
        assert_eq!(
            violations(&log, &stored(agent, "COMPLETED", 3)),
            [Rule::NeverHandedOut, Rule::End]
        );
        assert_eq!(
            violations(&log, &stored(Uuid::now_v7(), "COMPLETED", 2)),
            [Rule::Claimant]
        );
        assert_eq!(
            violations(&log, &stored(agent, "RUNNING", 2)),
            [Rule::NotEnded, Rule::End]
        );
    }
}
