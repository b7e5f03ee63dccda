//! Handing out work: one statement finds the claimable tasks in claim
//! order and takes them under a new lease.
//!
//! On PostgreSQL the candidates are locked `FOR UPDATE SKIP LOCKED`, so
//! claimants never wait on each other's rows and never get the same one:
//! a row another claim has locked is passed over, and one it has taken
//! meanwhile is no longer PENDING when re-read under the lock. On SQLite
//! the statement runs on the one writer connection, so claims take turns.
//! The walk is the partial index `idx_tasks_claim` (PENDING tasks by
//! priority, run_at, id), stopping after `limit` takeable rows.

use chrono::{DateTime, Utc};
use entity::{AgentStatus, agent, plan, task};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, QuerySelect, Statement};
use uuid::Uuid;

use super::sql::Sql;
use super::{Clock, Lease};
use crate::auth::Tenant;
use crate::db::Db;
use crate::error::{AppError, Result};
use crate::service::store::resource::{find_by_id_in, not_found};

/// What a claimant asks for.
#[derive(Debug, Clone)]
pub(crate) struct ClaimRequest {
    /// Claims never cross tenants: the agent, the plan and the tasks are
    /// the caller's tenant's.
    pub(crate) tenant: Tenant,
    pub(crate) agent_id: Uuid,
    /// Any type when `None`.
    pub(crate) task_types: Option<Vec<String>>,
    pub(crate) plan_id: Option<Uuid>,
    pub(crate) limit: u32,
    pub(crate) lease_seconds: i32,
    /// Who claims (the caller's name), recorded on the tasks it takes.
    pub(crate) actor: Option<String>,
}

/// Claims up to `limit` claimable tasks for the agent, in claim order.
/// Empty when nothing is claimable; an unknown agent or plan is NOT_FOUND
/// and an agent that is not ACTIVE is BAD_USER_INPUT (both found out only
/// when nothing was claimed: the claim itself requires an ACTIVE agent).
pub(crate) async fn claim(db: &Db, request: &ClaimRequest) -> Result<Vec<Lease>> {
    let span = crate::telemetry::spans::claim(request.limit);
    let claimed = tracing::Instrument::instrument(claim_in_span(db, request), span.clone()).await;
    if let Ok(leases) = &claimed {
        span.record("agentgraph.claim.claimed", leases.len());
    }
    claimed
}

async fn claim_in_span(db: &Db, request: &ClaimRequest) -> Result<Vec<Lease>> {
    let token = super::new_token()?;
    let (clock, turn) = super::clock(db).await;
    let statement = statement(db.backend(), request, token, &clock);
    let rows = db.writes.query_all_raw(statement).await;
    drop(turn);
    let db = &db.writes;
    let rows = rows?;
    let mut tasks = rows
        .iter()
        .map(|row| task::Model::from_query_result(row, ""))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if tasks.is_empty() {
        why_nothing(db, request).await?;
        return Ok(Vec::new());
    }
    // RETURNING follows no order.
    tasks.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then(a.run_at.cmp(&b.run_at))
            .then(a.id.cmp(&b.id))
    });
    Ok(tasks
        .into_iter()
        .map(|task| Lease {
            token,
            expires_at: task.lease_expires_at.unwrap_or(task.updated_at),
            task,
        })
        .collect())
}

/// The claim as one statement.
fn statement(backend: DbBackend, request: &ClaimRequest, token: Uuid, clock: &Clock) -> Statement {
    let mut sql = Sql::new(backend);
    // One reading of the clock for the whole statement.
    let now = match clock {
        Clock::Database => "(SELECT at FROM clock)".to_owned(),
        Clock::At(_) => clock.sql(&mut sql),
    };
    let agent = sql.bind(request.agent_id);
    let (tenant, conditions) = narrowing(&mut sql, request);
    let limit = sql.bind(i64::from(request.limit));
    let token = sql.bind(token);
    let lease_seconds = sql.bind(request.lease_seconds);
    let actor = sql.bind(request.actor.clone());
    let expires = match clock {
        Clock::Database => format!("{now} + make_interval(secs => {lease_seconds})"),
        Clock::At(at) => sql.bind(super::later(*at, super::seconds(request.lease_seconds))),
    };
    let candidates = format!(
        "SELECT t.id FROM tasks t
         WHERE t.tenant = {tenant} AND t.status = 'PENDING' AND t.run_at <= {now}{conditions}
           AND EXISTS (SELECT 1 FROM plans p
                       WHERE p.tenant = {tenant} AND p.id = t.plan_id AND p.status = 'ACTIVE')
           AND EXISTS (SELECT 1 FROM agents a
                       WHERE a.tenant = {tenant} AND a.id = {agent} AND a.status = 'ACTIVE')
         ORDER BY t.priority DESC, t.run_at, t.id
         LIMIT {limit}"
    );
    let set = format!(
        "status = 'RUNNING', agent_id = {agent}, attempts = attempts + 1,
         started_at = {now}, completed_at = NULL,
         lease_token = {token}, lease_expires_at = {expires}, lease_seconds = {lease_seconds},
         lease_ended_by = NULL, version = version + 1, updated_at = {now}, actor = {actor}"
    );
    let text = match backend {
        DbBackend::Postgres => format!(
            "WITH clock AS MATERIALIZED (SELECT {} AS at),
                  picked AS ({candidates} FOR UPDATE OF t SKIP LOCKED)
             UPDATE tasks SET {set} FROM picked WHERE tasks.id = picked.id RETURNING tasks.*",
            super::DATABASE_NOW
        ),
        _ => format!("UPDATE tasks SET {set} WHERE id IN ({candidates}) RETURNING *"),
    };
    sql.finish(text)
}

/// The tenant's placeholder and the conditions on the tasks' plan and type
/// that a claim and its next `runAt` share.
fn narrowing(sql: &mut Sql, request: &ClaimRequest) -> (String, String) {
    let tenant = sql.bind(request.tenant.as_str());
    let mut conditions = String::new();
    if let Some(plan_id) = request.plan_id {
        conditions.push_str(&format!(" AND t.plan_id = {}", sql.bind(plan_id)));
    }
    if let Some(types) = &request.task_types {
        let types = sql.bind_list(types.iter().cloned());
        conditions.push_str(&format!(" AND t.task_type IN ({types})"));
    }
    (tenant, conditions)
}

/// Nothing was claimed: an error if the agent or plan named is at fault.
async fn why_nothing(db: &impl ConnectionTrait, request: &ClaimRequest) -> Result<()> {
    let status: Option<AgentStatus> =
        find_by_id_in::<agent::Entity>(&request.tenant, request.agent_id)
            .select_only()
            .column(agent::Column::Status)
            .into_tuple()
            .one(db)
            .await?;
    match status {
        None => return Err(not_found("agent", request.agent_id)),
        Some(AgentStatus::Active) => {}
        Some(_) => {
            return Err(AppError::invalid(
                "input.agentId",
                format!(
                    "agent {} is not ACTIVE; only active agents claim tasks",
                    request.agent_id
                ),
            ));
        }
    }
    if let Some(plan_id) = request.plan_id {
        crate::service::store::resource::ensure_exists::<plan::Entity>(
            db,
            &request.tenant,
            plan_id,
            "plan",
        )
        .await?;
    }
    Ok(())
}

/// The earliest future `run_at` among PENDING tasks of ACTIVE plans that
/// `request` could take: when a parked claim should look again by itself.
pub(crate) async fn next_run_at(
    db: &impl ConnectionTrait,
    request: &ClaimRequest,
    at: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    let mut sql = Sql::new(db.get_database_backend());
    let now = sql.bind(at);
    let (tenant, conditions) = narrowing(&mut sql, request);
    let statement = sql.finish(format!(
        "SELECT t.run_at FROM tasks t
         WHERE t.tenant = {tenant} AND t.status = 'PENDING' AND t.run_at > {now}{conditions}
           AND EXISTS (SELECT 1 FROM plans p
                       WHERE p.tenant = {tenant} AND p.id = t.plan_id AND p.status = 'ACTIVE')
         ORDER BY t.run_at LIMIT 1"
    ));
    let row = db.query_one_raw(statement).await?;
    Ok(match row {
        Some(row) => Some(row.try_get("", "run_at")?),
        None => None,
    })
}
