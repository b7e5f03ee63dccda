//! Child connections of many parents, each kind in one statement.
//!
//! Each parent's page is [`page_query`] plus `parent = ?`: a short range
//! scan of the `(parent, k, id)` index, so its cost follows the rows
//! returned, not how many children a parent has (a `ROW_NUMBER() OVER
//! (PARTITION BY parent)` window would number all of them). PostgreSQL runs
//! that page once per element of an array parameter (`LATERAL`), one
//! statement text whatever the number of parents; SQLite, which has no
//! `LATERAL`, gets one `UNION ALL` arm per parent.

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query, SelectStatement, UnionType};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, ModelTrait, QuerySelect, Statement, Value};
use uuid::Uuid;

use super::columns::Columns;
use super::page::{PageRequest, column_is, fetch, page_query};
use super::resource::{Resource, ResourceFilter, find_in};
use crate::auth::Tenant;
use crate::error::Result;

/// SQLite refuses a compound SELECT of more arms than this
/// (`SQLITE_MAX_COMPOUND_SELECT`).
const MAX_ARMS_PER_STATEMENT: usize = 500;

type Model<F> = <<F as ResourceFilter>::Entity as EntityTrait>::Model;
type Column<F> = <<F as ResourceFilter>::Entity as EntityTrait>::Column;

/// For each parent (the value of `parent_column`), the rows of `request`'s
/// page among its children that match `filter`, as [`PageRequest::apply`]
/// reads them (one over the limit, in reading order).
pub(crate) async fn child_pages<F: ResourceFilter>(
    db: &impl ConnectionTrait,
    tenant: &Tenant,
    parent_column: Column<F>,
    parents: &[Uuid],
    filter: &F,
    request: &PageRequest<F::Entity>,
    columns: Columns,
) -> Result<HashMap<Uuid, Vec<Model<F>>>> {
    // Always read: each row's page is found by its parent id.
    let columns = columns.with(parent_column);
    let statements = match db.get_database_backend() {
        DbBackend::Postgres => vec![lateral_pages(
            tenant,
            parent_column,
            parents,
            filter,
            request,
            columns,
        )],
        backend => parents
            .chunks(MAX_ARMS_PER_STATEMENT)
            .map(|chunk| {
                backend.build(&union_pages(
                    tenant,
                    parent_column,
                    chunk,
                    filter,
                    request,
                    columns,
                ))
            })
            .collect(),
    };
    let mut by_parent: HashMap<Uuid, Vec<_>> = HashMap::with_capacity(parents.len());
    for statement in statements {
        // Each parent's rows arrive together and in its page's order: the
        // arms of a UNION ALL run one after another, and a LATERAL join runs
        // its ordered subquery once per parent.
        for row in fetch::<F::Entity>(db, statement, columns).await? {
            if let Value::Uuid(Some(parent)) = row.get(parent_column) {
                by_parent.entry(parent).or_default().push(row);
            }
        }
    }
    Ok(by_parent)
}

/// One parent's page; `parent` is a value or a column of an outer query.
fn page_of_children<F: ResourceFilter>(
    tenant: &Tenant,
    parent_column: Column<F>,
    parent: Expr,
    filter: &F,
    request: &PageRequest<F::Entity>,
    columns: Columns,
) -> SelectStatement {
    let mut query = page_query(tenant, filter, request, columns);
    query.and_where(column_is::<F::Entity>(parent_column, parent));
    query
}

fn union_pages<F: ResourceFilter>(
    tenant: &Tenant,
    parent_column: Column<F>,
    parents: &[Uuid],
    filter: &F,
    request: &PageRequest<F::Entity>,
    columns: Columns,
) -> SelectStatement {
    let mut arms = parents.iter().enumerate().map(|(index, parent)| {
        Query::select()
            .column(Asterisk)
            .from_subquery(
                page_of_children(
                    tenant,
                    parent_column,
                    Expr::val(*parent),
                    filter,
                    request,
                    columns,
                ),
                Alias::new(format!("p{index}")),
            )
            .to_owned()
    });
    let mut statement = arms.next().unwrap_or_default();
    statement.unions(arms.map(|arm| (UnionType::All, arm)));
    statement
}

fn lateral_pages<F: ResourceFilter>(
    tenant: &Tenant,
    parent_column: Column<F>,
    parents: &[Uuid],
    filter: &F,
    request: &PageRequest<F::Entity>,
    columns: Columns,
) -> Statement {
    let parent = Expr::col((Alias::new("parents"), Alias::new("parent")));
    let inner = page_of_children(tenant, parent_column, parent, filter, request, columns);
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
pub(crate) async fn child_counts<F: ResourceFilter>(
    db: &impl ConnectionTrait,
    tenant: &Tenant,
    parent_column: Column<F>,
    parents: &[Uuid],
    filter: &F,
) -> Result<HashMap<Uuid, u64>> {
    use sea_orm::QueryFilter;
    let parent = Expr::col(parent_column);
    let rows: Vec<(Uuid, i64)> = find_in::<F::Entity>(tenant)
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
