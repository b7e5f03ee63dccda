//! The schema clients are generated from: the committed `schema.graphql`
//! matches the server, and the server has every name of the contract.

use std::collections::{BTreeMap, BTreeSet};

mod contract;
use contract::{CONTRACT_ENUMS, CONTRACT_TYPES, INPUT_OBJECTS};

use serde_json::{Value, json};

use crate::helpers::spawn_app;

#[test]
fn the_committed_schema_graphql_matches_the_server_schema() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!("cannot read {path} ({e}): run `cargo run -- schema > schema.graphql`")
    });
    let current = agentgraph::sdl();

    // `cargo run -- schema > schema.graphql` may end the file with a newline
    // the SDL itself does not have.
    assert!(
        committed.trim_end() == current.trim_end(),
        "schema.graphql is out of date with the server's schema: \
         run `cargo run -- schema > schema.graphql` and commit the result"
    );
}

const INTROSPECTION: &str = "{
    __schema {
        queryType { name }
        mutationType { name }
        types {
            name kind
            fields { name type { ...TypeRef } args { name defaultValue type { ...TypeRef } } }
            inputFields { name type { ...TypeRef } }
            enumValues { name }
        }
    }
}
fragment TypeRef on __Type {
    kind name ofType { kind name ofType { kind name ofType { kind name } } }
}";

/// `[String!]!` from an introspection type reference.
fn render_type(type_ref: &Value) -> String {
    match type_ref["kind"].as_str() {
        Some("NON_NULL") => format!("{}!", render_type(&type_ref["ofType"])),
        Some("LIST") => format!("[{}]", render_type(&type_ref["ofType"])),
        _ => type_ref["name"].as_str().unwrap_or("?").to_owned(),
    }
}

/// A field as `name(arg: Type, ...): Type`, arguments sorted by name.
fn render_field(field: &Value) -> String {
    let mut args: Vec<String> = field["args"]
        .as_array()
        .map(|args| {
            args.iter()
                .map(|arg| {
                    format!(
                        "{}: {}",
                        arg["name"].as_str().unwrap_or("?"),
                        render_type(&arg["type"])
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    args.sort();
    let name = field["name"].as_str().unwrap_or("?");
    let type_ = render_type(&field["type"]);
    if args.is_empty() {
        format!("{name}: {type_}")
    } else {
        format!("{name}({}): {type_}", args.join(", "))
    }
}

/// A contract field spec normalised like [`render_field`].
fn normalise_spec(spec: &str) -> String {
    let spec = spec.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(open) = spec.find('(') else {
        return spec;
    };
    let close = spec.find(')').expect("closing parenthesis");
    let mut args: Vec<&str> = spec[open + 1..close].split(", ").collect();
    args.sort();
    format!(
        "{}({}){}",
        &spec[..open],
        args.join(", "),
        &spec[close + 1..]
    )
}

#[tokio::test]
async fn the_schema_has_every_type_field_and_argument_of_the_contract() {
    let app = spawn_app().await;
    let data = app.gql_ok(INTROSPECTION, json!({})).await;
    let schema = &data["__schema"];
    assert_eq!(schema["queryType"]["name"], json!("Query"));
    assert_eq!(schema["mutationType"]["name"], json!("Mutation"));
    let types: BTreeMap<&str, &Value> = schema["types"]
        .as_array()
        .expect("types")
        .iter()
        .map(|t| (t["name"].as_str().expect("type name"), t))
        .collect();

    let mut missing = Vec::new();
    for (type_name, specs) in CONTRACT_TYPES {
        let Some(type_) = types.get(type_name) else {
            missing.push(format!("type {type_name}"));
            continue;
        };
        let is_input = INPUT_OBJECTS.contains(type_name);
        let expected_kind = if is_input { "INPUT_OBJECT" } else { "OBJECT" };
        if type_["kind"] != json!(expected_kind) {
            missing.push(format!("{type_name} as {expected_kind}"));
        }
        let actual: BTreeSet<String> = type_[if is_input { "inputFields" } else { "fields" }]
            .as_array()
            .map(|fields| fields.iter().map(render_field).collect())
            .unwrap_or_default();
        for spec in specs.split(';') {
            let spec = normalise_spec(spec.trim());
            if !actual.contains(&spec) {
                missing.push(format!("{type_name}.{spec}"));
            }
        }
    }
    for (enum_name, values) in CONTRACT_ENUMS {
        let actual: BTreeSet<&str> = types
            .get(enum_name)
            .and_then(|t| t["enumValues"].as_array())
            .map(|values| values.iter().filter_map(|v| v["name"].as_str()).collect())
            .unwrap_or_default();
        let expected: BTreeSet<&str> = values.iter().copied().collect();
        if actual != expected {
            missing.push(format!("enum {enum_name} {expected:?} (found {actual:?})"));
        }
    }
    for scalar in ["UUID", "DateTime", "JSON"] {
        if types.get(scalar).map(|t| &t["kind"]) != Some(&json!("SCALAR")) {
            missing.push(format!("scalar {scalar}"));
        }
    }

    assert!(
        missing.is_empty(),
        "the schema differs from API.md in:\n  {}",
        missing.join("\n  ")
    );
}

#[tokio::test]
async fn delete_cascade_defaults_to_false_in_the_schema() {
    let app = spawn_app().await;
    let data = app
        .gql_ok(
            "{ __type(name: \"Mutation\") { fields { name args { name defaultValue } } } }",
            json!({}),
        )
        .await;
    let fields = data["__type"]["fields"].as_array().expect("fields");

    for mutation in ["deleteAgent", "deleteGoal", "deletePlan"] {
        let field = fields
            .iter()
            .find(|f| f["name"] == json!(mutation))
            .unwrap_or_else(|| panic!("{mutation} exists"));
        let cascade = field["args"]
            .as_array()
            .expect("args")
            .iter()
            .find(|a| a["name"] == json!("cascade"))
            .unwrap_or_else(|| panic!("{mutation} has a cascade argument"));
        assert_eq!(cascade["defaultValue"], json!("false"), "{mutation}");
    }
}
