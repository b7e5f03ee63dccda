use sea_orm::entity::prelude::*;

use crate::TaskStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "tasks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The tenant the row belongs to (a child is in its parent's); never shown.
    pub tenant: String,
    pub plan_id: Uuid,
    /// The assignee, if any.
    pub agent_id: Option<Uuid>,
    pub description: String,
    pub task_type: String,
    pub status: TaskStatus,
    #[sea_orm(column_type = "JsonBinary")]
    pub input_data: Json,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub output_data: Option<Json>,
    pub error: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    /// 0..=100; the higher is claimed first.
    pub priority: i32,
    /// The earliest time it may be claimed.
    pub run_at: DateTimeUtc,
    /// How many times it has been claimed.
    pub attempts: i32,
    pub max_attempts: i32,
    /// The claim that holds it (or last ended it); never shown but to the
    /// claimant, as its token.
    pub lease_token: Option<Uuid>,
    /// While RUNNING under a lease: when the lease ends.
    pub lease_expires_at: Option<DateTimeUtc>,
    /// The claim's lease length, the default of its heartbeats.
    pub lease_seconds: Option<i32>,
    /// Which call ended the lease of `lease_token` (see
    /// `service::queue::lease::Ending`), so a retry of that call is
    /// answered rather than refused.
    pub lease_ended_by: Option<i16>,
    /// Some task waits for it (it has dependents): its completion unblocks
    /// them in a transaction.
    pub awaited: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::plan::Entity",
        from = "Column::PlanId",
        to = "super::plan::Column::Id"
    )]
    Plan,
    #[sea_orm(
        belongs_to = "super::agent::Entity",
        from = "Column::AgentId",
        to = "super::agent::Column::Id"
    )]
    Agent,
}

impl Related<super::plan::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Plan.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Related<super::agent::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Agent.def()
    }
}

/// A column's position in declaration order, for compact sets of columns.
impl From<Column> for u32 {
    fn from(column: Column) -> u32 {
        column as u32
    }
}
