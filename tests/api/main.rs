//! The integration suite: one binary that drives a real server over HTTP.

mod agents;
mod dashboard;
mod errors;
mod goals;
mod helpers;
mod http;
mod loaders;
mod operations;
mod pagination;
mod plans;
mod process;
mod projection;
mod schema;
mod security;
mod seed_regressions;
mod tasks;
