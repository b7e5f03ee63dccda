//! agentgraph's load test: the original platform's Locust smoke test,
//! replayed over GraphQL through a typed client generated from
//! `schema.graphql` (see [`client`]); its reports as text, JSON and an
//! HTML page ([`html`]); the work-queue scenario ([`workers`]); and the
//! benchmark tables' charts ([`bench`]).

// A load tool stops with a message on a broken setup; `expect` says which.
#![allow(clippy::expect_used)]

pub mod bench;
pub mod chart;
/// The typed client (`clients/rust`), under the name the load test has
/// always used for it.
pub use agentgraph_client as client;
pub mod html;
pub mod report;
pub mod stats;
pub mod user;
pub mod workers;
