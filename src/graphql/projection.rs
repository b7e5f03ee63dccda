//! Column projection: what each GraphQL field of a node type reads of its
//! row, so that a list reads only the columns its selection needs.

use async_graphql::{Context, SelectionField};

use super::loaders::Loaders;
use crate::service::counting::CountsOf;
use crate::service::store::columns::Columns;
use crate::service::store::resource::Resource;

pub(crate) trait Projection: Resource {
    /// The fields that resolve through another object or a list, with the
    /// columns of this row they read (a parent's id, or none).
    const RELATIONS: &'static [(&'static str, &'static [Self::Column])];

    /// Whose tasks this type's `taskCounts` counts, when it has one.
    const TASK_COUNTS: Option<CountsOf> = None;

    /// The columns besides the id that `field` reads; `None` for a field
    /// not known here, which makes the list read every column.
    fn columns_of(field: &str) -> Option<&'static [Self::Column]> {
        match field {
            "id" | "__typename" => Some(&[]),
            _ => Self::column_named(field).or_else(|| {
                Self::RELATIONS
                    .iter()
                    .find(|(name, _)| *name == field)
                    .map(|(_, columns)| *columns)
            }),
        }
    }
}

/// The columns the current connection field's selection reads of its nodes,
/// through `nodes` and `edges { node }` and any fragments. `pageInfo`,
/// `totalCount` and cursors need only ids and the sort column (which every
/// page reads); a field not named here makes the list read every column.
pub(crate) fn selected_columns<E: Projection>(ctx: &Context<'_>) -> Columns {
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
pub(crate) fn cursors_selected(ctx: &Context<'_>) -> bool {
    ctx.field().selection_set().any(|field| match field.name() {
        "edges" => field.selection_set().any(|f| f.name() == "cursor"),
        "pageInfo" => field
            .selection_set()
            .any(|f| matches!(f.name(), "startCursor" | "endCursor")),
        _ => false,
    })
}

/// Whose task counts a page of `E` reads with its rows: the nodes'
/// `taskCounts`, when the selection asks for it. Read with the page, the
/// counts are there when the field is first polled; through a loader of
/// their own, every parent's join of field futures stays pending for one
/// more round and is polled again on every wake (issue 29's profile: that
/// re-polling cost more than the counting).
pub(crate) fn task_counts_selected<E: Projection>(ctx: &Context<'_>) -> Option<CountsOf> {
    let of = E::TASK_COUNTS?;
    if !ctx.data_unchecked::<Loaders>().loader().counted.kept() {
        return None;
    }
    let asks = |node: SelectionField<'_>| node.selection_set().any(|f| f.name() == "taskCounts");
    let selected = ctx.field().selection_set().any(|field| match field.name() {
        "nodes" => asks(field),
        "edges" => field
            .selection_set()
            .any(|edge_field| edge_field.name() == "node" && asks(edge_field)),
        _ => false,
    });
    selected.then_some(of)
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

#[cfg(test)]
mod tests {
    use entity::{agent, goal, plan, task};
    use sea_orm::{IdenStatic, Iterable};

    use super::Projection;

    /// The fields of `type_name` in the schema's SDL: the names at the
    /// type's top level, outside descriptions and argument lists.
    fn fields_of(sdl: &str, type_name: &str) -> Vec<String> {
        let start = format!("type {type_name} {{");
        let body = sdl
            .split_once(start.as_str())
            .and_then(|(_, rest)| rest.split_once("\n}"))
            .map(|(body, _)| body)
            .unwrap_or_default();
        let (mut in_description, mut depth) = (false, 0usize);
        let mut fields = Vec::new();
        for line in body.lines().map(str::trim) {
            if line == "\"\"\"" {
                in_description = !in_description;
                continue;
            }
            if in_description || line.is_empty() || line.starts_with('"') {
                continue;
            }
            if depth == 0
                && let Some(name) = line.split(['(', ':']).next()
            {
                fields.push(name.trim().to_owned());
            }
            depth += line.matches('(').count();
            depth -= line.matches(')').count().min(depth);
        }
        fields
    }

    /// Every field of the type names what it reads, and every column is
    /// read by some field: the one column list and the schema agree.
    fn agrees<E: Projection>(type_name: &str) {
        let sdl = crate::graphql::sdl();
        let fields = fields_of(&sdl, type_name);
        assert!(fields.len() > 5, "{type_name} has fields in the SDL");
        let mut read: Vec<u32> = Vec::new();
        for field in &fields {
            let columns = E::columns_of(field);
            assert!(
                columns.is_some(),
                "{type_name}.{field} names no column: lists would read whole rows"
            );
            read.extend(columns.unwrap_or_default().iter().map(|&c| c.into()));
        }
        let id: u32 = E::id_column().into();
        for column in E::Column::iter() {
            let name = column.as_str();
            let column: u32 = column.into();
            let hidden = E::hidden_columns()
                .iter()
                .any(|&c| Into::<u32>::into(c) == column);
            assert!(
                column == id || hidden || read.contains(&column),
                "no field of {type_name} reads the column {name}"
            );
        }
    }

    #[test]
    fn every_field_of_every_node_type_names_its_columns() {
        agrees::<agent::Entity>("Agent");
        agrees::<goal::Entity>("Goal");
        agrees::<plan::Entity>("Plan");
        agrees::<task::Entity>("Task");
    }
}
