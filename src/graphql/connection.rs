//! One Relay connection for the four node types: the resolvers of every
//! list, top level or nested, are a call into [`list`] or [`children`], so
//! ordering, backward paging, filters and projection exist once.

use std::sync::Arc;

use async_graphql::Context;
use sea_orm::EntityTrait;
use uuid::Uuid;

use super::child_loaders::{ChildCount, ChildPage, PageShape};
use super::cursor;
use super::loaders::Loaders;
use super::pagination::{PageArgs, PageInfo};
use super::projection::{Projection, cursors_selected, selected_columns, task_counts_selected};
use super::validate::Violations;
use crate::error::{AppError, Result};
use crate::service::store::order::{ColumnOf, Sort};
use crate::service::store::page::{self, PageRequest};
use crate::service::store::resource::{Resource as _, ResourceFilter};

pub(crate) type Model<N> = <<N as Listed>::Entity as EntityTrait>::Model;
pub(crate) type Column<N> = <<N as Listed>::Entity as EntityTrait>::Column;

/// A GraphQL node type that lists of its kind are made of.
pub(crate) trait Listed: Clone + Send + Sync + Sized + 'static {
    type Entity: Projection;
    type Filter: ResourceFilter<Entity = Self::Entity>;
    /// The `XFilter` input.
    type FilterInput: FilterInput<Filter = Self::Filter>;
    /// The `XOrder` input.
    type Order: Into<Sort<Self::Entity>>;

    fn new(model: Model<Self>) -> Self;
    fn model(&self) -> &Model<Self>;
}

/// A filter input, checked at the schema boundary (paths `filter.…`).
pub(crate) trait FilterInput {
    type Filter;
    fn validate(self, violations: &mut Violations) -> Self::Filter;
}

/// A page of a list, in the order asked for.
pub(crate) struct Connection<N: Listed> {
    pub(crate) nodes: Vec<N>,
    has_next_page: bool,
    has_previous_page: bool,
    sort: Sort<N::Entity>,
    /// Whether the rows were read with their sort column, which cursors need.
    cursors: bool,
    /// What the cursors are bound to.
    scope: cursor::Scope,
    total: TotalCount<N::Filter>,
}

/// An object of a page and its cursor.
pub(crate) struct Edge<N> {
    pub(crate) cursor: String,
    pub(crate) node: N,
}

/// Where a connection's `totalCount` comes from; counted only when selected.
enum TotalCount<F: ResourceFilter> {
    All(F),
    Children {
        parent_column: ColumnOf<F::Entity>,
        parent: Uuid,
        filter: F,
    },
}

impl<N: Listed> Connection<N> {
    fn new(
        page: page::Page<Model<N>>,
        request: &PageRequest<N::Entity>,
        cursors: bool,
        scope: cursor::Scope,
        total: TotalCount<N::Filter>,
    ) -> Self {
        // Exact in the direction paged; the other way, the object at the
        // cursor given is itself beyond the page.
        let (has_next_page, has_previous_page) = if request.backward {
            (request.before.is_some(), page.has_more)
        } else {
            (page.has_more, request.after.is_some())
        };
        Self {
            nodes: page.items.into_iter().map(N::new).collect(),
            has_next_page,
            has_previous_page,
            sort: request.sort,
            cursors,
            scope,
            total,
        }
    }

    fn cursor(&self, node: &N) -> String {
        // Pages read the sort column when a cursor is selected (no sort
        // column is nullable); otherwise no cursor is ever sent.
        if !self.cursors {
            return String::new();
        }
        self.sort
            .key_of(node.model())
            .map(|key| cursor::encode(&self.sort, self.scope, &key))
            .unwrap_or_default()
    }

    pub(crate) fn edge_list(&self) -> Vec<Edge<N>> {
        self.nodes
            .iter()
            .map(|node| Edge {
                cursor: self.cursor(node),
                node: node.clone(),
            })
            .collect()
    }

    pub(crate) fn info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.has_next_page,
            has_previous_page: self.has_previous_page,
            start_cursor: self.nodes.first().map(|n| self.cursor(n)),
            end_cursor: self.nodes.last().map(|n| self.cursor(n)),
        }
    }

    pub(crate) async fn count(&self, ctx: &Context<'_>) -> Result<i32> {
        let total = match &self.total {
            TotalCount::All(filter) => {
                page::count(super::reader(ctx), &super::caller(ctx).tenant, filter).await?
            }
            TotalCount::Children {
                parent_column,
                parent,
                filter,
            } => ctx
                .data_unchecked::<Loaders>()
                .load_one(ChildCount {
                    parent_column: *parent_column,
                    parent: *parent,
                    filter: filter.clone(),
                })
                .await?
                .unwrap_or(0),
        };
        Ok(i32::try_from(total).unwrap_or(i32::MAX))
    }
}

/// The page and filter the arguments ask for, every mistake reported at once.
fn prepare<N: Listed>(
    ctx: &Context<'_>,
    args: &PageArgs,
    filter: Option<N::FilterInput>,
    order: Option<N::Order>,
) -> Result<(PageRequest<N::Entity>, N::Filter, cursor::Scope)> {
    let mut violations = Violations::under("");
    let sort = order.map_or_else(Sort::oldest_first, Into::into);
    let scope = cursor::Scope::new(&super::caller(ctx).tenant);
    let request = args.request(sort, scope, &mut violations);
    let filter = filter
        .map(|input| input.validate(&mut violations))
        .unwrap_or_default();
    violations.finish()?;
    let request = request.ok_or_else(|| AppError::internal(&"page arguments were rejected"))?;
    Ok((request, filter, scope))
}

/// A page of a top-level list.
pub(crate) async fn list<N: Listed>(
    ctx: &Context<'_>,
    args: PageArgs,
    filter: Option<N::FilterInput>,
    order: Option<N::Order>,
) -> Result<Connection<N>> {
    list_narrowed(ctx, args, filter, order, |_| {}).await
}

/// As [`list`], with the client's filter narrowed further by `narrow` (a
/// task's dependents: the tasks that wait for it). One statement per
/// object asking: such lists are asked of one task at a time.
pub(crate) async fn list_narrowed<N: Listed>(
    ctx: &Context<'_>,
    args: PageArgs,
    filter: Option<N::FilterInput>,
    order: Option<N::Order>,
    narrow: impl FnOnce(&mut <N::FilterInput as FilterInput>::Filter),
) -> Result<Connection<N>> {
    let (request, mut filter, scope) = prepare::<N>(ctx, &args, filter, order)?;
    narrow(&mut filter);
    let (columns, cursors) = columns_to_read::<N>(ctx, &request);
    let tenant = &super::caller(ctx).tenant;
    let page = page::list(super::reader(ctx), tenant, &filter, &request, columns).await?;
    let ids: Vec<Uuid> = page.items.iter().map(N::Entity::id_of).collect();
    let counts = task_counts_selected::<N::Entity>(ctx);
    super::counting::read_ahead(ctx, counts, &ids).await?;
    Ok(Connection::new(
        page,
        &request,
        cursors,
        scope,
        TotalCount::All(filter),
    ))
}

/// A page of the children of `parent` (the rows whose `parent_column` holds
/// it), batched with the same page of every other parent in the request.
pub(crate) async fn children<N: Listed>(
    ctx: &Context<'_>,
    parent_column: Column<N>,
    parent: Uuid,
    args: PageArgs,
    filter: Option<N::FilterInput>,
    order: Option<N::Order>,
) -> Result<Connection<N>> {
    let (request, filter, scope) = prepare::<N>(ctx, &args, filter, order)?;
    let (columns, cursors) = columns_to_read::<N>(ctx, &request);
    let parent_column = ColumnOf(parent_column);
    let counts = task_counts_selected::<N::Entity>(ctx);
    let shape = PageShape::new(parent_column, request, filter, columns, counts);
    let rows = ctx
        .data_unchecked::<Loaders>()
        .load_one(ChildPage {
            shape: shape.clone(),
            parent,
        })
        .await?
        // The loader's own copy is gone once it has answered, so this is
        // normally the only reference and the rows move out uncopied.
        .map(|rows| Arc::try_unwrap(rows).unwrap_or_else(|shared| (*shared).clone()))
        .unwrap_or_default();
    let page = shape.page.page_of(rows);
    let total = TotalCount::Children {
        parent_column,
        parent,
        filter: shape.filter.clone(),
    };
    Ok(Connection::new(page, &shape.page, cursors, scope, total))
}

/// The columns the selection reads, and whether cursors are selected (then
/// with the sort column).
fn columns_to_read<N: Listed>(
    ctx: &Context<'_>,
    request: &PageRequest<N::Entity>,
) -> (crate::service::store::columns::Columns, bool) {
    let columns = selected_columns::<N::Entity>(ctx);
    if cursors_selected(ctx) {
        (columns.with(request.sort.column.0), true)
    } else {
        (columns, false)
    }
}

/// Makes a node type listable: its [`Listed`] bindings and the GraphQL
/// types `XConnection` and `XEdge`.
macro_rules! connection {
    (
        $node:ident {
            entity: $entity:ty,
            filter: $filter:ty,
            filter_input: $filter_input:ty,
            order_field: $order_field:ty $(,)?
        },
        $connection:literal,
        $edge:literal,
        $what:literal
    ) => {
        impl $crate::graphql::connection::Listed for $node {
            type Entity = $entity;
            type Filter = $filter;
            type FilterInput = $filter_input;
            type Order = $crate::graphql::pagination::Order<$order_field>;

            fn new(model: <$entity as sea_orm::EntityTrait>::Model) -> Self {
                Self(model)
            }
            fn model(&self) -> &<$entity as sea_orm::EntityTrait>::Model {
                &self.0
            }
        }

        #[doc = concat!("A page of ", $what, ", in the order asked for (oldest first by default).")]
        #[async_graphql::Object(name = $connection)]
        impl $crate::graphql::connection::Connection<$node> {
            /// The objects of this page, each with its cursor.
            async fn edges(&self) -> Vec<$crate::graphql::connection::Edge<$node>> {
                self.edge_list()
            }
            /// The objects of this page, in the order asked for.
            async fn nodes(&self) -> $crate::graphql::node_list::NodeList<'_, $node> {
                $crate::graphql::node_list::NodeList(&self.nodes)
            }
            /// Where this page sits in the whole list.
            async fn page_info(&self) -> $crate::graphql::pagination::PageInfo {
                self.info()
            }
            /// How many objects match the filter, across all pages.
            async fn total_count(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::Result<i32> {
                use $crate::graphql::errors::GqlResult;
                self.count(ctx).await.gql(ctx)
            }
        }

        #[doc = concat!("One of a page of ", $what, ", and its cursor.")]
        #[async_graphql::Object(name = $edge)]
        impl $crate::graphql::connection::Edge<$node> {
            /// An opaque cursor: pass it as `after` to continue after this
            /// object, or as `before` to page back from it, in the same ordering.
            async fn cursor(&self) -> &str {
                &self.cursor
            }
            /// The object.
            async fn node(&self) -> &$node {
                &self.node
            }
        }
    };
}

pub(crate) use connection;
