//! agentgraph's load test: the original platform's Locust smoke test,
//! replayed over GraphQL through a typed client generated from
//! `schema.graphql` (see [`client`]).

pub mod client;
pub mod report;
pub mod stats;
pub mod user;
