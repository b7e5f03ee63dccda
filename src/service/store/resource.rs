//! What the storage machinery knows of a resource: its id and timestamp
//! columns, how a row (whole or partial) becomes its model, and how a
//! filter on it becomes SQL.

use std::hash::Hash;

use chrono::{DateTime, Utc};
use sea_orm::{
    Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, PrimaryKeyTrait, QueryResult,
    QuerySelect,
};
use uuid::Uuid;

use super::columns::Columns;
use crate::auth::Tenant;
use crate::error::{AppError, Result};

/// An entity that can be listed page by page.
pub(crate) trait Resource:
    EntityTrait<
        Model: FromQueryResult + Clone + Send + Sync,
        PrimaryKey: PrimaryKeyTrait<ValueType = Uuid>,
        Column: Into<u32>,
    >
{
    fn id_column() -> Self::Column;
    fn created_at_column() -> Self::Column;
    fn updated_at_column() -> Self::Column;
    fn version_column() -> Self::Column;
    /// The row's tenant: every statement on a resource names it (see
    /// [`in_tenant`]).
    fn tenant_column() -> Self::Column;
    fn id_of(model: &Self::Model) -> Uuid;
    fn created_at_of(model: &Self::Model) -> DateTime<Utc>;
    fn version_of(model: &Self::Model) -> i32;
    fn tenant_of(model: &Self::Model) -> &str;
    /// Moves `model` to `version`, changed at `at`.
    fn stamp(model: &mut Self::Model, version: i32, at: DateTime<Utc>);
    /// A model from a row that holds the id and `columns`; every other field
    /// gets a placeholder (see [`Columns::read`]).
    fn from_partial_row(row: &QueryResult, columns: Columns) -> Result<Self::Model, DbErr>;
    /// The column holding the field clients know as `name` (the contract's
    /// camelCase name), for reading only what a selection needs.
    fn column_named(name: &str) -> Option<&'static [Self::Column]>;
    /// The field clients know the column `column` as (the inverse of
    /// [`Resource::column_named`] for the type's own columns), for naming
    /// what a change changed.
    fn field_of(column: &str) -> Option<&'static str>;
    /// Columns no field shows (a lease's token): read with whole rows only.
    /// The projection's test skips them.
    #[cfg_attr(not(test), allow(dead_code))]
    fn hidden_columns() -> &'static [Self::Column] {
        &[]
    }
}

/// A filter on one resource, turned into a SQL condition. Hashable so that
/// requests with the same filter can share one batched query.
pub(crate) trait ResourceFilter:
    Clone + Eq + Hash + Default + Send + Sync + 'static
{
    type Entity: Resource;
    fn condition(&self) -> Condition;
}

pub(crate) fn not_found(what: &str, id: Uuid) -> AppError {
    AppError::NotFound(format!("{what} {id} does not exist"))
}

/// `tenant = ?` on `E`'s table, qualified so that it stays unambiguous in
/// joins: the condition every statement on a resource carries, so that a
/// caller's statements reach its own tenant's rows only. Another tenant's
/// row is then exactly as absent as one that does not exist.
pub(crate) fn in_tenant<E: Resource>(tenant: &Tenant) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait};
    Expr::col((E::default(), E::tenant_column())).eq(tenant.as_str())
}

/// `E`'s rows in `tenant`: where every read of a resource starts.
pub(crate) fn find_in<E: Resource>(tenant: &Tenant) -> sea_orm::Select<E> {
    use sea_orm::QueryFilter;
    E::find().filter(in_tenant::<E>(tenant))
}

/// The row `id` of `tenant`.
pub(crate) fn find_by_id_in<E: Resource>(tenant: &Tenant, id: Uuid) -> sea_orm::Select<E> {
    use sea_orm::{ColumnTrait, QueryFilter};
    find_in::<E>(tenant).filter(E::id_column().eq(id))
}

/// Fails with NOT_FOUND unless the row exists in `tenant` (used for parents
/// of a new row).
pub(crate) async fn ensure_exists<E: Resource>(
    db: &impl ConnectionTrait,
    tenant: &Tenant,
    id: Uuid,
    what: &str,
) -> Result<()> {
    let found = find_by_id_in::<E>(tenant, id)
        .select_only()
        .column(E::id_column())
        .into_tuple::<Uuid>()
        .one(db)
        .await?;
    found.map(|_| ()).ok_or_else(|| not_found(what, id))
}

/// `LOWER(column) LIKE LOWER('%needle%')` with the needle's wildcards
/// escaped. The database folds both sides, so a text always contains
/// itself: lowered in Rust (full Unicode) the needle missed names whose
/// letters the database folds otherwise (SQLite's `LOWER` folds ASCII
/// alone, PostgreSQL folds `İ` to `i` where Rust gives `i̇`).
pub(crate) fn contains_case_insensitive(
    column: impl sea_orm::ColumnTrait,
    needle: &str,
) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{BinOper, Expr, ExprTrait, Func};
    let mut escaped = String::with_capacity(needle.len() + 2);
    escaped.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    let pattern = Expr::Binary(
        Box::new(Func::lower(Expr::val(escaped)).into()),
        BinOper::Escape,
        Box::new(Expr::Constant('\\'.into())),
    );
    Expr::expr(Func::lower(Expr::col(column))).binary(BinOper::Like, pattern)
}

/// Implements [`Resource`] for `entity::$module`. Every resource has `id`,
/// `version`, `created_at` and `updated_at`; it lists each of its other
/// columns once, as `model_field: Column as "contractName"`: the one column
/// list of the type, from which partial rows are read and selections
/// projected. A column left out does not compile (the model would miss a
/// field), and `graphql::projection`'s test fails for a field of the
/// schema that names no column. Columns that no field shows follow in
/// `; hidden { model_field: Column, … }`.
macro_rules! resource {
    ($module:ident {
        $($field:ident: $column:ident as $name:literal),* $(,)?
        $(; hidden { $($hidden:ident: $hidden_column:ident),* $(,)? })?
    }) => {
        impl $crate::service::store::resource::Resource for entity::$module::Entity {
            fn id_column() -> entity::$module::Column {
                entity::$module::Column::Id
            }
            fn created_at_column() -> entity::$module::Column {
                entity::$module::Column::CreatedAt
            }
            fn updated_at_column() -> entity::$module::Column {
                entity::$module::Column::UpdatedAt
            }
            fn version_column() -> entity::$module::Column {
                entity::$module::Column::Version
            }
            fn tenant_column() -> entity::$module::Column {
                entity::$module::Column::Tenant
            }
            fn id_of(model: &entity::$module::Model) -> uuid::Uuid {
                model.id
            }
            fn created_at_of(model: &entity::$module::Model) -> chrono::DateTime<chrono::Utc> {
                model.created_at
            }
            fn version_of(model: &entity::$module::Model) -> i32 {
                model.version
            }
            fn tenant_of(model: &entity::$module::Model) -> &str {
                &model.tenant
            }
            fn stamp(
                model: &mut entity::$module::Model,
                version: i32,
                at: chrono::DateTime<chrono::Utc>,
            ) {
                model.version = version;
                model.updated_at = at;
            }
            fn column_named(name: &str) -> Option<&'static [entity::$module::Column]> {
                use entity::$module::Column;
                Some(match name {
                    "version" => &[Column::Version],
                    "createdAt" => &[Column::CreatedAt],
                    "updatedAt" => &[Column::UpdatedAt],
                    $($name => &[Column::$column],)*
                    _ => return None,
                })
            }
            fn field_of(column: &str) -> Option<&'static str> {
                use sea_orm::IdenStatic;
                $(if column == entity::$module::Column::$column.as_str() {
                    return Some($name);
                })*
                None
            }
            fn from_partial_row(
                row: &sea_orm::QueryResult,
                columns: $crate::service::store::columns::Columns,
            ) -> std::result::Result<entity::$module::Model, sea_orm::DbErr> {
                use entity::$module::Column;
                Ok(entity::$module::Model {
                    id: row.try_get("", "id")?,
                    tenant: columns.read(row, Column::Tenant)?,
                    version: columns.read(row, Column::Version)?,
                    created_at: columns.read(row, Column::CreatedAt)?,
                    updated_at: columns.read(row, Column::UpdatedAt)?,
                    $($field: columns.read(row, Column::$column)?,)*
                    $($($hidden: columns.read(row, Column::$hidden_column)?,)*)?
                })
            }
            fn hidden_columns() -> &'static [entity::$module::Column] {
                &[
                    entity::$module::Column::Tenant,
                    $($(entity::$module::Column::$hidden_column),*)?
                ]
            }
        }
    };
}
pub(crate) use resource;
