//! The loaders of nested lists: one page of children, and how many match,
//! per parent; the parents of one wave share a statement per shape.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::{EntityName, EntityTrait};
use uuid::Uuid;

use super::loaders::{DbLoader, off_request};
use crate::error::AppError;
use crate::service::counting::{self, CountsOf};
use crate::service::store::children;
use crate::service::store::columns::Columns;
use crate::service::store::order::ColumnOf;
use crate::service::store::page::PageRequest;
use crate::service::store::resource::{Resource as _, ResourceFilter};
use crate::telemetry::spans;

/// What a page of children asks for, but whose children: the same for
/// every parent of a field's wave. It is hashed once, when made, and the
/// DataLoader's several maps hash only that number: SipHash over the whole
/// request, once per map and per parent, was 6% of a nested read's CPU.
pub(crate) struct PageShape<F: ResourceFilter> {
    pub(crate) parent_column: ColumnOf<F::Entity>,
    pub(crate) page: PageRequest<F::Entity>,
    pub(crate) filter: F,
    pub(crate) columns: Columns,
    /// Whose task counts to read with the rows (`taskCounts` selected).
    pub(crate) counts: Option<CountsOf>,
    hash: u64,
}

impl<F: ResourceFilter> PageShape<F> {
    pub(crate) fn new(
        parent_column: ColumnOf<F::Entity>,
        page: PageRequest<F::Entity>,
        filter: F,
        columns: Columns,
        counts: Option<CountsOf>,
    ) -> Arc<Self> {
        // Fixed keys: the value only has to agree within this process.
        let mut hasher = std::hash::DefaultHasher::new();
        (&parent_column, &page, &filter, columns, counts).hash(&mut hasher);
        Arc::new(Self {
            parent_column,
            page,
            filter,
            columns,
            counts,
            hash: hasher.finish(),
        })
    }
}

impl<F: ResourceFilter> PartialEq for PageShape<F> {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash
            && self.parent_column == other.parent_column
            && self.page == other.page
            && self.filter == other.filter
            && self.columns == other.columns
            && self.counts == other.counts
    }
}
impl<F: ResourceFilter> Eq for PageShape<F> {}
impl<F: ResourceFilter> Hash for PageShape<F> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// One page of a parent's children, with the columns the selection reads;
/// the rows are as [`PageRequest::page_of`] takes them.
pub(crate) struct ChildPage<F: ResourceFilter> {
    pub(crate) shape: Arc<PageShape<F>>,
    pub(crate) parent: Uuid,
}

// By hand: derives would also demand `Hash` of the entity type itself.
impl<F: ResourceFilter> Clone for ChildPage<F> {
    fn clone(&self) -> Self {
        Self {
            shape: self.shape.clone(),
            parent: self.parent,
        }
    }
}
impl<F: ResourceFilter> PartialEq for ChildPage<F> {
    fn eq(&self, other: &Self) -> bool {
        self.parent == other.parent
            && (Arc::ptr_eq(&self.shape, &other.shape) || self.shape == other.shape)
    }
}
impl<F: ResourceFilter> Eq for ChildPage<F> {}
impl<F: ResourceFilter> Hash for ChildPage<F> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.shape.hash(state);
        self.parent.hash(state);
    }
}

impl<F: ResourceFilter> Loader<ChildPage<F>> for DbLoader {
    /// Shared, because async-graphql's loader clones each value it hands out.
    type Value = Arc<Vec<<F::Entity as EntityTrait>::Model>>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ChildPage<F>],
    ) -> Result<HashMap<ChildPage<F>, Self::Value>, AppError> {
        // Keys that differ only by parent share one statement.
        let mut groups: HashMap<&Arc<PageShape<F>>, Vec<Uuid>> = HashMap::new();
        for key in keys {
            groups.entry(&key.shape).or_default().push(key.parent);
        }
        let mut found = HashMap::with_capacity(keys.len());
        for (shape, parents) in groups {
            let (db, tenant) = self.scope();
            let (owned, parents_owned) = (shape.clone(), parents.clone());
            let table = <F::Entity as Default>::default().table_name();
            let span = spans::loader_batch("load child pages", table, parents.len());
            let (mut pages, counted) = off_request(span, async move {
                let pages = children::child_pages(
                    &db,
                    &tenant,
                    owned.parent_column.0,
                    &parents_owned,
                    &owned.filter,
                    &owned.page,
                    owned.columns,
                )
                .await?;
                // In the same task, so the children's counts are there
                // before the request wakes to resolve them.
                let counted = match owned.counts {
                    Some(of) => {
                        let ids: Vec<Uuid> =
                            pages.values().flatten().map(F::Entity::id_of).collect();
                        let counts = counting::task_counts(&db, &tenant, of, &ids).await?;
                        Some((of, ids, counts))
                    }
                    None => None,
                };
                Ok((pages, counted))
            })
            .await?;
            if let Some((of, ids, counts)) = counted {
                self.counted.keep(of, &ids, &counts);
            }
            for parent in parents {
                let rows = Arc::new(pages.remove(&parent).unwrap_or_default());
                let key = ChildPage {
                    shape: shape.clone(),
                    parent,
                };
                found.insert(key, rows);
            }
        }
        Ok(found)
    }
}

/// How many children of a parent match a filter.
pub(crate) struct ChildCount<F: ResourceFilter> {
    pub(crate) parent_column: ColumnOf<F::Entity>,
    pub(crate) parent: Uuid,
    pub(crate) filter: F,
}

impl<F: ResourceFilter> Clone for ChildCount<F> {
    fn clone(&self) -> Self {
        Self {
            parent_column: self.parent_column,
            parent: self.parent,
            filter: self.filter.clone(),
        }
    }
}
impl<F: ResourceFilter> PartialEq for ChildCount<F> {
    fn eq(&self, other: &Self) -> bool {
        self.parent_column == other.parent_column
            && self.parent == other.parent
            && self.filter == other.filter
    }
}
impl<F: ResourceFilter> Eq for ChildCount<F> {}
impl<F: ResourceFilter> Hash for ChildCount<F> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.parent_column.hash(state);
        self.parent.hash(state);
        self.filter.hash(state);
    }
}

impl<F: ResourceFilter> Loader<ChildCount<F>> for DbLoader {
    type Value = u64;
    type Error = AppError;

    async fn load(&self, keys: &[ChildCount<F>]) -> Result<HashMap<ChildCount<F>, u64>, AppError> {
        let mut groups: HashMap<(ColumnOf<F::Entity>, &F), Vec<Uuid>> = HashMap::new();
        for key in keys {
            groups
                .entry((key.parent_column, &key.filter))
                .or_default()
                .push(key.parent);
        }
        let mut found = HashMap::with_capacity(keys.len());
        for ((parent_column, filter), parents) in groups {
            let (db, tenant) = self.scope();
            let (filter_owned, parents_owned) = (filter.clone(), parents.clone());
            let table = <F::Entity as Default>::default().table_name();
            let span = spans::loader_batch("count children", table, parents.len());
            let counts = off_request(span, async move {
                children::child_counts(&db, &tenant, parent_column.0, &parents_owned, &filter_owned)
                    .await
            })
            .await?;
            for parent in parents {
                let key = ChildCount {
                    parent_column,
                    parent,
                    filter: filter.clone(),
                };
                found.insert(key, counts.get(&parent).copied().unwrap_or(0));
            }
        }
        Ok(found)
    }
}
