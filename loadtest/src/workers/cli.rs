//! The scenario's own flags, flattened into `loadtest`'s.

use std::time::Duration;

use clap::Args;

use super::Config;
use crate::user::ThinkTime;

/// Flags of `--scenario workers` (the work queue); the users scenario
/// ignores them.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Work queue (--scenario workers)")]
pub struct WorkersArgs {
    /// Simulated agents claiming tasks.
    #[arg(long, default_value_t = 20)]
    pub agents: usize,
    /// The share of agents that crash now and then: they walk away from the
    /// tasks of one claim in ten, without a heartbeat, so that the server's
    /// lease sweep has to requeue them.
    #[arg(long, default_value_t = 0.2)]
    pub crashing_agents: f64,
    /// Producers creating plans at the same time.
    #[arg(long, default_value_t = 2)]
    pub producers: usize,
    /// Tasks in all.
    #[arg(long, default_value_t = 2000)]
    pub tasks: usize,
    /// Tasks per plan (1..=100), each plan created ACTIVE with its tasks in
    /// one createPlan.
    #[arg(long, default_value_t = 20)]
    pub plan_size: usize,
    /// `limit` of each claimTasks.
    #[arg(long, default_value_t = 1)]
    pub claim_limit: u32,
    /// `leaseSeconds` of each claim (5..=3600).
    #[arg(long, default_value_t = 5)]
    pub lease_seconds: u32,
    /// `waitSeconds` of each claim: its long poll (0..=30).
    #[arg(long, default_value_t = 2)]
    pub wait_seconds: u32,
    /// How long an agent works on a task: uniform in a range (`0-200ms`).
    #[arg(long, default_value = "0-200ms", value_parser = ThinkTime::parse)]
    pub work_time: ThinkTime,
    /// The share of tasks that fail their first attempt(s) (retry: true).
    #[arg(long, default_value_t = 0.2)]
    pub flaky_share: f64,
    /// A flaky task fails its first 1..=N attempts (more than its
    /// maxAttempts: it fails for good).
    #[arg(long, default_value_t = 3)]
    pub max_failures: u32,
    /// The share of tasks that fail with retry: false.
    #[arg(long, default_value_t = 0.05)]
    pub poison_share: f64,
    /// The share of tasks whose work outlasts their lease (heartbeats keep
    /// it).
    #[arg(long, default_value_t = 0.02)]
    pub long_share: f64,
    /// The share of tasks that depend on one or two earlier tasks of their
    /// plan.
    #[arg(long, default_value_t = 0.3)]
    pub dependent_share: f64,
    /// maxAttempts of every task (1..=100); by default half the tasks keep
    /// the server's default (3) and half get 1..=3.
    #[arg(long)]
    pub max_attempts: Option<u32>,
    /// How long a request is retried through an outage (connection refused,
    /// 503) before it counts as failed for good.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    pub retry_budget: Duration,
    /// The run's task type (default: a fresh `queue-XXXXXXXX`); its agents
    /// claim only this type.
    #[arg(long)]
    pub task_type: Option<String>,
    /// A progress line every 2 s instead of a bar (for logs).
    #[arg(long)]
    pub plain_progress: bool,
}

impl WorkersArgs {
    /// The run's configuration; `deadline` is `--duration`.
    pub fn config(
        &self,
        url: &str,
        api_key: Option<&str>,
        timeout: Duration,
        deadline: Duration,
        max_failure_rate_percent: f64,
    ) -> Config {
        Config {
            url: url.to_owned(),
            api_key: api_key.map(str::to_owned),
            timeout,
            agents: self.agents,
            crashing_agents: self.crashing_agents,
            producers: self.producers,
            tasks: self.tasks,
            plan_size: self.plan_size,
            claim_limit: self.claim_limit,
            lease_seconds: self.lease_seconds,
            wait_seconds: self.wait_seconds,
            work_time: self.work_time,
            flaky_share: self.flaky_share,
            max_failures: self.max_failures,
            poison_share: self.poison_share,
            long_share: self.long_share,
            dependent_share: self.dependent_share,
            max_attempts: self.max_attempts,
            deadline,
            retry_budget: self.retry_budget,
            task_type: self.task_type.clone(),
            max_failure_rate_percent,
            plain_progress: self.plain_progress,
        }
    }
}
