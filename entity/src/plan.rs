use sea_orm::entity::prelude::*;

use crate::PlanStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "plans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The tenant the row belongs to (a child is in its parent's); never shown.
    pub tenant: String,
    pub goal_id: Uuid,
    pub description: String,
    pub status: PlanStatus,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::goal::Entity",
        from = "Column::GoalId",
        to = "super::goal::Column::Id"
    )]
    Goal,
    #[sea_orm(has_many = "super::task::Entity")]
    Task,
}

impl Related<super::goal::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Goal.def()
    }
}

impl Related<super::task::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Task.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// A column's position in declaration order, for compact sets of columns.
impl From<Column> for u32 {
    fn from(column: Column) -> u32 {
        column as u32
    }
}
