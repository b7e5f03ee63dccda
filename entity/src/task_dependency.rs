use sea_orm::entity::prelude::*;

/// An edge of a plan's task graph: `task_id` waits for `depends_on_id`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "task_dependencies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub task_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub depends_on_id: Uuid,
    /// Where the dependency stands in the list it was given in.
    pub position: i32,
    /// The tasks' tenant.
    pub tenant: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
