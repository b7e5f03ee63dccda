//! The GraphQL schema: per-resource objects, inputs and resolvers merged at
//! the root, the loaders they share, and the error mapping.

pub mod agent;
pub mod errors;
pub mod goal;
pub mod loaders;
pub mod pagination;
pub mod plan;
pub mod task;
pub mod validate;

use async_graphql::{EmptySubscription, MergedObject, Schema, SchemaBuilder};

use crate::db::Db;

/// Reads: one object or a page of a list, with nested relations.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    agent::AgentQuery,
    goal::GoalQuery,
    plan::PlanQuery,
    task::TaskQuery,
);

/// Writes: each mutation runs in one transaction and changes nothing when it fails.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    agent::AgentMutation,
    goal::GoalMutation,
    plan::PlanMutation,
    task::TaskMutation,
);

pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Deep enough for agents -> goals -> plans -> tasks through `edges { node }`
/// and back up through parent fields, shallow enough to stop runaway nesting.
pub const MAX_DEPTH: usize = 24;
pub const MAX_COMPLEXITY: usize = 20_000;

fn builder() -> SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .extension(errors::ErrorCodes)
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
}

/// The schema, built once at start-up and shared by every request.
pub fn build_schema(db: Db) -> AppSchema {
    builder().data(db).finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    builder().finish().sdl()
}
