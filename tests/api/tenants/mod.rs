//! Tenants and roles (issue 28), against the contract's "Identity, roles
//! and tenants": a caller of one tenant sees and touches nothing of
//! another's, through every root field of the schema; each role may do
//! what the contract says and nothing more.
//!
//! - `client`: a caller holding one API key, over HTTP, WebSocket and SSE;
//! - `schema_walk`: the root fields and object types of `agentgraph::sdl()`,
//!   so that a new field is covered by default;
//! - `targets`: a tenant's objects to aim at, and one call of every mutation
//!   naming them (the catalogue the isolation and role tests share).

mod client;
mod instances;
mod isolation;
mod isolation_writes;
mod model;
mod nested;
mod roles;
mod roles_agent;
mod schema_walk;
mod subscriptions;
mod targets;
mod uniqueness;

use agentgraph::auth::hash_hex;
use serde_json::Value;

pub use client::Client;

/// A keys-file entry for `key`: `name:role:hash:tenant[:agent]`.
pub fn key_line(name: &str, role: &str, key: &str, tenant: &str, agent: Option<&str>) -> String {
    let mut line = format!("{name}:{role}:{}:{tenant}", hash_hex(key));
    if let Some(agent) = agent {
        line.push(':');
        line.push_str(agent);
    }
    line
}

/// Every string anywhere in `value` that is one of `ids`, for a message
/// that names what leaked.
pub fn leaked<'a>(value: &Value, ids: &'a [String]) -> Vec<&'a str> {
    let text = value.to_string();
    ids.iter()
        .filter(|id| text.contains(id.as_str()))
        .map(String::as_str)
        .collect()
}

/// The `extensions.code` of each error of a response, in order.
pub fn codes(body: &Value) -> Vec<String> {
    crate::helpers::error_codes(body)
}

/// Fails with every collected failure at once, so one run shows all the
/// rows that break the contract, not only the first.
pub fn report(what: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{what}: {} failure(s):\n- {}",
        failures.len(),
        failures.join("\n- ")
    );
}

pub const TENANT_A: &str = "tenant-a";
pub const TENANT_B: &str = "tenant-b";
const KEY_A: &str = "agk_tenant_a_writer";
const KEY_B: &str = "agk_tenant_b_writer";

/// One tenant's side of a [`Pair`].
pub struct Side {
    pub writer: Client,
    pub targets: targets::Targets,
}

/// One server, two tenants, each with a WRITE key named `writer` (the same
/// name in both: a key's name is no identity across tenants) and the same
/// kinds of objects, seeded by its own writer.
pub struct Pair {
    pub app: crate::helpers::TestApp,
    pub a: Side,
    pub b: Side,
}

impl Pair {
    pub async fn new() -> Self {
        Self::with(|_| {}).await
    }

    pub async fn with(configure: impl FnOnce(&mut agentgraph::config::ServeConfig)) -> Self {
        let keys = [
            key_line("writer", "write", KEY_A, TENANT_A, None),
            key_line("writer", "write", KEY_B, TENANT_B, None),
        ]
        .join(",");
        let app = crate::helpers::spawn_app_with(|config| {
            config.serve.api_keys = Some(keys);
            configure(config);
        })
        .await;
        let a = Side::seed(&app, KEY_A, "alpha").await;
        let b = Side::seed(&app, KEY_B, "beta").await;
        Self { app, a, b }
    }
}

impl Side {
    async fn seed(app: &crate::helpers::TestApp, key: &str, label: &str) -> Self {
        let writer = Client::new(app, key);
        let agent = writer
            .create(
                "createAgent",
                serde_json::json!({ "name": format!("{label} agent"), "did": format!("did:{label}") }),
            )
            .await;
        let targets = targets::Targets::seed(&writer, &agent, label).await;
        Self { writer, targets }
    }
}
