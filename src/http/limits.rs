//! Cheap checks on a parsed document before it runs: how many fields it
//! selects (aliases make one field many) and how many at the root.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

/// Every field selection written in the document, fragments counted once.
pub fn count_fields(document: &ExecutableDocument) -> usize {
    let in_operations: usize = document
        .operations
        .iter()
        .map(|(_, op)| count_in(&op.node.selection_set.node))
        .sum();
    let in_fragments: usize = document
        .fragments
        .values()
        .map(|f| count_in(&f.node.selection_set.node))
        .sum();
    in_operations + in_fragments
}

fn count_in(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => 1 + count_in(&field.node.selection_set.node),
            Selection::InlineFragment(fragment) => count_in(&fragment.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

/// The most top-level fields any operation of the document selects, through
/// fragments at the root.
pub fn max_root_fields(document: &ExecutableDocument) -> usize {
    document
        .operations
        .iter()
        .map(|(_, op)| root_fields_in(document, &op.node.selection_set.node, 0))
        .max()
        .unwrap_or(0)
}

fn root_fields_in(document: &ExecutableDocument, set: &SelectionSet, nesting: usize) -> usize {
    // Fragments cannot legally cycle; the bound only guards invalid documents.
    if nesting > 8 {
        return 0;
    }
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(_) => 1,
            Selection::InlineFragment(fragment) => {
                root_fields_in(document, &fragment.node.selection_set.node, nesting + 1)
            }
            Selection::FragmentSpread(spread) => document
                .fragments
                .get(&spread.node.fragment_name.node)
                .map(|f| root_fields_in(document, &f.node.selection_set.node, nesting + 1))
                .unwrap_or(0),
        })
        .sum()
}

/// Whether the document asks for the schema (`__schema` or `__type`) anywhere.
pub fn asks_for_introspection(document: &ExecutableDocument) -> bool {
    fn in_set(set: &SelectionSet) -> bool {
        set.items.iter().any(|item| match &item.node {
            Selection::Field(field) => {
                matches!(field.node.name.node.as_str(), "__schema" | "__type")
                    || in_set(&field.node.selection_set.node)
            }
            Selection::InlineFragment(fragment) => in_set(&fragment.node.selection_set.node),
            Selection::FragmentSpread(_) => false,
        })
    }
    document
        .operations
        .iter()
        .any(|(_, op)| in_set(&op.node.selection_set.node))
        || document
            .fragments
            .values()
            .any(|f| in_set(&f.node.selection_set.node))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(query).expect("valid document")
    }

    #[test]
    fn aliases_count_as_fields() {
        let doc = parse("{ a: agents { totalCount } b: agents { totalCount } }");
        assert_eq!(count_fields(&doc), 4);
        assert_eq!(max_root_fields(&doc), 2);
    }

    #[test]
    fn root_fields_through_fragments() {
        let doc = parse(
            "query { ...F agents { totalCount } } fragment F on Query { goals { totalCount } plans { totalCount } }",
        );
        assert_eq!(max_root_fields(&doc), 3);
    }
}
