//! The work-queue scenario (`loadtest --scenario workers`): producers
//! create ACTIVE plans of tasks, some depending on earlier ones, some flaky
//! (their first attempts fail), some poison (they fail for good); simulated
//! agents long-poll `claimTasks`, work, heartbeat, and complete or fail what
//! they hold, and some crash and walk away from it, leaving the server's
//! lease sweep to requeue it. The run ends when every task has ended; then
//! every task is read back and held to the queue's rules and to the
//! scenario's own record ([`verify`]).
//!
//! The run's tasks get a task type of their own, and its agents claim only
//! that type, so that runs sharing a database never take each other's.

mod agent;
mod check;
mod cli;
mod documents;
mod gql;
pub mod html;
mod ledger;
mod producer;
mod report;
mod setup;
mod spec;
mod stats;
mod verify;
mod violation;
mod watch;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use futures_util::future::join_all;
use rand::RngExt;
use tokio::sync::watch as channel;
use uuid::Uuid;

pub use cli::WorkersArgs;
pub use report::{Percentiles, WorkersPoint, WorkersReport, WorkersSettings};
pub use verify::Tally;
pub use violation::{Rule, RuleCount, Violation};

use crate::stats::interval_for;
use crate::user::ThinkTime;
use gql::Gql;
use ledger::Ledger;
use report::RunResult;
use spec::Mix;
use stats::QueueRecorder;
use watch::Counts;

/// Everything a run is set up with.
#[derive(Debug, Clone)]
pub struct Config {
    pub url: String,
    pub api_key: Option<String>,
    /// How long one request may take (a long poll's wait included).
    pub timeout: Duration,
    pub agents: usize,
    /// The share of agents that now and then crash (walk away from the
    /// tasks of one claim in ten).
    pub crashing_agents: f64,
    pub producers: usize,
    pub tasks: usize,
    /// Tasks per plan, 1..=100.
    pub plan_size: usize,
    pub claim_limit: u32,
    pub lease_seconds: u32,
    pub wait_seconds: u32,
    pub work_time: ThinkTime,
    pub flaky_share: f64,
    /// A flaky task fails its first 1..=this attempts.
    pub max_failures: u32,
    pub poison_share: f64,
    /// The share of tasks whose work outlasts their lease.
    pub long_share: f64,
    pub dependent_share: f64,
    /// `None`: half the tasks keep the default (3), half get 1..=3.
    pub max_attempts: Option<u32>,
    /// Every task must have ended by then.
    pub deadline: Duration,
    /// How long a request is retried through an outage.
    pub retry_budget: Duration,
    /// The run's task type; a fresh one when `None`.
    pub task_type: Option<String>,
    pub max_failure_rate_percent: f64,
    /// Print a progress line every 2 s instead of drawing a bar.
    pub plain_progress: bool,
}

/// What every producer, agent and the watcher share.
#[derive(Debug)]
pub(crate) struct Ctx {
    pub(crate) gql: Gql,
    pub(crate) recorder: QueueRecorder,
    pub(crate) ledger: Ledger,
    pub(crate) task_type: String,
    pub(crate) mix: Mix,
    pub(crate) config: Config,
    /// Becomes true when the run is over.
    pub(crate) stop: channel::Receiver<bool>,
    counts: Mutex<Counts>,
}

impl Ctx {
    pub(crate) fn set_counts(&self, counts: Counts) {
        *self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = counts;
    }

    pub(crate) fn counts(&self) -> Counts {
        *self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A plan a producer made.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlanMade {
    pub(crate) id: Uuid,
    pub(crate) tasks: usize,
}

/// What the producers have made so far.
#[derive(Debug, Default)]
pub(crate) struct Produced {
    pub(crate) done: AtomicBool,
    pub(crate) tasks: AtomicUsize,
    pub(crate) plans: Mutex<Vec<PlanMade>>,
    pub(crate) errors: Mutex<Vec<String>>,
}

fn validate(config: &Config) -> anyhow::Result<()> {
    let share = |value: f64| (0.0..=1.0).contains(&value);
    anyhow::ensure!(
        config.agents > 0 && config.producers > 0 && config.tasks > 0,
        "--agents, --producers and --tasks must be positive"
    );
    anyhow::ensure!(
        (1..=100).contains(&config.plan_size),
        "--plan-size must be 1..=100"
    );
    anyhow::ensure!(
        (1..=100).contains(&config.claim_limit),
        "--claim-limit must be 1..=100"
    );
    anyhow::ensure!(
        (5..=3600).contains(&config.lease_seconds),
        "--lease-seconds must be 5..=3600"
    );
    anyhow::ensure!(config.wait_seconds <= 30, "--wait-seconds must be 0..=30");
    anyhow::ensure!(
        [
            config.flaky_share,
            config.poison_share,
            config.long_share,
            config.dependent_share,
            config.crashing_agents
        ]
        .into_iter()
        .all(share)
            && config.flaky_share + config.poison_share <= 1.0,
        "shares must be 0..=1, and flaky and poison together at most 1"
    );
    anyhow::ensure!(
        config.max_attempts.is_none_or(|n| (1..=100).contains(&n)),
        "--max-attempts must be 1..=100"
    );
    anyhow::ensure!(
        config.timeout > Duration::from_secs(u64::from(config.wait_seconds)),
        "--timeout must be longer than a long poll's wait"
    );
    Ok(())
}

/// Runs the scenario and verifies what it left; the report says whether it
/// passed. `Err` only when it could not even be set up.
pub async fn run(config: Config) -> anyhow::Result<WorkersReport> {
    validate(&config)?;
    let task_type = config
        .task_type
        .clone()
        .unwrap_or_else(|| format!("queue-{:08x}", rand::rng().random::<u32>()));
    let gql = Gql::new(&config.url, config.api_key.as_deref(), config.timeout)
        .context("cannot build the HTTP client")?;
    let (stop_tx, stop_rx) = channel::channel(false);
    let crashing = (config.crashing_agents * config.agents as f64).round() as usize;
    let ctx = Arc::new(Ctx {
        gql,
        recorder: QueueRecorder::new(interval_for(config.deadline)),
        ledger: Ledger::default(),
        mix: Mix {
            flaky: config.flaky_share,
            max_failures: config.max_failures,
            poison: config.poison_share,
            long: config.long_share,
            dependent: config.dependent_share,
            max_attempts: config.max_attempts,
            work: config.work_time,
            lease: Duration::from_secs(u64::from(config.lease_seconds)),
        },
        task_type: task_type.clone(),
        config: config.clone(),
        stop: stop_rx,
        counts: Mutex::new(Counts::default()),
    });
    let settings = settings(&config, &task_type, crashing);
    let started_at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    let start = ctx.recorder.start();
    let deadline = start + config.deadline;

    let goal = setup::set_up_goal(&ctx).await?;
    let agents = join_all((0..config.agents).map(|number| setup::create_agent(&ctx, number))).await;
    let agents = agents.into_iter().collect::<anyhow::Result<Vec<Uuid>>>()?;

    let produced = Arc::new(Produced::default());
    let producers: Vec<_> = (0..config.producers)
        .map(|first| {
            tokio::spawn(producer::run(
                Arc::clone(&ctx),
                Arc::clone(&produced),
                goal,
                first,
                config.producers,
            ))
        })
        .collect();
    let workers: Vec<_> = agents
        .iter()
        .enumerate()
        .map(|(number, id)| tokio::spawn(agent::run(Arc::clone(&ctx), *id, number < crashing)))
        .collect();
    let progress = tokio::spawn(setup::progress(
        Arc::clone(&ctx),
        config.plain_progress,
        config.tasks,
    ));
    {
        let produced = Arc::clone(&produced);
        tokio::spawn(async move {
            join_all(producers).await;
            produced.done.store(true, Ordering::Release);
        });
    }

    let finished = tokio::select! {
        result = watch::until_done(&ctx, &produced, deadline) => result.is_ok(),
        _ = tokio::signal::ctrl_c() => {
            eprintln!("\nqueue: interrupted");
            false
        }
    };
    let elapsed = start.elapsed();
    let _ = stop_tx.send(true);
    progress.abort();
    let _ = tokio::time::timeout(Duration::from_secs(10), join_all(workers)).await;
    eprintln!(
        "queue: run over after {:.1} s; reading the tasks back",
        elapsed.as_secs_f64()
    );

    let plans = produced
        .plans
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let mut tally = Tally::default();
    let violations = verify::verify(&ctx, &plans, &mut tally).await;
    let setup_errors = produced
        .errors
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    Ok(WorkersReport::new(RunResult {
        settings,
        started_at,
        elapsed,
        finished,
        tally,
        snapshot: ctx.recorder.snapshot(),
        violations,
        setup_errors,
    }))
}

fn settings(config: &Config, task_type: &str, crashing: usize) -> WorkersSettings {
    WorkersSettings {
        url: config.url.clone(),
        task_type: task_type.to_owned(),
        agents: config.agents,
        crashing_agents: crashing,
        producers: config.producers,
        tasks: config.tasks,
        plan_size: config.plan_size,
        claim_limit: config.claim_limit,
        lease_seconds: config.lease_seconds,
        wait_seconds: config.wait_seconds,
        work_time: config.work_time.to_string(),
        flaky_share: config.flaky_share,
        poison_share: config.poison_share,
        long_share: config.long_share,
        dependent_share: config.dependent_share,
        max_attempts: config
            .max_attempts
            .map_or_else(|| "default (3) or 1..=3".into(), |n| n.to_string()),
        deadline_secs: config.deadline.as_secs_f64(),
        max_failure_rate_percent: config.max_failure_rate_percent,
    }
}
