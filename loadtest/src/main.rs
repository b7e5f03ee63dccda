//! `loadtest`: the original platform's Locust smoke test (20 users, spawn
//! rate 5/s, 2 minutes, 1-3 s think time; pass = failure rate < 1% and p95 <
//! 500 ms), replayed against agentgraph over GraphQL.
//!
//!     cargo run --release -p loadtest -- --url http://127.0.0.1:8000/graphql
//!
//! `--scenario workers` drives the work queue instead (agents claiming,
//! heartbeating, completing and failing tasks; see `loadtest::workers`).

// A load tool stops with a message on a broken setup; `expect` says which.
#![allow(clippy::expect_used)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context as _;
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::watch;

use loadtest::client::Client;
use loadtest::report::{Report, Settings};
use loadtest::stats::{Recorder, interval_for};
use loadtest::user::{self, Shared, ThinkTime};
use loadtest::workers::WorkersArgs;

/// Which load to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Scenario {
    /// The original platform's Locust smoke test.
    Users,
    /// Producers and agents on the work queue, verified afterwards.
    Workers,
}

/// Replays the original smoke load test against an agentgraph server and
/// exits non-zero when it fails its thresholds.
#[derive(Debug, Parser)]
#[command(name = "loadtest", version, about)]
struct Args {
    /// The GraphQL endpoint.
    #[arg(long, default_value = "http://127.0.0.1:8000/graphql")]
    url: String,
    /// The load to run.
    #[arg(long, value_enum, default_value_t = Scenario::Users)]
    scenario: Scenario,
    /// Virtual users.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..))]
    users: u16,
    /// Users started per second.
    #[arg(long, default_value_t = 5.0)]
    spawn_rate: f64,
    /// How long the test runs, from the first user's start (`30s`, `2m`);
    /// with `--scenario workers`, the deadline by which every task must
    /// have ended.
    #[arg(long, default_value = "2m", value_parser = humantime::parse_duration)]
    duration: Duration,
    /// Each user's pause between operations, uniform in a range (`1-3s`),
    /// fixed (`500ms`), or `0` for a throughput run.
    #[arg(long, default_value = "1-3s", value_parser = ThinkTime::parse)]
    think_time: ThinkTime,
    /// Sent as the `X-API-Key` header.
    #[arg(long, env = "AGENTGRAPH_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Also write the report as JSON to this file.
    #[arg(long, value_name = "FILE.json")]
    report: Option<PathBuf>,
    /// Also write the report as one self-contained HTML page, with charts of
    /// the run over time, to this file (also when the run fails).
    #[arg(long, value_name = "FILE.html")]
    html_report: Option<PathBuf>,
    /// Fail when the failure rate, in percent, is at least this (`0`: fail
    /// on any failure).
    #[arg(long, default_value_t = 1.0)]
    max_failure_rate: f64,
    /// Fail when the 95th percentile latency of all requests, in
    /// milliseconds, is at least this.
    #[arg(long, default_value_t = 500.0)]
    max_p95_ms: f64,
    /// How long one request may take before it counts as failed.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    timeout: Duration,
    #[command(flatten)]
    workers: WorkersArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(err) => {
            eprintln!("loadtest: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// Runs the test and prints its report; `Ok(passed)`.
async fn run(args: Args) -> anyhow::Result<bool> {
    if args.scenario == Scenario::Workers {
        return run_workers(args).await;
    }
    anyhow::ensure!(
        args.spawn_rate > 0.0 && args.spawn_rate.is_finite(),
        "--spawn-rate must be a positive number"
    );
    let client = Client::with_timeout(&args.url, args.api_key.as_deref(), args.timeout)
        .context("cannot build the HTTP client")?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let shared = Arc::new(Shared {
        client,
        recorder: Recorder::with_interval(interval_for(args.duration)),
        think_time: args.think_time,
        stop: stop_rx,
    });
    let users = usize::from(args.users);
    let settings = Settings {
        url: args.url.clone(),
        users,
        spawn_rate: args.spawn_rate,
        duration_secs: args.duration.as_secs_f64(),
        think_time: args.think_time.to_string(),
        max_failure_rate_percent: args.max_failure_rate,
        max_p95_ms: args.max_p95_ms,
    };
    eprintln!(
        "loadtest: {users} users, spawn rate {}/s, {} with think time {} against {}",
        args.spawn_rate,
        humantime::format_duration(args.duration),
        args.think_time,
        args.url
    );

    let started_at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    // One clock for the run and its time series.
    let start = shared.recorder.start();
    let deadline = start + args.duration;
    let progress = Progress::start(Arc::clone(&shared), args.duration);

    // Users start at the spawn rate; the run stops at the deadline or on
    // Ctrl-C, and each user then finishes the request it has in flight.
    let spawner = {
        let shared = Arc::clone(&shared);
        let mut stop = shared.stop.clone();
        let spawn_rate = args.spawn_rate;
        tokio::spawn(async move {
            let mut tasks = Vec::with_capacity(users);
            for number in 0..users {
                #[allow(clippy::cast_precision_loss)]
                let at = start + Duration::from_secs_f64(number as f64 / spawn_rate);
                tokio::select! {
                    () = tokio::time::sleep_until(at.into()) => {}
                    _ = stop.wait_for(|stopped| *stopped) => break,
                }
                tasks.push(tokio::spawn(user::run(number + 1, Arc::clone(&shared))));
                progress.users_started(number + 1);
            }
            for task in tasks {
                let _ = task.await;
            }
            progress
        })
    };
    tokio::select! {
        () = tokio::time::sleep_until(deadline.into()) => {}
        _ = tokio::signal::ctrl_c() => eprintln!("\nloadtest: interrupted, stopping the users"),
    }
    let _ = stop_tx.send(true);
    let progress = spawner.await.context("the user spawner panicked")?;
    let elapsed = start.elapsed();
    progress.finish();

    let report = Report::new(
        settings,
        started_at,
        elapsed,
        &shared.recorder.snapshot(),
        shared.recorder.timeline(elapsed),
    );
    print!("{}", report.render());
    if let Some(path) = &args.report {
        let json = serde_json::to_vec_pretty(&report)?;
        std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("report written to {}", path.display());
    }
    if let Some(path) = &args.html_report {
        let page = loadtest::html::render(&report).context("cannot draw the HTML report")?;
        std::fs::write(path, page).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("HTML report written to {}", path.display());
    }
    Ok(report.passed)
}

/// Runs the work-queue scenario and prints its report; `Ok(passed)`.
async fn run_workers(args: Args) -> anyhow::Result<bool> {
    let config = args.workers.config(
        &args.url,
        args.api_key.as_deref(),
        args.timeout,
        args.duration,
        args.max_failure_rate,
    );
    eprintln!(
        "loadtest: work queue, {} agents, {} producers, {} tasks, deadline {}, against {}",
        config.agents,
        config.producers,
        config.tasks,
        humantime::format_duration(args.duration),
        args.url
    );
    let report = loadtest::workers::run(config).await?;
    print!("{}", report.render());
    if let Some(path) = &args.report {
        let json = serde_json::to_vec_pretty(&report)?;
        std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("report written to {}", path.display());
    }
    if let Some(path) = &args.html_report {
        let page =
            loadtest::workers::html::render(&report).context("cannot draw the HTML report")?;
        std::fs::write(path, page).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("HTML report written to {}", path.display());
    }
    Ok(report.passed)
}

/// The live progress line.
struct Progress {
    bar: ProgressBar,
    ticker: tokio::task::JoinHandle<()>,
    users: Arc<std::sync::atomic::AtomicUsize>,
}

impl Progress {
    fn start(shared: Arc<Shared>, duration: Duration) -> Self {
        let bar = ProgressBar::new(duration.as_secs().max(1));
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:25} {pos}/{len}s {msg}",
            )
            .expect("the template is valid")
            .progress_chars("=> "),
        );
        let users = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let ticker = {
            let bar = bar.clone();
            let users = Arc::clone(&users);
            tokio::spawn(async move {
                let start = Instant::now();
                let mut interval = tokio::time::interval(Duration::from_millis(500));
                let (mut last_count, mut last_at) = (0, Instant::now());
                loop {
                    interval.tick().await;
                    let all = shared.recorder.snapshot().all();
                    let now = Instant::now();
                    #[allow(clippy::cast_precision_loss)]
                    let rps = (all.count() - last_count) as f64
                        / now.duration_since(last_at).as_secs_f64().max(f64::EPSILON);
                    (last_count, last_at) = (all.count(), now);
                    bar.set_position(start.elapsed().as_secs());
                    bar.set_message(format!(
                        "users {} | {} req | {rps:.0} req/s | {} failed ({:.2}%) | p95 {:.2} ms",
                        users.load(std::sync::atomic::Ordering::Relaxed),
                        all.count(),
                        all.failures,
                        all.failure_percent(),
                        all.quantile_ms(0.95),
                    ));
                }
            })
        };
        Self { bar, ticker, users }
    }

    fn users_started(&self, count: usize) {
        self.users
            .store(count, std::sync::atomic::Ordering::Relaxed);
    }

    fn finish(self) {
        self.ticker.abort();
        self.bar.finish_and_clear();
    }
}
