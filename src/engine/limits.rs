//! Cheap checks on a parsed document before it runs: how many fields it
//! selects (aliases make one field many) and how many at the root.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

/// Every field selection written in the document, fragments counted once.
pub(crate) fn count_fields(document: &ExecutableDocument) -> usize {
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
pub(crate) fn max_root_fields(document: &ExecutableDocument) -> usize {
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
pub(crate) fn asks_for_introspection(document: &ExecutableDocument) -> bool {
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

/// The document cut down to the operation the request runs and the fragments
/// it uses, when the document holds several operations. async-graphql checks
/// complexity over every operation of a document, evaluating arguments with
/// the request's variables, so an operation that was not selected and uses a
/// variable the request did not send would fail the whole request.
pub(crate) fn only_selected_operation(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<ExecutableDocument> {
    use async_graphql::parser::types::DocumentOperations;
    use std::collections::{HashMap, HashSet};

    let DocumentOperations::Multiple(operations) = &document.operations else {
        return None;
    };
    if operations.len() < 2 {
        return None;
    }
    let (name, operation) = operations
        .iter()
        .find(|(name, _)| Some(name.as_str()) == operation_name)?;

    fn spreads_in<'a>(set: &'a SelectionSet, out: &mut Vec<&'a str>) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => spreads_in(&field.node.selection_set.node, out),
                Selection::InlineFragment(inline) => {
                    spreads_in(&inline.node.selection_set.node, out)
                }
                Selection::FragmentSpread(spread) => {
                    out.push(spread.node.fragment_name.node.as_str())
                }
            }
        }
    }
    let mut used: HashSet<&str> = HashSet::new();
    let mut pending = Vec::new();
    spreads_in(&operation.node.selection_set.node, &mut pending);
    while let Some(fragment) = pending.pop() {
        if used.insert(fragment)
            && let Some(definition) = document.fragments.get(fragment)
        {
            spreads_in(&definition.node.selection_set.node, &mut pending);
        }
    }
    let fragments = document
        .fragments
        .iter()
        .filter(|(name, _)| used.contains(name.as_str()))
        .map(|(name, fragment)| (name.clone(), fragment.clone()))
        .collect();
    Some(ExecutableDocument {
        operations: DocumentOperations::Multiple(HashMap::from([(
            name.clone(),
            operation.clone(),
        )])),
        fragments,
    })
}

/// Whether any field of the document is given an argument named `name`
/// (fragments included, whether or not the operation uses them: a cheap,
/// safe over-approximation).
pub(crate) fn passes_argument(document: &ExecutableDocument, name: &str) -> bool {
    fn in_set(set: &SelectionSet, name: &str) -> bool {
        set.items.iter().any(|item| match &item.node {
            Selection::Field(field) => {
                field.node.arguments.iter().any(|(arg, _)| arg.node == name)
                    || in_set(&field.node.selection_set.node, name)
            }
            Selection::InlineFragment(inline) => in_set(&inline.node.selection_set.node, name),
            Selection::FragmentSpread(_) => false,
        })
    }
    document
        .operations
        .iter()
        .any(|(_, operation)| in_set(&operation.node.selection_set.node, name))
        || document
            .fragments
            .values()
            .any(|fragment| in_set(&fragment.node.selection_set.node, name))
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

    #[test]
    fn a_document_keeps_only_the_selected_operation_and_its_fragments() {
        let doc = parse(
            "query A($first: Int!) { agents(first: $first) { ...Ids } } \
             query B { agents { ...Count } } \
             fragment Ids on AgentConnection { nodes { id } } \
             fragment Count on AgentConnection { totalCount }",
        );
        let cut = only_selected_operation(&doc, Some("B")).expect("cut down");
        assert_eq!(cut.operations.iter().count(), 1);
        assert!(cut.fragments.keys().map(|k| k.as_str()).eq(["Count"]));
        assert!(only_selected_operation(&parse("{ agents { totalCount } }"), None).is_none());
    }
}
