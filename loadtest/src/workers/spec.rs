//! What each task asks of the agent that claims it, how producers mix such
//! tasks into plans, and what the queue's rules then make of each one: the
//! verdict the verification holds the server to.

use std::time::Duration;

use rand::RngExt;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::user::ThinkTime;

/// The error the server sets on a task whose last lease ran out.
pub(crate) const LEASE_EXPIRED: &str = "lease expired";
/// `maxAttempts` when none is given.
pub(crate) const DEFAULT_MAX_ATTEMPTS: u32 = 3;

/// How a task behaves whenever it is attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub(crate) enum Kind {
    /// Completes.
    Normal,
    /// Fails with `retry: true` while `attempts` <= `failures`, then
    /// completes (if attempts remain).
    Flaky { failures: u32 },
    /// Fails with `retry: false`.
    Poison,
}

/// A task's `inputData`: all an agent needs to play its part, so that any
/// agent that claims any attempt does the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Behaviour {
    #[serde(flatten)]
    pub(crate) kind: Kind,
    /// How long the work takes.
    pub(crate) work_ms: u64,
}

/// What an agent does with an attempt once its work is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    Complete,
    Fail { retry: bool, error: String },
}

impl Kind {
    /// The move for attempt number `attempt` (the task's `attempts` as
    /// the claim returned it).
    pub(crate) fn action(self, attempt: u32) -> Action {
        match self {
            Self::Normal => Action::Complete,
            Self::Flaky { failures } if attempt <= failures => Action::Fail {
                retry: true,
                error: format!("flaky: attempt {attempt} failed"),
            },
            Self::Flaky { .. } => Action::Complete,
            Self::Poison => Action::Fail {
                retry: false,
                error: "poison: this task cannot be done".into(),
            },
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Flaky { .. } => "flaky",
            Self::Poison => "poison",
        }
    }
}

/// How a task must end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expected {
    Completed {
        attempts: u32,
    },
    Failed {
        attempts: u32,
        error: String,
    },
    /// A dependency failed (or was cancelled): it never runs.
    Cancelled,
}

/// The end the rules give a task of `kind` and `max_attempts` whose
/// attempts for which `interrupted` holds never got an answer from their
/// agent (a crash, a lost lease, a claim whose answer was lost): their
/// leases ran out.
pub(crate) fn expected_run(
    kind: Kind,
    max_attempts: u32,
    interrupted: impl Fn(u32) -> bool,
) -> Expected {
    for attempt in 1..max_attempts {
        if interrupted(attempt) {
            continue;
        }
        match kind.action(attempt) {
            Action::Complete => return Expected::Completed { attempts: attempt },
            Action::Fail {
                retry: false,
                error,
            } => {
                return Expected::Failed {
                    attempts: attempt,
                    error,
                };
            }
            Action::Fail { retry: true, .. } => {}
        }
    }
    // The last attempt: failing it fails the task, retry or not.
    let last = max_attempts.max(1);
    if interrupted(last) {
        return Expected::Failed {
            attempts: last,
            error: LEASE_EXPIRED.into(),
        };
    }
    match kind.action(last) {
        Action::Complete => Expected::Completed { attempts: last },
        Action::Fail { error, .. } => Expected::Failed {
            attempts: last,
            error,
        },
    }
}

/// The shares of each kind of task the producers make.
#[derive(Debug, Clone)]
pub(crate) struct Mix {
    pub(crate) flaky: f64,
    /// A flaky task fails its first 1..=`max_failures` attempts.
    pub(crate) max_failures: u32,
    pub(crate) poison: f64,
    /// Tasks whose work outlasts their lease, so that it must be kept by
    /// heartbeats.
    pub(crate) long: f64,
    /// Tasks that depend on one or two earlier tasks of their plan.
    pub(crate) dependent: f64,
    /// `None`: half the tasks leave `maxAttempts` to its default, the
    /// others get 1..=3. `Some(n)`: every task gets `n`.
    pub(crate) max_attempts: Option<u32>,
    pub(crate) work: ThinkTime,
    pub(crate) lease: Duration,
}

/// One task as its producer made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TaskSpec {
    pub(crate) behaviour: Behaviour,
    /// As sent; `None` leaves it to the server's default.
    pub(crate) max_attempts: Option<u32>,
    /// Indices of earlier tasks of the same plan.
    pub(crate) depends_on: Vec<usize>,
}

impl TaskSpec {
    pub(crate) fn max_attempts(&self) -> u32 {
        self.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS)
    }

    /// This task as a `NewTaskInput`.
    pub(crate) fn input(&self, task_type: &str, description: String) -> Value {
        let mut input = json!({
            "description": description,
            "taskType": task_type,
            "inputData": self.behaviour,
        });
        if let Some(max) = self.max_attempts {
            input["maxAttempts"] = json!(max);
        }
        if !self.depends_on.is_empty() {
            input["dependsOn"] = json!(self.depends_on);
        }
        input
    }
}

/// The tasks of one plan of `count` tasks, mixed as `mix` says.
pub(crate) fn plan_specs(mix: &Mix, count: usize, rng: &mut StdRng) -> Vec<TaskSpec> {
    (0..count)
        .map(|index| {
            let roll: f64 = rng.random();
            let kind = if roll < mix.poison {
                Kind::Poison
            } else if roll < mix.poison + mix.flaky {
                Kind::Flaky {
                    failures: rng.random_range(1..=mix.max_failures.max(1)),
                }
            } else {
                Kind::Normal
            };
            let work = if rng.random_bool(mix.long.clamp(0.0, 1.0)) {
                // Past the lease, so that only heartbeats keep it.
                mix.lease + mix.lease / 5
            } else if mix.work.max.is_zero() {
                Duration::ZERO
            } else {
                rng.random_range(mix.work.min..=mix.work.max)
            };
            let max_attempts = match mix.max_attempts {
                Some(max) => Some(max),
                None if rng.random_bool(0.5) => None,
                None => Some(rng.random_range(1..=3)),
            };
            let mut depends_on = Vec::new();
            if index > 0 && rng.random_bool(mix.dependent.clamp(0.0, 1.0)) {
                let wanted = rng.random_range(1..=2.min(index));
                while depends_on.len() < wanted {
                    let earlier = rng.random_range(0..index);
                    if !depends_on.contains(&earlier) {
                        depends_on.push(earlier);
                    }
                }
            }
            TaskSpec {
                behaviour: Behaviour {
                    kind,
                    work_ms: u64::try_from(work.as_millis()).unwrap_or(u64::MAX),
                },
                max_attempts,
                depends_on,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(attempts: u32, error: &str) -> Expected {
        Expected::Failed {
            attempts,
            error: error.into(),
        }
    }

    #[test]
    fn the_rules_decide_each_end() {
        let none = |_| false;
        assert_eq!(
            expected_run(Kind::Normal, 3, none),
            Expected::Completed { attempts: 1 }
        );
        assert_eq!(
            expected_run(Kind::Poison, 3, none),
            failed(1, "poison: this task cannot be done")
        );
        assert_eq!(
            expected_run(Kind::Flaky { failures: 2 }, 3, none),
            Expected::Completed { attempts: 3 }
        );
        assert_eq!(
            expected_run(Kind::Flaky { failures: 3 }, 3, none),
            failed(3, "flaky: attempt 3 failed"),
            "every attempt failed"
        );
        assert_eq!(
            expected_run(Kind::Flaky { failures: 1 }, 1, none),
            failed(1, "flaky: attempt 1 failed")
        );
        // A crash on the first attempt of a poison task: the second fails it.
        assert_eq!(
            expected_run(Kind::Poison, 3, |n| n == 1),
            failed(2, "poison: this task cannot be done")
        );
        // The last attempt's lease runs out: FAILED by the sweep.
        assert_eq!(
            expected_run(Kind::Normal, 2, |_| true),
            failed(2, LEASE_EXPIRED)
        );
        assert_eq!(
            expected_run(Kind::Flaky { failures: 1 }, 3, |n| n == 2),
            Expected::Completed { attempts: 3 }
        );
    }

    #[test]
    fn behaviour_travels_as_input_data() {
        let behaviour = Behaviour {
            kind: Kind::Flaky { failures: 2 },
            work_ms: 40,
        };
        let value = serde_json::to_value(behaviour).expect("serializes");
        assert_eq!(
            value,
            json!({ "kind": "flaky", "failures": 2, "workMs": 40 })
        );
        let back: Behaviour = serde_json::from_value(value).expect("parses");
        assert_eq!(back, behaviour);
    }

    #[test]
    fn dependencies_point_back() {
        let mix = Mix {
            flaky: 0.3,
            max_failures: 2,
            poison: 0.1,
            long: 0.0,
            dependent: 0.8,
            max_attempts: None,
            work: ThinkTime::NONE,
            lease: Duration::from_secs(5),
        };
        let mut rng: StdRng = rand::make_rng();
        let specs = plan_specs(&mix, 50, &mut rng);
        for (index, spec) in specs.iter().enumerate() {
            assert!(spec.depends_on.iter().all(|d| *d < index));
            assert!((1..=3).contains(&spec.max_attempts()));
        }
        assert!(specs[0].depends_on.is_empty());
    }
}
