use sea_orm::entity::prelude::*;

/// A create remembered by its idempotency key, per caller, so that a retry
/// returns the object the first attempt made instead of making another.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant: String,
    /// The key's name or the token's `sub`; empty when credentials are off.
    #[sea_orm(primary_key, auto_increment = false)]
    pub caller: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// The mutation and a hash of its input, so a key reused for another
    /// input is told apart from a retry.
    pub request_hash: String,
    pub object_id: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
