//! The errors of a response as they leave: async-graphql's own errors
//! (parse, validation, coercion) get the contract's `extensions.code` and
//! `extensions.field` here, and each problem is reported once.

use std::collections::HashSet;

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, Pos, ServerError, Value};

use crate::error::ErrorCode;

/// A request error (nothing ran) with the contract's code and field.
pub(crate) fn request_error(message: String, pos: Option<Pos>, field: &str) -> ServerError {
    let mut error = ServerError::new(message, pos);
    let extensions = error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default);
    extensions.set("code", ErrorCode::BadUserInput.as_str());
    extensions.set("field", field);
    error
}

/// The code of an error as it leaves, `INTERNAL_SERVER_ERROR` if it has none
/// of ours (after [`tidy`], every error has one).
pub(crate) fn code_of(error: &ServerError) -> ErrorCode {
    match error.extensions.as_ref().and_then(|x| x.get("code")) {
        Some(Value::String(code)) => {
            ErrorCode::parse(code).unwrap_or(ErrorCode::InternalServerError)
        }
        _ => ErrorCode::InternalServerError,
    }
}

/// Readies the errors of a response to leave: gives async-graphql's own
/// errors their code and field, and reports each problem once.
///
/// async-graphql reports some problems twice: a subscription on a schema
/// without them (once per rule that notices), and an argument literal of the
/// wrong type (by the rule that checks arguments, at the argument, then
/// again by the complexity limit, which parses the field's page arguments
/// and reports at the field). The first report is kept.
pub(crate) fn tidy(errors: &mut Vec<ServerError>, document: Option<&ExecutableDocument>) {
    let subjects: Vec<Option<Subject>> = errors
        .iter()
        .map(|e| document.and_then(|d| subject_at(d, e.locations.first().copied())))
        .collect();
    // Fields one of whose arguments async-graphql already found wrong.
    let fields_with_bad_arguments: HashSet<Pos> = errors
        .iter()
        .zip(&subjects)
        .filter_map(|(e, subject)| match subject {
            Some(s) if e.path.is_empty() && s.argument.is_some() => Some(s.field),
            _ => None,
        })
        .collect();
    let mut seen = HashSet::new();
    let mut arguments_reported = HashSet::new();
    let mut subjects = subjects.into_iter();
    errors.retain_mut(|error| {
        let subject = subjects.next().flatten();
        add_missing_code(error, subject.as_ref());
        // Path segments cannot be hashed; their Debug form tells them apart.
        let key = (
            error.message.clone(),
            error.locations.clone(),
            format!("{:?}", error.path),
        );
        if !seen.insert(key) {
            return false;
        }
        let request_error = error.path.is_empty() && code_of(error) == ErrorCode::BadUserInput;
        match subject {
            Some(Subject {
                argument: Some((_, name_pos)),
                ..
            }) if request_error => arguments_reported.insert(name_pos),
            Some(Subject {
                field,
                argument: None,
                ..
            }) if request_error && is_coercion_message(&error.message) => {
                !fields_with_bad_arguments.contains(&field)
            }
            _ => true,
        }
    });
}

/// The messages of async-graphql's input parsers (`InputValueError`).
fn is_coercion_message(message: &str) -> bool {
    message.starts_with("Failed to parse ") || message.starts_with("Expected input type ")
}

/// Gives the errors async-graphql raises itself (a document that does not
/// validate, a value a scalar rejects) the contract's `BAD_USER_INPUT` and
/// the offending `field`: the one the message names, else the argument the
/// error is located at (or the field's only argument), else the request
/// parameter that is wrong. Errors that already have a code are left alone.
fn add_missing_code(error: &mut ServerError, subject: Option<&Subject>) {
    let has_code = error
        .extensions
        .as_ref()
        .is_some_and(|extensions| extensions.get("code").is_some());
    if has_code {
        return;
    }
    let field = field_named_in(&error.message)
        .or_else(|| {
            let subject = subject?;
            let (name, _) = subject.argument.or_else(|| match subject.arguments[..] {
                [only] => Some(only),
                _ => None,
            })?;
            Some(name.to_owned())
        })
        .unwrap_or_else(|| parameter_named_in(&error.message).to_owned());
    let extensions = error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default);
    extensions.set("code", ErrorCode::BadUserInput.as_str());
    extensions.set("field", Value::String(field));
}

/// `Invalid value for argument "input.priority", ...` names `input.priority`;
/// `Variable "$input" ...` names `input`.
fn field_named_in(message: &str) -> Option<String> {
    let quoted_after = |prefix: &str| {
        let rest = &message[message.find(prefix)? + prefix.len()..];
        let rest = rest.strip_prefix('"')?;
        let end = rest.find('"')?;
        Some(rest[..end].trim_start_matches('$').to_owned())
    };
    quoted_after("Invalid value for argument ")
        .or_else(|| quoted_after("Variable "))
        .or_else(|| quoted_after("argument "))
}

/// The GraphQL-over-HTTP request parameter an error without an input value
/// is about: the operation name, or else the document.
fn parameter_named_in(message: &str) -> &'static str {
    if message.contains("operation named") || message.starts_with("Operation name required") {
        "operationName"
    } else {
        "query"
    }
}

/// What in the document an error is located at: a field, and the argument
/// of it whose name or value starts there, if any.
struct Subject<'a> {
    field: Pos,
    /// The argument's name and the position of its name (which tells two
    /// arguments of the same name apart).
    argument: Option<(&'a str, Pos)>,
    arguments: Vec<(&'a str, Pos)>,
}

fn subject_at(document: &ExecutableDocument, pos: Option<Pos>) -> Option<Subject<'_>> {
    fn in_set(set: &SelectionSet, pos: Pos) -> Option<Subject<'_>> {
        set.items.iter().find_map(|item| match &item.node {
            Selection::Field(field) => {
                let arguments = || {
                    field
                        .node
                        .arguments
                        .iter()
                        .chain(field.node.directives.iter().flat_map(|d| &d.node.arguments))
                };
                let argument = arguments()
                    .find(|(name, value)| name.pos == pos || value.pos == pos)
                    .map(|(name, _)| (name.node.as_str(), name.pos));
                if argument.is_some() || field.pos == pos {
                    return Some(Subject {
                        field: field.pos,
                        argument,
                        arguments: field
                            .node
                            .arguments
                            .iter()
                            .map(|(name, _)| (name.node.as_str(), name.pos))
                            .collect(),
                    });
                }
                in_set(&field.node.selection_set.node, pos)
            }
            Selection::InlineFragment(fragment) => in_set(&fragment.node.selection_set.node, pos),
            Selection::FragmentSpread(_) => None,
        })
    }
    let pos = pos?;
    document
        .operations
        .iter()
        .map(|(_, op)| &op.node.selection_set.node)
        .chain(
            document
                .fragments
                .values()
                .map(|f| &f.node.selection_set.node),
        )
        .find_map(|set| in_set(set, pos))
}

/// One line for a syntax error, in place of the parser's drawing of the
/// source (" --> 1:2 | ... ^---"), whose place `locations` already gives:
/// "Syntax error: expected a selection set or a name at line 1, column 2".
pub(crate) fn syntax_error(err: async_graphql::parser::Error) -> ServerError {
    let positions: Vec<Pos> = err.positions().collect();
    let message = match &err {
        async_graphql::parser::Error::Syntax { message, start, .. } => format!(
            "Syntax error: {} at line {}, column {}",
            plain_expectation(message),
            start.line,
            start.column
        ),
        other => format!("Syntax error: {other}"),
    };
    let mut error = request_error(message, None, "query");
    error.locations = positions;
    error
}

/// pest's last line, `= expected selection_set or name`, in words.
fn plain_expectation(drawing: &str) -> String {
    let last = drawing.lines().last().unwrap_or_default().trim();
    let said = last.strip_prefix('=').unwrap_or(last).trim();
    let words: Vec<String> = said
        .split(' ')
        .map(|word| {
            let bare = word.trim_end_matches([',', ';']);
            let tail = &word[bare.len()..];
            let plain = match bare {
                "expected" | "unexpected" | "or" | "and" | "" => bare.to_owned(),
                "EOI" => "the end of the document".to_owned(),
                rule if rule.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                    let spaced = rule.replace('_', " ");
                    let article = if spaced.starts_with(['a', 'e', 'i', 'o', 'u']) {
                        "an"
                    } else {
                        "a"
                    };
                    format!("{article} {spaced}")
                }
                other => other.to_owned(),
            };
            format!("{plain}{tail}")
        })
        .collect();
    words.join(" ")
}

/// With tracing on, gives every error of a traced operation the trace id as
/// its `extensions.reference` (an error that hides a logged cause has it
/// already: see `error::Reference`), so a user's report leads to the trace.
pub(crate) fn stamp_reference(errors: &mut [ServerError]) {
    if errors.is_empty() {
        return;
    }
    let Some(trace_id) = crate::telemetry::spans::current_trace_id() else {
        return;
    };
    let reference = trace_id.to_string();
    for error in errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("reference").is_none() {
            extensions.set("reference", reference.as_str());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_argument_path_in_async_graphql_messages() {
        assert_eq!(
            field_named_in(r#"Invalid value for argument "input.priority", expected type "Int""#)
                .as_deref(),
            Some("input.priority")
        );
        assert_eq!(
            field_named_in(r#"Variable "$input" is not defined"#).as_deref(),
            Some("input")
        );
        assert_eq!(field_named_in("Unknown field \"x\""), None);
    }

    #[test]
    fn a_syntax_error_is_one_line_with_its_place() {
        let err = async_graphql::parser::parse_query("{").expect_err("does not parse");
        let error = syntax_error(err);
        assert!(!error.message.contains('\n'), "{}", error.message);
        assert!(
            error.message.starts_with("Syntax error: expected "),
            "{}",
            error.message
        );
        assert!(
            error.message.ends_with("at line 1, column 2"),
            "{}",
            error.message
        );
        assert_eq!(error.locations, [Pos { line: 1, column: 2 }]);
    }

    #[test]
    fn the_argument_at_a_position_is_found_by_its_name_or_value() {
        let doc = async_graphql::parser::parse_query("{ agents(first: 0.0) { totalCount } }")
            .expect("parses");
        let field = Pos { line: 1, column: 3 };
        let name = Pos {
            line: 1,
            column: 10,
        };
        let value = Pos {
            line: 1,
            column: 17,
        };
        for at in [name, value] {
            let subject = subject_at(&doc, Some(at)).expect("the argument");
            assert_eq!(
                (subject.field, subject.argument),
                (field, Some(("first", name)))
            );
        }
        let subject = subject_at(&doc, Some(field)).expect("the field");
        assert_eq!(subject.argument, None);
        assert_eq!(subject.arguments, [("first", name)]);
        assert!(
            subject_at(
                &doc,
                Some(Pos {
                    line: 1,
                    column: 24
                })
            )
            .is_some()
        );
        assert!(subject_at(&doc, Some(Pos { line: 1, column: 2 })).is_none());
    }
}
