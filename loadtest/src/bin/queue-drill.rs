//! `queue-drill`: the work-queue load of the fault drills. Agents drain
//! `--tasks` tasks through loadtest's `workers` scenario (a third of them
//! flaky, a fifth waiting for others, none poison, `maxAttempts` 10) while
//! `.ci/fault-drills` kills and restarts the server or the database. The
//! agents retry through the outage: a complete or fail whose answer was
//! lost is sent again with the same token, and a CONFLICT on `token` drops
//! the task (its lease was lost; the server requeues it). Afterwards every
//! task must be COMPLETED, and the scenario's verification must hold: none
//! completed by two claimants, none still RUNNING, each attempt accounted
//! for as the rules say.
//!
//!     queue-drill --url http://127.0.0.1:18733/graphql --tasks 5000 --task-type drill-1

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use loadtest::user::ThinkTime;
use loadtest::workers::{self, Config};

#[derive(Debug, Parser)]
#[command(name = "queue-drill", about)]
struct Args {
    /// The GraphQL endpoint.
    #[arg(long)]
    url: String,
    #[arg(long, default_value_t = 5000)]
    tasks: usize,
    #[arg(long, default_value_t = 16)]
    agents: usize,
    /// `limit` of each claim.
    #[arg(long, default_value_t = 5)]
    claim_limit: u32,
    /// Every task must be COMPLETED by then.
    #[arg(long, default_value = "100s", value_parser = humantime::parse_duration)]
    deadline: Duration,
    /// The run's task type, so that the drill script can count its tasks
    /// (`tasks(filter: {taskType})`) and strike mid-drain.
    #[arg(long)]
    task_type: Option<String>,
    /// Also write the report as an HTML page.
    #[arg(long, value_name = "FILE.html")]
    html_report: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("queue-drill: {err:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(args: Args) -> anyhow::Result<bool> {
    let config = Config {
        url: args.url,
        api_key: None,
        timeout: Duration::from_secs(10),
        agents: args.agents,
        crashing_agents: 0.0,
        producers: 4,
        tasks: args.tasks,
        plan_size: 100,
        claim_limit: args.claim_limit,
        lease_seconds: 5,
        wait_seconds: 2,
        work_time: ThinkTime::parse("0-20ms").map_err(anyhow::Error::msg)?,
        flaky_share: 0.3,
        max_failures: 2,
        poison_share: 0.0,
        long_share: 0.0,
        dependent_share: 0.2,
        // Room for the attempts an outage costs (claims whose answer was
        // lost, leases that ran out while the server was down).
        max_attempts: Some(10),
        deadline: args.deadline,
        // Longer than any outage of the drills.
        retry_budget: Duration::from_secs(40),
        task_type: args.task_type,
        // Requests fail during the outage by design; they are retried.
        max_failure_rate_percent: 100.0,
        plain_progress: true,
    };
    let report = workers::run(config).await?;
    print!("{}", report.render());
    if let Some(path) = &args.html_report {
        let page = workers::html::render(&report).context("cannot draw the HTML report")?;
        std::fs::write(path, page).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let tasks = &report.tasks;
    let all_completed = tasks.created == args.tasks && tasks.completed == args.tasks;
    if !all_completed {
        println!(
            "queue-drill: FAIL: {} of {} tasks COMPLETED ({} created, {} FAILED, {} CANCELLED, {} not ended)",
            tasks.completed,
            args.tasks,
            tasks.created,
            tasks.failed,
            tasks.cancelled,
            tasks.unfinished
        );
    }
    println!(
        "queue-drill: {} tasks COMPLETED in {:.1} s, {} attempts, {} leases lost, {} claims unanswered, {} requests retried",
        tasks.completed,
        report.elapsed_secs,
        tasks.attempts,
        tasks.leases_lost,
        tasks.unanswered_claims,
        report.all_requests.failures
    );
    Ok(report.passed && all_completed)
}
