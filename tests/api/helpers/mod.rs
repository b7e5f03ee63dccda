//! Starts a real agentgraph server on an ephemeral port over a fresh database
//! and talks to it the way a client does: HTTP and GraphQL documents.
//!
//! - `app`: spawning a server (SQLite, or PostgreSQL with `TEST_DATABASE_URL`);
//! - `requests`: the request builder and the GraphQL shortcuts (`gql`, `gql_ok`);
//! - `fixtures`: seeding and reading back through the API;
//! - `asserts`: error codes and fields, and what a value must be;
//! - `snapshots`: insta snapshots of error bodies, the same on both backends;
//! - `alone`: a test of process-wide state in a process of its own.

mod alone;
mod app;
mod asserts;
mod fixtures;
mod requests;
mod snapshots;

pub use alone::run_alone;
pub use app::*;
pub use asserts::*;
pub use requests::*;
pub(crate) use snapshots::assert_error_snapshot;
pub use snapshots::normalised;
