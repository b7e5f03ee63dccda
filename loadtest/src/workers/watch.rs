//! Telling when the run is over, and the one thing the test does besides
//! working: a task that FAILED leaves its dependents BLOCKED for good (a
//! retry by hand might still save it), so the test cancels them, as an
//! operator would, and the server cancels theirs in turn.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use uuid::Uuid;

use super::documents::{CANCEL, COUNTS, FAILED_PAGE};
use super::stats::QueueOp;
use super::violation::Rule;
use super::{Ctx, Produced};

/// The run's tasks by state, as the server counts them.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Counts {
    pub(crate) all: u64,
    pub(crate) open: u64,
    pub(crate) blocked: u64,
    pub(crate) failed: u64,
}

const EVERY: Duration = Duration::from_millis(500);

/// Waits until the producers are done and every task of the run has ended;
/// `Err` with the last counts when `deadline` comes first.
pub(crate) async fn until_done(
    ctx: &Ctx,
    produced: &Produced,
    deadline: Instant,
) -> Result<Counts, Counts> {
    let mut handled: HashSet<Uuid> = HashSet::new();
    let mut last = Counts::default();
    loop {
        if Instant::now() >= deadline {
            return Err(last);
        }
        tokio::time::sleep(EVERY).await;
        let Some(counts) = counts(ctx).await else {
            continue;
        };
        last = counts;
        ctx.set_counts(counts);
        if counts.blocked > 0 && counts.failed > handled.len() as u64 {
            cancel_dependents_of_failed(ctx, &mut handled).await;
        }
        let done = produced.done.load(Ordering::Acquire);
        let created = produced.tasks.load(Ordering::Acquire) as u64;
        if done && counts.all >= created && counts.open == 0 {
            return Ok(counts);
        }
    }
}

async fn counts(ctx: &Ctx) -> Option<Counts> {
    let answer = ctx
        .gql
        .call_retrying(
            &ctx.recorder,
            QueueOp::Watch,
            COUNTS,
            &json!({ "type": ctx.task_type }),
            EVERY,
            super::gql::GqlError::is_retryable,
        )
        .await
        .ok()?;
    let count = |alias: &str| answer.data[alias]["totalCount"].as_u64();
    Some(Counts {
        all: count("all")?,
        open: count("open")?,
        blocked: count("blocked")?,
        failed: count("failed")?,
    })
}

/// Cancels the BLOCKED dependents of every FAILED task of the run not
/// handled yet.
async fn cancel_dependents_of_failed(ctx: &Ctx, handled: &mut HashSet<Uuid>) {
    let mut after = Value::Null;
    loop {
        let Ok(answer) = ctx
            .gql
            .call_retrying(
                &ctx.recorder,
                QueueOp::Watch,
                FAILED_PAGE,
                &json!({ "type": ctx.task_type, "after": after }),
                ctx.config.retry_budget,
                super::gql::GqlError::is_retryable,
            )
            .await
        else {
            return;
        };
        let page = &answer.data["tasks"];
        for node in page["nodes"].as_array().into_iter().flatten() {
            let Some(failed) = uuid_of(&node["id"]) else {
                continue;
            };
            if handled.contains(&failed) {
                continue;
            }
            let mut all_cancelled = true;
            let dependents = node["dependents"]["nodes"].as_array().into_iter().flatten();
            for dependent in dependents.filter_map(|d| uuid_of(&d["id"])) {
                all_cancelled &= cancel(ctx, dependent, failed).await;
            }
            if all_cancelled {
                handled.insert(failed);
            }
        }
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            return;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

async fn cancel(ctx: &Ctx, task: Uuid, failed: Uuid) -> bool {
    let variables = json!({ "id": task, "error": format!("dependency {failed} failed") });
    let answer = ctx
        .gql
        .call_retrying(
            &ctx.recorder,
            QueueOp::Cancel,
            CANCEL,
            &variables,
            ctx.config.retry_budget,
            super::gql::GqlError::is_retryable,
        )
        .await;
    match answer {
        Ok(answer) if answer.data["updateTask"]["status"] == "CANCELLED" => {
            ctx.ledger.cancelled(task, failed);
            true
        }
        Ok(answer) => {
            ctx.ledger.violation(
                Rule::Answer,
                format!(
                    "cancelling task {task} answered status {}",
                    answer.data["updateTask"]["status"]
                ),
            );
            false
        }
        Err(_) => false,
    }
}

pub(crate) fn uuid_of(value: &Value) -> Option<Uuid> {
    value.as_str().and_then(|text| text.parse().ok())
}
