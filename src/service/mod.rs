//! Business rules and storage: one module per resource, plain async
//! functions over sea-orm connections. Knows nothing of GraphQL.
//!
//! Every mutation runs in one transaction; reads take the reader pool and
//! writes the writer (see `db`).

pub mod agents;
pub mod bounds;
pub mod children;
pub mod columns;
pub mod create;
pub mod goals;
pub mod group_commit;
pub mod idempotency;
pub mod order;
pub mod page;
pub mod plans;
mod sqlite_transaction;
pub mod tasks;
pub mod trees;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::sea_query::{Expr, InsertStatement, Query, SelectStatement};
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, Iterable, ModelTrait, QuerySelect, QueryTrait,
};
use uuid::Uuid;

use crate::error::{AppError, Result};
use page::Resource;

/// The current time at the precision both backends store (microseconds), so
/// what a mutation returns equals what a later read returns.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Reads the row a mutation is about to change, locking it on PostgreSQL so
/// concurrent updates serialise (SQLite has a single writer already).
pub async fn load_for_update<E: Resource>(
    txn: &DatabaseTransaction,
    id: Uuid,
    what: &str,
) -> Result<E::Model> {
    E::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| not_found(what, id))
}

pub fn not_found(what: &str, id: Uuid) -> AppError {
    AppError::NotFound(format!("{what} {id} does not exist"))
}

/// `expectedVersion`, when given, must equal the stored version.
pub fn check_version(expected: Option<i32>, current: i32, what: &str) -> Result<()> {
    match expected {
        Some(expected) if expected != current => Err(AppError::Conflict(format!(
            "{what} is at version {current}, not the expected version {expected}"
        ))),
        _ => Ok(()),
    }
}

/// Fails with NOT_FOUND unless the row exists (used for parents of a new row).
pub async fn ensure_exists<E: Resource>(
    db: &impl ConnectionTrait,
    id: Uuid,
    what: &str,
) -> Result<()> {
    let found = E::find_by_id(id)
        .select_only()
        .column(E::id_column())
        .into_tuple::<Uuid>()
        .one(db)
        .await?;
    found.map(|_| ()).ok_or_else(|| not_found(what, id))
}

/// The `EXISTS` test for a parent row, for [`insert_under_parents`].
pub fn parent<E: Resource>(id: Uuid) -> SelectStatement {
    E::find_by_id(id)
        .select_only()
        .column(E::id_column())
        .into_query()
}

/// Inserts `model` only if every parent row exists, in one statement:
/// `INSERT … SELECT <values> WHERE EXISTS (parent) AND …`. A create is then a
/// single round trip in autocommit, where read-then-insert needed a
/// transaction and four, and a missing parent inserts nothing. Returns
/// whether the row went in.
pub async fn insert_under_parents<E: Resource>(
    db: &impl ConnectionTrait,
    model: &E::Model,
    parents: impl IntoIterator<Item = SelectStatement>,
) -> Result<bool>
where
    E::Model: ModelTrait<Entity = E>,
{
    let insert = insert_where::<E>(model, parents.into_iter().map(Expr::exists))?;
    Ok(db.execute(&insert).await?.rows_affected() == 1)
}

/// `INSERT INTO <E> (<every column>) SELECT <model's values> WHERE <conditions>`.
pub fn insert_where<E: Resource>(
    model: &E::Model,
    conditions: impl IntoIterator<Item = Expr>,
) -> Result<InsertStatement>
where
    E::Model: ModelTrait<Entity = E>,
{
    let columns: Vec<E::Column> = E::Column::iter().collect();
    let values = values_where::<E>(model, &columns, conditions);
    Ok(Query::insert()
        .into_table(E::default())
        .columns(columns)
        .select_from(values)
        .map_err(|err| AppError::internal(&err))?
        .to_owned())
}

/// `SELECT <model's values of columns> WHERE <conditions>`.
pub fn values_where<E: Resource>(
    model: &E::Model,
    columns: &[E::Column],
    conditions: impl IntoIterator<Item = Expr>,
) -> SelectStatement
where
    E::Model: ModelTrait<Entity = E>,
{
    let mut values = Query::select();
    values.exprs(columns.iter().map(|column| Expr::val(model.get(*column))));
    for condition in conditions {
        values.and_where(condition);
    }
    values
}

/// A create found a parent missing, yet a second look finds it: it was
/// deleted and the id reused in between, which UUIDv7 ids make all but
/// impossible. Reported as a conflict rather than guessed at.
pub fn parent_vanished(what: &str) -> AppError {
    AppError::Conflict(format!(
        "the parent of this {what} changed concurrently; retry"
    ))
}

/// The update matched the row read a moment ago but not its version: another
/// writer got there first.
pub fn concurrent_change(what: &str) -> AppError {
    AppError::Conflict(format!(
        "{what} was changed concurrently; read it again and retry"
    ))
}

pub fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

/// `LOWER(column) LIKE '%needle%'` with the needle's wildcards escaped, so both
/// backends match the same rows.
pub fn contains_case_insensitive(
    column: impl sea_orm::ColumnTrait,
    needle: &str,
) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
    let mut escaped = String::with_capacity(needle.len() + 2);
    escaped.push('%');
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    Expr::expr(Func::lower(Expr::col(column))).like(LikeExpr::new(escaped).escape('\\'))
}

/// A status change must follow the contract's transitions.
pub fn check_transition<S>(from: S, to: S) -> Result<()>
where
    S: entity::status::Transitions + sea_orm::ActiveEnum<Value = String>,
{
    if from.can_become(to) {
        Ok(())
    } else {
        Err(AppError::invalid(
            "input.status",
            format!(
                "status cannot change from {} to {}",
                from.to_value(),
                to.to_value()
            ),
        ))
    }
}
