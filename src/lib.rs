//! agentgraph: a GraphQL API server for the data of an AI-agent platform.
//!
//! The floors of a request, each importing only those below it:
//! `http` (transports) → `engine` (one operation's life) → `graphql` (the
//! schema) → `service` (resources, `store/`, `write/`) → `db`, `changes`
//! and the `entity` crate. ARCHITECTURE.md is the map.

pub mod auth;
pub mod config;
pub mod db;
pub mod metrics;
pub mod startup;
pub mod telemetry;

pub(crate) mod changes;
pub(crate) mod engine;
pub mod error;
pub(crate) mod graphql;
pub(crate) mod housekeeping;
pub(crate) mod http;
pub(crate) mod service;

pub use graphql::{sdl, subgraph_sdl};

/// What the integration tests reach inside the server, beyond driving it
/// over HTTP: the database to break on purpose, the create queues to read
/// how creates were grouped, and the change log's pruning.
pub mod testing {
    pub use crate::changes::log::prune;
    pub use crate::service::write::group_commit::{BatchCounts, Creates};
}
