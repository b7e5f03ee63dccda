//! `fault-writer`: the write load of the fault drills. Workers create tasks
//! in one plan through the typed client (each create with an idempotency key,
//! retried through transport failures and SERVICE_UNAVAILABLE) while the
//! drill kills and restarts the server or the database. Afterwards it reads
//! the plan's tasks back and fails unless exactly the acknowledged tasks are
//! stored: none lost, none twice.
//!
//!     fault-writer --url http://127.0.0.1:18733/graphql --workers 8 --duration 10s

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Parser;
use loadtest::client::{Client, create_agent, create_goal, create_plan, create_task};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use uuid::Uuid;

#[derive(Debug, Parser)]
#[command(name = "fault-writer", about)]
struct Args {
    /// The GraphQL endpoint.
    #[arg(long)]
    url: String,
    /// Concurrent writers.
    #[arg(long, default_value_t = 8)]
    workers: usize,
    /// How long new creates are started; those in flight then finish.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    duration: Duration,
    /// Fail when the longest time without any acknowledged create, in
    /// seconds, is at least this (how soon service comes back).
    #[arg(long, default_value_t = 30.0)]
    max_outage_secs: f64,
}

/// What the workers saw.
#[derive(Default)]
struct Log {
    acknowledged: Vec<Uuid>,
    failed: Vec<String>,
    last_success: Option<Instant>,
    longest_outage: Duration,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("fault-writer: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let client = Client::with_timeout(&args.url, None, Duration::from_secs(10))?;
    let plan = set_up(&client).await?;
    let log = Arc::new(Mutex::new(Log {
        last_success: Some(Instant::now()),
        ..Log::default()
    }));
    let deadline = Instant::now() + args.duration;
    let workers: Vec<_> = (0..args.workers)
        .map(|worker| tokio::spawn(write(client.clone(), plan, worker, deadline, log.clone())))
        .collect();
    for worker in workers {
        worker.await.context("a writer panicked")?;
    }
    let log = log.lock().await;
    let stored = stored_tasks(&client, plan).await?;
    let acknowledged: HashSet<Uuid> = log.acknowledged.iter().copied().collect();
    let lost = acknowledged.difference(&stored).count();
    let unacknowledged = stored.difference(&acknowledged).count();
    println!(
        "fault-writer: {} acknowledged, {} stored, {lost} lost, {unacknowledged} stored but not acknowledged, \
         {} failed for good, {} retries, longest outage {:.1} s",
        acknowledged.len(),
        stored.len(),
        log.failed.len(),
        client.retries(),
        log.longest_outage.as_secs_f64()
    );
    if acknowledged.len() != log.acknowledged.len() {
        bail!("a create acknowledged the same task twice");
    }
    if let Some(first) = log.failed.first() {
        bail!(
            "{} creates failed even after retries, first: {first}",
            log.failed.len()
        );
    }
    if lost > 0 || unacknowledged > 0 {
        bail!("stored tasks differ from acknowledged ones");
    }
    if log.longest_outage.as_secs_f64() >= args.max_outage_secs {
        bail!(
            "service was out for {:.1} s",
            log.longest_outage.as_secs_f64()
        );
    }
    Ok(())
}

async fn set_up(client: &Client) -> anyhow::Result<Uuid> {
    let agent = client
        .create_agent(create_agent::CreateAgentInput {
            name: "fault drill".into(),
            did: None,
            status: None,
            configuration: None,
            metadata: None,
            idempotency_key: None,
        })
        .await?;
    let goal = client
        .create_goal(create_goal::CreateGoalInput {
            agent_id: agent.id,
            description: "survive the drill".into(),
            success_criteria: None,
            priority: None,
            plans: None,
            idempotency_key: None,
        })
        .await?;
    let plan = client
        .create_plan(create_plan::CreatePlanInput {
            goal_id: goal.id,
            description: "write through faults".into(),
            status: None,
            tasks: None,
            idempotency_key: None,
        })
        .await?;
    Ok(plan.id)
}

async fn write(client: Client, plan: Uuid, worker: usize, deadline: Instant, log: Arc<Mutex<Log>>) {
    let mut number = 0;
    while Instant::now() < deadline {
        number += 1;
        let result = client
            .create_task(create_task::CreateTaskInput {
                plan_id: plan,
                agent_id: None,
                description: format!("worker {worker} task {number}"),
                task_type: None,
                input_data: None,
                priority: None,
                run_at: None,
                max_attempts: None,
                depends_on: None,
                idempotency_key: None,
            })
            .await;
        let mut log = log.lock().await;
        match result {
            Ok(task) => {
                let now = Instant::now();
                if let Some(last) = log.last_success {
                    log.longest_outage = log.longest_outage.max(now - last);
                }
                log.last_success = Some(now);
                log.acknowledged.push(task.id);
            }
            Err(err) => log.failed.push(err.to_string()),
        }
    }
}

/// Every task of `plan`, read page by page once the drill is over.
async fn stored_tasks(client: &Client, plan: Uuid) -> anyhow::Result<HashSet<Uuid>> {
    let http = reqwest::Client::new();
    let url = client.url();
    let mut stored = HashSet::new();
    let mut after = Value::Null;
    loop {
        let body: Value = http
            .post(url)
            .json(&json!({
                "query": "query($p: UUID!, $after: String) { plan(id: $p) { tasks(first: 100, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } } }",
                "variables": { "p": plan, "after": after },
            }))
            .send()
            .await?
            .json()
            .await?;
        let tasks = &body["data"]["plan"]["tasks"];
        let Some(nodes) = tasks["nodes"].as_array() else {
            bail!("reading the stored tasks failed: {body}");
        };
        for node in nodes {
            let id = node["id"].as_str().context("a task id")?;
            if !stored.insert(id.parse()?) {
                bail!("task {id} was listed twice");
            }
        }
        if tasks["pageInfo"]["hasNextPage"] != json!(true) {
            return Ok(stored);
        }
        after = tasks["pageInfo"]["endCursor"].clone();
    }
}
