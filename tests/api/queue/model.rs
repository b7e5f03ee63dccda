//! A property test of the lease rules: random sequences of claims,
//! heartbeats, completions, failures, releases and expiries, each with a
//! current or an older token, against an in-memory model of the task's
//! state machine. The server must answer every call as the model says and
//! leave the task as the model has it.
//!
//! An expiry moves the lease's end into the past in the database (what an
//! hour of waiting would do) and lets the sweep find it.

use std::time::Duration;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use super::*;

#[derive(Debug, Clone, Copy)]
enum Op {
    Claim,
    /// With the newest token (`false`) or the one before it (`true`).
    Heartbeat(bool),
    Complete(bool),
    Fail {
        older: bool,
        retry: bool,
    },
    Release(bool),
    Expire,
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        3 => Just(Op::Claim),
        2 => any::<bool>().prop_map(Op::Heartbeat),
        2 => any::<bool>().prop_map(Op::Complete),
        3 => (any::<bool>(), any::<bool>()).prop_map(|(older, retry)| Op::Fail { older, retry }),
        2 => any::<bool>().prop_map(Op::Release),
        1 => Just(Op::Expire),
    ];
    proptest::collection::vec(op, 1..14)
}

const MAX_ATTEMPTS: i64 = 3;

/// What the contract says of one task.
#[derive(Debug, Default)]
struct Model {
    status: &'static str,
    attempts: i64,
    /// Tokens of every claim so far, oldest first.
    tokens: Vec<String>,
    /// Whether the newest claim still holds a live lease.
    held: bool,
    /// The call that ended the newest claim's lease, if one did.
    ended_by: Option<&'static str>,
}

impl Model {
    fn token(&self, older: bool) -> Option<&String> {
        let back = if older { 2 } else { 1 };
        self.tokens.len().checked_sub(back).map(|i| &self.tokens[i])
    }

    /// What `call` with the newest (`older` false) or an older token gets:
    /// `Ok(true)` it acts, `Ok(false)` it is a retry answered as is, `Err`
    /// CONFLICT.
    fn judge(&self, call: &'static str, older: bool) -> Result<bool, ()> {
        match (older, self.held, self.ended_by) {
            (false, true, _) => Ok(true),
            (false, false, Some(by)) if by == call => Ok(false),
            _ => Err(()),
        }
    }
}

async fn expire(app: &TestApp, id: &str) {
    let backend = app.db.writes.get_database_backend();
    let past = chrono::Utc::now() - chrono::Duration::seconds(1);
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "UPDATE tasks SET lease_expires_at = $1 WHERE /* every tenant */ id = $2"
        }
        _ => "UPDATE tasks SET lease_expires_at = ?1 WHERE /* every tenant */ id = ?2",
    };
    let id: uuid::Uuid = id.parse().expect("uuid");
    app.db
        .writes
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [past.into(), id.into()],
        ))
        .await
        .expect("expire the lease");
    // The sweep runs every 100 ms.
    tokio::time::sleep(Duration::from_millis(300)).await;
}

async fn run(app: &TestApp, agent: &str, plan: &str, ops: &[Op]) {
    let id = id_of(
        &add_task(
            app,
            plan,
            json!({ "maxAttempts": MAX_ATTEMPTS, "taskType": plan }),
        )
        .await,
    );
    let mut model = Model {
        status: "PENDING",
        ..Model::default()
    };
    for (step, op) in ops.iter().enumerate() {
        let context = format!("step {step} {op:?} of {ops:?}, model {model:?}");
        match *op {
            Op::Claim => {
                // Past any backoff (1 ms here).
                tokio::time::sleep(Duration::from_millis(5)).await;
                let leases = claim(app, agent, json!({ "taskTypes": [plan] })).await;
                if model.status == "PENDING" {
                    assert_eq!(leases.len(), 1, "{context}");
                    model.status = "RUNNING";
                    model.attempts += 1;
                    model.held = true;
                    model.ended_by = None;
                    model.tokens.push(lease_parts(&leases[0]).1);
                } else {
                    assert!(leases.is_empty(), "{context}");
                }
            }
            Op::Expire => {
                if model.held {
                    expire(app, &id).await;
                    model.held = false;
                    model.ended_by = None;
                    model.status = if model.attempts >= MAX_ATTEMPTS {
                        "FAILED"
                    } else {
                        "PENDING"
                    };
                }
            }
            Op::Heartbeat(older) => {
                let Some(token) = model.token(older).cloned() else {
                    continue;
                };
                let body = lease_call(app, "heartbeatTask", &id, &token, "").await;
                match (older, model.held) {
                    (false, true) => assert!(body.get("errors").is_none(), "{context}: {body:#}"),
                    _ => assert_stale(&body),
                }
            }
            Op::Complete(older) | Op::Release(older) | Op::Fail { older, .. } => {
                let Some(token) = model.token(older).cloned() else {
                    continue;
                };
                let (call, extra) = match *op {
                    Op::Complete(_) => ("completeTask", String::new()),
                    Op::Release(_) => ("releaseTask", String::new()),
                    Op::Fail { retry, .. } => {
                        ("failTask", format!(r#", error: "e", retry: {retry}"#))
                    }
                    _ => unreachable!(),
                };
                let body = lease_call(app, call, &id, &token, &extra).await;
                match model.judge(call, older) {
                    Err(()) => assert_stale(&body),
                    Ok(acts) => {
                        assert!(body.get("errors").is_none(), "{context}: {body:#}");
                        if acts {
                            model.held = false;
                            model.ended_by = Some(call);
                            model.status = match *op {
                                Op::Complete(_) => "COMPLETED",
                                Op::Release(_) => {
                                    model.attempts -= 1;
                                    "PENDING"
                                }
                                Op::Fail { retry, .. }
                                    if retry && model.attempts < MAX_ATTEMPTS =>
                                {
                                    "PENDING"
                                }
                                _ => "FAILED",
                            };
                        }
                        assert_eq!(body["data"][call]["status"], model.status, "{context}");
                    }
                }
            }
        }
        let now = task(app, &id).await;
        assert_eq!(now["status"], model.status, "{context}: {now:#}");
        assert_eq!(now["attempts"], model.attempts, "{context}");
        assert_eq!(now["leaseExpiresAt"].is_string(), model.held, "{context}");
    }
}

#[tokio::test]
async fn random_lease_sequences_follow_the_state_machine() {
    let app = spawn_app_with(|config| {
        config.serve.retry_backoff = Duration::from_millis(1);
        config.serve.lease_sweep_interval = Duration::from_millis(100);
    })
    .await;
    let (agent, plan) = active_plan(&app).await;
    let mut runner = TestRunner::new(Config {
        cases: 24,
        ..Config::default()
    });
    let strategy = ops();
    for case in 0..24 {
        let tree = strategy.new_tree(&mut runner).expect("a case");
        let sequence = tree.current();
        // Each case its own task, taken only by its own claims (its type).
        let description = format!("case {case}");
        let goal = super::claims::goal_of(&app, &plan).await;
        let case_plan = app
            .gql_ok(
                "mutation($input: CreatePlanInput!) { createPlan(input: $input) { id } }",
                json!({ "input": { "goalId": goal, "description": description, "status": "ACTIVE" } }),
            )
            .await["createPlan"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        run(&app, &agent, &case_plan, &sequence).await;
    }
}
