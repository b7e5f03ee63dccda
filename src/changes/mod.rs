//! Live changes: the log the database writes (migration
//! `m20261202_000001_change_log`), read once per instance by the [`Hub`]
//! and fanned out to every subscription in memory.
//!
//! On PostgreSQL instances wake each other with LISTEN/NOTIFY
//! (`listener`); the notification carries nothing, the log is the truth, so
//! a lost notification only delays a change until the next one or a
//! reconnect. On SQLite the one instance wakes itself.

pub mod cursor;
pub mod hub;
pub mod listener;
pub mod log;
mod snapshot;
pub mod watch;

use std::collections::HashMap;
use std::sync::Arc;

use entity::{agent, goal, plan, task};
use uuid::Uuid;

pub use hub::Hub;

/// The kind of object a change is about (`change_log.resource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    Agent = 1,
    Goal = 2,
    Plan = 3,
    Task = 4,
}

impl Resource {
    pub const ALL: [Resource; 4] = [Self::Agent, Self::Goal, Self::Plan, Self::Task];

    fn from_code(code: i16) -> Option<Self> {
        Self::ALL.into_iter().find(|r| *r as i16 == code)
    }

    fn index(self) -> usize {
        self as usize - 1
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
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
pub struct Change {
    pub seq: i64,
    pub resource: Resource,
    pub kind: ChangeKind,
    pub object_id: Uuid,
    /// The goal's agent, the plan's goal, the task's plan.
    pub parent_id: Option<Uuid>,
    /// A task's assignee after the change, and before it.
    pub agent_id: Option<Uuid>,
    pub old_agent_id: Option<Uuid>,
    pub version: i32,
    /// Microseconds since the epoch.
    pub at: i64,
}

/// What one subscription wants to hear about.
#[derive(Debug, Clone, Copy)]
pub struct Filter {
    pub resource: Resource,
    pub id: Option<Uuid>,
    pub parent_id: Option<Uuid>,
    /// Tasks assigned to this agent just before or just after the change.
    pub agent_id: Option<Uuid>,
}

impl Filter {
    pub fn matches(&self, change: &Change) -> bool {
        change.resource == self.resource
            && self.id.is_none_or(|id| change.object_id == id)
            && self.parent_id.is_none_or(|p| change.parent_id == Some(p))
            && self
                .agent_id
                .is_none_or(|a| change.agent_id == Some(a) || change.old_agent_id == Some(a))
    }
}

/// An object as it was read when its change was delivered.
#[derive(Debug, Clone)]
pub enum Object {
    Agent(agent::Model),
    Goal(goal::Model),
    Plan(plan::Model),
    Task(task::Model),
}

/// Changes read together, with the current state of the objects they name
/// (absent once deleted), shared by every subscription that hears them.
#[derive(Debug, Default)]
pub struct Batch {
    pub changes: Vec<Change>,
    pub objects: HashMap<(Resource, Uuid), Arc<Object>>,
}

/// A change on its way to one subscriber.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub change: Change,
    pub object: Option<Arc<Object>>,
}
