//! `drain`: workers empty a queue of ready no-op tasks.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use serde_json::{Value, json};

use crate::Mode;
use crate::gql::{Gql, active_plan, agent_and_goal, claim, complete};
use crate::system::{PgStats, backend_ticks, cpu_ticks, ms_per};

/// `completed(n)`'s document: n aliased completeTask fields, variables
/// `$i0..` and `$t0..`, so that each size is one document the server can
/// keep parsed.
fn aliased_document(n: usize) -> String {
    let params: Vec<String> = (0..n)
        .map(|i| format!("$i{i}: UUID!, $t{i}: String!"))
        .collect();
    let fields: Vec<String> = (0..n)
        .map(|i| format!("c{i}: completeTask(id: $i{i}, token: $t{i}) {{ id }}"))
        .collect();
    format!(
        "mutation Complete{n}({}) {{ {} }}",
        params.join(", "),
        fields.join(" ")
    )
}

#[derive(Debug, clap::Args)]
pub(crate) struct DrainArgs {
    #[arg(long)]
    url: String,
    #[arg(long, default_value_t = 20_000)]
    tasks: usize,
    /// Tasks per seeding mutation: the plan and its tasks are at most
    /// 1,000 objects.
    #[arg(long, default_value_t = 999)]
    per_plan: usize,
    #[arg(long)]
    workers: usize,
    #[arg(long, value_enum)]
    mode: Mode,
    /// Tasks per claim.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// The server's process: its CPU time per task is reported.
    #[arg(long)]
    pid: Option<u32>,
    /// A PostgreSQL URL for psql, to find the backends of `--db-name` and
    /// report their CPU time per task.
    #[arg(long, requires = "db_name")]
    stat_url: Option<String>,
    #[arg(long, requires = "stat_url")]
    db_name: Option<String>,
}

pub(crate) async fn drain(args: &DrainArgs) -> anyhow::Result<Value> {
    let &DrainArgs {
        tasks,
        per_plan,
        workers,
        mode,
        limit,
        pid,
        ..
    } = args;
    let gql = &Gql::new(&args.url, 60)?;
    let (agent, goal) = agent_and_goal(gql).await?;
    let mut seeded = 0;
    while seeded < tasks {
        let n = per_plan.min(tasks - seeded);
        active_plan(gql, &goal, n).await?;
        seeded += n;
    }
    let documents: Arc<Vec<String>> = Arc::new((0..=limit).map(aliased_document).collect());
    let stats = match (&args.stat_url, &args.db_name) {
        (Some(url), Some(db)) => Some(PgStats::new(url.clone(), db.clone())?),
        _ => None,
    };
    let backends_before = match &stats {
        Some(stats) => Some(stats.backends().await?),
        None => None,
    };
    let me = std::process::id();
    let (server_before, client_before) = (pid.map(cpu_ticks).transpose()?, cpu_ticks(me)?);
    let started = Instant::now();
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let (gql, agent, documents) = (gql.clone(), agent.clone(), documents.clone());
            tokio::spawn(async move { drain_worker(&gql, &agent, mode, limit, &documents).await })
        })
        .collect();
    let (mut done, mut errors, mut first_error) = (0, 0, None);
    for handle in handles {
        let worker = handle.await.context("a worker panicked")?;
        done += worker.completed;
        errors += worker.errors;
        first_error = first_error.or(worker.first_error);
    }
    let seconds = started.elapsed().as_secs_f64();
    let server_ms = match (pid, server_before) {
        (Some(pid), Some(before)) => Some(ms_per(cpu_ticks(pid)?.saturating_sub(before), done)?),
        _ => None,
    };
    let client_ms = ms_per(cpu_ticks(me)?.saturating_sub(client_before), done)?;
    let postgres_ms = match (&stats, &backends_before) {
        (Some(stats), Some(before)) => Some(ms_per(
            backend_ticks(before, &stats.backends().await?),
            done,
        )?),
        _ => None,
    };
    let counts = gql
        .run(
            "query { completed: tasks(filter: {status: COMPLETED}) { totalCount } \
             pending: tasks(filter: {status: PENDING}) { totalCount } \
             running: tasks(filter: {status: RUNNING}) { totalCount } }",
            json!({}),
        )
        .await
        .context("count the tasks")?;
    Ok(json!({
        "mode": format!("{mode:?}").to_lowercase(), "workers": workers, "tasks": tasks,
        "seconds": seconds, "tasksPerSecond": done as f64 / seconds, "completedByWorkers": done,
        "completed": counts["completed"]["totalCount"], "pending": counts["pending"]["totalCount"],
        "running": counts["running"]["totalCount"], "errors": errors, "firstError": first_error,
        "serverCpuMsPerTask": server_ms, "clientCpuMsPerTask": client_ms,
        "postgresCpuMsPerTask": postgres_ms,
    }))
}

#[derive(Default)]
struct WorkerTally {
    completed: usize,
    errors: usize,
    first_error: Option<String>,
}

impl WorkerTally {
    fn failed(&mut self, err: &anyhow::Error) {
        self.errors += 1;
        self.first_error.get_or_insert_with(|| format!("{err:#}"));
    }
}

/// Claims and completes until a claim comes back empty. A failed request is
/// counted and the loop goes on (the counts at the end show what it left);
/// a run of them ends it.
async fn drain_worker(
    gql: &Gql,
    agent: &str,
    mode: Mode,
    limit: usize,
    documents: &[String],
) -> WorkerTally {
    let mut tally = WorkerTally::default();
    let mut failures_in_a_row = 0;
    while failures_in_a_row < 10 {
        let leases = match claim(gql, json!({ "agentId": agent, "limit": limit })).await {
            Ok(leases) if leases.is_empty() => break,
            Ok(leases) => leases,
            Err(err) => {
                tally.failed(&err);
                failures_in_a_row += 1;
                continue;
            }
        };
        failures_in_a_row = 0;
        let done = match mode {
            Mode::Single => {
                let mut done = Ok(());
                for lease in &leases {
                    done = done.and(complete(gql, lease).await);
                }
                done
            }
            Mode::Aliased => {
                let mut variables = serde_json::Map::new();
                for (i, lease) in leases.iter().enumerate() {
                    variables.insert(format!("i{i}"), json!(lease.id));
                    variables.insert(format!("t{i}"), json!(lease.token));
                }
                gql.run(&documents[leases.len()], Value::Object(variables))
                    .await
                    .map(drop)
            }
        };
        match done {
            Ok(()) => tally.completed += leases.len(),
            Err(err) => tally.failed(&err),
        }
    }
    tally
}
