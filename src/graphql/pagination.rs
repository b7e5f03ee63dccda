//! Relay connections over keyset pages: opaque cursors, argument rules and
//! the connection types, generated once for the four resources.

use async_graphql::{Context, SelectionField, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use super::loaders::{ChildCount, Loaders};
use super::validate::Violations;
use crate::error::AppError;
use crate::service::columns::Columns;
use crate::service::page::{self, PageRequest, Resource, ResourceFilter};
use crate::state::db;

pub const DEFAULT_FIRST: i32 = 20;
pub const MAX_FIRST: i32 = 100;

/// Versioned so the encoding can change without breaking cursors in flight.
const CURSOR_PREFIX: &str = "agentgraph:v1:";

pub fn encode_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{id}"))
}

pub fn decode_cursor(cursor: &str) -> Option<Uuid> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix(CURSOR_PREFIX)?.parse().ok()
}

/// Checks `first` and `after` together, so both mistakes are reported.
pub fn page_request(first: Option<i32>, after: Option<&str>) -> Result<PageRequest, AppError> {
    let mut violations = Violations::under("");
    let first = first.unwrap_or(DEFAULT_FIRST);
    if !(1..=MAX_FIRST).contains(&first) {
        violations.add("first", format!("must be between 1 and {MAX_FIRST}"));
    }
    let after = match after {
        None => None,
        Some(cursor) => {
            let id = decode_cursor(cursor);
            if id.is_none() {
                violations.add("after", "is not a cursor this server issued");
            }
            id
        }
    };
    violations.finish()?;
    Ok(PageRequest {
        first: u64::try_from(first).unwrap_or(1),
        after,
    })
}

/// Relay's page information for a forward-only keyset page.
#[derive(SimpleObject, Debug, Clone)]
pub struct PageInfo {
    /// Whether more objects follow this page.
    pub has_next_page: bool,
    /// Whether objects come before this page (true when `after` was given).
    pub has_previous_page: bool,
    /// The cursor of the first object of this page.
    pub start_cursor: Option<String>,
    /// The cursor of the last object of this page: pass it as `after` for the next page.
    pub end_cursor: Option<String>,
}

/// Where a connection's `totalCount` comes from; counted only when selected.
#[derive(Debug, Clone)]
pub enum TotalCount<F> {
    All(F),
    Children {
        parent_column: &'static str,
        parent: Uuid,
        filter: F,
    },
}

impl<F: ResourceFilter> TotalCount<F>
where
    super::loaders::DbLoader:
        async_graphql::dataloader::Loader<ChildCount<F>, Value = u64, Error = AppError>,
{
    pub async fn resolve(&self, ctx: &Context<'_>) -> Result<i32, AppError> {
        let total = match self {
            Self::All(filter) => page::count(&db(ctx).reader, filter).await?,
            Self::Children {
                parent_column,
                parent,
                filter,
            } => ctx
                .data_unchecked::<Loaders>()
                .load_one(ChildCount {
                    parent_column,
                    parent: *parent,
                    filter: filter.clone(),
                })
                .await?
                .unwrap_or(0),
        };
        Ok(i32::try_from(total).unwrap_or(i32::MAX))
    }
}

/// Generates `XConnection` and `XEdge` for a node type.
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ident, $filter:ty, $doc:literal, $edge_doc:literal) => {
        #[doc = $doc]
        pub struct $connection {
            pub nodes: Vec<$node>,
            pub has_next_page: bool,
            pub has_previous_page: bool,
            pub total: $crate::graphql::pagination::TotalCount<$filter>,
        }

        #[doc = $doc]
        #[async_graphql::Object]
        impl $connection {
            /// The objects of this page, each with its cursor.
            async fn edges(&self) -> Vec<$edge> {
                self.nodes
                    .iter()
                    .map(|node| $edge {
                        cursor: $crate::graphql::pagination::encode_cursor(node.0.id),
                        node: node.clone(),
                    })
                    .collect()
            }

            /// The objects of this page, oldest first.
            async fn nodes(&self) -> &[$node] {
                &self.nodes
            }

            /// Where this page sits in the whole list.
            async fn page_info(&self) -> $crate::graphql::pagination::PageInfo {
                $crate::graphql::pagination::PageInfo {
                    has_next_page: self.has_next_page,
                    has_previous_page: self.has_previous_page,
                    start_cursor: self
                        .nodes
                        .first()
                        .map(|n| $crate::graphql::pagination::encode_cursor(n.0.id)),
                    end_cursor: self
                        .nodes
                        .last()
                        .map(|n| $crate::graphql::pagination::encode_cursor(n.0.id)),
                }
            }

            /// How many objects match, across all pages.
            async fn total_count(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::Result<i32> {
                use $crate::graphql::errors::GqlResult;
                self.total.resolve(ctx).await.gql(ctx)
            }
        }

        #[doc = $edge_doc]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// An opaque cursor: pass it as `after` to continue after this object.
            pub cursor: String,
            /// The object.
            pub node: $node,
        }

        impl $connection {
            pub fn new(
                page: $crate::service::page::Page<
                    <$node as $crate::graphql::pagination::Node>::Model,
                >,
                after: Option<uuid::Uuid>,
                total: $crate::graphql::pagination::TotalCount<$filter>,
            ) -> Self {
                Self {
                    nodes: page.items.into_iter().map($node).collect(),
                    has_next_page: page.has_next_page,
                    has_previous_page: after.is_some(),
                    total,
                }
            }
        }
    };
}

pub(crate) use connection;

/// A GraphQL object that wraps one model.
pub trait Node {
    type Model;
}

/// What each GraphQL field of a node type reads of its row, so that a list
/// reads only the columns its selection needs.
pub trait Projection: Resource {
    /// The columns besides the id that `field` reads; `None` for a field not
    /// listed, which makes the list read every column.
    fn columns_of(field: &str) -> Option<&'static [Self::Column]>;
}

/// The columns the current connection field's selection reads of its nodes,
/// through `nodes` and `edges { node }` and any fragments. `pageInfo`,
/// `totalCount` and cursors need only ids; a field not named here makes the
/// list read every column.
pub fn selected_columns<E: Projection>(ctx: &Context<'_>) -> Columns {
    let mut columns = Columns::ID;
    for field in ctx.field().selection_set() {
        match field.name() {
            "nodes" => columns = node_columns::<E>(columns, field),
            "edges" => {
                for edge_field in field.selection_set() {
                    match edge_field.name() {
                        "node" => columns = node_columns::<E>(columns, edge_field),
                        "cursor" | "__typename" => {}
                        _ => return Columns::ALL,
                    }
                }
            }
            "pageInfo" | "totalCount" | "__typename" => {}
            _ => return Columns::ALL,
        }
    }
    columns
}

fn node_columns<E: Projection>(mut columns: Columns, node: SelectionField<'_>) -> Columns {
    for field in node.selection_set() {
        let Some(read) = E::columns_of(field.name()) else {
            return Columns::ALL;
        };
        columns = read.iter().fold(columns, |columns, &c| columns.with(c));
    }
    columns
}

/// One page of a parent's children, through the per-request loader.
pub async fn load_children<F: ResourceFilter>(
    ctx: &Context<'_>,
    parent_column: &'static str,
    parent: Uuid,
    request: PageRequest,
    filter: F,
) -> Result<page::Page<<F::Entity as sea_orm::EntityTrait>::Model>, AppError>
where
    F::Entity: Projection,
    super::loaders::DbLoader: async_graphql::dataloader::Loader<
            super::loaders::ChildPage<F>,
            Value = std::sync::Arc<Vec<<F::Entity as sea_orm::EntityTrait>::Model>>,
            Error = AppError,
        >,
{
    let rows = ctx
        .data_unchecked::<Loaders>()
        .load_one(super::loaders::ChildPage {
            parent_column,
            parent,
            page: request,
            filter,
            columns: selected_columns::<F::Entity>(ctx),
        })
        .await?
        // The loader's own copy is gone once it has answered, so this is
        // normally the only reference and the rows move out uncopied.
        .map(|rows| std::sync::Arc::try_unwrap(rows).unwrap_or_else(|shared| (*shared).clone()))
        .unwrap_or_default();
    Ok(page::Page::from_overfetch(rows, request.first))
}

/// One page of a top-level list.
pub async fn load_list<F: ResourceFilter>(
    ctx: &Context<'_>,
    request: PageRequest,
    filter: &F,
) -> Result<page::Page<<F::Entity as sea_orm::EntityTrait>::Model>, AppError>
where
    F::Entity: Projection,
{
    let columns = selected_columns::<F::Entity>(ctx);
    page::list(&db(ctx).reader, filter, request, columns).await
}

/// A connection costs its selection once per object it may return, so
/// nesting large pages is refused before it runs.
pub fn page_complexity(first: Option<i32>, child_complexity: usize) -> usize {
    let first = usize::try_from(first.unwrap_or(DEFAULT_FIRST).clamp(1, MAX_FIRST)).unwrap_or(1);
    first.saturating_mul(child_complexity).saturating_add(1)
}
