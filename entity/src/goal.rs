use sea_orm::entity::prelude::*;

use crate::GoalStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "goals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The tenant the row belongs to (a child is in its parent's); never shown.
    pub tenant: String,
    pub agent_id: Uuid,
    pub description: String,
    /// A JSON array of strings.
    #[sea_orm(column_type = "JsonBinary")]
    pub success_criteria: Json,
    pub priority: i32,
    pub status: GoalStatus,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::agent::Entity",
        from = "Column::AgentId",
        to = "super::agent::Column::Id"
    )]
    Agent,
    #[sea_orm(has_many = "super::plan::Entity")]
    Plan,
}

impl Related<super::agent::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Agent.def()
    }
}

impl Related<super::plan::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Plan.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// A column's position in declaration order, for compact sets of columns.
impl From<Column> for u32 {
    fn from(column: Column) -> u32 {
        column as u32
    }
}
