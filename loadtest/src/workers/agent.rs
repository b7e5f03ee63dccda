//! One simulated agent: it long-polls for tasks, works on each for the time
//! its `inputData` says while heartbeating when that is a good part of the
//! lease, then completes or fails it as its kind says. A crashing agent now
//! and then walks away from what it holds instead, leaving the server's
//! lease sweep to requeue it. Through an outage it keeps retrying with the
//! same token: the contract answers a retry that already went through with
//! the task as it is, and a CONFLICT on `token` means the lease was lost.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use rand::RngExt;
use rand::rngs::StdRng;
use serde_json::{Value, json};
use uuid::Uuid;

use super::Ctx;
use super::documents::{CLAIM, COMPLETE, FAIL, HEARTBEAT};
use super::gql::{GqlError, Tries};
use super::ledger::End;
use super::spec::{Action, Behaviour};
use super::stats::QueueOp;
use super::violation::Rule;
use super::watch::uuid_of;

/// How often a crashing agent walks away from the tasks of one claim.
const CRASH_CHANCE: f64 = 0.1;

/// A claimed task, as the claim returned it.
#[derive(Debug)]
struct Lease {
    task: Uuid,
    token: String,
    attempt: u32,
    max_attempts: u32,
    input: Value,
}

/// Runs agent `agent` until the run stops.
pub(crate) async fn run(ctx: Arc<Ctx>, agent: Uuid, crashes: bool) {
    let mut rng: StdRng = rand::make_rng();
    let mut stop = ctx.stop.clone();
    loop {
        if *stop.borrow() {
            return;
        }
        let leases = tokio::select! {
            leases = claim(&ctx, agent) => leases,
            _ = stop.wait_for(|stopped| *stopped) => return,
        };
        let Some(leases) = leases else {
            // Refused in a way a retry would not mend: do not spin on it.
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        };
        let crash = crashes && !leases.is_empty() && rng.random_bool(CRASH_CHANCE);
        let work = leases.into_iter().map(|lease| {
            let crash_after = crash.then(|| rng.random_range(0.1..0.9));
            work(&ctx, agent, lease, crash_after)
        });
        tokio::select! {
            _ = join_all(work) => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
    }
}

/// One `claimTasks` long poll, retried through outages; `None` when it was
/// refused.
async fn claim(ctx: &Ctx, agent: Uuid) -> Option<Vec<Lease>> {
    let config = &ctx.config;
    let variables = json!({ "input": {
        "agentId": agent,
        "taskTypes": [ctx.task_type],
        "limit": config.claim_limit,
        "leaseSeconds": config.lease_seconds,
        "waitSeconds": config.wait_seconds,
    } });
    let answer = ctx
        .gql
        .call_retrying(
            &ctx.recorder,
            QueueOp::Claim,
            CLAIM,
            &variables,
            config.retry_budget,
            |err| {
                // Either may hide a claim that was made: its tasks come
                // back when their leases run out.
                if err.is_retryable() {
                    ctx.ledger.unanswered_claim();
                }
                err.is_retryable()
            },
        )
        .await
        .ok()?;
    let Some(leases) = answer.data["claimTasks"].as_array() else {
        ctx.ledger
            .violation(Rule::Answer, format!("claimTasks answered {}", answer.data));
        return None;
    };
    let op = if leases.is_empty() {
        QueueOp::ClaimEmpty
    } else {
        QueueOp::ClaimHit
    };
    ctx.recorder.record(op, answer.latency, None);
    ctx.recorder.claimed(leases.len());
    let now = Utc::now();
    let mut out = Vec::with_capacity(leases.len());
    for lease in leases {
        let task = &lease["task"];
        let (Some(id), Some(token), Some(expires_at), Some(attempt), Some(max_attempts)) = (
            uuid_of(&task["id"]),
            lease["token"].as_str(),
            time_of(&lease["expiresAt"]),
            task["attempts"]
                .as_u64()
                .and_then(|n| u32::try_from(n).ok()),
            task["maxAttempts"]
                .as_u64()
                .and_then(|n| u32::try_from(n).ok()),
        ) else {
            ctx.ledger
                .violation(Rule::Answer, format!("a lease lacks a field: {lease}"));
            continue;
        };
        if task["status"] != "RUNNING"
            || task["agentId"] != json!(agent)
            || attempt == 0
            || attempt > max_attempts
        {
            ctx.ledger.violation(
                Rule::Answer,
                format!("task {id} claimed by agent {agent} came back as {task}"),
            );
        }
        let lease_length = chrono::Duration::seconds(i64::from(config.lease_seconds));
        let claimed_at = expires_at - lease_length;
        // Same host, one clock: a lease that does not start about now is
        // not the one asked for.
        if (claimed_at - now).num_seconds().abs() > 5 {
            ctx.ledger.violation(
                Rule::Answer,
                format!(
                    "task {id}: a lease of {} s claimed at {now} expires at {expires_at}",
                    config.lease_seconds
                ),
            );
        }
        ctx.ledger
            .claimed(id, attempt, agent, claimed_at, expires_at);
        out.push(Lease {
            task: id,
            token: token.to_owned(),
            attempt,
            max_attempts,
            input: task["inputData"].clone(),
        });
    }
    Some(out)
}

/// Works on one claimed task, then completes or fails it; with
/// `crash_after`, walks away after that share of the work instead.
async fn work(ctx: &Ctx, agent: Uuid, lease: Lease, crash_after: Option<f64>) {
    let (task, attempt) = (lease.task, lease.attempt);
    let behaviour: Behaviour = match serde_json::from_value(lease.input.clone()) {
        Ok(behaviour) => behaviour,
        Err(err) => {
            ctx.ledger.violation(
                Rule::Answer,
                format!(
                    "task {task} has inputData {} this run did not write: {err}",
                    lease.input
                ),
            );
            ctx.ledger.ended(task, attempt, End::Abandoned);
            return;
        }
    };
    let work = Duration::from_millis(behaviour.work_ms);
    if let Some(share) = crash_after {
        tokio::time::sleep(work.mul_f64(share)).await;
        ctx.ledger.ended(task, attempt, End::Abandoned);
        return;
    }
    // A heartbeat every third of the lease: work shorter than that needs
    // none.
    let beat = Duration::from_secs(u64::from(ctx.config.lease_seconds)) / 3;
    let mut left = work;
    while left > beat {
        tokio::time::sleep(beat).await;
        left -= beat;
        if !heartbeat(ctx, &lease, beat).await {
            ctx.ledger.ended(task, attempt, End::LeaseLost);
            return;
        }
    }
    tokio::time::sleep(left).await;
    match behaviour.kind.action(attempt) {
        Action::Complete => complete(ctx, agent, &lease).await,
        Action::Fail { retry, error } => fail(ctx, &lease, retry, &error).await,
    }
}

/// Extends the lease; `false` when it was lost. An outage longer than
/// `budget` is let be: the work goes on, and the complete will tell.
async fn heartbeat(ctx: &Ctx, lease: &Lease, budget: Duration) -> bool {
    let variables =
        json!({ "id": lease.task, "token": lease.token, "lease": ctx.config.lease_seconds });
    match ctx
        .gql
        .call_retrying(
            &ctx.recorder,
            QueueOp::Heartbeat,
            HEARTBEAT,
            &variables,
            budget,
            GqlError::is_retryable,
        )
        .await
    {
        Ok(answer) => {
            let beat = &answer.data["heartbeatTask"];
            if beat["token"].as_str() != Some(lease.token.as_str()) {
                ctx.ledger.violation(
                    Rule::Answer,
                    format!("heartbeatTask on task {} changed the token", lease.task),
                );
            }
            if let Some(until) = time_of(&beat["expiresAt"]) {
                ctx.ledger.extended(lease.task, lease.attempt, until);
            }
            true
        }
        Err(err) => !err.is_stale_token(),
    }
}

/// Whether an error of complete/fail is worth sending again with the same
/// token.
fn worth_retrying(err: &GqlError) -> bool {
    err.is_retryable() || err.is_internal()
}

async fn complete(ctx: &Ctx, agent: Uuid, lease: &Lease) {
    let (task, attempt) = (lease.task, lease.attempt);
    let output = json!({ "agent": agent, "attempt": attempt });
    ctx.ledger.completing(task, attempt, &output);
    let variables = json!({ "id": task, "token": lease.token, "output": output });
    let answer = ctx
        .gql
        .call_retrying(
            &ctx.recorder,
            QueueOp::Complete,
            COMPLETE,
            &variables,
            ctx.config.retry_budget,
            worth_retrying,
        )
        .await;
    match answer {
        Ok(answer) => {
            let done = &answer.data["completeTask"];
            if done["status"] != "COMPLETED" || done["agentId"] != json!(agent) {
                ctx.ledger.violation(
                    Rule::Answer,
                    format!(
                        "completeTask of task {task} (attempt {attempt}, {}) answered {done}",
                        Tries(answer.tries)
                    ),
                );
            }
            ctx.ledger.completed(task, attempt, agent);
        }
        Err(err) if err.is_stale_token() => ctx.ledger.ended(task, attempt, End::LeaseLost),
        Err(err) => ctx
            .ledger
            .ended(task, attempt, End::Unknown(format!("completeTask: {err}"))),
    }
}

async fn fail(ctx: &Ctx, lease: &Lease, retry: bool, error: &str) {
    let (task, attempt) = (lease.task, lease.attempt);
    let variables = json!({ "id": task, "token": lease.token, "error": error, "retry": retry });
    let answer = ctx
        .gql
        .call_retrying(
            &ctx.recorder,
            QueueOp::Fail,
            FAIL,
            &variables,
            ctx.config.retry_budget,
            worth_retrying,
        )
        .await;
    match answer {
        Ok(answer) => {
            let failed = &answer.data["failTask"];
            let requeued = retry && attempt < lease.max_attempts;
            // A retry after a lost answer returns the task as it is now,
            // which another agent may have claimed again since.
            let allowed: &[&str] = match (requeued, answer.tries) {
                (false, _) => &["FAILED"],
                (true, 1) => &["PENDING"],
                (true, _) => &["PENDING", "RUNNING", "COMPLETED", "FAILED"],
            };
            let status = failed["status"].as_str().unwrap_or("");
            let error_kept = answer.tries > 1 || failed["error"] == error;
            if !allowed.contains(&status) || !error_kept {
                ctx.ledger.violation(Rule::Answer, format!(
                    "failTask(retry: {retry}) of task {task} at attempt {attempt} of {} ({}) answered {failed}",
                    lease.max_attempts,
                    Tries(answer.tries)
                ));
            }
            ctx.ledger.failed(task, attempt, requeued);
        }
        Err(err) if err.is_stale_token() => ctx.ledger.ended(task, attempt, End::LeaseLost),
        Err(err) => ctx
            .ledger
            .ended(task, attempt, End::Unknown(format!("failTask: {err}"))),
    }
}

pub(crate) fn time_of(value: &Value) -> Option<DateTime<Utc>> {
    value
        .as_str()
        .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
        .map(|at| at.with_timezone(&Utc))
}
