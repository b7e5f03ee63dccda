//! Idempotency keys: a create that carries one remembers it, with a hash of
//! its request, in the same transaction (or the same statement) as the
//! object it makes, so a retry finds the object and makes no second one.
//!
//! Claiming a key is `INSERT … ON CONFLICT DO NOTHING`. Two requests racing
//! with one key serialise on that row: on PostgreSQL the second insert waits
//! for the first transaction to end and then sees its row; on SQLite every
//! write already goes through the one writer connection.

use chrono::{DateTime, Utc};
use entity::idempotency_key::{self, Column};
use sea_orm::sea_query::{
    Asterisk, Expr, ExprTrait, InsertStatement, OnConflict, Query, SelectStatement,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement, Value,
};
use uuid::Uuid;

use crate::auth::Tenant;
use crate::error::{AppError, Result};

/// A key offered with a create.
#[derive(Debug, Clone)]
pub(crate) struct Claim {
    /// Keys are per tenant and caller.
    pub(crate) tenant: Tenant,
    /// The key's name or the token's `sub`; empty when credentials are off
    /// (then all callers share keys).
    pub(crate) caller: String,
    pub(crate) key: String,
    /// The mutation and a hash of its input (see the GraphQL layer).
    pub(crate) request_hash: String,
}

/// The statement that remembers `claim` for `object_id`, if every parent
/// exists and the key is new; it inserts one row or none.
pub(crate) fn claim_statement(
    claim: &Claim,
    object_id: Uuid,
    at: DateTime<Utc>,
    parents: &[SelectStatement],
) -> Result<InsertStatement> {
    claims_statement(claim_values(claim, object_id, at, parents))
}

/// The row `claim` adds for `object_id` when every parent exists, for
/// [`claims_statement`].
fn claim_values(
    claim: &Claim,
    object_id: Uuid,
    at: DateTime<Utc>,
    parents: &[SelectStatement],
) -> SelectStatement {
    let mut values = Query::select();
    values.exprs(claim_row(claim, object_id, at).into_iter().map(Expr::val));
    // SQLite reads `SELECT … ON CONFLICT` as a join without a WHERE clause.
    values.and_where(Expr::val(1).eq(1));
    for parent in parents {
        values.and_where(Expr::exists(parent.clone()));
    }
    values
}

/// The values of the row `claim` adds for `object_id`, in the order of
/// [`claims_statement`]'s columns.
pub(crate) fn claim_row(claim: &Claim, object_id: Uuid, at: DateTime<Utc>) -> Vec<Value> {
    vec![
        claim.tenant.as_str().into(),
        claim.caller.clone().into(),
        claim.key.clone().into(),
        claim.request_hash.clone().into(),
        object_id.into(),
        at.into(),
    ]
}

/// `INSERT INTO idempotency_key … <values> ON CONFLICT DO NOTHING`: the
/// rows of `values` whose key is new go in, the others are skipped (a key
/// offered twice in one statement goes in once).
pub(crate) fn claims_statement(values: SelectStatement) -> Result<InsertStatement> {
    Ok(Query::insert()
        .into_table(idempotency_key::Entity)
        .columns([
            Column::Tenant,
            Column::Caller,
            Column::Key,
            Column::RequestHash,
            Column::ObjectId,
            Column::CreatedAt,
        ])
        .select_from(values)
        .map_err(|err| AppError::internal(&err))?
        .on_conflict(
            OnConflict::columns([Column::Tenant, Column::Caller, Column::Key])
                .do_nothing()
                .to_owned(),
        )
        .to_owned())
}

/// The ids of the objects whose `claims` were remembered earlier in the
/// same transaction (SQLite, where claims and objects are two statements):
/// `SELECT object_id … WHERE (tenant, caller, key) IN (VALUES …)`. A key
/// taken before holds an older object's id, which no new object has.
pub(crate) fn claimed_in_transaction<'a>(
    claims: impl IntoIterator<Item = &'a Claim>,
) -> SelectStatement {
    let offered = claims.into_iter().map(|claim| {
        (
            claim.tenant.as_str().to_owned(),
            claim.caller.clone(),
            claim.key.clone(),
        )
    });
    Query::select()
        .column(Column::ObjectId)
        .from(idempotency_key::Entity)
        .and_where(
            Expr::tuple([
                Expr::col(Column::Tenant),
                Expr::col(Column::Caller),
                Expr::col(Column::Key),
            ])
            .in_subquery(
                Query::select()
                    .column(Asterisk)
                    .from_values(offered, "offered")
                    .to_owned(),
            ),
        )
        .to_owned()
}

/// Remembers `claim` inside a transaction; false when the key was taken or
/// a parent is missing (then see [`settle`]).
pub(crate) async fn claim(
    txn: &impl ConnectionTrait,
    claim: &Claim,
    object_id: Uuid,
    at: DateTime<Utc>,
    parents: &[SelectStatement],
) -> Result<bool> {
    let statement = claim_statement(claim, object_id, at, parents)?;
    Ok(txn.execute(&statement).await?.rows_affected() == 1)
}

/// After a claim that inserted nothing: the object the key made, when the
/// key was taken by this same request; `None` when the key is free (so the
/// claim failed for a missing parent).
pub(crate) async fn settle(db: &impl ConnectionTrait, claim: &Claim) -> Result<Option<Uuid>> {
    let remembered = idempotency_key::Entity::find()
        .filter(Column::Tenant.eq(claim.tenant.as_str()))
        .filter(Column::Caller.eq(claim.caller.as_str()))
        .filter(Column::Key.eq(claim.key.as_str()))
        .one(db)
        .await?;
    match remembered {
        None => Ok(None),
        Some(row) if row.request_hash == claim.request_hash => Ok(Some(row.object_id)),
        Some(_) => Err(AppError::conflict_at(
            "input.idempotencyKey",
            "this idempotency key was used for a different request; use a new key",
        )),
    }
}

/// Forgets keys remembered before `before`; returns how many.
pub(crate) async fn prune(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(idempotency_key::Entity::delete_many()
            .filter(Expr::cust(crate::db::EVERY_TENANT))
            .filter(Column::CreatedAt.lt(before))
            .exec(db)
            .await?
            .rows_affected);
    }
    // SQLite has no index on `created_at` (see the migration that dropped
    // it): keys go in in rowid order, so the expired ones come first. Each
    // slice deletes the rows before the first unexpired key, scanning only
    // those; `created_at < before` keeps any out-of-order young key.
    let mut pruned = 0;
    loop {
        let deleted = db
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "DELETE FROM idempotency_keys WHERE /* every tenant */ created_at < ?1 \
                 AND rowid < coalesce( \
                   (SELECT rowid FROM idempotency_keys WHERE created_at >= ?1 ORDER BY rowid LIMIT 1), \
                   (SELECT max(rowid) + 1 FROM idempotency_keys)) \
                 AND rowid < (SELECT min(rowid) FROM idempotency_keys) + ?2",
                [before.into(), PRUNE_SLICE.into()],
            ))
            .await?
            .rows_affected();
        pruned += deleted;
        if deleted == 0 {
            return Ok(pruned);
        }
    }
}

/// Keys deleted per statement on SQLite, so that pruning a backlog does
/// not hold the one writer for long.
const PRUNE_SLICE: i64 = 5000;
