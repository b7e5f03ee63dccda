//! The integration suite: one binary that drives a real server over HTTP.

// A test states what it expects with `expect`: a failure names it.
#![allow(clippy::expect_used)]
// One binary: `pub` here shares a helper between its modules.
#![allow(unreachable_pub)]

mod agents;
mod binary;
mod cancelled_begin;
mod change_log;
mod counting;
mod dashboard;
mod errors;
mod errors_shapes;
mod federation;
mod field_order;
mod goals;
mod group_commit;
mod helpers;
mod history;
mod http;
mod idempotency;
mod list_filters;
mod lists;
mod loaders;
mod memory;
mod operations;
mod ordering;
mod pagination;
mod paging_props;
mod persisted;
mod plans;
mod point_reads;
mod pooler;
mod process;
mod projection;
mod query_plans;
mod queue;
mod remembered;
mod replicas;
mod request_errors;
mod schema;
mod security;
mod seed_regressions;
mod shutdown;
mod subscriptions;
mod subscriptions_fanout;
mod tasks;
mod tenant_guard;
mod tenants;
mod tokens;
mod tracing;
mod trees;
mod unavailable;
mod ws_client;
