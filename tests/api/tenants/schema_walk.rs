//! The server's schema as the tests walk it: the root fields of Query,
//! Mutation and Subscription, and a selection of every field reachable
//! from an object type. Read from `agentgraph::sdl()`, so a field added
//! tomorrow is in the walk without anyone editing these tests.

use std::collections::BTreeMap;

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};

pub struct Field {
    pub name: String,
    /// The named type under any list and non-null wrappers.
    pub ty: String,
    /// Whether an argument must be given (no default, non-null).
    pub needs_arguments: bool,
    pub arguments: Vec<String>,
}

pub struct Schema {
    pub objects: BTreeMap<String, Vec<Field>>,
}

fn named(ty: &Type) -> String {
    match &ty.base {
        BaseType::Named(name) => name.to_string(),
        BaseType::List(inner) => named(inner),
    }
}

impl Schema {
    pub fn load() -> Self {
        let document = parse_schema(agentgraph::sdl()).expect("the server's SDL parses");
        let mut objects = BTreeMap::new();
        for definition in document.definitions {
            let TypeSystemDefinition::Type(ty) = definition else {
                continue;
            };
            let ty = ty.node;
            let TypeKind::Object(object) = ty.kind else {
                continue;
            };
            let fields = object
                .fields
                .into_iter()
                .map(|field| {
                    let field = field.node;
                    Field {
                        name: field.name.node.to_string(),
                        ty: named(&field.ty.node),
                        needs_arguments: field.arguments.iter().any(|argument| {
                            !argument.node.ty.node.nullable && argument.node.default_value.is_none()
                        }),
                        arguments: field
                            .arguments
                            .iter()
                            .map(|argument| argument.node.name.node.to_string())
                            .collect(),
                    }
                })
                .collect();
            objects.insert(ty.name.node.to_string(), fields);
        }
        Self { objects }
    }

    /// The field names of a root type (`Query`, `Mutation`, `Subscription`).
    pub fn root_fields(&self, root: &str) -> Vec<String> {
        self.objects
            .get(root)
            .map(|fields| fields.iter().map(|f| f.name.clone()).collect())
            .unwrap_or_default()
    }

    /// The argument names of `root.field`.
    pub fn arguments(&self, root: &str, field: &str) -> Vec<String> {
        self.objects
            .get(root)
            .and_then(|fields| fields.iter().find(|f| f.name == field))
            .map(|f| f.arguments.clone())
            .unwrap_or_default()
    }

    /// A selection set of every field of `ty`, descending into every object
    /// field while fewer than `depth` objects lie between (connections,
    /// edges and page info are the way to an object, not one). Fields that
    /// need arguments are left out: the walk cannot invent them.
    pub fn selection(&self, ty: &str, depth: usize) -> String {
        let fields = self
            .objects
            .get(ty)
            .unwrap_or_else(|| panic!("{ty} is an object type of the schema"));
        let mut parts = Vec::new();
        for field in fields {
            if field.needs_arguments {
                continue;
            }
            if !self.objects.contains_key(&field.ty) {
                parts.push(field.name.clone());
                continue;
            }
            let below = if is_wrapper(&field.ty) {
                depth
            } else if depth == 0 {
                continue;
            } else {
                depth - 1
            };
            // `nodes` repeats `edges { node }`: its ids are enough.
            let inner = if field.name == "nodes" && ty.ends_with("Connection") {
                "id".to_owned()
            } else {
                self.selection(&field.ty, below)
            };
            parts.push(format!("{} {{ {inner} }}", field.name));
        }
        if parts.is_empty() {
            "__typename".to_owned()
        } else {
            parts.join(" ")
        }
    }
}

fn is_wrapper(ty: &str) -> bool {
    ty.ends_with("Connection") || ty.ends_with("Edge") || ty == "PageInfo"
}
