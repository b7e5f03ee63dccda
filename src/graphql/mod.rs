//! The GraphQL schema: per-resource objects, inputs and resolvers merged at
//! the root, the loaders they share, and the error mapping.

pub(crate) mod agent;
pub(crate) mod child_loaders;
pub(crate) mod connection;
pub(crate) mod counting;
pub(crate) mod cursor;
pub(crate) mod errors;
pub(crate) mod federation;
pub(crate) mod goal;
pub(crate) mod history;
pub(crate) mod idempotent;
pub(crate) mod loaders;
pub(crate) mod node_list;
pub(crate) mod pagination;
pub(crate) mod plan;
pub(crate) mod projection;
pub(crate) mod queue;
pub(crate) mod resource;
pub(crate) mod subscription;
pub(crate) mod task;
pub(crate) mod task_inputs;
pub(crate) mod turn;
pub(crate) mod validate;
pub(crate) mod viewer;

use async_graphql::{MergedObject, SDLExportOptions, Schema, SchemaBuilder, ValidationMode};

use self::subscription::SubscriptionRoot;

use crate::db::Db;
use crate::service::write::group_commit::Creates;

/// Reads: one object or a page of a list, with nested relations.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub(crate) struct QueryRoot(
    agent::AgentQuery,
    goal::GoalQuery,
    plan::PlanQuery,
    task::TaskQuery,
    viewer::ViewerQuery,
    counting::StatsQuery,
    history::HistoryQuery,
    federation::Entities,
);

/// Writes: each mutation runs in one transaction and changes nothing when it fails.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub(crate) struct MutationRoot(
    agent::AgentMutation,
    goal::GoalMutation,
    plan::PlanMutation,
    task::TaskMutation,
    queue::QueueMutation,
);

pub(crate) type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Limits the schema enforces on every operation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SchemaLimits {
    /// Deepest selection nesting.
    pub(crate) max_depth: usize,
    /// Highest complexity: fields selected, multiplied by page sizes.
    pub(crate) max_complexity: usize,
    pub(crate) introspection: bool,
}

fn builder() -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    // No extensions: any extension makes async-graphql wrap every field's
    // resolution in its hooks, a cost paid per object in large results. The
    // codes of async-graphql's own errors are added where responses leave
    // (`engine::response::tidy`). Lists of nodes skip extension hooks
    // anyway (`node_list`): adding an extension means revisiting that.
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
}

/// The schema as an Apollo Federation v2 subgraph (`--federation`): the
/// same types and roots, with `@key(fields: "id")` on the four resources,
/// `_entities` and `_service`.
fn federated(
    builder: SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot>,
) -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    builder
        .register_output_type::<federation::EntityKeys>()
        .enable_federation()
}

/// The schema, built once at start-up and shared by every request; with
/// `ValidationMode::Fast` only for documents already validated in full
/// (`engine::validated`).
pub(crate) fn build_schema(
    db: Db,
    creates: Creates,
    hub: std::sync::Arc<crate::changes::Hub>,
    retention: subscription::ChangeRetention,
    queue: queue::Queue,
    limits: SchemaLimits,
    validation: ValidationMode,
    federation: bool,
) -> AppSchema {
    let mut builder = if federation {
        federated(builder())
    } else {
        builder()
    };
    builder = builder
        .validation_mode(validation)
        .data(db)
        .data(creates)
        .data(hub)
        .data(retention)
        .data(queue)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        // The parser's own recursion guard, against pathological nesting that
        // would otherwise overflow the stack before any limit is checked.
        .limit_recursive_depth(64);
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    builder.finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    builder().finish().sdl()
}

/// The subgraph's SDL for a federation gateway (`schema --federation`),
/// as `_service { sdl }` answers it.
pub fn subgraph_sdl() -> String {
    federated(builder())
        .finish()
        .sdl_with_options(SDLExportOptions::new().federation().compose_directive())
}

/// Where a request's queries read: a replica or the primary, chosen for
/// the whole request before it runs (`engine::operation`).
pub(crate) struct Reads(pub(crate) crate::db::Connections);

/// The connections a resolver's reads go to: the request's [`Reads`], the
/// primary's readers for a request that has none (a subscription's).
pub(crate) fn reader<'a>(ctx: &async_graphql::Context<'a>) -> &'a crate::db::Connections {
    ctx.data_opt::<Reads>()
        .map_or_else(|| &db(ctx).reader, |reads| &reads.0)
}

/// The database, from a resolver.
pub(crate) fn db<'a>(ctx: &async_graphql::Context<'a>) -> &'a Db {
    ctx.data_unchecked::<Db>()
}

/// Who calls, from a resolver: the engine gives every request its caller
/// (anonymous WRITE of `default` when credentials are off).
pub(crate) fn caller<'a>(ctx: &async_graphql::Context<'a>) -> &'a crate::auth::Caller {
    ctx.data_unchecked::<crate::auth::Caller>()
}

/// The create queues (group commit), from a resolver.
pub(crate) fn creates<'a>(ctx: &async_graphql::Context<'a>) -> &'a Creates {
    ctx.data_unchecked::<Creates>()
}
