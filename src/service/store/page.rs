//! Keyset pagination shared by the four resources.
//!
//! A page walks an ordering (see [`super::order`]) from a cursor:
//! `WHERE (k, id) > (after) ORDER BY k, id LIMIT n + 1`, the extra row only
//! telling whether another page follows. Paging backward (`last`/`before`)
//! walks the reversed ordering and turns the rows round, so every page, at
//! any depth and in either direction, is one index range scan.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, Statement,
};
use uuid::Uuid;

use super::columns::Columns;
use super::order::{Direction, Key, Sort};
use super::resource::{Resource, ResourceFilter, find_in, in_tenant};
use crate::auth::Tenant;
use crate::error::Result;

/// Which rows of an ordering a page holds.
pub(crate) struct PageRequest<E: Resource> {
    pub(crate) sort: Sort<E>,
    /// How many rows, already validated to 1..=100.
    pub(crate) limit: u64,
    /// Take the last `limit` rows of the window instead of the first.
    pub(crate) backward: bool,
    /// The window starts after this position…
    pub(crate) after: Option<Key>,
    /// …and ends before this one.
    pub(crate) before: Option<Key>,
}

impl<E: Resource> PageRequest<E> {
    /// The direction rows are read in: the ordering's, or its reverse when
    /// paging backward.
    fn walking(&self) -> Direction {
        if self.backward {
            self.sort.direction.reversed()
        } else {
            self.sort.direction
        }
    }

    /// `query` narrowed to this page's window, in reading order, one row
    /// over the limit.
    pub(super) fn apply(&self, query: &mut SelectStatement) {
        if let Some(after) = &self.after {
            query.and_where(self.sort.beyond(after, self.sort.direction));
        }
        if let Some(before) = &self.before {
            query.and_where(self.sort.beyond(before, self.sort.direction.reversed()));
        }
        let table = E::default();
        let order = self.walking().as_order();
        query
            .order_by((table, self.sort.column.0), order.clone())
            .order_by((table, E::id_column()), order)
            .limit(self.limit + 1);
    }

    /// Cuts rows read by [`Self::apply`] down to the page, in the ordering's
    /// direction.
    pub(crate) fn page_of<M>(&self, mut rows: Vec<M>) -> Page<M> {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let has_more = rows.len() > limit;
        rows.truncate(limit);
        if self.backward {
            rows.reverse();
        }
        Page {
            items: rows,
            has_more,
        }
    }
}

impl<E: Resource> Clone for PageRequest<E> {
    fn clone(&self) -> Self {
        Self {
            sort: self.sort,
            limit: self.limit,
            backward: self.backward,
            after: self.after.clone(),
            before: self.before.clone(),
        }
    }
}
impl<E: Resource> PartialEq for PageRequest<E> {
    fn eq(&self, other: &Self) -> bool {
        self.sort == other.sort
            && self.limit == other.limit
            && self.backward == other.backward
            && self.after == other.after
            && self.before == other.before
    }
}
impl<E: Resource> Eq for PageRequest<E> {}
impl<E: Resource> Hash for PageRequest<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.sort.hash(state);
        self.limit.hash(state);
        self.backward.hash(state);
        self.after.hash(state);
        self.before.hash(state);
    }
}
impl<E: Resource> std::fmt::Debug for PageRequest<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageRequest")
            .field("sort", &self.sort)
            .field("limit", &self.limit)
            .field("backward", &self.backward)
            .field("after", &self.after)
            .field("before", &self.before)
            .finish()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Page<M> {
    /// In the ordering's direction, whichever way the page was read.
    pub(crate) items: Vec<M>,
    /// Whether more rows follow in the direction the page was read.
    pub(crate) has_more: bool,
}

/// The SELECT of one page of `tenant`'s rows matching `filter`, reading
/// `columns`.
pub(super) fn page_query<F: ResourceFilter>(
    tenant: &Tenant,
    filter: &F,
    request: &PageRequest<F::Entity>,
    columns: Columns,
) -> SelectStatement {
    let mut query = Query::select()
        .columns(columns.selected(F::Entity::id_column()))
        .from(F::Entity::default())
        .and_where(in_tenant::<F::Entity>(tenant))
        .cond_where(filter.condition())
        .to_owned();
    request.apply(&mut query);
    query
}

/// One page of every row of `tenant` matching `filter`, reading `columns`
/// of each (with the sort column when the caller makes cursors).
pub(crate) async fn list<F: ResourceFilter>(
    db: &impl ConnectionTrait,
    tenant: &Tenant,
    filter: &F,
    request: &PageRequest<F::Entity>,
    columns: Columns,
) -> Result<Page<<F::Entity as EntityTrait>::Model>> {
    let statement = db
        .get_database_backend()
        .build(&page_query(tenant, filter, request, columns));
    let rows = fetch::<F::Entity>(db, statement, columns).await?;
    Ok(request.page_of(rows))
}

pub(super) async fn fetch<E: Resource>(
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

/// How many rows of `tenant` match `filter`.
pub(crate) async fn count<F: ResourceFilter>(
    db: &impl ConnectionTrait,
    tenant: &Tenant,
    filter: &F,
) -> Result<u64> {
    Ok(find_in::<F::Entity>(tenant)
        .filter(filter.condition())
        .count(db)
        .await?)
}

/// `tenant`'s rows by id, for the by-id loaders.
pub(crate) async fn by_ids<E: Resource>(
    db: &impl ConnectionTrait,
    tenant: &Tenant,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, E::Model>> {
    let rows = find_in::<E>(tenant)
        .filter(E::id_column().is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|m| (E::id_of(&m), m)).collect())
}

/// Rows by id among those of `tenants` (the objects of changes of several
/// tenants, each read in its own).
pub(crate) async fn by_ids_in<E: Resource>(
    db: &impl ConnectionTrait,
    tenants: &[Tenant],
    ids: &[Uuid],
) -> Result<HashMap<Uuid, E::Model>> {
    let rows = E::find()
        .filter(E::tenant_column().is_in(tenants.iter().map(Tenant::as_str)))
        .filter(E::id_column().is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|m| (E::id_of(&m), m)).collect())
}

/// `column = value` qualified by the entity's table, so it stays unambiguous
/// inside the joins that child pages build.
pub(super) fn column_is<E: Resource>(column: E::Column, value: Expr) -> Expr {
    use sea_orm::sea_query::ExprTrait;
    Expr::col((E::default(), column)).eq(value)
}
