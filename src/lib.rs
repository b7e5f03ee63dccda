//! agentgraph: a GraphQL API server for the data of an AI-agent platform.

pub mod auth;
pub mod changes;
pub mod config;
pub mod db;
pub mod engine;
pub mod error;
pub mod graphql;
pub mod housekeeping;
pub mod http;
pub mod metrics;
pub mod service;
pub mod startup;
pub mod telemetry;
