//! The statements that write creates: one object under its parents, with
//! or without an idempotency key, in as few round trips as the backend
//! allows, and many such creates together when they arrive together (see
//! `group_commit`).
//!
//! Without a key a create is one `INSERT … SELECT … FROM (VALUES …) WHERE
//! EXISTS (parent)` in autocommit. With a key, PostgreSQL still takes one
//! statement: the key is claimed in a data-modifying CTE and the object
//! inserted only from the claim's row, so both or neither are written. SQLite has no such CTEs;
//! there the claim and the insert share a transaction on the one writer
//! connection. Creates written together are the same statements, their
//! objects `VALUES` lists: the unkeyed ones' filtered by their parents'
//! lookups row by row, the keyed ones' by the ids whose claims went in (the
//! CTE's rows on PostgreSQL, a lookup of the keys on SQLite), so a create
//! whose parent is missing or whose key is taken inserts no row while the
//! others do. The claims are a `VALUES` list tested the same way.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{
    Expr, ExprTrait, InsertStatement, Query, SelectStatement, UnionType, ValueTuple,
};
use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, IdenStatic, Iterable, ModelTrait, QueryResult, Statement,
};
use uuid::Uuid;

use super::idempotency::{self, Claim};
use super::{ParentTest, sqlite_transaction};
use crate::db::Connections;
use crate::error::Result;
use crate::service::store::resource::Resource;

/// What became of a create.
#[derive(Debug)]
pub(crate) enum Inserted {
    Created,
    /// The key had made this object already: nothing new was written.
    Replay(Uuid),
    /// A parent does not exist: nothing was written.
    ParentMissing,
}

/// What a claim that inserted nothing means: a replay of the key's object,
/// or (the key being free) a missing parent.
pub(crate) async fn refused(db: &impl ConnectionTrait, claim: &Claim) -> Result<Inserted> {
    Ok(match idempotency::settle(db, claim).await? {
        Some(id) => Inserted::Replay(id),
        None => Inserted::ParentMissing,
    })
}

/// A create waiting to be written.
pub(crate) struct Pending<E: Resource> {
    pub(crate) model: E::Model,
    /// `EXISTS` tests, one per parent.
    pub(crate) parents: Vec<ParentTest>,
    pub(crate) claim: Option<Claim>,
    pub(crate) at: DateTime<Utc>,
    /// Who creates it: each create of a group keeps its own caller's name.
    pub(crate) actor: Option<String>,
}

/// Writes one create by itself (a group of one); whether its row went in.
pub(crate) async fn write_alone<E: Resource>(db: &Connections, pending: &Pending<E>) -> Result<bool>
where
    E::Model: ModelTrait<Entity = E>,
{
    let inserted = write_together(db, std::slice::from_ref(pending)).await?;
    Ok(inserted.contains(&E::id_of(&pending.model)))
}

/// Writes `batch` as one statement (PostgreSQL, or SQLite without keys) or
/// one transaction of two (SQLite with keys): the ids of the rows that went
/// in. An error means nothing was written; when the database itself
/// rejected the statement (a unique value taken twice, say) the caller can
/// tell which create was at fault only by writing them one by one.
pub(crate) async fn write_together<E: Resource>(
    db: &Connections,
    batch: &[Pending<E>],
) -> std::result::Result<HashSet<Uuid>, DbErr>
where
    E::Model: ModelTrait<Entity = E>,
{
    let keyed: Vec<_> = batch
        .iter()
        .filter_map(|p| Some((p, p.claim.as_ref()?)))
        .collect();
    let claims = || {
        let rows = keyed.iter().map(|(p, claim)| {
            let row = idempotency::claim_row(claim, E::id_of(&p.model), p.at);
            (row, p.parents.as_slice())
        });
        union(rows_under_parents(rows)).map(idempotency::claims_statement)
    };
    if db.get_database_backend() == DbBackend::Postgres {
        let statement = match claims() {
            Some(claiming) => {
                let mut claiming = claiming.map_err(custom)?;
                claiming.returning_col(entity::idempotency_key::Column::ObjectId);
                let claimed = Query::select()
                    .column("object_id")
                    .from("claimed")
                    .to_owned();
                with_claimed(&claiming, &objects_statement(batch, Some(claimed))?)
            }
            None => DbBackend::Postgres.build(&objects_statement(batch, None)?),
        };
        return ids(db.query_all_raw(statement).await?);
    }
    let Some(claiming) = claims() else {
        return ids(db.query_all(&objects_statement(batch, None)?).await?);
    };
    // SQLite has no data-modifying CTEs, so the claims and the objects are
    // two statements of one transaction, sent as one command. An object
    // goes in only if its claim did, earlier in the same transaction.
    let claimed = idempotency::claimed_in_transaction(keyed.iter().map(|(_, claim)| *claim));
    let statements = [
        DbBackend::Sqlite.build(&claiming.map_err(custom)?),
        DbBackend::Sqlite.build(&objects_statement(batch, Some(claimed))?),
    ];
    ids(sqlite_transaction::query_all(db.pool(), statements).await?)
}

/// `INSERT INTO <E> (<every column>, actor) <rows> RETURNING id`, the rows
/// a `UNION ALL` of `VALUES` lists: the keyed creates' list, of which only
/// the rows whose id is among `claimed` go in (the objects whose claims
/// went in, earlier in the statement or the transaction), and the unkeyed
/// ones' (see [`unkeyed_rows`]). Lists rather than a branch per create keep
/// the plan the size of one, which PostgreSQL builds on every execution
/// (and plans anew each time behind a pooler, where nothing is prepared),
/// and the statement quick to build.
fn objects_statement<E: Resource>(
    batch: &[Pending<E>],
    claimed: Option<SelectStatement>,
) -> std::result::Result<InsertStatement, DbErr>
where
    E::Model: ModelTrait<Entity = E>,
{
    let columns: Vec<E::Column> = E::Column::iter().collect();
    let (keyed, unkeyed): (Vec<_>, Vec<_>) = batch.iter().partition(|p| p.claim.is_some());
    let keyed = match (keyed.is_empty(), claimed) {
        (true, _) => None,
        (false, Some(claimed)) => Some(claimed_rows::<E>(&keyed, &columns, claimed)?),
        (false, None) => return Err(custom("keyed creates without their claims")),
    };
    let rows = union(keyed.into_iter().chain(unkeyed_rows(&unkeyed, &columns)));
    insert_rows::<E>(columns, rows)
}

/// The values of `pending`'s row, its actor's last.
fn row_values<E: Resource>(
    pending: &Pending<E>,
    columns: &[E::Column],
) -> impl Iterator<Item = sea_orm::Value>
where
    E::Model: ModelTrait<Entity = E>,
{
    let actor = sea_orm::Value::from(pending.actor.clone());
    let values = columns.iter().map(|c| pending.model.get(*c));
    values.chain(std::iter::once(actor))
}

/// Both backends name a `VALUES` list's columns column1, column2, ….
fn created(n: usize) -> Expr {
    Expr::col(("created", format!("column{n}")))
}

/// The creates without keys, inserted where their parents exist.
fn unkeyed_rows<E: Resource>(unkeyed: &[&Pending<E>], columns: &[E::Column]) -> Vec<SelectStatement>
where
    E::Model: ModelTrait<Entity = E>,
{
    rows_under_parents(unkeyed.iter().map(|pending| {
        let row = row_values(pending, columns).collect();
        (row, pending.parents.as_slice())
    }))
}

/// Rows (of one width) selected only where their parents exist: a branch
/// per kind of parents (one, in a group of one resource from one tenant),
/// `SELECT created.column1, … FROM (VALUES (<row>, <parent ids>), …) AS
/// created WHERE EXISTS (<the first parent's lookup of its column>) AND …`.
/// A row whose parent is missing is not selected; the others are. One
/// lookup per parent whatever the number of rows, where a branch per row
/// had PostgreSQL plan every row's lookups on each execution whose plan is
/// not cached (all of them behind a pooler).
fn rows_under_parents<'a>(
    rows: impl IntoIterator<Item = (Vec<sea_orm::Value>, &'a [ParentTest])>,
) -> Vec<SelectStatement> {
    type Kind<'a> = Vec<(&'static str, &'a crate::auth::Tenant)>;
    let mut kinds: Vec<(Kind<'a>, &'a [ParentTest], Vec<ValueTuple>)> = Vec::new();
    let mut width = 0;
    for (mut row, parents) in rows {
        width = row.len();
        row.extend(parents.iter().map(|parent| parent.id().into()));
        let kind: Kind<'a> = parents.iter().map(ParentTest::kind).collect();
        let row = ValueTuple::Many(row);
        match kinds.iter_mut().find(|(of, ..)| *of == kind) {
            Some((.., alike)) => alike.push(row),
            None => kinds.push((kind, parents, vec![row])),
        }
    }
    kinds
        .into_iter()
        .map(|(_, parents, rows)| {
            let mut branch = Query::select();
            branch
                .exprs((1..=width).map(created))
                .from_values(rows, "created")
                // SQLite reads `… AS created ON CONFLICT` as a join.
                .and_where(Expr::val(1).eq(1));
            for (n, parent) in parents.iter().enumerate() {
                branch.and_where(Expr::exists(parent.exists_for(created(width + 1 + n))));
            }
            branch
        })
        .collect()
}

/// `SELECT created.* FROM (VALUES <keyed>) AS created WHERE <id> IN (<claimed>)`.
fn claimed_rows<E: Resource>(
    keyed: &[&Pending<E>],
    columns: &[E::Column],
    claimed: SelectStatement,
) -> std::result::Result<SelectStatement, DbErr>
where
    E::Model: ModelTrait<Entity = E>,
{
    let id = 1 + columns
        .iter()
        .position(|column| column.as_str() == E::id_column().as_str())
        .ok_or_else(|| custom("a resource without its id column"))?;
    let rows = keyed
        .iter()
        .map(|pending| ValueTuple::Many(row_values(pending, columns).collect()));
    Ok(Query::select()
        .exprs((1..=columns.len() + 1).map(created))
        .from_values(rows, "created")
        .and_where(created(id).in_subquery(claimed))
        .to_owned())
}

fn insert_rows<E: Resource>(
    columns: Vec<E::Column>,
    rows: Option<SelectStatement>,
) -> std::result::Result<InsertStatement, DbErr> {
    let rows = rows.ok_or_else(|| custom("an empty batch of creates"))?;
    Ok(Query::insert()
        .into_table(E::default())
        .columns(super::written_columns(&columns))
        .select_from(rows)
        .map_err(custom)?
        .returning_col(E::id_column())
        .to_owned())
}

fn union(branches: impl IntoIterator<Item = SelectStatement>) -> Option<SelectStatement> {
    let mut branches = branches.into_iter();
    let mut first = branches.next()?;
    for branch in branches {
        first.union(UnionType::All, branch);
    }
    Some(first)
}

fn ids(rows: Vec<QueryResult>) -> std::result::Result<HashSet<Uuid>, DbErr> {
    rows.iter().map(|row| row.try_get("", "id")).collect()
}

fn custom(err: impl std::fmt::Display) -> DbErr {
    DbErr::Custom(err.to_string())
}

/// `WITH claimed AS (<claiming>) <insert>`, as one PostgreSQL statement: one
/// round trip and one commit for the claims and the objects together.
fn with_claimed(claiming: &InsertStatement, insert: &InsertStatement) -> Statement {
    let claiming = DbBackend::Postgres.build(claiming);
    let insert = DbBackend::Postgres.build(insert);
    let mut values = claiming.values.map(|v| v.0).unwrap_or_default();
    let offset = values.len();
    values.extend(insert.values.map(|v| v.0).unwrap_or_default());
    let sql = format!(
        "WITH claimed AS ({}) {}",
        claiming.sql,
        shift_placeholders(&insert.sql, offset)
    );
    Statement::from_sql_and_values(DbBackend::Postgres, sql, sea_orm::Values(values))
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
