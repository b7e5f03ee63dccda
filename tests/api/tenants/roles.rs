//! The roles of the contract: READ queries and subscribes and every
//! mutation of it is FORBIDDEN (and changes nothing); WRITE does
//! everything; the rules hold alike over HTTP, WebSocket and SSE. The AGENT
//! role's rules are in `roles_agent.rs`.
//!
//! An AGENT key names an agent that must exist, so [`Team`] starts a
//! server, creates the agents and everything else through a WRITE key, and
//! then serves the same database from a second server whose keys name them.

use serde_json::{Value, json};

use super::targets::{Call, Targets, catalogue, snapshot};
use super::{Client, codes, key_line, report};
use crate::helpers::{TestApp, spawn_app_on, spawn_app_with, unknown_id};
use crate::subscriptions::subscribe_live;

pub const TEAM: &str = "team";
const OTHER: &str = "other";
const WRITER: &str = "agk_team_writer";
const READER: &str = "agk_team_reader";
const AGENT_X: &str = "agk_team_agent_x";
const AGENT_Y: &str = "agk_team_agent_y";
const GHOST: &str = "agk_team_ghost";
const STRANGER: &str = "agk_team_stranger";
const OUTSIDER: &str = "agk_other_writer";

/// Tenant `team` with agents X and Y, each with its goal, plan, tasks and
/// leases ([`Targets`]); agent Z of tenant `other`; keys for each role.
pub struct Team {
    /// Held: the server the keys below talk to.
    pub _server: TestApp,
    pub writer: Client,
    pub reader: Client,
    /// AGENT acting as X.
    pub agent_x: Client,
    /// AGENT acting as Y.
    pub agent_y: Client,
    /// AGENT of `team` whose agent id names nothing.
    pub ghost: Client,
    /// AGENT of `team` whose agent id is Z, an agent of `other`.
    pub stranger: Client,
    pub ghost_id: String,
    pub x: Targets,
    pub y: Targets,
    /// A task assigned to X under Y's goal (in a DRAFT plan: no claim takes it).
    pub assigned_to_x: String,
    pub z: String,
}

impl Team {
    pub async fn new() -> Self {
        let first = [
            key_line("writer", "write", WRITER, TEAM, None),
            key_line("outsider", "write", OUTSIDER, OTHER, None),
        ]
        .join(",");
        let seeding = spawn_app_with(|config| config.serve.api_keys = Some(first.clone())).await;
        let writer = Client::new(&seeding, WRITER);
        let outsider = Client::new(&seeding, OUTSIDER);
        let x_agent = writer.create("createAgent", json!({ "name": "X" })).await;
        let y_agent = writer.create("createAgent", json!({ "name": "Y" })).await;
        let z = outsider.create("createAgent", json!({ "name": "Z" })).await;
        let x = Targets::seed(&writer, &x_agent, "x").await;
        let y = Targets::seed(&writer, &y_agent, "y").await;
        let quiet = writer
            .create(
                "createPlan",
                json!({ "goalId": y.goal, "description": "quiet" }),
            )
            .await;
        let assigned_to_x = writer
            .create(
                "createTask",
                json!({ "planId": quiet, "description": "for X", "agentId": x_agent }),
            )
            .await;
        let database_url = seeding.database_url.clone();
        seeding
            .shut_down()
            .await
            .expect("the seeding server stops")
            .expect("cleanly");

        let ghost_id = unknown_id();
        let keys = [
            first,
            key_line("reader", "read", READER, TEAM, None),
            key_line("agent-x", "agent", AGENT_X, TEAM, Some(&x_agent)),
            key_line("agent-y", "agent", AGENT_Y, TEAM, Some(&y_agent)),
            key_line("ghost", "agent", GHOST, TEAM, Some(&ghost_id)),
            key_line("stranger", "agent", STRANGER, TEAM, Some(&z)),
        ]
        .join(",");
        let app = spawn_app_on(database_url, |config| config.serve.api_keys = Some(keys)).await;
        Self {
            writer: Client::new(&app, WRITER),
            reader: Client::new(&app, READER),
            agent_x: Client::new(&app, AGENT_X),
            agent_y: Client::new(&app, AGENT_Y),
            ghost: Client::new(&app, GHOST),
            stranger: Client::new(&app, STRANGER),
            _server: app,
            ghost_id,
            x,
            y,
            assigned_to_x,
            z,
        }
    }
}

/// Runs `call` as `caller`: with `allowed`, it must succeed; otherwise it
/// must be FORBIDDEN, with no data, and leave the tenant as it was.
pub async fn expect(
    team: &Team,
    caller: &Client,
    who: &str,
    call: &Call,
    allowed: bool,
    failures: &mut Vec<String>,
) {
    let before = snapshot(&team.writer).await;
    let body = caller.gql(&call.document, call.variables.clone()).await;
    let got = codes(&body);
    if allowed {
        if !got.is_empty() {
            failures.push(format!(
                "{who}: {} ({}) refused: {body}",
                call.label, call.variables
            ));
        }
        return;
    }
    let no_data = body["data"]
        .as_object()
        .is_none_or(|data| data.values().all(Value::is_null));
    if got != ["FORBIDDEN"] || !no_data {
        failures.push(format!(
            "{who}: {} ({}) expected FORBIDDEN, got {body}",
            call.label, call.variables
        ));
    }
    let after = snapshot(&team.writer).await;
    if before != after {
        failures.push(format!(
            "{who}: {} ({}) was refused but changed data: {}",
            call.label,
            call.variables,
            super::targets::diff(&before, &after)
        ));
    }
}

#[tokio::test]
async fn a_read_caller_may_query_and_subscribe() {
    let team = Team::new().await;
    let everything = snapshot(&team.writer).await;
    assert_eq!(snapshot(&team.reader).await, everything);
    let viewer = team
        .reader
        .gql_ok("{ viewer { role tenant name agent { id } } }", json!({}))
        .await;
    assert_eq!(
        viewer["viewer"],
        json!({ "role": "READ", "tenant": TEAM, "name": "reader", "agent": null })
    );
    let mut ws = team.reader.ws().await;
    let heard = subscribe_live(
        &mut ws,
        "1",
        "subscription { goalChanged { id goal { description } } }",
        json!({}),
        || async {
            team.writer
                .gql_ok(
                    "mutation($id: UUID!) { updateGoal(id: $id, input: { description: \"heard\" }) { id } }",
                    json!({ "id": team.y.goal }),
                )
                .await;
        },
    )
    .await;
    assert_eq!(heard["goalChanged"]["goal"]["description"], "heard");
}

#[tokio::test]
async fn every_mutation_of_a_read_caller_is_forbidden_and_changes_nothing() {
    let team = Team::new().await;
    let mut failures = Vec::new();
    for call in catalogue(&team.x) {
        expect(&team, &team.reader, "READ", &call, false, &mut failures).await;
    }
    report("READ's mutations", &failures);
}

#[tokio::test]
async fn a_write_caller_may_make_every_mutation() {
    let team = Team::new().await;
    let mut failures = Vec::new();
    for call in catalogue(&team.x) {
        expect(&team, &team.writer, "WRITE", &call, true, &mut failures).await;
    }
    report("WRITE's mutations", &failures);
}

/// FORBIDDEN the same whichever transport: a READ mutation and an AGENT
/// claim for another agent, over a WebSocket and over SSE; the AGENT's
/// own claim over a socket goes through (so the socket knows who it is).
#[tokio::test]
async fn the_rules_hold_over_websocket_and_sse_alike() {
    let team = Team::new().await;
    let create = (
        "mutation { createAgent(input: { name: \"over a stream\" }) { id } }",
        json!({}),
    );
    let claim = "mutation($input: ClaimTasksInput!) { claimTasks(input: $input) { task { id } } }";
    let claim_y = (claim, json!({ "input": { "agentId": team.y.agent } }));
    let mut failures = Vec::new();
    let before = snapshot(&team.writer).await;
    for (who, caller, (document, variables)) in [
        ("READ createAgent", &team.reader, &create),
        ("AGENT X claiming for Y", &team.agent_x, &claim_y),
    ] {
        for (transport, payload) in [
            (
                "WebSocket",
                caller.over_ws(document, variables.clone()).await,
            ),
            ("SSE", caller.over_sse(document, variables.clone()).await),
        ] {
            if codes(&payload) != ["FORBIDDEN"] {
                failures.push(format!("{who} over {transport}: {payload}"));
            }
        }
    }
    if snapshot(&team.writer).await != before {
        failures.push("a refused call over a stream changed data".to_owned());
    }
    let own = team
        .agent_x
        .over_ws(claim, json!({ "input": { "agentId": team.x.agent } }))
        .await;
    if !codes(&own).is_empty()
        || own["data"]["claimTasks"]
            .as_array()
            .is_none_or(Vec::is_empty)
    {
        failures.push(format!("AGENT X claiming for itself over WebSocket: {own}"));
    }
    report("rules over streams", &failures);
}
