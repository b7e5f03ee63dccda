//! Before the run: the agent that owns the run's goal, the goal, and the
//! simulated agents, each created under an idempotency key so that a retry
//! through an outage never makes two; and the live progress while it runs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::json;
use uuid::Uuid;

use super::Ctx;
use super::documents::{CREATE_AGENT, CREATE_GOAL};
use super::gql::GqlError;
use super::stats::QueueOp;
use super::watch::uuid_of;

/// The agent that owns the run's goal, and the goal.
pub(crate) async fn set_up_goal(ctx: &Ctx) -> anyhow::Result<Uuid> {
    let task_type = &ctx.task_type;
    let owner = create(
        ctx,
        QueueOp::CreateAgent,
        CREATE_AGENT,
        json!({ "input": {
        "name": format!("{task_type} producer"),
        "idempotencyKey": format!("{task_type}-producer"),
    } }),
        "createAgent",
    )
    .await?;
    create(
        ctx,
        QueueOp::CreateGoal,
        CREATE_GOAL,
        json!({ "input": {
        "agentId": owner,
        "description": format!("drain the work queue ({task_type})"),
        "idempotencyKey": format!("{task_type}-goal"),
    } }),
        "createGoal",
    )
    .await
}

pub(crate) async fn create_agent(ctx: &Ctx, number: usize) -> anyhow::Result<Uuid> {
    let task_type = &ctx.task_type;
    let id = create(
        ctx,
        QueueOp::CreateAgent,
        CREATE_AGENT,
        json!({ "input": {
        "name": format!("{task_type} worker {number}"),
        "idempotencyKey": format!("{task_type}-worker-{number}"),
    } }),
        "createAgent",
    )
    .await?;
    ctx.ledger.agent(id);
    Ok(id)
}

/// A create retried through outages under its idempotency key; the id.
async fn create(
    ctx: &Ctx,
    op: QueueOp,
    document: &str,
    variables: serde_json::Value,
    field: &str,
) -> anyhow::Result<Uuid> {
    let answer = ctx
        .gql
        .call_retrying(
            &ctx.recorder,
            op,
            document,
            &variables,
            ctx.config.retry_budget,
            GqlError::is_retryable,
        )
        .await
        .with_context(|| format!("{field} failed"))?;
    uuid_of(&answer.data[field]["id"]).with_context(|| format!("{field} answered {}", answer.data))
}

/// The live progress: a bar on a terminal, or a line every 2 s.
pub(crate) async fn progress(ctx: Arc<Ctx>, plain: bool, tasks: usize) {
    let bar = (!plain).then(|| {
        let bar = indicatif::ProgressBar::new(tasks as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:25} {pos}/{len} ended {msg}",
            )
            .expect("the template is valid")
            .progress_chars("=> "),
        );
        bar
    });
    let mut interval = tokio::time::interval(Duration::from_millis(if plain { 2000 } else { 500 }));
    let start = Instant::now();
    loop {
        interval.tick().await;
        let c = ctx.ledger.counters();
        let counts = ctx.counts();
        let ended = counts.all.saturating_sub(counts.open);
        let message = format!(
            "| created {} | claimed {} | completed {} | failed {}+{} retried | abandoned {} | leases lost {} | cancelled {} | failed requests {}",
            c.registered,
            c.claimed,
            c.completed,
            c.failed_final,
            c.failed_retry,
            c.abandoned,
            c.leases_lost,
            c.cancelled,
            ctx.recorder.failures()
        );
        match &bar {
            Some(bar) => {
                bar.set_position(ended);
                bar.set_message(message);
            }
            None => eprintln!(
                "queue: {:>5.1} s {ended}/{tasks} ended {message}",
                start.elapsed().as_secs_f64()
            ),
        }
    }
}
