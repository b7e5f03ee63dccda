//! `write-bench`: write throughput and latency that oha cannot measure,
//! because each request needs a body of its own (a fresh idempotency key):
//!
//! - `task`: createTask, no key (what oha's M1 sends);
//! - `task-keyed`: createTask with a fresh idempotency key each;
//! - `tree`: createPlan with 100 tasks, one mutation (101 rows);
//! - `singles`: the same 101 rows as one createPlan and 100 createTask.
//!
//! It prints one Markdown row per mode: units/s, rows/s, p50 and p95 of a unit.
//!
//!     write-bench --url http://127.0.0.1:8300/graphql --seconds 10 --workers 20 task task-keyed

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Parser;
use hdrhistogram::Histogram;
use loadtest::client::{
    Client, CreatePlan, CreateTask, create_agent, create_goal, create_plan, create_task, new_key,
};
use uuid::Uuid;

#[derive(Debug, Parser)]
#[command(name = "write-bench", about)]
struct Args {
    #[arg(long)]
    url: String,
    /// How long each mode runs.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Concurrent writers.
    #[arg(long, default_value_t = 20)]
    workers: usize,
    /// Modes to run, in order: task, task-keyed, tree, singles.
    #[arg(required = true)]
    modes: Vec<String>,
}

const TREE_TASKS: usize = 100;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let client = Client::with_timeout(&args.url, None, Duration::from_secs(30))?;
    let goal = set_up(&client).await?;
    let plan = client
        .create_plan(plan_input(goal, None))
        .await
        .context("create the plan the tasks go into")?
        .id;
    println!("| mode | workers | units/s | rows/s | p50 ms | p95 ms | errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for mode in &args.modes {
        let rows_per_unit = match mode.as_str() {
            "task" | "task-keyed" => 1,
            "tree" | "singles" => 1 + TREE_TASKS,
            other => bail!("unknown mode {other}"),
        };
        let deadline = Instant::now() + Duration::from_secs(args.seconds);
        let started = Instant::now();
        let workers: Vec<_> = (0..args.workers)
            .map(|_| tokio::spawn(run(client.clone(), mode.clone(), goal, plan, deadline)))
            .collect();
        let mut latencies = Histogram::<u64>::new(3)?;
        let mut errors = 0u64;
        for worker in workers {
            let (histogram, failed) = worker.await?;
            latencies.add(histogram)?;
            errors += failed;
        }
        let elapsed = started.elapsed().as_secs_f64();
        let units = latencies.len() as f64;
        println!(
            "| {mode} | {} | {:.0} | {:.0} | {:.2} | {:.2} | {errors} |",
            args.workers,
            units / elapsed,
            units * rows_per_unit as f64 / elapsed,
            latencies.value_at_quantile(0.5) as f64 / 1000.0,
            latencies.value_at_quantile(0.95) as f64 / 1000.0,
        );
    }
    Ok(())
}

/// One writer: units of `mode` until `deadline`, each unit timed in µs.
async fn run(
    client: Client,
    mode: String,
    goal: Uuid,
    plan: Uuid,
    deadline: Instant,
) -> (Histogram<u64>, u64) {
    let mut latencies = Histogram::<u64>::new(3).unwrap_or_else(|_| unreachable!());
    let mut errors = 0;
    while Instant::now() < deadline {
        let started = Instant::now();
        let done = match mode.as_str() {
            "task" => task(&client, plan, None).await,
            "task-keyed" => task(&client, plan, Some(new_key())).await,
            "tree" => client
                .execute::<CreatePlan>(create_plan::Variables {
                    input: plan_input(goal, Some(tasks())),
                })
                .await
                .map(drop),
            _ => singles(&client, goal).await,
        };
        match done {
            Ok(()) => {
                let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
                let _ = latencies.record(micros.max(1));
            }
            Err(_) => errors += 1,
        }
    }
    (latencies, errors)
}

async fn task(
    client: &Client,
    plan: Uuid,
    key: Option<String>,
) -> Result<(), loadtest::client::Error> {
    client
        .execute::<CreateTask>(create_task::Variables {
            input: task_input(plan, key),
        })
        .await
        .map(drop)
}

async fn singles(client: &Client, goal: Uuid) -> Result<(), loadtest::client::Error> {
    let plan = client
        .execute::<CreatePlan>(create_plan::Variables {
            input: plan_input(goal, None),
        })
        .await?
        .create_plan
        .id;
    for _ in 0..TREE_TASKS {
        task(client, plan, None).await?;
    }
    Ok(())
}

fn task_input(plan: Uuid, key: Option<String>) -> create_task::CreateTaskInput {
    create_task::CreateTaskInput {
        plan_id: plan,
        agent_id: None,
        description: "benchmark task".into(),
        task_type: None,
        input_data: None,
        priority: None,
        run_at: None,
        max_attempts: None,
        depends_on: None,
        idempotency_key: key,
    }
}

fn tasks() -> Vec<create_plan::NewTaskInput> {
    (0..TREE_TASKS)
        .map(|i| create_plan::NewTaskInput {
            agent_id: None,
            description: format!("benchmark task {i}"),
            task_type: None,
            input_data: None,
            priority: None,
            run_at: None,
            max_attempts: None,
            depends_on: None,
        })
        .collect()
}

fn plan_input(
    goal: Uuid,
    tasks: Option<Vec<create_plan::NewTaskInput>>,
) -> create_plan::CreatePlanInput {
    create_plan::CreatePlanInput {
        goal_id: goal,
        description: "benchmark plan".into(),
        status: None,
        tasks,
        idempotency_key: None,
    }
}

async fn set_up(client: &Client) -> anyhow::Result<Uuid> {
    let agent = client
        .create_agent(create_agent::CreateAgentInput {
            name: "write bench".into(),
            did: None,
            status: None,
            configuration: None,
            metadata: None,
            idempotency_key: None,
        })
        .await?;
    Ok(client
        .create_goal(create_goal::CreateGoalInput {
            agent_id: agent.id,
            description: "measure writes".into(),
            success_criteria: None,
            priority: None,
            plans: None,
            idempotency_key: None,
        })
        .await?
        .id)
}
