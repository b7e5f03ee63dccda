//! One virtual user: it creates its own agent, goal and plan, then runs the
//! weighted operations of the original test, thinking between them, until
//! the run stops.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::RngExt;
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::rngs::StdRng;
use serde_json::json;
use tokio::sync::watch;
use uuid::Uuid;

use crate::client::{Client, create_agent, create_goal, create_plan, create_task, update_agent};
use crate::stats::{Op, Recorder};

mod think_time;

pub use think_time::ThinkTime;

/// What all users share.
#[derive(Debug)]
pub struct Shared {
    pub client: Client,
    pub recorder: Recorder,
    pub think_time: ThinkTime,
    /// Becomes true when the run is over (its duration passed, or Ctrl-C).
    pub stop: watch::Receiver<bool>,
}

/// Why a request counts as failed.
type Failure = String;

const STATUSES: [update_agent::AgentStatus; 3] = [
    update_agent::AgentStatus::ACTIVE,
    update_agent::AgentStatus::INACTIVE,
    update_agent::AgentStatus::PAUSED,
];

struct User {
    number: usize,
    shared: Arc<Shared>,
    rng: StdRng,
    stop: watch::Receiver<bool>,
    agent: Uuid,
    plan: Uuid,
    /// Agents this user created with no goals: the only ones it deletes.
    deletable: Vec<Uuid>,
    created: u64,
}

/// Runs one virtual user until the run stops.
pub async fn run(number: usize, shared: Arc<Shared>) {
    let mut stop = shared.stop.clone();
    let mut rng: StdRng = rand::make_rng();
    let Some((agent, plan)) = set_up(number, &shared, &mut rng, &mut stop).await else {
        return;
    };
    let mut user = User {
        number,
        shared,
        rng,
        stop,
        agent,
        plan,
        deletable: Vec::new(),
        created: 0,
    };
    let weights = WeightedIndex::new(Op::WEIGHTED.iter().map(|(_, weight)| *weight))
        .expect("the weights are positive");
    while !user.stopped() {
        let op = Op::WEIGHTED[weights.sample(&mut user.rng)].0;
        user.perform(op).await;
        let pause = user.shared.think_time.pick(&mut user.rng);
        if !pause.is_zero() {
            sleep_unless_stopped(&mut user.stop, pause).await;
        }
    }
}

/// Creates the user's own agent, goal and plan, retrying after a pause
/// until it succeeds or the run stops.
async fn set_up(
    number: usize,
    shared: &Shared,
    rng: &mut StdRng,
    stop: &mut watch::Receiver<bool>,
) -> Option<(Uuid, Uuid)> {
    loop {
        if *stop.borrow() {
            return None;
        }
        if let Some(ids) = try_set_up(number, shared, rng).await {
            return Some(ids);
        }
        let pause = shared.think_time.pick(rng).max(Duration::from_secs(1));
        sleep_unless_stopped(stop, pause).await;
    }
}

async fn try_set_up(number: usize, shared: &Shared, rng: &mut StdRng) -> Option<(Uuid, Uuid)> {
    let client = &shared.client;
    let name = format!("loadtest user {number}");
    let max_tokens = rng.random_range(100..=2000);
    let agent = timed(&shared.recorder, Op::SetupAgent, async {
        let agent = client
            .create_agent(create_agent::CreateAgentInput {
                name: name.clone(),
                did: None,
                status: None,
                configuration: Some(json!({ "max_tokens": max_tokens })),
                metadata: Some(json!({ "source": "loadtest" })),
                idempotency_key: None,
            })
            .await
            .map_err(|e| e.to_string())?;
        ensure(agent.name == name, || {
            format!("createAgent.name is {:?}", agent.name)
        })?;
        Ok(agent.id)
    })
    .await?;
    let goal = timed(
        &shared.recorder,
        Op::SetupGoal,
        create_goal(client, agent, rng),
    )
    .await?;
    timed(&shared.recorder, Op::SetupPlan, async {
        let plan = client
            .create_plan(create_plan::CreatePlanInput {
                goal_id: goal,
                description: format!("plan of loadtest user {number}"),
                status: None,
                tasks: None,
                idempotency_key: None,
            })
            .await
            .map_err(|e| e.to_string())?;
        ensure(plan.goal_id == goal, || {
            format!("createPlan.goalId is {}, expected {goal}", plan.goal_id)
        })?;
        Ok((agent, plan.id))
    })
    .await
}

impl User {
    fn stopped(&self) -> bool {
        *self.stop.borrow()
    }

    async fn perform(&mut self, op: Op) {
        let shared = Arc::clone(&self.shared);
        let client = &shared.client;
        let recorder = &shared.recorder;
        match op {
            Op::ListAgents => {
                timed(recorder, op, async {
                    let page = client.list_agents(20).await.map_err(|e| e.to_string())?;
                    ensure(!page.nodes.is_empty(), || {
                        "agents is empty, though this user's agent exists".to_owned()
                    })?;
                    ensure(page.nodes.len() <= 20, || {
                        format!("agents(first: 20) returned {} nodes", page.nodes.len())
                    })
                })
                .await;
            }
            Op::ListGoals => {
                let agent = self.agent;
                timed(recorder, op, async {
                    let page = client
                        .list_goals(agent, 20)
                        .await
                        .map_err(|e| e.to_string())?;
                    ensure(!page.nodes.is_empty(), || {
                        "goals of this user's agent is empty, though it has one".to_owned()
                    })?;
                    match page.nodes.iter().find(|goal| goal.agent_id != agent) {
                        Some(other) => Err(format!(
                            "goals(filter: {{agentId}}) returned a goal of agent {}",
                            other.agent_id
                        )),
                        None => Ok(()),
                    }
                })
                .await;
            }
            Op::CreateGoal => {
                timed(recorder, op, create_goal(client, self.agent, &mut self.rng)).await;
            }
            Op::CreateTask => {
                let (plan, agent) = (self.plan, self.agent);
                let description = format!("task {} of loadtest user {}", self.created, self.number);
                self.created += 1;
                let steps = self.rng.random_range(1..=10);
                timed(recorder, op, async {
                    let task = client
                        .create_task(create_task::CreateTaskInput {
                            plan_id: plan,
                            agent_id: Some(agent),
                            description,
                            task_type: Some("analysis".to_owned()),
                            input_data: Some(json!({ "steps": steps })),
                            priority: None,
                            run_at: None,
                            max_attempts: None,
                            depends_on: None,
                            idempotency_key: None,
                        })
                        .await
                        .map_err(|e| e.to_string())?;
                    ensure(task.plan_id == plan, || {
                        format!("createTask.planId is {}, expected {plan}", task.plan_id)
                    })?;
                    ensure(task.agent_id == Some(agent), || {
                        format!(
                            "createTask.agentId is {:?}, expected {agent}",
                            task.agent_id
                        )
                    })
                })
                .await;
            }
            Op::GetAgent => {
                let id = self.agent;
                timed(recorder, op, async {
                    let agent = client.get_agent(id).await.map_err(|e| e.to_string())?;
                    match agent {
                        None => Err("agent(id:) is null for an existing agent".to_owned()),
                        Some(agent) if agent.id != id => {
                            Err(format!("agent(id:) returned agent {}", agent.id))
                        }
                        Some(_) => Ok(()),
                    }
                })
                .await;
            }
            Op::UpdateAgent => {
                let id = self.agent;
                let status = STATUSES[self.rng.random_range(0..STATUSES.len())].clone();
                let configuration = json!({ "max_tokens": self.rng.random_range(100..=2000) });
                timed(recorder, op, async {
                    let agent = client
                        .update_agent(
                            id,
                            update_agent::UpdateAgentInput {
                                name: None,
                                status: Some(status.clone()),
                                configuration: Some(configuration.clone()),
                                metadata: None,
                                expected_version: None,
                            },
                        )
                        .await
                        .map_err(|e| e.to_string())?;
                    ensure(agent.id == id, || format!("updateAgent.id is {}", agent.id))?;
                    ensure(agent.status == status, || {
                        format!("updateAgent.status is {:?}, set {status:?}", agent.status)
                    })?;
                    ensure(agent.configuration == configuration, || {
                        format!(
                            "updateAgent.configuration is {}, set {configuration}",
                            agent.configuration
                        )
                    })
                })
                .await;
            }
            Op::DeleteAgent => {
                let id = match self.deletable.pop() {
                    Some(id) => id,
                    // Nothing to delete yet: make something, not counted as
                    // a delete.
                    None => match self.create_agent(Op::SetupDeletable).await {
                        Some(id) => id,
                        None => return,
                    },
                };
                timed(recorder, op, async {
                    let deleted = client.delete_agent(id).await.map_err(|e| e.to_string())?;
                    ensure(deleted == id, || {
                        format!("deleteAgent returned {deleted}, deleted {id}")
                    })
                })
                .await;
            }
            Op::CreateAgent => {
                if let Some(id) = self.create_agent(op).await {
                    self.deletable.push(id);
                }
            }
            Op::SetupAgent | Op::SetupGoal | Op::SetupPlan | Op::SetupDeletable => {}
        }
    }

    /// Creates a throwaway agent (no goals) and returns its id.
    async fn create_agent(&mut self, op: Op) -> Option<Uuid> {
        let shared = Arc::clone(&self.shared);
        let name = format!("loadtest user {} agent {}", self.number, self.created);
        self.created += 1;
        let max_tokens = self.rng.random_range(100..=2000);
        timed(&shared.recorder, op, async {
            let agent = shared
                .client
                .create_agent(create_agent::CreateAgentInput {
                    name: name.clone(),
                    did: None,
                    status: Some(create_agent::AgentStatus::INACTIVE),
                    configuration: Some(json!({ "max_tokens": max_tokens })),
                    metadata: None,
                    idempotency_key: None,
                })
                .await
                .map_err(|e| e.to_string())?;
            ensure(agent.name == name, || {
                format!("createAgent.name is {:?}", agent.name)
            })?;
            ensure(agent.status == create_agent::AgentStatus::INACTIVE, || {
                format!("createAgent.status is {:?}, set INACTIVE", agent.status)
            })?;
            Ok(agent.id)
        })
        .await
    }
}

/// Creates a goal for `agent` and returns its id.
async fn create_goal(client: &Client, agent: Uuid, rng: &mut StdRng) -> Result<Uuid, Failure> {
    let priority = rng.random_range(1..=10);
    let goal = client
        .create_goal(create_goal::CreateGoalInput {
            agent_id: agent,
            description: "Answer the customer's question within a day".to_owned(),
            success_criteria: Some(vec!["answered".to_owned(), "customer satisfied".to_owned()]),
            priority: Some(priority),
            plans: None,
            idempotency_key: None,
        })
        .await
        .map_err(|e| e.to_string())?;
    ensure(goal.agent_id == agent, || {
        format!("createGoal.agentId is {}, expected {agent}", goal.agent_id)
    })?;
    ensure(goal.priority == priority, || {
        format!("createGoal.priority is {}, set {priority}", goal.priority)
    })?;
    Ok(goal.id)
}

/// Runs one request (with its checks), records its latency and outcome, and
/// returns its value if it succeeded.
async fn timed<T>(
    recorder: &Recorder,
    op: Op,
    request: impl Future<Output = Result<T, Failure>>,
) -> Option<T> {
    let start = Instant::now();
    let result = request.await;
    recorder.record(
        op,
        start.elapsed(),
        result.as_ref().err().map(String::as_str),
    );
    result.ok()
}

fn ensure(condition: bool, message: impl FnOnce() -> String) -> Result<(), Failure> {
    if condition {
        Ok(())
    } else {
        Err(format!("wrong data: {}", message()))
    }
}

/// Sleeps for `pause`, or less if the run stops first.
async fn sleep_unless_stopped(stop: &mut watch::Receiver<bool>, pause: Duration) {
    tokio::select! {
        () = tokio::time::sleep(pause) => {}
        _ = stop.wait_for(|stopped| *stopped) => {}
    }
}
