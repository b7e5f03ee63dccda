//! Live changes: the log the database writes (migration
//! `m20261202_000001_change_log`), read once per instance by the [`Hub`]
//! and fanned out to every subscription in memory.
//!
//! On PostgreSQL instances wake each other with LISTEN/NOTIFY
//! (`listener`); the notification carries nothing, the log is the truth, so
//! a lost notification only delays a change until the next one or a
//! reconnect. On SQLite the one instance wakes itself.

pub(crate) mod cursor;
pub(crate) mod history;
pub(crate) mod hub;
pub(crate) mod listener;
pub(crate) mod log;
mod snapshot;
pub(crate) mod waiters;
pub(crate) mod watch;

use std::collections::HashMap;
use std::sync::Arc;

use entity::{agent, goal, plan, task};
use uuid::Uuid;

pub(crate) use hub::Hub;

/// The kind of object a change is about (`change_log.resource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Resource {
    Agent = 1,
    Goal = 2,
    Plan = 3,
    Task = 4,
}

impl Resource {
    pub(crate) const ALL: [Resource; 4] = [Self::Agent, Self::Goal, Self::Plan, Self::Task];

    fn from_code(code: i16) -> Option<Self> {
        Self::ALL.into_iter().find(|r| *r as i16 == code)
    }

    fn index(self) -> usize {
        self as usize - 1
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChangeKind {
    Created = 1,
    Updated = 2,
    Deleted = 3,
}

impl ChangeKind {
    fn from_code(code: i16) -> Option<Self> {
        [Self::Created, Self::Updated, Self::Deleted]
            .into_iter()
            .find(|k| *k as i16 == code)
    }
}

/// One row of the change log.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub(crate) seq: i64,
    /// The changed row's tenant: only its callers hear of it.
    pub(crate) tenant: crate::auth::Tenant,
    pub(crate) resource: Resource,
    pub(crate) kind: ChangeKind,
    pub(crate) object_id: Uuid,
    /// The goal's agent, the plan's goal, the task's plan.
    pub(crate) parent_id: Option<Uuid>,
    /// A task's assignee after the change, and before it.
    pub(crate) agent_id: Option<Uuid>,
    pub(crate) old_agent_id: Option<Uuid>,
    pub(crate) version: i32,
    /// Microseconds since the epoch.
    pub(crate) at: i64,
    /// It may have made a task claimable (a task now PENDING, a plan now
    /// ACTIVE): parked claims look again.
    pub(crate) wakes: bool,
}

/// What one subscription wants to hear about: always within one tenant.
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    pub(crate) tenant: crate::auth::Tenant,
    pub(crate) resource: Resource,
    pub(crate) id: Option<Uuid>,
    pub(crate) parent_id: Option<Uuid>,
    /// Tasks assigned to this agent just before or just after the change.
    pub(crate) agent_id: Option<Uuid>,
}

impl Filter {
    pub(crate) fn matches(&self, change: &Change) -> bool {
        change.resource == self.resource
            && change.tenant == self.tenant
            && self.id.is_none_or(|id| change.object_id == id)
            && self.parent_id.is_none_or(|p| change.parent_id == Some(p))
            && self
                .agent_id
                .is_none_or(|a| change.agent_id == Some(a) || change.old_agent_id == Some(a))
    }
}

/// An object as it was read when its change was delivered.
#[derive(Debug, Clone)]
pub(crate) enum Object {
    Agent(agent::Model),
    Goal(goal::Model),
    Plan(plan::Model),
    Task(task::Model),
}

/// Changes read together, with the current state of the objects they name
/// (absent once deleted), shared by every subscription that hears them.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    pub(crate) changes: Vec<Change>,
    pub(crate) objects: HashMap<(Resource, Uuid), Arc<Object>>,
}

/// A change on its way to one subscriber.
#[derive(Debug, Clone)]
pub(crate) struct Delivered {
    pub(crate) change: Change,
    pub(crate) object: Option<Arc<Object>>,
}
