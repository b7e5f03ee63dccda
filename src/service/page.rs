//! Keyset pagination shared by the four resources.
//!
//! Ids are UUIDv7, so ordering by id is creation order and a page is
//! `WHERE id > after ORDER BY id LIMIT first + 1` (the extra row only tells
//! whether another page follows). Child connections of many parents are
//! fetched in one statement: one such page per parent, joined by `UNION ALL`.

use std::collections::HashMap;
use std::hash::Hash;

use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, Order, Query, SelectStatement, UnionType,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult,
    PaginatorTrait, PrimaryKeyTrait, QueryFilter, QueryOrder, QueryResult, QuerySelect, QueryTrait,
    Statement,
};
use uuid::Uuid;

use super::columns::Columns;
use crate::error::Result;

/// An entity that can be listed page by page.
pub trait Resource:
    EntityTrait<
        Model: FromQueryResult + Clone + Send + Sync,
        PrimaryKey: PrimaryKeyTrait<ValueType = Uuid>,
        Column: Into<u32>,
    >
{
    fn id_column() -> Self::Column;
    fn id_of(model: &Self::Model) -> Uuid;
    /// A model from a row that holds the id and `columns`; every other field
    /// gets a placeholder (see [`Columns::read`]).
    fn from_partial_row(row: &QueryResult, columns: Columns) -> Result<Self::Model, DbErr>;
}

/// A filter on one resource, turned into a SQL condition. Hashable so that
/// requests with the same filter can share one batched query.
pub trait ResourceFilter: Clone + Eq + Hash + Send + Sync + 'static {
    type Entity: Resource;
    fn condition(&self) -> Condition;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageRequest {
    /// How many rows, already validated to 1..=100.
    pub first: u64,
    /// The id the page starts after.
    pub after: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct Page<M> {
    pub items: Vec<M>,
    pub has_next_page: bool,
}

impl<M> Page<M> {
    /// Cuts a fetch of `first + 1` rows down to the page.
    pub fn from_overfetch(mut rows: Vec<M>, first: u64) -> Self {
        let first = usize::try_from(first).unwrap_or(usize::MAX);
        let has_next_page = rows.len() > first;
        rows.truncate(first);
        Self {
            items: rows,
            has_next_page,
        }
    }
}

/// One page of every row matching `filter`, reading `columns` of each.
pub async fn list<F: ResourceFilter>(
    db: &impl ConnectionTrait,
    filter: &F,
    page: PageRequest,
    columns: Columns,
) -> Result<Page<<F::Entity as EntityTrait>::Model>> {
    let id = F::Entity::id_column();
    let mut query = F::Entity::find()
        .select_only()
        .columns(columns.selected(id))
        .filter(filter.condition());
    if let Some(after) = page.after {
        query = query.filter(id.gt(after));
    }
    let statement = query
        .order_by_asc(id)
        .limit(page.first + 1)
        .build(db.get_database_backend());
    let rows = fetch::<F::Entity>(db, statement, columns).await?;
    Ok(Page::from_overfetch(rows, page.first))
}

async fn fetch<E: Resource>(
    db: &impl ConnectionTrait,
    statement: Statement,
    columns: Columns,
) -> Result<Vec<E::Model>> {
    let rows = db.query_all_raw(statement).await?;
    Ok(rows
        .iter()
        .map(|row| E::from_partial_row(row, columns))
        .collect::<Result<_, DbErr>>()?)
}

/// How many rows match `filter`.
pub async fn count<F: ResourceFilter>(db: &impl ConnectionTrait, filter: &F) -> Result<u64> {
    Ok(F::Entity::find()
        .filter(filter.condition())
        .count(db)
        .await?)
}

/// Rows by id, for the by-id loaders.
pub async fn by_ids<E: Resource>(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, E::Model>> {
    let rows = E::find()
        .filter(E::id_column().is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|m| (E::id_of(&m), m)).collect())
}

/// SQLite refuses a compound SELECT of more arms than this
/// (`SQLITE_MAX_COMPOUND_SELECT`).
const MAX_ARMS_PER_STATEMENT: usize = 500;

/// For each parent, the first `page.first + 1` children after `page.after`
/// that match `filter`, with `columns` read, in one statement.
///
/// Each parent's page is `… WHERE parent = ? ORDER BY id LIMIT n`, a short
/// range scan of the `(parent, id)` index, so the cost follows the rows
/// returned, not how many children a parent has (a `ROW_NUMBER() OVER
/// (PARTITION BY parent)` window would number all of them). PostgreSQL runs
/// that page once per element of an array parameter (`LATERAL`), one
/// statement text whatever the number of parents; SQLite, which has no
/// `LATERAL`, gets one `UNION ALL` arm per parent.
pub async fn child_pages<F: ResourceFilter>(
    db: &impl ConnectionTrait,
    parent_column: &'static str,
    parents: &[Uuid],
    filter: &F,
    page: PageRequest,
    columns: Columns,
) -> Result<HashMap<Uuid, Vec<<F::Entity as EntityTrait>::Model>>> {
    let mut by_parent: HashMap<Uuid, Vec<_>> = HashMap::with_capacity(parents.len());
    let Some(column) = column_named::<F::Entity>(parent_column) else {
        return Ok(by_parent);
    };
    // Always read: each row's page is found by its parent id.
    let columns = columns.with(column);
    let statements = match db.get_database_backend() {
        DbBackend::Postgres => vec![lateral_pages(column, parents, filter, page, columns)],
        backend => parents
            .chunks(MAX_ARMS_PER_STATEMENT)
            .map(|chunk| backend.build(&union_pages(column, chunk, filter, page, columns)))
            .collect(),
    };
    for statement in statements {
        let rows = fetch::<F::Entity>(db, statement, columns).await?;
        for row in rows {
            // The parent id is read back from the row itself.
            if let Some(key) = uuid_in::<F::Entity>(&row, column) {
                by_parent.entry(key).or_default().push(row);
            }
        }
    }
    // Each page comes back in id order as written, but SQL promises no order
    // for the rows of a UNION or a join without an outer ORDER BY.
    for rows in by_parent.values_mut() {
        if !rows.is_sorted_by_key(F::Entity::id_of) {
            rows.sort_unstable_by_key(F::Entity::id_of);
        }
    }
    Ok(by_parent)
}

/// One parent's page of children; `parent` is a value or a column of an
/// outer query.
fn page_of_children<F: ResourceFilter>(
    column: <F::Entity as EntityTrait>::Column,
    parent: Expr,
    filter: &F,
    page: PageRequest,
    columns: Columns,
) -> SelectStatement {
    let id = F::Entity::id_column();
    let mut query = Query::select()
        .columns(columns.selected(id))
        .from(F::Entity::default())
        .cond_where(filter.condition())
        .and_where(Expr::col((F::Entity::default(), column)).eq(parent))
        .order_by(id, Order::Asc)
        .limit(page.first + 1)
        .to_owned();
    if let Some(after) = page.after {
        query.and_where(Expr::col(id).gt(after));
    }
    query
}

fn union_pages<F: ResourceFilter>(
    column: <F::Entity as EntityTrait>::Column,
    parents: &[Uuid],
    filter: &F,
    page: PageRequest,
    columns: Columns,
) -> SelectStatement {
    let mut arms = parents.iter().enumerate().map(|(index, parent)| {
        Query::select()
            .column(Asterisk)
            .from_subquery(
                page_of_children(column, Expr::val(*parent), filter, page, columns),
                Alias::new(format!("p{index}")),
            )
            .to_owned()
    });
    let mut statement = arms.next().unwrap_or_default();
    statement.unions(arms.map(|arm| (UnionType::All, arm)));
    statement
}

fn lateral_pages<F: ResourceFilter>(
    column: <F::Entity as EntityTrait>::Column,
    parents: &[Uuid],
    filter: &F,
    page: PageRequest,
    columns: Columns,
) -> Statement {
    let parent = Expr::col((Alias::new("parents"), Alias::new("parent")));
    let inner = page_of_children(column, parent, filter, page, columns);
    let Statement {
        sql: inner_sql,
        values,
        ..
    } = DbBackend::Postgres.build(&inner);
    let mut values = values.unwrap_or(sea_orm::Values(Vec::new()));
    // The parents travel as one array literal, so the statement text (and
    // PostgreSQL's cached plan) is the same for any number of them.
    let array = format!(
        "{{{}}}",
        parents
            .iter()
            .map(Uuid::to_string)
            .collect::<Vec<_>>()
            .join(",")
    );
    values.0.push(array.into());
    let sql = format!(
        "SELECT children.* FROM unnest(CAST(${} AS uuid[])) AS parents(parent) \
         CROSS JOIN LATERAL ({inner_sql}) AS children",
        values.0.len()
    );
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}

/// For each parent, how many children match `filter`, in one statement.
pub async fn child_counts<F: ResourceFilter>(
    db: &impl ConnectionTrait,
    parent_column: &'static str,
    parents: &[Uuid],
    filter: &F,
) -> Result<HashMap<Uuid, u64>> {
    let parent = Expr::col(Alias::new(parent_column));
    let rows: Vec<(Uuid, i64)> = F::Entity::find()
        .select_only()
        .expr(parent.clone())
        .expr(Expr::col(F::Entity::id_column()).count())
        .filter(filter.condition())
        .filter(parent.clone().is_in(parents.iter().copied()))
        .group_by(parent)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(parent, n)| (parent, u64::try_from(n).unwrap_or(0)))
        .collect())
}

/// The column of `E` named `name`, looked up once per batch, not per row.
fn column_named<E: Resource>(name: &str) -> Option<E::Column> {
    use sea_orm::{IdenStatic, Iterable};
    E::Column::iter().find(|c| c.as_str() == name)
}

fn uuid_in<E: Resource>(model: &E::Model, column: E::Column) -> Option<Uuid> {
    use sea_orm::{ModelTrait, Value};
    match model.get(column) {
        Value::Uuid(Some(id)) => Some(id),
        _ => None,
    }
}
