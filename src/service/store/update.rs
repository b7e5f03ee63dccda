//! The versioned update every resource shares (lock the row, check the
//! version the caller expects, let the resource apply its changes, then an
//! UPDATE guarded by the version read), and the start of a delete.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::actor::{self, Actor};
use super::resource::{Resource, find_by_id_in, find_in, not_found};
use crate::auth::{Caller, Tenant};
use crate::db::{Pool, Transaction};
use crate::error::{AppError, Result};

/// Opens the update of `id`: its transaction and the row as it is, locked,
/// once the version the caller expects (if any) is the stored one.
pub(crate) async fn begin<E: Resource>(
    db: &Pool,
    tenant: &Tenant,
    id: Uuid,
    expected_version: Option<i32>,
    what: &str,
) -> Result<(Transaction, E::Model)> {
    let txn = db.begin().await?;
    let current = load_for_update::<E>(&txn, tenant, id, what).await?;
    check_version(expected_version, E::version_of(&current), what)?;
    Ok((txn, current))
}

/// Writes `next` over the row read at `read_version`, one version on and
/// changed at `at`, and commits: CONFLICT if another writer got there first.
pub(crate) async fn finish<E: Resource>(
    txn: Transaction,
    read_version: i32,
    next: E::Model,
    by: Actor<'_>,
    at: DateTime<Utc>,
    what: &str,
) -> Result<E::Model>
where
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    let next = write::<E>(&txn, read_version, next, by, at, what).await?;
    txn.commit().await?;
    Ok(next)
}

/// As [`finish`], leaving the transaction open for what the change causes.
/// The row records `by` as its last writer.
pub(crate) async fn write<E: Resource>(
    txn: &Transaction,
    read_version: i32,
    mut next: E::Model,
    by: Actor<'_>,
    at: DateTime<Utc>,
    what: &str,
) -> Result<E::Model>
where
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    E::stamp(&mut next, read_version + 1, at);
    // The row stays in the tenant it was read from.
    let updated = E::update_many()
        .set(next.clone().into_active_model().reset_all())
        .col_expr(actor::column(), actor::value(by))
        .filter(E::tenant_column().eq(E::tenant_of(&next)))
        .filter(E::id_column().eq(E::id_of(&next)))
        .filter(E::version_column().eq(read_version))
        .exec(txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(concurrent_change(what));
    }
    Ok(next)
}

/// Opens the delete of `id` in the caller's tenant (deleting is WRITE's
/// alone): its transaction, with the row locked, and how many children it
/// has (rows of `C` whose `child_column` names it). With children and
/// without `cascade` the delete is refused (CONFLICT).
pub(crate) async fn begin_delete<E: Resource, C: Resource>(
    db: &Pool,
    caller: &Caller,
    id: Uuid,
    what: &str,
    child_column: C::Column,
    children: &str,
    cascade: bool,
) -> Result<(Transaction, u64)> {
    crate::service::access::may_manage(caller, "delete")?;
    let tenant = &caller.tenant;
    let txn = db.begin().await?;
    load_for_update::<E>(&txn, tenant, id, what).await?;
    let count = find_in::<C>(tenant)
        .filter(child_column.eq(id))
        .count(&txn)
        .await?;
    if count > 0 && !cascade {
        return Err(AppError::Conflict(format!(
            "{what} {id} has {count} {children}(s); delete them first or pass cascade: true"
        )));
    }
    Ok((txn, count))
}

/// Reads the row a mutation is about to change, locking it on PostgreSQL so
/// concurrent updates serialise (SQLite has a single writer already).
pub(crate) async fn load_for_update<E: Resource>(
    txn: &Transaction,
    tenant: &Tenant,
    id: Uuid,
    what: &str,
) -> Result<E::Model> {
    find_by_id_in::<E>(tenant, id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| not_found(what, id))
}

/// `expectedVersion`, when given, must equal the stored version.
fn check_version(expected: Option<i32>, current: i32, what: &str) -> Result<()> {
    match expected {
        Some(expected) if expected != current => Err(AppError::Conflict(format!(
            "{what} is at version {current}, not the expected version {expected}"
        ))),
        _ => Ok(()),
    }
}

/// The update matched the row read a moment ago but not its version: another
/// writer got there first.
fn concurrent_change(what: &str) -> AppError {
    AppError::Conflict(format!(
        "{what} was changed concurrently; read it again and retry"
    ))
}
