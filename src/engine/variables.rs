//! Variable values coerced to their declared types before anything runs.
//!
//! async-graphql reads a variable only when a resolver reads the argument
//! that uses it, so a variable of the wrong type (or one not given) surfaced
//! as a field error with a `path` and `"data": null`, after earlier root
//! fields had run; a mutation's earlier fields had even committed. The
//! GraphQL spec makes it a request error: nothing runs, and the response
//! has no `data`. This checks every variable of the operation against the
//! schema's input types first, the way the resolvers would parse them.

use std::sync::OnceLock;

use async_graphql::parser::types::OperationDefinition;
use async_graphql::registry::{MetaType, MetaTypeName, Registry, ScalarValidatorFn};
use async_graphql::{OutputType, ServerError, Value, Variables};

use super::response::request_error;
use crate::graphql::{MutationRoot, QueryRoot};

/// A value with thousands of wrong items gets this many errors, not thousands.
const MAX_ERRORS: usize = 20;
/// Values are quoted in messages up to this many characters.
const MAX_QUOTED: usize = 60;

/// The schema's types, built once; the schema keeps its own registry private.
fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut registry = Registry::default();
        <QueryRoot as OutputType>::create_type_info(&mut registry);
        <MutationRoot as OutputType>::create_type_info(&mut registry);
        registry
    })
}

/// Every variable of `operation` that `variables` fails to give a value of
/// its declared type, as request errors (empty when all coerce).
pub(crate) fn coerce(operation: &OperationDefinition, variables: &Variables) -> Vec<ServerError> {
    let registry = registry();
    let mut errors = Vec::new();
    for definition in &operation.variable_definitions {
        let name = definition.node.name.node.as_str();
        let ty = &definition.node.var_type.node;
        let mut problems = Vec::new();
        match variables.get(&definition.node.name.node) {
            None if !ty.nullable && definition.node.default_value.is_none() => {
                problems.push(Problem::new(
                    name,
                    format!("Variable \"${name}\" of required type \"{ty}\" was not provided"),
                ));
            }
            None => {}
            Some(value) => check(registry, &ty.to_string(), value, name, &mut problems),
        }
        for problem in problems {
            if errors.len() == MAX_ERRORS {
                return errors;
            }
            let message = if problem.message.starts_with("Variable ") {
                problem.message
            } else if problem.path == name {
                format!(
                    "Variable \"${name}\" got an invalid value: {}",
                    problem.message
                )
            } else {
                format!(
                    "Variable \"${name}\" got an invalid value at \"{}\": {}",
                    problem.path, problem.message
                )
            };
            errors.push(request_error(message, Some(definition.pos), &problem.path));
        }
    }
    errors
}

struct Problem {
    path: String,
    message: String,
}

impl Problem {
    fn new(path: &str, message: String) -> Self {
        Self {
            path: path.to_owned(),
            message,
        }
    }
}

/// Coerces `value` to the type spelled `ty` (`[Int!]!`), recording what fails.
fn check(registry: &Registry, ty: &str, value: &Value, path: &str, out: &mut Vec<Problem>) {
    if out.len() >= MAX_ERRORS {
        return;
    }
    match MetaTypeName::create(ty) {
        MetaTypeName::NonNull(inner) => match value {
            Value::Null => out.push(Problem::new(
                path,
                format!("expected a value of type \"{ty}\", found null"),
            )),
            _ => check(registry, inner, value, path, out),
        },
        MetaTypeName::List(item) => match value {
            Value::Null => {}
            Value::List(items) => {
                for (index, value) in items.iter().enumerate() {
                    check(registry, item, value, &format!("{path}.{index}"), out);
                }
            }
            // A single value stands for a list of one.
            other => check(registry, item, other, path, out),
        },
        MetaTypeName::Named(name) => {
            if *value == Value::Null {
                return;
            }
            match registry.types.get(name) {
                Some(MetaType::Scalar { is_valid, .. })
                    if !scalar_accepts(name, is_valid.as_ref(), value) =>
                {
                    out.push(Problem::new(path, expected(name, value)));
                }
                Some(MetaType::Enum { enum_values, .. }) => {
                    let known = match value {
                        Value::String(v) => enum_values.contains_key(v.as_str()),
                        Value::Enum(v) => enum_values.contains_key(v.as_str()),
                        _ => false,
                    };
                    if !known {
                        let values: Vec<&str> = enum_values.keys().map(String::as_str).collect();
                        out.push(Problem::new(
                            path,
                            format!("{} (one of {})", expected(name, value), values.join(", ")),
                        ));
                    }
                }
                Some(MetaType::InputObject {
                    input_fields,
                    oneof,
                    ..
                }) => {
                    let Value::Object(fields) = value else {
                        out.push(Problem::new(path, expected(name, value)));
                        return;
                    };
                    for key in fields.keys() {
                        if !input_fields.contains_key(key.as_str()) {
                            out.push(Problem::new(
                                &format!("{path}.{key}"),
                                format!("\"{key}\" is not a field of \"{name}\""),
                            ));
                        }
                    }
                    for (field, meta) in input_fields {
                        let at = format!("{path}.{field}");
                        match fields.get(field.as_str()) {
                            Some(value) => check(registry, &meta.ty, value, &at, out),
                            None if meta.ty.ends_with('!') && meta.default_value.is_none() => {
                                out.push(Problem::new(
                                    &at,
                                    format!(
                                        "the field \"{field}\" of type \"{}\" is required",
                                        meta.ty
                                    ),
                                ));
                            }
                            None => {}
                        }
                    }
                    let given = fields.values().filter(|v| **v != Value::Null).count();
                    if *oneof && given != 1 {
                        out.push(Problem::new(
                            path,
                            format!("exactly one field of \"{name}\" must be given"),
                        ));
                    }
                }
                // A scalar that takes the value; or not an input type, or no
                // type at all, which the document's validation reports.
                _ => {}
            }
        }
    }
}

/// Whether a scalar's parser takes `value`, decided the way the parsers of
/// async-graphql's scalars decide (several accept any value in `is_valid`
/// and refuse it only when parsing).
fn scalar_accepts(name: &str, is_valid: Option<&ScalarValidatorFn>, value: &Value) -> bool {
    match (name, value) {
        ("Int", Value::Number(n)) => n.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        ("Float", Value::Number(_)) => true,
        ("String", Value::String(_)) => true,
        ("Boolean", Value::Boolean(_)) => true,
        ("ID", Value::String(_)) => true,
        ("ID", Value::Number(n)) => n.is_i64(),
        ("UUID", Value::String(s)) => uuid::Uuid::parse_str(s).is_ok(),
        ("DateTime", Value::String(s)) => s.parse::<chrono::DateTime<chrono::Utc>>().is_ok(),
        ("Int" | "Float" | "String" | "Boolean" | "ID" | "UUID" | "DateTime", _) => false,
        _ => is_valid.is_none_or(|accepts| accepts(value)),
    }
}

fn expected(name: &str, value: &Value) -> String {
    let mut quoted = value.to_string();
    if quoted.chars().count() > MAX_QUOTED {
        quoted = quoted.chars().take(MAX_QUOTED).collect::<String>() + "…";
    }
    format!("expected a value of type \"{name}\", found {quoted}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;
    use serde_json::json;

    fn errors(document: &str, variables: serde_json::Value) -> Vec<(String, String)> {
        let doc = parse_query(document).expect("parses");
        let (_, operation) = doc.operations.iter().next().expect("an operation");
        coerce(&operation.node, &Variables::from_json(variables))
            .into_iter()
            .map(|e| {
                let field = match e.extensions.as_ref().and_then(|x| x.get("field")) {
                    Some(Value::String(field)) => field.clone(),
                    _ => String::new(),
                };
                (field, e.message)
            })
            .collect()
    }

    #[test]
    fn a_missing_or_mistyped_variable_is_reported_with_its_path() {
        let agent = "query($id: UUID!) { agent(id: $id) { id } }";
        assert_eq!(errors(agent, json!({}))[0].0, "id");
        assert_eq!(errors(agent, json!({ "id": "nope" }))[0].0, "id");
        assert_eq!(errors(agent, json!({ "id": null }))[0].0, "id");
        assert!(errors(agent, json!({ "id": uuid::Uuid::now_v7() })).is_empty());

        let create = "mutation($input: CreateGoalInput!) { createGoal(input: $input) { id } }";
        let bad = errors(
            create,
            json!({ "input": { "agentId": "x", "priority": 1.5, "nope": 1 } }),
        );
        let fields: Vec<&str> = bad.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            [
                "input.nope",
                "input.agentId",
                "input.description",
                "input.priority"
            ]
        );
        let ok = json!({ "input": { "agentId": uuid::Uuid::now_v7(), "description": "d" } });
        assert!(errors(create, ok).is_empty());
    }

    #[test]
    fn lists_enums_and_defaults_coerce_as_the_spec_says() {
        let doc = "query($f: AgentFilter, $first: Int = 10) { agents(first: $first, filter: $f) { totalCount } }";
        assert!(errors(doc, json!({})).is_empty());
        assert!(errors(doc, json!({ "first": null })).is_empty());
        assert_eq!(
            errors(doc, json!({ "first": 2147483648_i64 }))[0].0,
            "first"
        );
        assert_eq!(errors(doc, json!({ "first": "3" }))[0].0, "first");
        assert_eq!(
            errors(doc, json!({ "f": { "status": "SLEEPING" } }))[0].0,
            "f.status"
        );
        assert!(errors(doc, json!({ "f": { "status": "ACTIVE" } })).is_empty());
    }
}
