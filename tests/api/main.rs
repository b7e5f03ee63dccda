//! The integration suite: one binary that drives a real server over HTTP.

mod agents;
mod dashboard;
mod errors;
mod goals;
mod helpers;
mod http;
mod idempotency;
mod list_filters;
mod lists;
mod loaders;
mod operations;
mod ordering;
mod pagination;
mod paging_props;
mod persisted;
mod plans;
mod process;
mod projection;
mod query_plans;
mod request_errors;
mod schema;
mod security;
mod seed_regressions;
mod tasks;
mod trees;
mod unavailable;
