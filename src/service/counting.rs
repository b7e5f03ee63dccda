//! Counting tasks: a parent's tasks by status (`taskCounts`) and the
//! grouped statistics of a filter (`taskStats`), each one grouped
//! statement however many parents or groups there are.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{TaskStatus, plan, task};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Order};
use sea_orm::{
    ConnectionTrait, DbBackend, JoinType, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    RelationTrait,
};
use uuid::Uuid;

use super::store::resource::{ResourceFilter, find_in, in_tenant};
use super::tasks::TaskFilter;
use crate::auth::Tenant;
use crate::error::{AppError, Result};

/// How many of a parent's tasks are in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct StatusCounts {
    pub(crate) pending: u64,
    pub(crate) running: u64,
    pub(crate) completed: u64,
    pub(crate) failed: u64,
    pub(crate) cancelled: u64,
    pub(crate) blocked: u64,
}

impl StatusCounts {
    pub(crate) fn total(&self) -> u64 {
        self.pending + self.running + self.completed + self.failed + self.cancelled + self.blocked
    }

    fn add(&mut self, status: TaskStatus, n: u64) {
        let slot = match status {
            TaskStatus::Pending => &mut self.pending,
            TaskStatus::Running => &mut self.running,
            TaskStatus::Completed => &mut self.completed,
            TaskStatus::Failed => &mut self.failed,
            TaskStatus::Cancelled => &mut self.cancelled,
            TaskStatus::Blocked => &mut self.blocked,
        };
        *slot += n;
    }
}

/// Whose tasks are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CountsOf {
    /// The tasks assigned to an agent.
    Agent,
    /// The tasks of all of a goal's plans.
    Goal,
    /// A plan's tasks.
    Plan,
}

/// For each of `parents`, its tasks by status; a parent with none (or not
/// in `tenant`) is absent from the map.
pub(crate) async fn task_counts(
    db: &impl ConnectionTrait,
    tenant: &Tenant,
    of: CountsOf,
    parents: &[Uuid],
) -> Result<HashMap<Uuid, StatusCounts>> {
    if parents.is_empty() {
        return Ok(HashMap::new());
    }
    // COUNT(*), not of a column: PostgreSQL then needs no column of the
    // row, and an index-only scan serves it.
    let counted = Expr::cust("COUNT(*)");
    let status = Expr::col((task::Entity, task::Column::Status));
    let mut query = find_in::<task::Entity>(tenant).select_only();
    let parent = match of {
        CountsOf::Agent => Expr::col((task::Entity, task::Column::AgentId)),
        CountsOf::Plan => Expr::col((task::Entity, task::Column::PlanId)),
        CountsOf::Goal => {
            // Both sides compare the tenant: each side's index leads with it.
            query = query
                .join(JoinType::InnerJoin, task::Relation::Plan.def())
                .filter(in_tenant::<plan::Entity>(tenant));
            Expr::col((plan::Entity, plan::Column::GoalId))
        }
    };
    let rows: Vec<(Uuid, TaskStatus, i64)> = query
        .expr(parent.clone())
        .expr(status.clone())
        .expr(counted)
        .filter(parent.clone().is_in(parents.iter().copied()))
        .group_by(parent)
        .group_by(status)
        .into_tuple()
        .all(db)
        .await?;
    let mut counts: HashMap<Uuid, StatusCounts> = HashMap::with_capacity(parents.len());
    for (parent, status, n) in rows {
        counts
            .entry(parent)
            .or_default()
            .add(status, u64::try_from(n).unwrap_or(0));
    }
    Ok(counts)
}

/// A key `taskStats` groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum GroupKey {
    Status,
    Agent,
    TaskType,
    Plan,
}

impl GroupKey {
    fn column(self) -> task::Column {
        match self {
            Self::Status => task::Column::Status,
            Self::Agent => task::Column::AgentId,
            Self::TaskType => task::Column::TaskType,
            Self::Plan => task::Column::PlanId,
        }
    }
}

/// At most this many groups are answered: the largest ones.
pub(crate) const MAX_GROUPS: u64 = 1_000;

/// One group of `taskStats`: the keys grouped by (the others `None`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TaskGroup {
    pub(crate) status: Option<TaskStatus>,
    pub(crate) agent_id: Option<Uuid>,
    pub(crate) task_type: Option<String>,
    pub(crate) plan_id: Option<Uuid>,
    pub(crate) count: u64,
    pub(crate) oldest_created_at: DateTime<Utc>,
}

/// The tasks of `tenant` that `filter` matches, grouped by `keys` (1..=4,
/// distinct, checked by the caller): the largest groups first, ties in the
/// order of the keys, at most [`MAX_GROUPS`].
pub(crate) async fn task_stats(
    db: &impl ConnectionTrait,
    tenant: &Tenant,
    filter: &TaskFilter,
    keys: &[GroupKey],
) -> Result<Vec<TaskGroup>> {
    let backend = db.get_database_backend();
    let mut query = find_in::<task::Entity>(tenant)
        .select_only()
        .filter(filter.condition());
    for key in keys {
        query = query.column(key.column()).group_by(key.column());
    }
    query = query
        .expr_as(Expr::cust("COUNT(*)"), "group_count")
        .expr_as(
            Func::min(Expr::col(task::Column::CreatedAt)),
            "oldest_created_at",
        )
        .order_by(Expr::cust("group_count"), Order::Desc);
    for key in keys {
        query = order_by_key(query, *key, backend);
    }
    let statement = query.limit(MAX_GROUPS).build(backend);
    let rows = db.query_all_raw(statement).await?;
    rows.iter()
        .map(|row| {
            let get_uuid = |key: GroupKey, name: &str| -> Result<Option<Uuid>> {
                if keys.contains(&key) {
                    Ok(row.try_get::<Option<Uuid>>("", name)?)
                } else {
                    Ok(None)
                }
            };
            let status = if keys.contains(&GroupKey::Status) {
                let text: String = row.try_get("", "status")?;
                Some(parse_status(&text)?)
            } else {
                None
            };
            let task_type = if keys.contains(&GroupKey::TaskType) {
                row.try_get::<Option<String>>("", "task_type")?
            } else {
                None
            };
            let n: i64 = row.try_get("", "group_count")?;
            Ok(TaskGroup {
                status,
                agent_id: get_uuid(GroupKey::Agent, "agent_id")?,
                task_type,
                plan_id: get_uuid(GroupKey::Plan, "plan_id")?,
                count: u64::try_from(n).unwrap_or(0),
                oldest_created_at: oldest_of(row, backend)?,
            })
        })
        .collect()
}

/// Ties are ordered by each key in turn: statuses in the schema's order,
/// ids and strings ascending byte by byte on both backends, `null` last.
fn order_by_key(
    query: sea_orm::Select<task::Entity>,
    key: GroupKey,
    backend: DbBackend,
) -> sea_orm::Select<task::Entity> {
    match key {
        GroupKey::Status => {
            // The statuses are the enum's own constants, not input.
            let arms: String = SCHEMA_ORDER
                .iter()
                .enumerate()
                .map(|(rank, status)| format!(" WHEN '{}' THEN {rank}", status_text(*status)))
                .collect();
            query.order_by(Expr::cust(format!("CASE \"status\"{arms} END")), Order::Asc)
        }
        GroupKey::TaskType if backend == DbBackend::Postgres => {
            query.order_by(Expr::cust("\"task_type\" COLLATE \"C\""), Order::Asc)
        }
        GroupKey::Agent => query
            .order_by(Expr::col(task::Column::AgentId).is_null(), Order::Asc)
            .order_by(Expr::col(task::Column::AgentId), Order::Asc),
        other => query.order_by(Expr::col(other.column()), Order::Asc),
    }
}

/// The order the schema's `TaskStatus` enum lists the statuses in.
const SCHEMA_ORDER: [TaskStatus; 6] = [
    TaskStatus::Pending,
    TaskStatus::Running,
    TaskStatus::Completed,
    TaskStatus::Failed,
    TaskStatus::Cancelled,
    TaskStatus::Blocked,
];

fn status_text(status: TaskStatus) -> String {
    use sea_orm::ActiveEnum;
    status.to_value()
}

fn parse_status(text: &str) -> Result<TaskStatus> {
    SCHEMA_ORDER
        .into_iter()
        .find(|status| status_text(*status) == text)
        .ok_or_else(|| AppError::internal(&format!("unknown task status {text}")))
}

/// `min(created_at)`: the column's type on PostgreSQL; on SQLite the
/// stored text, which the driver reads as a time when it can.
fn oldest_of(row: &sea_orm::QueryResult, backend: DbBackend) -> Result<DateTime<Utc>> {
    match row.try_get::<DateTime<Utc>>("", "oldest_created_at") {
        Ok(at) => Ok(at),
        Err(err) if backend == DbBackend::Postgres => Err(err.into()),
        Err(_) => {
            let text: String = row.try_get("", "oldest_created_at")?;
            DateTime::parse_from_rfc3339(&text)
                .map(|at| at.with_timezone(&Utc))
                .map_err(|err| AppError::internal(&format!("unreadable time {text}: {err}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_add_every_status() {
        let mut counts = StatusCounts::default();
        for (index, status) in SCHEMA_ORDER.into_iter().enumerate() {
            counts.add(status, index as u64 + 1);
        }
        assert_eq!(counts.total(), 21);
        assert_eq!(counts.blocked, 6);
    }

    #[test]
    fn statuses_read_back_from_their_text() {
        for status in SCHEMA_ORDER {
            assert_eq!(parse_status(&status_text(status)).ok(), Some(status));
        }
        assert!(parse_status("NOPE").is_err());
    }
}
