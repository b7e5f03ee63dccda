//! Column projection: what each GraphQL field of a node type reads of its
//! row, so that a list reads only the columns its selection needs.

use async_graphql::{Context, SelectionField};

use crate::service::store::columns::Columns;
use crate::service::store::resource::Resource;

pub trait Projection: Resource {
    /// The columns besides the id that `field` reads; `None` for a field not
    /// listed, which makes the list read every column.
    fn columns_of(field: &str) -> Option<&'static [Self::Column]>;
}

/// The columns the current connection field's selection reads of its nodes,
/// through `nodes` and `edges { node }` and any fragments. `pageInfo`,
/// `totalCount` and cursors need only ids and the sort column (which every
/// page reads); a field not named here makes the list read every column.
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

/// Whether the selection asks for a cursor (`edges { cursor }`, `pageInfo {
/// startCursor endCursor }`). Only then does a page read its rows' sort
/// column: a nested list asking for `nodes { id }` would otherwise decode a
/// timestamp per row for nothing.
pub fn cursors_selected(ctx: &Context<'_>) -> bool {
    ctx.field().selection_set().any(|field| match field.name() {
        "edges" => field.selection_set().any(|f| f.name() == "cursor"),
        "pageInfo" => field
            .selection_set()
            .any(|f| matches!(f.name(), "startCursor" | "endCursor")),
        _ => false,
    })
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
