//! Parsed documents, kept for the next request that sends the same text.
//!
//! Clients send the same few operations over and over; parsing each anew
//! cost about 7% of a point read's CPU. A document is cached with what the
//! admission checks about it, so a repeated request only clones its AST.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::parser::types::{ExecutableDocument, OperationDefinition, OperationType};
use async_graphql::parser::{self, Positioned};

use super::limits;
use super::validated::Validated;

/// Documents longer than this are parsed every time rather than kept.
const MAX_CACHED_QUERY_BYTES: usize = 16 * 1024;

/// A parsed document and the facts admission checks before running it.
pub(crate) struct Prepared {
    /// Fields selected by the whole document, aliases included.
    pub(crate) fields: usize,
    /// Most top-level fields of any one operation.
    pub(crate) root_fields: usize,
    pub(crate) asks_for_introspection: bool,
    /// The type of the operation the request runs, if it can be told.
    pub(crate) operation_type: Option<OperationType>,
    /// The name the document gives the operation the request runs, if any.
    pub(crate) operation_name: Option<String>,
    /// The document to execute: cut down to the selected operation and the
    /// fragments it uses when it held several.
    pub(crate) document: ExecutableDocument,
    /// The shapes of variables it passed full validation with.
    pub(crate) validated: Validated,
    /// Whether a subscription may share its execution with others of the
    /// same text and variables: not when it resumes from a position
    /// (`after`), whose catch-up is its own.
    pub(crate) may_share: bool,
}

impl Prepared {
    fn new(document: ExecutableDocument, operation_name: Option<&str>) -> Self {
        let runnable = limits::only_selected_operation(&document, operation_name);
        let (operation_type, selected_name) = match selected_operation(&document, operation_name) {
            Some((name, operation)) => (Some(operation.node.ty), name),
            None => (None, None),
        };
        Self {
            fields: limits::count_fields(&document),
            root_fields: limits::max_root_fields(&document),
            asks_for_introspection: limits::asks_for_introspection(&document),
            operation_type,
            operation_name: selected_name,
            may_share: !limits::passes_argument(&document, "after"),
            document: runnable.unwrap_or(document),
            validated: Validated::default(),
        }
    }

    /// The operation the request runs, if it can be told.
    pub(crate) fn operation(&self, operation_name: Option<&str>) -> Option<&OperationDefinition> {
        selected_operation(&self.document, operation_name).map(|(_, op)| &op.node)
    }
}

/// The name and definition of the operation the request would run, if it
/// can be told.
fn selected_operation<'a>(
    document: &'a ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<(Option<String>, &'a Positioned<OperationDefinition>)> {
    let mut operations = document.operations.iter();
    let (name, operation) = match operation_name {
        Some(name) => operations.find(|(op_name, _)| op_name.map(|n| n.as_str()) == Some(name))?,
        None => {
            let only = operations.next()?;
            operations.next().is_none().then_some(only)?
        }
    };
    Some((name.map(|n| n.to_string()), operation))
}

/// One operation name a document was sent with, and what it prepared to.
type ByOperation = (Option<Box<str>>, Arc<Prepared>);

/// Prepared documents by text, then by operation name: a lookup borrows
/// the request's text instead of copying it into a key.
#[derive(Default)]
struct Entries {
    by_query: HashMap<Box<str>, Vec<ByOperation>>,
    len: usize,
}

/// A bounded map from (document text, operation name) to the prepared
/// document. When full it starts over: a client flooding it with one-off
/// documents (a fuzzer) costs the others a parse each, never memory.
pub(crate) struct DocumentCache {
    entries: Mutex<Entries>,
    capacity: usize,
}

impl DocumentCache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(Entries::default()),
            capacity,
        }
    }

    /// The prepared document, parsed now or earlier, or why it does not parse.
    pub(crate) fn prepare(
        &self,
        query: &str,
        operation_name: Option<&str>,
    ) -> Result<Arc<Prepared>, parser::Error> {
        let found = self.lock().by_query.get(query).and_then(|operations| {
            operations
                .iter()
                .find(|(name, _)| name.as_deref() == operation_name)
                .map(|(_, prepared)| prepared.clone())
        });
        if let Some(found) = found {
            return Ok(found);
        }
        let document = parser::parse_query(query)?;
        let prepared = Arc::new(Prepared::new(document, operation_name));
        if self.capacity > 0 && query.len() <= MAX_CACHED_QUERY_BYTES {
            let mut entries = self.lock();
            if entries.len >= self.capacity {
                *entries = Entries::default();
            }
            entries
                .by_query
                .entry(query.into())
                .or_default()
                .push((operation_name.map(Into::into), prepared.clone()));
            entries.len += 1;
        }
        Ok(prepared)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_document_is_parsed_once() {
        let cache = DocumentCache::new(8);
        let first = cache
            .prepare("{ agents { totalCount } }", None)
            .expect("parses");
        let again = cache
            .prepare("{ agents { totalCount } }", None)
            .expect("parses");
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(first.operation_type, Some(OperationType::Query));
        assert_eq!(first.operation_name, None);
        let named = cache
            .prepare("query Named { agents { totalCount } }", None)
            .expect("parses");
        assert_eq!(named.operation_name.as_deref(), Some("Named"));
        assert!(named.operation(None).is_some());
    }

    #[test]
    fn the_operation_name_is_part_of_the_key() {
        let cache = DocumentCache::new(8);
        let doc = "query A { agents { totalCount } } mutation B { deleteAgent(id: \"x\") }";
        let a = cache.prepare(doc, Some("A")).expect("parses");
        let b = cache.prepare(doc, Some("B")).expect("parses");
        assert_eq!(a.operation_type, Some(OperationType::Query));
        assert_eq!(b.operation_type, Some(OperationType::Mutation));
    }

    #[test]
    fn a_full_cache_starts_over_and_bad_documents_are_not_kept() {
        let cache = DocumentCache::new(2);
        for n in 0..5 {
            let _ = cache.prepare(&format!("{{ a{n}: agents {{ totalCount }} }}"), None);
        }
        assert!(cache.lock().len <= 2);
        assert!(cache.prepare("{ agents {", None).is_err());
        assert!(cache.lock().len <= 2);
    }
}
