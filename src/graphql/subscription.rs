//! The `Subscription` root: live changes of each kind of object, filtered,
//! resumable from a cursor. Delivery is `crate::changes`; this maps it to
//! the contract's types.

use std::sync::Arc;

use async_graphql::{Context, Enum, Object, Result, Subscription};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use uuid::Uuid;

use super::agent::Agent;
use super::db;
use super::errors::GqlResult;
use super::goal::Goal;
use super::plan::Plan;
use super::task::Task;
use crate::changes::{self, Delivered, Filter, Hub, Object as Changed, Resource, cursor};
use crate::error::AppError;

/// What happened to the object.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::changes::ChangeKind")]
pub(crate) enum ChangeKind {
    Created,
    Updated,
    Deleted,
}

/// How long changes are kept for `after` (the server's `--change-retention`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChangeRetention(pub std::time::Duration);

macro_rules! change_type {
    ($name:ident, $field:ident, $node:ident, $variant:ident, $what:literal) => {
        #[doc = concat!("A committed change of one ", $what, ".")]
        pub(crate) struct $name(Delivered);

        #[Object]
        impl $name {
            /// Pass as `after` to resume right after this change.
            async fn cursor(&self) -> String {
                cursor::encode(&self.0.change)
            }
            async fn kind(&self) -> ChangeKind {
                self.0.change.kind.into()
            }
            #[doc = concat!("The ", $what, "'s id.")]
            async fn id(&self) -> Uuid {
                self.0.change.object_id
            }
            /// The object's version after the change (for DELETED, its last).
            async fn version(&self) -> i32 {
                self.0.change.version
            }
            /// When the change committed.
            async fn at(&self) -> DateTime<Utc> {
                DateTime::from_timestamp_micros(self.0.change.at).unwrap_or_default()
            }
            #[doc = concat!("The ", $what, " as it is now; null once deleted.")]
            async fn $field(&self) -> Option<$node> {
                match self.0.object.as_deref() {
                    Some(Changed::$variant(model)) => Some($node(model.clone())),
                    _ => None,
                }
            }
        }
    };
}

change_type!(AgentChange, agent, Agent, Agent, "agent");
change_type!(GoalChange, goal, Goal, Goal, "goal");
change_type!(PlanChange, plan, Plan, Plan, "plan");
change_type!(TaskChange, task, Task, Task, "task");

#[derive(Default)]
pub(crate) struct SubscriptionRoot;

#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Changes of agents: one (`id`) or all.
    async fn agent_changed(
        &self,
        ctx: &Context<'_>,
        id: Option<Uuid>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = Result<AgentChange>> + use<>> {
        let filter = watching(ctx, Resource::Agent, id, None, None);
        start(ctx, filter, after, AgentChange).await
    }

    /// Changes of goals: one (`id`), an agent's (`agentId`), or all.
    async fn goal_changed(
        &self,
        ctx: &Context<'_>,
        id: Option<Uuid>,
        agent_id: Option<Uuid>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = Result<GoalChange>> + use<>> {
        let filter = watching(ctx, Resource::Goal, id, agent_id, None);
        start(ctx, filter, after, GoalChange).await
    }

    /// Changes of plans: one (`id`), a goal's (`goalId`), or all.
    async fn plan_changed(
        &self,
        ctx: &Context<'_>,
        id: Option<Uuid>,
        goal_id: Option<Uuid>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = Result<PlanChange>> + use<>> {
        let filter = watching(ctx, Resource::Plan, id, goal_id, None);
        start(ctx, filter, after, PlanChange).await
    }

    /// Changes of tasks: one (`id`), a plan's (`planId`), those assigned to
    /// an agent just before or after the change (`agentId`), or all.
    async fn task_changed(
        &self,
        ctx: &Context<'_>,
        id: Option<Uuid>,
        plan_id: Option<Uuid>,
        agent_id: Option<Uuid>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = Result<TaskChange>> + use<>> {
        let filter = watching(ctx, Resource::Task, id, plan_id, agent_id);
        start(ctx, filter, after, TaskChange).await
    }
}

/// The changes a subscriber watches: of `resource`, one (`id`), those
/// under a parent, those of an agent's tasks, or all.
fn watching(
    ctx: &Context<'_>,
    resource: Resource,
    id: Option<Uuid>,
    parent_id: Option<Uuid>,
    agent_id: Option<Uuid>,
) -> Filter {
    Filter {
        tenant: super::caller(ctx).tenant.clone(),
        resource,
        id,
        parent_id,
        agent_id,
    }
}

async fn start<T: Send + 'static>(
    ctx: &Context<'_>,
    filter: Filter,
    after: Option<String>,
    wrap: fn(Delivered) -> T,
) -> Result<impl Stream<Item = Result<T>> + use<T>> {
    let after = match after {
        None => None,
        Some(text) => Some(position_after(ctx, &text, "subscribe").gql(ctx)?),
    };
    let hub = ctx.data_unchecked::<Arc<Hub>>().clone();
    let stream = changes::watch::watch(hub, db(ctx).reader.clone(), filter, after)
        .await
        .gql(ctx)?;
    Ok(stream.map(move |item| item.map(wrap).map_err(super::errors::plain_error)))
}

/// The log position a cursor names, if it is this server's and retained;
/// else BAD_USER_INPUT on `after`, which tells to `start` again without it.
pub(crate) fn position_after(ctx: &Context<'_>, text: &str, start: &str) -> Result<i64, AppError> {
    let position = cursor::decode(text)
        .ok_or_else(|| AppError::invalid("after", "not a cursor of a change from this server"))?;
    let retention = ctx
        .data_opt::<ChangeRetention>()
        .map(|r| r.0)
        .unwrap_or(std::time::Duration::from_secs(24 * 3600));
    let oldest =
        Utc::now().timestamp_micros() - i64::try_from(retention.as_micros()).unwrap_or(i64::MAX);
    if position.at < oldest {
        return Err(AppError::invalid(
            "after",
            format!(
                "this cursor is older than the change retention ({}); {start} without `after`",
                humantime::format_duration(retention)
            ),
        ));
    }
    Ok(position.seq)
}
