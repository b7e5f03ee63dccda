//! `queue-bench`: the work queue's figures (issue 27), each printed as one
//! JSON line for bench/queue.sh.
//!
//! - `drain`: seeds `--tasks` claimable tasks (ACTIVE plans of `--per-plan`
//!   nested tasks, one mutation each), then `--workers` workers each claim
//!   `--limit` and complete them, until a claim comes back empty: one
//!   `completeTask` request per task (`single`), or a claim's completions
//!   in one request of aliased fields (`aliased`). Timed from the first
//!   claim to the last completion's answer; then counts the tasks by status.
//! - `latency`: one claimant, one ready task at a time: the round trip of
//!   `claimTasks(limit: 1)` beside that of a `task(id:)` read of the task.
//! - `wake`: a claim parked on `--claim-url` (`waitSeconds`), a task created
//!   through `--create-url` (another instance): from just before the create
//!   is sent, and from its answer, to the claim's answer.
//! - `parked`: `--count` claims parked at once on an empty queue: the
//!   server's RSS per claim (`--pid`), and PostgreSQL transactions of the
//!   database meanwhile (`--stat-url`, `--db-name`), against a window with
//!   nothing parked.
//!
//!     queue-bench drain --url http://127.0.0.1:8340/graphql --workers 8 --mode aliased

mod drain;
mod gql;
mod latency;
mod parked;
mod system;

use clap::{Parser, Subcommand, ValueEnum};

use crate::gql::Gql;

#[derive(Debug, Parser)]
#[command(name = "queue-bench", about)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Drain(drain::DrainArgs),
    Latency {
        #[arg(long)]
        url: String,
        #[arg(long, default_value_t = 2_000)]
        count: usize,
        #[arg(long, default_value_t = 100)]
        warmup: usize,
    },
    Wake {
        #[arg(long)]
        claim_url: String,
        #[arg(long)]
        create_url: String,
        #[arg(long, default_value_t = 200)]
        count: usize,
        #[arg(long, default_value_t = 10)]
        wait_seconds: u64,
        /// How long a claim is given to park before the task is created.
        #[arg(long, default_value_t = 100)]
        park_ms: u64,
    },
    Parked {
        #[arg(long)]
        url: String,
        #[arg(long, default_value_t = 1_000)]
        count: usize,
        #[arg(long, default_value_t = 30)]
        wait_seconds: u64,
        /// The server's process, whose VmRSS is read.
        #[arg(long)]
        pid: u32,
        /// A PostgreSQL URL psql can query pg_stat_database through (best
        /// another database than the server's, whose counts it would add to).
        #[arg(long)]
        stat_url: Option<String>,
        /// The server's database, as pg_stat_database names it.
        #[arg(long)]
        db_name: Option<String>,
        /// PostgreSQL publishes an idle backend's counts up to 10 s after
        /// it went idle: the wait after parking before the window opens,
        /// so that the parking's own transactions (each claim's first look,
        /// within ~2 s) are published before it.
        #[arg(long, default_value_t = 14)]
        settle_secs: u64,
        #[arg(long, default_value_t = 5)]
        window_secs: u64,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Mode {
    Single,
    Aliased,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let line = match Args::parse().command {
        Command::Drain(args) => drain::drain(&args).await?,
        Command::Latency { url, count, warmup } => {
            latency::latency(&Gql::new(&url, 30)?, count, warmup).await?
        }
        Command::Wake {
            claim_url,
            create_url,
            count,
            wait_seconds,
            park_ms,
        } => {
            let timeout = wait_seconds + 30;
            let claimant = Gql::new(&claim_url, timeout)?;
            let producer = Gql::new(&create_url, timeout)?;
            latency::wake(&claimant, &producer, count, wait_seconds, park_ms).await?
        }
        Command::Parked {
            url,
            count,
            wait_seconds,
            pid,
            stat_url,
            db_name,
            settle_secs,
            window_secs,
        } => {
            let stats = stat_url
                .zip(db_name)
                .map(|(url, db)| system::PgStats::new(url, db))
                .transpose()?;
            let gql = Gql::new(&url, wait_seconds + 30)?;
            let timing = parked::Timing {
                wait: wait_seconds,
                settle: settle_secs,
                window: window_secs,
            };
            parked::parked(&gql, count, pid, stats, timing).await?
        }
    };
    println!("{line}");
    Ok(())
}
