//! The write machinery: creates under their parents (one statement, or
//! many grouped into one commit), idempotency keys, whole trees, and
//! SQLite's one-command transactions.

pub(crate) mod batch;
pub(crate) mod create;
pub(crate) mod group_commit;
pub(crate) mod idempotency;
pub(crate) mod sqlite_transaction;
pub(crate) mod trees;

use sea_orm::sea_query::{DynIden, Expr, InsertStatement, IntoIden, Query, SelectStatement};
use sea_orm::{ConnectionTrait, Iterable, ModelTrait, QuerySelect, QueryTrait};
use uuid::Uuid;

use crate::auth::Tenant;
use crate::error::{AppError, Result};
use crate::service::store::actor::{self, Actor};
use crate::service::store::resource::{Resource, find_in};

/// A row a new object must find in place, in the new object's tenant: its
/// test (an `EXISTS` lookup for [`insert_under_parents`]), and what to call
/// it when it is missing.
pub(crate) struct Parent {
    pub(crate) test: ParentTest,
    pub(crate) what: &'static str,
}

/// The parent `id` of kind `E` in `tenant`, called `what` in errors.
pub(crate) fn parent<E: Resource>(tenant: &Tenant, id: Uuid, what: &'static str) -> Parent {
    let test = ParentTest {
        table: E::default().table_name(),
        tenant: tenant.clone(),
        id,
        lookup: lookup::<E>,
    };
    Parent { test, what }
}

/// A parent's `EXISTS` lookup kept apart from the id it looks for, so that
/// a group of creates can test every row's parents with one condition on
/// the rows (`batch`), which PostgreSQL plans once rather than per create.
#[derive(Clone)]
pub(crate) struct ParentTest {
    table: &'static str,
    tenant: Tenant,
    id: Uuid,
    lookup: fn(&Tenant, Expr) -> SelectStatement,
}

impl ParentTest {
    /// `SELECT id FROM <parent> WHERE tenant = <tenant> AND id = <id>`.
    pub(crate) fn exists(&self) -> SelectStatement {
        (self.lookup)(&self.tenant, Expr::val(self.id))
    }

    /// The same lookup of the id that `id` gives (an outer query's column).
    pub(crate) fn exists_for(&self, id: Expr) -> SelectStatement {
        (self.lookup)(&self.tenant, id)
    }

    pub(crate) fn id(&self) -> Uuid {
        self.id
    }

    /// Tests of the same kind and tenant differ only by their ids.
    pub(crate) fn kind(&self) -> (&'static str, &Tenant) {
        (self.table, &self.tenant)
    }
}

/// `SELECT id FROM <E> WHERE tenant = <tenant> AND id = <id>`.
fn lookup<E: Resource>(tenant: &Tenant, id: Expr) -> SelectStatement {
    use sea_orm::QueryFilter;
    use sea_orm::sea_query::ExprTrait;
    find_in::<E>(tenant)
        .filter(Expr::col((E::default(), E::id_column())).eq(id))
        .select_only()
        .column(E::id_column())
        .into_query()
}

/// Inserts `model` only if every parent row exists, in one statement:
/// `INSERT … SELECT <values> WHERE EXISTS (parent) AND …`. A create is then a
/// single round trip in autocommit, where read-then-insert needed a
/// transaction and four, and a missing parent inserts nothing. Returns
/// whether the row went in.
pub(crate) async fn insert_under_parents<E: Resource>(
    db: &impl ConnectionTrait,
    model: &E::Model,
    by: Actor<'_>,
    parents: impl IntoIterator<Item = SelectStatement>,
) -> Result<bool>
where
    E::Model: ModelTrait<Entity = E>,
{
    let insert = insert_where::<E>(model, by, parents.into_iter().map(Expr::exists))?;
    Ok(db.execute(&insert).await?.rows_affected() == 1)
}

/// `INSERT INTO <E> (<every column>, actor) SELECT <model's values>, <by>
/// WHERE <conditions>`.
pub(crate) fn insert_where<E: Resource>(
    model: &E::Model,
    by: Actor<'_>,
    conditions: impl IntoIterator<Item = Expr>,
) -> Result<InsertStatement>
where
    E::Model: ModelTrait<Entity = E>,
{
    let columns: Vec<E::Column> = E::Column::iter().collect();
    let values = values_where::<E>(model, &columns, by, conditions);
    Ok(Query::insert()
        .into_table(E::default())
        .columns(written_columns(&columns))
        .select_from(values)
        .map_err(|err| AppError::internal(&err))?
        .to_owned())
}

/// `columns` and the row's actor, which no model carries: the columns an
/// INSERT names.
pub(crate) fn written_columns<C: IntoIden + Copy>(columns: &[C]) -> Vec<DynIden> {
    columns
        .iter()
        .map(|column| column.into_iden())
        .chain(std::iter::once(actor::column()))
        .collect()
}

/// `SELECT <model's values of columns>, <by> WHERE <conditions>`.
fn values_where<E: Resource>(
    model: &E::Model,
    columns: &[E::Column],
    by: Actor<'_>,
    conditions: impl IntoIterator<Item = Expr>,
) -> SelectStatement
where
    E::Model: ModelTrait<Entity = E>,
{
    let mut values = Query::select();
    values.exprs(columns.iter().map(|column| Expr::val(model.get(*column))));
    values.expr(actor::value(by));
    for condition in conditions {
        values.and_where(condition);
    }
    values
}

/// A create found a parent missing, yet a second look finds it: it was
/// deleted and the id reused in between, which UUIDv7 ids make all but
/// impossible. Reported as a conflict rather than guessed at.
pub(crate) fn parent_vanished(what: &str) -> AppError {
    AppError::Conflict(format!(
        "the parent of this {what} changed concurrently; retry"
    ))
}
