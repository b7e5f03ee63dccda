//! `taskCounts` on agents, goals and plans, and the `taskStats` query.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Enum, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::connection::FilterInput;
use super::errors::GqlResult as _;
use super::loaders::{DbLoader, Loaders, off_request};
use super::node_list::Plain;
use super::pagination::{MAX_PAGE, page_complexity};
use super::task::{TaskFilter, TaskStatus};
use super::validate::Violations;
use crate::error::AppError;
use crate::service::counting::{self, CountsOf, GroupKey, StatusCounts};

/// How many tasks are in each status.
#[derive(SimpleObject, Clone, Copy, Default)]
pub(crate) struct TaskCounts {
    /// Every status together.
    total: u64,
    /// Waiting for their dependencies.
    blocked: u64,
    /// Waiting to be claimed or started.
    pending: u64,
    /// Being carried out.
    running: u64,
    /// Carried out.
    completed: u64,
    /// Failed for good.
    failed: u64,
    /// Abandoned.
    cancelled: u64,
}

impl From<StatusCounts> for TaskCounts {
    fn from(counts: StatusCounts) -> Self {
        Self {
            total: counts.total(),
            blocked: counts.blocked,
            pending: counts.pending,
            running: counts.running,
            completed: counts.completed,
            failed: counts.failed,
            cancelled: counts.cancelled,
        }
    }
}

/// The task counts of one parent; the parents of one kind asked for in a
/// wave share one grouped statement.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TaskCountsOf {
    of: CountsOf,
    parent: Uuid,
}

impl Loader<TaskCountsOf> for DbLoader {
    type Value = StatusCounts;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[TaskCountsOf],
    ) -> Result<HashMap<TaskCountsOf, StatusCounts>, AppError> {
        let mut by_kind: HashMap<CountsOf, Vec<Uuid>> = HashMap::new();
        for key in keys {
            by_kind.entry(key.of).or_default().push(key.parent);
        }
        let mut found = HashMap::with_capacity(keys.len());
        for (of, parents) in by_kind {
            let (db, tenant) = self.scope();
            let wanted = parents.clone();
            let span = crate::telemetry::spans::loader_batch("count tasks", "tasks", parents.len());
            let mut counts = off_request(span, async move {
                counting::task_counts(&db, &tenant, of, &wanted).await
            })
            .await?;
            for parent in parents {
                let value = counts.remove(&parent).unwrap_or_default();
                found.insert(TaskCountsOf { of, parent }, value);
            }
        }
        Ok(found)
    }
}

/// The counts of a request's parents that were read with their page (see
/// `projection::task_counts_selected`), for their `taskCounts` to answer
/// at once. A parent met elsewhere (by id, through a reference) is counted
/// through the loader instead. A subscription's loaders have none: they
/// serve every event of a long stream, and counts kept from one event
/// would be stale at the next.
pub(crate) struct Counted(Option<Mutex<HashMap<TaskCountsOf, StatusCounts>>>);

impl Counted {
    pub(crate) fn per_request() -> Self {
        Self(Some(Mutex::default()))
    }

    pub(crate) fn none() -> Self {
        Self(None)
    }

    /// Whether counts may be read ahead for this loader's requests.
    pub(crate) fn kept(&self) -> bool {
        self.0.is_some()
    }

    /// Keeps the counts of `parents`: those absent from `counts` have no task.
    pub(crate) fn keep(
        &self,
        of: CountsOf,
        parents: &[Uuid],
        counts: &HashMap<Uuid, StatusCounts>,
    ) {
        let Some(kept) = &self.0 else { return };
        let mut kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.reserve(parents.len());
        for &parent in parents {
            let value = counts.get(&parent).copied().unwrap_or_default();
            kept.insert(TaskCountsOf { of, parent }, value);
        }
    }

    fn get(&self, key: TaskCountsOf) -> Option<StatusCounts> {
        let kept = self
            .0
            .as_ref()?
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        kept.get(&key).copied()
    }
}

/// Reads the counts of `parents` (a page just read) into the request's
/// [`Counted`], when `of` says the page's selection asks for them.
pub(crate) async fn read_ahead(
    ctx: &Context<'_>,
    of: Option<CountsOf>,
    parents: &[Uuid],
) -> crate::error::Result<()> {
    let Some(of) = of else { return Ok(()) };
    let reader = super::reader(ctx);
    let counts = counting::task_counts(reader, &super::caller(ctx).tenant, of, parents).await?;
    let loaders = ctx.data_unchecked::<Loaders>();
    loaders.loader().counted.keep(of, parents, &counts);
    Ok(())
}

/// The `taskCounts` field of `parent`.
pub(crate) async fn task_counts(
    ctx: &Context<'_>,
    of: CountsOf,
    parent: Uuid,
) -> Result<Plain<TaskCounts>> {
    let loaders = ctx.data_unchecked::<Loaders>();
    let key = TaskCountsOf { of, parent };
    if let Some(counts) = loaders.loader().counted.get(key) {
        return Ok(Plain(counts.into()));
    }
    let counts = loaders.load_one(key).await.gql(ctx)?;
    Ok(Plain(counts.unwrap_or_default().into()))
}

/// A key `taskStats` groups tasks by.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum TaskGroupBy {
    /// The task's status.
    Status,
    /// The assignee (`null` for the unassigned tasks).
    Agent,
    /// The task's type.
    TaskType,
    /// The plan the task belongs to.
    Plan,
}

impl From<TaskGroupBy> for GroupKey {
    fn from(key: TaskGroupBy) -> Self {
        match key {
            TaskGroupBy::Status => Self::Status,
            TaskGroupBy::Agent => Self::Agent,
            TaskGroupBy::TaskType => Self::TaskType,
            TaskGroupBy::Plan => Self::Plan,
        }
    }
}

/// One group of tasks: the values of the keys grouped by (the other keys'
/// fields are null), how many tasks it holds and the oldest one's creation.
#[derive(SimpleObject)]
pub(crate) struct TaskGroup {
    /// The group's status, when grouped by STATUS.
    status: Option<TaskStatus>,
    /// The group's assignee, when grouped by AGENT (null for the unassigned).
    agent_id: Option<Uuid>,
    /// The group's task type, when grouped by TASK_TYPE.
    task_type: Option<String>,
    /// The group's plan, when grouped by PLAN.
    plan_id: Option<Uuid>,
    /// How many tasks the group holds.
    count: u64,
    /// When the group's oldest task was created.
    oldest_created_at: DateTime<Utc>,
}

impl From<counting::TaskGroup> for TaskGroup {
    fn from(group: counting::TaskGroup) -> Self {
        Self {
            status: group.status.map(Into::into),
            agent_id: group.agent_id,
            task_type: group.task_type,
            plan_id: group.plan_id,
            count: group.count,
            oldest_created_at: group.oldest_created_at,
        }
    }
}

#[derive(Default)]
pub(crate) struct StatsQuery;

#[Object]
impl StatsQuery {
    /// The tasks `filter` matches, grouped by 1 to 4 distinct keys: the
    /// largest groups first (equal counts ordered by the keys as given),
    /// at most the 1,000 largest. Charged in the complexity limit like a
    /// list of 100.
    #[graphql(complexity = "page_complexity(Some(MAX_PAGE), None, child_complexity)")]
    async fn task_stats(
        &self,
        ctx: &Context<'_>,
        filter: Option<TaskFilter>,
        group_by: Vec<TaskGroupBy>,
    ) -> Result<Vec<TaskGroup>> {
        let mut violations = Violations::under("");
        let filter = filter
            .map(|input| input.validate(&mut violations))
            .unwrap_or_default();
        if group_by.is_empty() {
            violations.add("groupBy", "must name at least one key");
        } else if group_by
            .iter()
            .enumerate()
            .any(|(index, key)| group_by[..index].contains(key))
        {
            violations.add("groupBy", "names a key twice");
        }
        violations.finish().gql(ctx)?;
        let keys: Vec<GroupKey> = group_by.into_iter().map(Into::into).collect();
        let groups = counting::task_stats(
            super::reader(ctx),
            &super::caller(ctx).tenant,
            &filter,
            &keys,
        )
        .await
        .gql(ctx)?;
        Ok(groups.into_iter().map(Into::into).collect())
    }
}
