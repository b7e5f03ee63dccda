//! A work-queue worker: an agent that claims tasks with a long poll, keeps
//! each lease alive with heartbeats while it works, completes or fails each
//! task, and on Ctrl-C gives back what it holds (API.md, "Work queue").
//!
//! ```sh
//! cargo run -- serve &                      # the server, on 127.0.0.1:8000
//! AGENTGRAPH_WORKER_SEED=5 AGENTGRAPH_WORKER_EXIT_WHEN_IDLE=1 \
//!   cargo run -p agentgraph-client --example worker
//! ```
//!
//! `AGENTGRAPH_URL`, `AGENTGRAPH_API_KEY` and `AGENTGRAPH_SEND=apq` as in the
//! quickstart, and:
//! - `AGENTGRAPH_AGENT_ID`: work as this agent (else a new one is created);
//! - `AGENTGRAPH_WORKER_TASK_TYPES`: the types to claim, comma-separated
//!   (default `demo`);
//! - `AGENTGRAPH_WORKER_CONCURRENCY`: tasks worked on at once (default 1);
//! - `AGENTGRAPH_WORKER_LEASE_SECONDS` (default 15; a heartbeat every third
//!   of it) and `AGENTGRAPH_WORKER_WAIT_SECONDS`, the long poll (default 10);
//! - `AGENTGRAPH_WORKER_SEED=N`: first create N demo tasks of the first type
//!   in an ACTIVE plan: one slow (it needs a heartbeat), some that fail once
//!   and succeed on their retry, some that fail for good;
//! - `AGENTGRAPH_WORKER_EXIT_WHEN_IDLE=1`: stop once a long poll returns
//!   nothing while no task is held; with a seed, then check that each seeded
//!   task ended as its kind says (exit status 1 if not).

use std::error::Error as StdError;
use std::fmt::Debug;
use std::ops::RangeInclusive;
use std::str::FromStr;
use std::time::Duration;

use agentgraph_client::{Client, Error, claim_tasks, create_agent, create_goal, get_goal};
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::{Instant, MissedTickBehavior, interval_at, sleep};
use uuid::Uuid;

type Lease = claim_tasks::ClaimTasksClaimTasks;
type Task = claim_tasks::ClaimTasksClaimTasksTask;

struct Config {
    url: String,
    api_key: Option<String>,
    apq: bool,
    agent_id: Option<Uuid>,
    task_types: Vec<String>,
    concurrency: usize,
    lease_seconds: i64,
    wait_seconds: i64,
    seed: usize,
    exit_when_idle: bool,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn StdError>> {
    let config = Config::from_env()?;
    let client =
        Client::new(&config.url, config.api_key.as_deref())?.with_persisted_queries(config.apq);
    let agent_id = match config.agent_id {
        Some(id) => id,
        None => new_agent(&client).await?,
    };
    let seeded = match config.seed {
        0 => None,
        n => Some(seed(&client, agent_id, n, &config).await?),
    };
    let stop = stop_on_signals(config.wait_seconds)?;
    println!(
        "agent {agent_id} claiming {:?}, {} at a time",
        config.task_types, config.concurrency
    );
    let stopped = work_loop(&client, agent_id, &config, stop).await?;
    match seeded {
        Some(goal_id) if !stopped => check_seeded(&client, goal_id).await,
        _ => Ok(()),
    }
}

/// Claims and works until a signal (returns true) or, with
/// `exit_when_idle`, until nothing is left to claim (false).
async fn work_loop(
    client: &Client,
    agent_id: Uuid,
    config: &Config,
    mut stop: watch::Receiver<bool>,
) -> Result<bool, Error> {
    let mut held = JoinSet::new();
    let outcome = loop {
        while held.try_join_next().is_some() {}
        if *stop.borrow() {
            break Ok(true);
        }
        let free = config.concurrency - held.len();
        if free == 0 {
            tokio::select! {
                _ = held.join_next() => {}
                _ = stop.changed() => {}
            }
            continue;
        }
        // Not raced against the signal: a claim abandoned midway may still
        // take tasks whose tokens we would never see, and sit on them until
        // their leases expire. It ends within wait_seconds, and what it took
        // is released at once, since each work_on sees the stop first.
        let leases = match client
            .claim_tasks(claim_input(agent_id, free, config))
            .await
        {
            Ok(leases) => leases,
            Err(err) if err.is_retryable() => {
                eprintln!("claim failed ({err}); trying again in 1 s");
                tokio::select! {
                    () = sleep(Duration::from_secs(1)) => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            Err(err) => break Err(err),
        };
        while held.try_join_next().is_some() {} // so that is_empty() is up to date
        if leases.is_empty() && held.is_empty() && config.exit_when_idle {
            println!("nothing to claim for {} s: exiting", config.wait_seconds);
            break Ok(false);
        }
        for lease in leases {
            held.spawn(work_on(
                client.clone(),
                lease,
                config.lease_seconds,
                stop.clone(),
            ));
        }
    };
    // On a signal each held task releases its lease; after a fatal claim
    // error the tasks already held are still finished properly.
    while held.join_next().await.is_some() {}
    outcome
}

fn claim_input(agent_id: Uuid, free: usize, config: &Config) -> claim_tasks::ClaimTasksInput {
    claim_tasks::ClaimTasksInput {
        agent_id,
        task_types: Some(config.task_types.clone()),
        plan_id: None,
        limit: Some(i64::try_from(free).unwrap_or(1)),
        lease_seconds: Some(config.lease_seconds),
        wait_seconds: Some(config.wait_seconds),
    }
}

/// Works on one claimed task while keeping its lease alive, then ends the
/// lease: complete, fail, or (stopping) release.
async fn work_on(
    client: Client,
    lease: Lease,
    lease_seconds: i64,
    mut stop: watch::Receiver<bool>,
) {
    let (task, token) = (&lease.task, lease.token.as_str());
    let id = task.id;
    println!(
        "{id}: claimed \"{}\", attempt {} of {}",
        task.description, task.attempts, task.max_attempts
    );
    let outcome = tokio::select! {
        // First, so that a task claimed while stopping is released untouched.
        biased;
        _ = stop.wait_for(|stopping| *stopping) => None,
        () = keep_alive(&client, id, token, lease_seconds) => {
            // Someone else may be working on it already: stop, report nothing.
            println!("{id}: lease lost (a heartbeat was refused), dropping the task");
            return;
        }
        outcome = work(task) => Some(outcome),
    };
    // complete/fail/release resend the same token when an answer is lost
    // (network error, 503): a repeat of a call that succeeded gets the task
    // as it is, so a retry never fails a completed task.
    let ended = match outcome {
        None => client
            .release_task(id, token)
            .await
            .map(|t| format!("released: {:?}, attempts {}", t.status, t.attempts)),
        Some(Ok(output)) => client
            .complete_task(id, token, Some(output))
            .await
            .map(|t| format!("{:?}", t.status)),
        Some(Err(failure)) => client
            .fail_task(id, token, &failure.message, failure.retry)
            .await
            .map(|t| match t.status {
                agentgraph_client::fail_task::TaskStatus::PENDING => {
                    format!("failed ({}), retried from {}", failure.message, t.run_at)
                }
                status => format!("{status:?} ({})", failure.message),
            }),
    };
    match ended {
        Ok(how) => println!("{id}: {how}"),
        // The lease expired (heartbeats lost) or the task was changed by
        // hand: the queue has taken it back, so there is nothing to undo.
        Err(err) if err.is_lease_lost() => {
            println!("{id}: lease lost before it ended, dropping the task")
        }
        // Still failing after ~20 s of retries: the lease will expire and
        // the queue requeue the task (or fail it, attempts used up).
        Err(err) => eprintln!("{id}: {err}; leaving it to its lease"),
    }
}

/// Heartbeats every third of the lease and returns only once the lease is
/// lost. A heartbeat that fails otherwise is left to the next one: the
/// lease outlasts two missed heartbeats.
async fn keep_alive(client: &Client, id: Uuid, token: &str, lease_seconds: i64) {
    let every = Duration::from_millis(u64::try_from(lease_seconds * 1000 / 3).unwrap_or(5000));
    let mut ticks = interval_at(Instant::now() + every, every);
    // After a slow heartbeat, the next one a full interval later, not at once.
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match client.heartbeat_task(id, token, Some(lease_seconds)).await {
            Ok(lease) => println!("{id}: heartbeat, lease until {}", lease.expires_at),
            Err(err) if err.is_lease_lost() => return,
            Err(err) => eprintln!("{id}: heartbeat failed ({err}); next in {every:?}"),
        }
    }
}

/// Why a task failed, and whether another attempt could succeed.
struct Failure {
    message: String,
    retry: bool,
}

/// Stands in for real work: the seeded tasks' inputData say how long they
/// take and how they go wrong.
async fn work(task: &Task) -> Result<Value, Failure> {
    let ms = task
        .input_data
        .get("ms")
        .and_then(Value::as_u64)
        .unwrap_or(200);
    sleep(Duration::from_millis(ms)).await;
    match task.input_data.get("kind").and_then(Value::as_str) {
        // Transient (a timeout, a busy upstream): worth another attempt.
        Some("flaky") if task.attempts == 1 => Err(Failure {
            message: "upstream timed out".into(),
            retry: true,
        }),
        // Permanent (input it cannot handle): retrying cannot help.
        Some("broken") => Err(Failure {
            message: "input cannot be processed".into(),
            retry: false,
        }),
        _ => Ok(json!({ "worker": "rust", "tookMs": ms })),
    }
}

/// A flag that turns true on the first SIGINT (Ctrl-C) or SIGTERM (what
/// `kill` and container runtimes send). A second signal exits at once, the
/// held leases then expiring by themselves and their tasks requeued.
fn stop_on_signals(wait_seconds: i64) -> std::io::Result<watch::Receiver<bool>> {
    use tokio::signal::unix::{SignalKind, signal};
    let (tx, rx) = watch::channel(false);
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::spawn(async move {
        for signals in 1.. {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            if signals > 1 {
                eprintln!("second signal: exiting without releasing");
                std::process::exit(130);
            }
            eprintln!(
                "stopping: releasing held tasks, and what a claim in flight returns \
                 (up to {wait_seconds} s); again to exit at once"
            );
            let _ = tx.send(true);
        }
    });
    Ok(rx)
}

async fn new_agent(client: &Client) -> Result<Uuid, Error> {
    let agent = client
        .create_agent(create_agent::CreateAgentInput {
            name: "rust-worker".into(),
            did: None,
            status: None, // ACTIVE: only an ACTIVE agent may claim
            configuration: None,
            metadata: None,
            idempotency_key: None,
        })
        .await?;
    Ok(agent.id)
}

/// Creates `n` demo tasks in a new goal's ACTIVE plan (a DRAFT plan's tasks
/// are not claimable) and returns the goal's id.
async fn seed(client: &Client, agent_id: Uuid, n: usize, config: &Config) -> Result<Uuid, Error> {
    // The slow one outlasts a heartbeat interval.
    let slow_ms = u64::try_from(config.lease_seconds * 1000 / 3 + 500).unwrap_or(5500);
    let tasks = (0..n)
        .map(|i| {
            let (kind, ms) = match i % 4 {
                _ if i == 0 => ("slow", slow_ms),
                2 => ("flaky", 200),
                3 => ("broken", 200),
                _ => ("fast", 200),
            };
            create_goal::NewTaskInput {
                agent_id: None,
                description: format!("demo {i}: {kind}"),
                task_type: config.task_types.first().cloned(),
                input_data: Some(json!({ "kind": kind, "ms": ms })),
                priority: None,
                run_at: None,
                max_attempts: None,
                depends_on: None,
            }
        })
        .collect();
    let goal = client
        .create_goal(create_goal::CreateGoalInput {
            agent_id,
            description: "worker demo".into(),
            success_criteria: None,
            priority: None,
            plans: Some(vec![create_goal::NewPlanInput {
                description: "demo tasks".into(),
                status: Some(create_goal::PlanStatus::ACTIVE),
                tasks: Some(tasks),
            }]),
            idempotency_key: None,
        })
        .await?;
    println!("seeded {n} demo tasks (goal {})", goal.id);
    Ok(goal.id)
}

/// Each seeded task must have ended as its kind says: "broken" FAILED, the
/// others (the flaky ones on their retry) COMPLETED.
async fn check_seeded(client: &Client, goal_id: Uuid) -> Result<(), Box<dyn StdError>> {
    let goal = client
        .get_goal(goal_id)
        .await?
        .ok_or("the seeded goal is gone")?;
    let tasks: Vec<_> = goal
        .plans
        .nodes
        .iter()
        .flat_map(|p| &p.tasks.nodes)
        .collect();
    let wrong: Vec<String> = tasks
        .iter()
        .filter(|task| {
            let broken = task.description.ends_with("broken");
            !matches!(
                (&task.status, broken),
                (get_goal::TaskStatus::COMPLETED, false) | (get_goal::TaskStatus::FAILED, true)
            )
        })
        .map(|task| format!("{} is {:?}", task.description, task.status))
        .collect();
    if !wrong.is_empty() {
        return Err(format!("seeded tasks not as expected: {}", wrong.join(", ")).into());
    }
    println!(
        "worker: ok, all {} seeded tasks ended as expected",
        tasks.len()
    );
    Ok(())
}

impl Config {
    fn from_env() -> Result<Self, Box<dyn StdError>> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let types = var("AGENTGRAPH_WORKER_TASK_TYPES").unwrap_or_else(|| "demo".into());
        Ok(Self {
            url: var("AGENTGRAPH_URL").unwrap_or_else(|| "http://127.0.0.1:8000/graphql".into()),
            api_key: var("AGENTGRAPH_API_KEY"),
            apq: var("AGENTGRAPH_SEND").is_some_and(|send| send == "apq"),
            agent_id: var("AGENTGRAPH_AGENT_ID")
                .map(|id| id.parse())
                .transpose()?,
            task_types: types.split(',').map(|t| t.trim().to_owned()).collect(),
            // The server's bounds, checked here to fail with a clear message.
            concurrency: bounded("AGENTGRAPH_WORKER_CONCURRENCY", 1, 1..=100)?,
            lease_seconds: bounded("AGENTGRAPH_WORKER_LEASE_SECONDS", 15, 5..=3600)?,
            wait_seconds: bounded("AGENTGRAPH_WORKER_WAIT_SECONDS", 10, 0..=30)?,
            seed: bounded("AGENTGRAPH_WORKER_SEED", 0, 0..=100)?,
            exit_when_idle: var("AGENTGRAPH_WORKER_EXIT_WHEN_IDLE").is_some_and(|v| v == "1"),
        })
    }
}

/// The integer in environment variable `name`, `default` when unset.
fn bounded<T>(name: &str, default: T, range: RangeInclusive<T>) -> Result<T, String>
where
    T: FromStr + PartialOrd + Debug,
{
    let value = match std::env::var(name) {
        Ok(value) if !value.is_empty() => value.parse().ok(),
        _ => Some(default),
    };
    value
        .filter(|value| range.contains(value))
        .ok_or_else(|| format!("{name} must be an integer in {range:?}"))
}
