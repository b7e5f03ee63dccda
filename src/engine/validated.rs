//! Documents that passed full validation run with async-graphql's fast
//! rules.
//!
//! async-graphql validates every request's document in full, even one the
//! document cache parsed long ago: some twenty rules walked over the AST,
//! 5-9% of a point read's or a create's CPU (issue 13). The GraphQL spec
//! lets a service skip validating a request known to have been validated
//! before. Validation is a property of the document, except where
//! async-graphql's rules read the request's variables:
//!
//! - the value of an argument built from variables is checked against the
//!   argument's type. The values themselves are coerced to their declared
//!   types before anything runs (`engine::variables`), and whether each
//!   variable may stand where it is used is a rule of the document alone,
//!   so what can still tell two requests apart is which variables they give
//!   and which they give as null: an argument whose variable is missing is
//!   not checked at all, and a null one is checked against its position;
//! - complexity and depth, which read page sizes from variables: the fast
//!   rules still compute both and enforce their limits on every request.
//!
//! So a prepared document remembers the shapes of variables (given, null or
//! missing, per variable) it passed full validation with, and a request of
//! a remembered shape runs on a schema built with `ValidationMode::Fast`.

use std::sync::{Mutex, PoisonError};

use async_graphql::parser::types::OperationDefinition;
use async_graphql::{ServerError, Value, Variables};

/// Shapes remembered per document: clients send a document with one or
/// two shapes, and a client cycling through more only costs itself full
/// validation.
const MAX_SHAPES: usize = 8;

/// Which variables a request gives, and which as null: two bits each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape(u64);

impl Shape {
    /// The shape of `variables` for `operation`; `None` past 32 variables,
    /// which are then validated in full every time.
    pub(crate) fn of(operation: &OperationDefinition, variables: &Variables) -> Option<Self> {
        if operation.variable_definitions.len() > 32 {
            return None;
        }
        let bits = operation
            .variable_definitions
            .iter()
            .enumerate()
            .map(|(n, definition)| {
                let given = match variables.get(&definition.node.name.node) {
                    None => 0,
                    Some(Value::Null) => 1,
                    Some(_) => 2,
                };
                given << (2 * n)
            })
            .fold(0, |all, one| all | one);
        Some(Self(bits))
    }
}

/// The shapes a document has passed full validation with.
#[derive(Default)]
pub(crate) struct Validated(Mutex<Vec<Shape>>);

impl Validated {
    pub(crate) fn contains(&self, shape: Shape) -> bool {
        self.lock().contains(&shape)
    }

    /// Remembers `shape` if the response to a fully validated request
    /// shows it passed: every error (if any) was raised while executing,
    /// at a path. Validation's errors, like the other request errors, have
    /// none.
    pub(crate) fn remember(&self, shape: Shape, errors: &[ServerError]) {
        if errors.iter().any(|error| error.path.is_empty()) {
            return;
        }
        let mut shapes = self.lock();
        if shapes.len() < MAX_SHAPES && !shapes.contains(&shape) {
            shapes.push(shape);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Shape>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;
    use async_graphql::{Name, PathSegment};

    fn operation(text: &str) -> OperationDefinition {
        let document = parse_query(text).expect("parses");
        let (_, operation) = document.operations.iter().next().expect("one operation");
        operation.node.clone()
    }

    fn variables(json: serde_json::Value) -> Variables {
        Variables::from_json(json)
    }

    #[test]
    fn a_shape_tells_given_null_and_missing_apart_but_not_values() {
        let op = operation("query Q($a: ID, $b: Int) { agents(first: $b) { totalCount } }");
        let shape = |json| Shape::of(&op, &variables(json)).expect("few variables");
        assert_eq!(
            shape(serde_json::json!({ "a": "x", "b": 1 })),
            shape(serde_json::json!({ "a": "y", "b": 2 }))
        );
        let given = shape(serde_json::json!({ "a": "x" }));
        assert_ne!(given, shape(serde_json::json!({ "a": null })));
        assert_ne!(given, shape(serde_json::json!({})));
        assert_ne!(given, shape(serde_json::json!({ "b": 1 })));
    }

    #[test]
    fn only_a_response_without_request_errors_is_remembered() {
        let op = operation("query Q($a: ID) { agent(id: $a) { id } }");
        let shape = Shape::of(&op, &variables(serde_json::json!({ "a": "x" }))).expect("shape");
        let validated = Validated::default();
        validated.remember(shape, &[ServerError::new("Unknown field", None)]);
        assert!(!validated.contains(shape));
        let mut at_a_field = ServerError::new("not found", None);
        at_a_field.path = vec![PathSegment::Field(Name::new("agent").to_string())];
        validated.remember(shape, &[at_a_field]);
        assert!(validated.contains(shape));
    }

    #[test]
    fn many_variables_are_never_remembered() {
        let definitions: Vec<String> = (0..33).map(|n| format!("$v{n}: Int")).collect();
        let op = operation(&format!(
            "query Q({}) {{ agents {{ totalCount }} }}",
            definitions.join(", ")
        ));
        assert_eq!(Shape::of(&op, &Variables::default()), None);
    }
}
