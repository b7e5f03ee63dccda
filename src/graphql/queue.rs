//! The work queue in GraphQL: claim, heartbeat, complete, fail, release.
//! The rules live in `service::queue`; the long poll's parking in
//! `changes::waiters`.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::Value as Json;
use uuid::Uuid;

use super::errors::GqlResult;
use super::task::Task;
use super::turn::Turn;
use super::validate::{DESCRIPTION_MAX, TASK_TYPE_MAX, Violations};
use crate::auth::Caller;
use crate::changes::waiters::Waiters;
use crate::service::access;
use crate::service::now;
use crate::service::queue::claim::{self, ClaimRequest};
use crate::service::queue::{Backoff, DEFAULT_LEASE_SECONDS, Lease, lease, measured};

/// What the queue's resolvers share: the retry backoff and this instance's
/// parked claims.
#[derive(Clone)]
pub(crate) struct Queue {
    pub(crate) backoff: Backoff,
    pub(crate) waiters: Arc<Waiters>,
}

const LEASE_SECONDS: std::ops::RangeInclusive<i32> = 5..=3600;
const WAIT_SECONDS: std::ops::RangeInclusive<i32> = 0..=30;
const LIMIT: std::ops::RangeInclusive<i32> = 1..=100;
const TASK_TYPES_MAX: usize = 20;

/// What an agent asks the queue for.
#[derive(InputObject)]
pub(crate) struct ClaimTasksInput {
    /// The claimant: an existing agent (NOT_FOUND) that is ACTIVE
    /// (BAD_USER_INPUT). Each claimed task is assigned to it.
    pub(crate) agent_id: Uuid,
    /// Only tasks of these types (1 to 20 of them); any type when absent.
    pub(crate) task_types: Option<Vec<String>>,
    /// Only tasks of this plan (NOT_FOUND when there is none).
    pub(crate) plan_id: Option<Uuid>,
    /// How many tasks at most, 1 to 100.
    #[graphql(default_with = "Some(1)")]
    pub(crate) limit: Option<i32>,
    /// The lease of each claimed task, 5 to 3600 seconds.
    #[graphql(default_with = "Some(60)")]
    pub(crate) lease_seconds: Option<i32>,
    /// When nothing is claimable: how long to wait for a task to become
    /// claimable (0 to 30 seconds), answering as soon as one does.
    #[graphql(default_with = "Some(0)")]
    pub(crate) wait_seconds: Option<i32>,
}

impl ClaimTasksInput {
    fn validate(self, caller: &Caller) -> crate::error::Result<(ClaimRequest, u32)> {
        // An explicit null is the default, as if the field were absent.
        let limit = self.limit.unwrap_or(1);
        let lease_seconds = self.lease_seconds.unwrap_or(DEFAULT_LEASE_SECONDS);
        let wait_seconds = self.wait_seconds.unwrap_or(0);
        let mut v = Violations::under("input");
        v.within("limit", Some(limit), LIMIT);
        v.within("leaseSeconds", Some(lease_seconds), LEASE_SECONDS);
        v.within("waitSeconds", Some(wait_seconds), WAIT_SECONDS);
        if let Some(types) = &self.task_types {
            if types.is_empty() || types.len() > TASK_TYPES_MAX {
                v.add(
                    "taskTypes",
                    format!("must hold 1 to {TASK_TYPES_MAX} values"),
                );
            }
            for (index, task_type) in types.iter().enumerate() {
                v.text(&format!("taskTypes.{index}"), task_type, TASK_TYPE_MAX);
            }
        }
        v.finish()?;
        let request = ClaimRequest {
            tenant: caller.tenant.clone(),
            agent_id: self.agent_id,
            task_types: self.task_types,
            plan_id: self.plan_id,
            limit: limit.unsigned_abs(),
            lease_seconds,
            actor: caller.name.clone(),
        };
        Ok((request, wait_seconds.unsigned_abs()))
    }
}

/// A claimed task and the lease it is held under.
#[derive(SimpleObject)]
#[graphql(name = "TaskLease")]
pub(crate) struct TaskLease {
    /// Opaque; every call about this lease passes it. Shown to the
    /// claimant only, here.
    token: String,
    /// When the lease ends unless a heartbeat moves it.
    expires_at: DateTime<Utc>,
    /// The task, RUNNING and assigned to the claimant.
    task: Task,
}

impl From<Lease> for TaskLease {
    fn from(lease: Lease) -> Self {
        Self {
            token: lease.token_text(),
            expires_at: lease.expires_at,
            task: Task(lease.task),
        }
    }
}

#[derive(Default)]
pub(crate) struct QueueMutation;

#[Object]
impl QueueMutation {
    /// Claims up to `limit` claimable tasks (PENDING, `runAt` come, plan
    /// ACTIVE), highest priority first, then earliest `runAt`, then oldest,
    /// each under a new lease. With `waitSeconds`, waits for work when there
    /// is none (a long poll) and returns `[]` if none came.
    async fn claim_tasks(
        &self,
        ctx: &Context<'_>,
        input: ClaimTasksInput,
    ) -> Result<Vec<TaskLease>> {
        let caller = super::caller(ctx);
        let (request, wait) = input.validate(caller).gql(ctx)?;
        access::may_claim_as(&super::db(ctx).writes, caller, request.agent_id)
            .await
            .gql(ctx)?;
        let leases = claim_or_wait(ctx, &request, wait).await.gql(ctx)?;
        Ok(leases.into_iter().map(TaskLease::from).collect())
    }

    /// Extends the lease to `leaseSeconds` from now (5 to 3600; default the
    /// claim's). Not a change: `version` stays as it is.
    async fn heartbeat_task(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        token: String,
        lease_seconds: Option<i32>,
    ) -> Result<TaskLease> {
        let mut v = Violations::under("");
        v.within("leaseSeconds", lease_seconds, LEASE_SECONDS);
        v.finish().gql(ctx)?;
        let lease = lease::heartbeat(
            super::db(ctx),
            super::caller(ctx),
            id,
            &token,
            lease_seconds,
        )
        .await
        .gql(ctx)?;
        Ok(lease.into())
    }

    /// COMPLETED, with `outputData` (a JSON object). The tasks waiting only
    /// for this one become PENDING in the same transaction.
    async fn complete_task(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        token: String,
        output_data: Option<Json>,
    ) -> Result<Task> {
        let mut v = Violations::under("");
        v.object("outputData", output_data.as_ref());
        v.finish().gql(ctx)?;
        let task = lease::complete(super::db(ctx), super::caller(ctx), id, &token, output_data)
            .await
            .gql(ctx)?;
        Ok(Task(task))
    }

    /// With `retry` and attempts left, PENDING again after a backoff;
    /// otherwise FAILED. `error` is kept either way.
    async fn fail_task(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        token: String,
        error: String,
        #[graphql(default_with = "Some(true)")] retry: Option<bool>,
    ) -> Result<Task> {
        let mut v = Violations::under("");
        v.text("error", &error, DESCRIPTION_MAX);
        v.finish().gql(ctx)?;
        let db = super::db(ctx);
        let backoff = ctx.data_unchecked::<Queue>().backoff;
        let retry = retry.unwrap_or(true);
        let caller = super::caller(ctx);
        let task = lease::fail(db, caller, id, &token, error, retry, &backoff)
            .await
            .gql(ctx)?;
        Ok(Task(task))
    }

    /// PENDING at once, for another claimant; this claim does not count
    /// in `attempts`.
    async fn release_task(&self, ctx: &Context<'_>, id: Uuid, token: String) -> Result<Task> {
        let task = lease::release(super::db(ctx), super::caller(ctx), id, &token)
            .await
            .gql(ctx)?;
        Ok(Task(task))
    }
}

/// Claims at once, or parks until a task it could take becomes claimable
/// (woken by `Waiters`, then trying again) or `wait` seconds pass.
/// Counted once per call, however many times a parked claim looked.
async fn claim_or_wait(
    ctx: &Context<'_>,
    request: &ClaimRequest,
    wait: u32,
) -> crate::error::Result<Vec<Lease>> {
    let leases = claim_or_park(ctx, request, wait).await?;
    measured::claimed(leases.len());
    Ok(leases)
}

async fn claim_or_park(
    ctx: &Context<'_>,
    request: &ClaimRequest,
    wait: u32,
) -> crate::error::Result<Vec<Lease>> {
    let db = super::db(ctx);
    let writes = &db.writes;
    let leases = claim::claim(db, request).await?;
    if !leases.is_empty() || wait == 0 {
        return Ok(leases);
    }
    let wait = Duration::from_secs(u64::from(wait));
    let deadline = tokio::time::Instant::now() + wait;
    let queue = ctx.data_unchecked::<Queue>();
    let turn = ctx.data_opt::<Arc<Turn>>();
    // Parked before looking again, so that no change after this look is missed.
    let ticket = queue
        .waiters
        .park(request.tenant.clone(), request.plan_id)
        .await;
    if let Some(turn) = turn {
        turn.extend(wait);
    }
    loop {
        let leases = claim::claim(db, request).await?;
        if !leases.is_empty() {
            return Ok(leases);
        }
        ticket.look_at(claim::next_run_at(writes, request, now()).await?);
        if let Some(turn) = turn {
            turn.step_aside();
        }
        let woken = ticket.woken(deadline).await;
        if let Some(turn) = turn {
            turn.resume().await;
        }
        if !woken {
            return Ok(Vec::new());
        }
    }
}
