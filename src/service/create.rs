//! Creating one object under its parents, with or without an idempotency
//! key, in as few round trips as the backend allows.
//!
//! Without a key a create is one `INSERT … SELECT … WHERE EXISTS (parent)`
//! in autocommit. With a key, PostgreSQL still takes one statement: the key
//! is claimed in a data-modifying CTE and the object inserted only from the
//! claim's row, so both or neither are written. SQLite has no such CTEs;
//! there the claim and the insert share a transaction on the one writer
//! connection.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, SelectStatement};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, ModelTrait, Statement, TransactionTrait,
};
use uuid::Uuid;

use super::idempotency::{self, Claim};
use super::page::Resource;
use super::{insert_under_parents, insert_where};
use crate::error::{AppError, Result};

/// What became of a create.
#[derive(Debug)]
pub enum Inserted {
    Created,
    /// The key had made this object already: nothing new was written.
    Replay(Uuid),
    /// A parent does not exist: nothing was written.
    ParentMissing,
}

/// Inserts `model` if its parents exist, remembering `claim` with it.
pub async fn insert_one<E: Resource>(
    db: &DatabaseConnection,
    model: &E::Model,
    parents: Vec<SelectStatement>,
    claim: Option<&Claim>,
    at: DateTime<Utc>,
) -> Result<Inserted>
where
    E::Model: ModelTrait<Entity = E>,
{
    let Some(claim) = claim else {
        return Ok(if insert_under_parents::<E>(db, model, parents).await? {
            Inserted::Created
        } else {
            Inserted::ParentMissing
        });
    };
    let id = E::id_of(model);
    let inserted = if db.get_database_backend() == DbBackend::Postgres {
        let statement = claimed_insert_postgres::<E>(model, claim, at, &parents)?;
        db.execute_raw(statement).await?.rows_affected() == 1
    } else {
        let txn = db.begin().await?;
        if idempotency::claim(&txn, claim, id, at, &parents).await? {
            // The claim found the parents in this same transaction.
            insert_under_parents::<E>(&txn, model, []).await?;
            txn.commit().await?;
            true
        } else {
            txn.rollback().await?;
            false
        }
    };
    if inserted {
        return Ok(Inserted::Created);
    }
    refused(db, claim).await
}

/// What a claim that inserted nothing means: a replay of the key's object,
/// or (the key being free) a missing parent.
pub async fn refused(db: &impl ConnectionTrait, claim: &Claim) -> Result<Inserted> {
    Ok(match idempotency::settle(db, claim).await? {
        Some(id) => Inserted::Replay(id),
        None => Inserted::ParentMissing,
    })
}

/// `WITH claimed AS (<claim> RETURNING …) INSERT … SELECT … WHERE EXISTS
/// (SELECT 1 FROM claimed)`: one statement, so one round trip and one commit.
fn claimed_insert_postgres<E: Resource>(
    model: &E::Model,
    claim: &Claim,
    at: DateTime<Utc>,
    parents: &[SelectStatement],
) -> Result<Statement>
where
    E::Model: ModelTrait<Entity = E>,
{
    let mut claiming = idempotency::claim_statement(claim, E::id_of(model), at, parents)?;
    claiming.returning_col(entity::idempotency_key::Column::ObjectId);
    let claiming = DbBackend::Postgres.build(&claiming);
    let insert = insert_where::<E>(model, [Expr::cust("EXISTS (SELECT 1 FROM claimed)")])?;
    let insert = DbBackend::Postgres.build(&insert);
    let mut values = claiming.values.map(|v| v.0).unwrap_or_default();
    let offset = values.len();
    values.extend(insert.values.map(|v| v.0).unwrap_or_default());
    let sql = format!(
        "WITH claimed AS ({}) {}",
        claiming.sql,
        shift_placeholders(&insert.sql, offset)
    );
    Ok(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        sea_orm::Values(values),
    ))
}

/// `$n` → `$(n + by)`. The statements come from the query builder, which
/// binds every value, so a `$` only ever starts a placeholder.
fn shift_placeholders(sql: &str, by: usize) -> String {
    let mut shifted = String::with_capacity(sql.len() + 16);
    let mut chars = sql.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        shifted.push(c);
        if c != '$' {
            continue;
        }
        let mut number = String::new();
        while let Some((_, digit)) = chars.next_if(|(_, d)| d.is_ascii_digit()) {
            number.push(digit);
        }
        match number.parse::<usize>() {
            Ok(n) => shifted.push_str(&(n + by).to_string()),
            Err(_) => shifted.push_str(&number),
        }
    }
    shifted
}

/// The object a key made, as it is now.
pub async fn replayed<E: Resource>(
    db: &impl ConnectionTrait,
    id: Uuid,
    what: &str,
) -> Result<E::Model> {
    E::find_by_id(id).one(db).await?.ok_or_else(|| {
        AppError::NotFound(format!(
            "the {what} this idempotency key created ({id}) has been deleted since"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::shift_placeholders;

    #[test]
    fn placeholders_move_past_the_ones_before_them() {
        assert_eq!(
            shift_placeholders(r#"INSERT INTO "t" SELECT $1, $2 WHERE $10 = $2"#, 5),
            r#"INSERT INTO "t" SELECT $6, $7 WHERE $15 = $7"#
        );
    }
}
