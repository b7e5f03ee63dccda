//! `stress`: the mixed client of issue 25, against one running server, for
//! `--duration`; then a probe that the server still writes.
//!
//! Every worker loops over one kind of traffic: creates (plain, keyed, and
//! nested trees, which take a transaction), updates with stale versions and
//! cascading deletes, nested reads, documents naming fields the schema does
//! not have, graphql-transport-ws and GraphQL-over-SSE subscriptions opened
//! and dropped at a random moment (some resuming from a cursor), and
//! impatient clients that hang up a few milliseconds into a mutation, so the
//! server's futures are cancelled at every await point.
//!
//! Exits 0 when, after the load, a create answers within `--probe-timeout`;
//! 1 when it does not (a connection held for good); 2 when the run itself
//! failed to start. Errors of the load's own requests are expected (timeouts,
//! CONFLICT, validation) and only counted.
//!
//!     stress --url http://127.0.0.1:8000/graphql --duration 15s

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Parser;
use rand::RngExt;
use rand::rngs::StdRng;
use serde_json::{Value, json};

mod streams;

use streams::{sse, websocket};

#[derive(Debug, Parser)]
#[command(name = "stress", about)]
struct Args {
    /// The GraphQL endpoint.
    #[arg(long, default_value = "http://127.0.0.1:8000/graphql")]
    url: String,
    /// How long the mixed load runs.
    #[arg(long, default_value = "15s", value_parser = humantime::parse_duration)]
    duration: Duration,
    /// Concurrent workers; each kind of traffic gets an equal share.
    #[arg(long, default_value_t = 28)]
    workers: usize,
    /// How long the create after the load may take.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    probe_timeout: Duration,
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Creates,
    Trees,
    Updates,
    Reads,
    Unknown,
    WebSocket,
    Sse,
    Impatient,
}

const KINDS: [Kind; 8] = [
    Kind::Creates,
    Kind::Trees,
    Kind::Updates,
    Kind::Reads,
    Kind::Unknown,
    Kind::WebSocket,
    Kind::Sse,
    Kind::Impatient,
];

#[derive(Default)]
struct Counts {
    ok: AtomicU64,
    failed: AtomicU64,
}

struct Shared {
    url: String,
    http: reqwest::Client,
    agent: String,
    plan: String,
    counts: Counts,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(err) => {
            eprintln!("stress: {err:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(args: &Args) -> anyhow::Result<bool> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let (agent, plan) = setup(&http, &args.url).await?;
    let shared = Arc::new(Shared {
        url: args.url.clone(),
        http,
        agent,
        plan,
        counts: Counts::default(),
    });
    let until = Instant::now() + args.duration;
    let mut workers = Vec::new();
    for n in 0..args.workers {
        let kind = KINDS[n % KINDS.len()];
        let shared = shared.clone();
        workers.push(tokio::spawn(async move {
            let mut rng: StdRng = rand::make_rng();
            while Instant::now() < until {
                let done =
                    tokio::time::timeout(Duration::from_secs(40), once(&shared, kind, &mut rng))
                        .await;
                let counter = match done {
                    Ok(Ok(())) => &shared.counts.ok,
                    _ => &shared.counts.failed,
                };
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for worker in workers {
        worker.await?;
    }
    println!(
        "stress: {} operations answered, {} failed or cut off (expected under this load)",
        shared.counts.ok.load(Ordering::Relaxed),
        shared.counts.failed.load(Ordering::Relaxed)
    );
    let started = Instant::now();
    let probe = tokio::time::timeout(
        args.probe_timeout,
        graphql(
            &shared.http,
            &args.url,
            "mutation($n: String!) { createAgent(input: { name: $n }) { id } }",
            json!({ "n": "stress probe" }),
        ),
    )
    .await;
    match probe {
        Ok(Ok(body)) if body["data"]["createAgent"]["id"].is_string() => {
            println!(
                "stress: the probe create answered in {} ms",
                started.elapsed().as_millis()
            );
            Ok(true)
        }
        Ok(Ok(body)) => {
            println!("stress: the probe create failed: {body}");
            Ok(false)
        }
        Ok(Err(err)) => {
            println!("stress: the probe create failed: {err:#}");
            Ok(false)
        }
        Err(_) => {
            println!(
                "stress: the probe create did not answer within {:?}",
                args.probe_timeout
            );
            Ok(false)
        }
    }
}

async fn once(shared: &Shared, kind: Kind, rng: &mut StdRng) -> anyhow::Result<()> {
    let url = &shared.url;
    let http = &shared.http;
    match kind {
        Kind::Creates => {
            let keyed = rng.random_bool(0.5);
            // A few keys repeat, so some creates replay and some conflict.
            let key = format!("stress-{}", rng.random_range(0..200u32));
            let (query, variables) = if rng.random_bool(0.5) {
                (
                    "mutation($p: UUID!, $d: String!, $k: String) { createTask(input: { planId: $p, description: $d, idempotencyKey: $k }) { id version } }",
                    json!({ "p": shared.plan, "d": "stress", "k": keyed.then_some(&key) }),
                )
            } else {
                (
                    "mutation($n: String!, $k: String) { createAgent(input: { name: $n, idempotencyKey: $k }) { id } }",
                    json!({ "n": "stress", "k": keyed.then_some(&key) }),
                )
            };
            graphql(http, url, query, variables).await.map(drop)
        }
        Kind::Trees => graphql(
            http,
            url,
            "mutation($a: UUID!, $k: String) { createGoal(input: { agentId: $a, description: \"tree\", idempotencyKey: $k,
               plans: [{ description: \"p\", tasks: [{ description: \"t1\" }, { description: \"t2\" }] }] }) { id } }",
            json!({ "a": shared.agent, "k": rng.random_bool(0.3).then(|| format!("tree-{}", rng.random_range(0..50u32))) }),
        )
        .await
        .map(drop),
        Kind::Updates => {
            let body = graphql(
                http,
                url,
                "mutation($p: UUID!) { createTask(input: { planId: $p, description: \"u\" }) { id version } }",
                json!({ "p": shared.plan }),
            )
            .await?;
            let id = body["data"]["createTask"]["id"].clone();
            // A stale version half the time: CONFLICT inside the transaction.
            let version = if rng.random_bool(0.5) { 1 } else { 7 };
            graphql(
                http,
                url,
                "mutation($id: UUID!, $v: Int) { updateTask(id: $id, input: { status: RUNNING, expectedVersion: $v }) { version } }",
                json!({ "id": id, "v": version }),
            )
            .await?;
            if rng.random_bool(0.3) {
                let goal = graphql(
                    http,
                    url,
                    "mutation($a: UUID!) { createGoal(input: { agentId: $a, description: \"doomed\", plans: [{ description: \"p\", tasks: [{ description: \"t\" }] }] }) { id } }",
                    json!({ "a": shared.agent }),
                )
                .await?;
                graphql(
                    http,
                    url,
                    "mutation($id: UUID!, $c: Boolean) { deleteGoal(id: $id, cascade: $c) }",
                    json!({ "id": goal["data"]["createGoal"]["id"], "c": rng.random_bool(0.7) }),
                )
                .await?;
            }
            Ok(())
        }
        Kind::Reads => graphql(
            http,
            url,
            "{ agents(first: 20) { nodes { id goals(first: 5) { nodes { plans(first: 5) { nodes { tasks(first: 5) { nodes { id status } } } } } } } } }",
            json!({}),
        )
        .await
        .map(drop),
        Kind::Unknown => {
            let query = if rng.random_bool(0.5) {
                "{ agents { nodes { id noSuchField } } }"
            } else {
                "mutation { createAgent(input: { name: \"x\" }) { id notAField } }"
            };
            graphql(http, url, query, json!({})).await.map(drop)
        }
        Kind::WebSocket => websocket(shared, rng).await,
        Kind::Sse => sse(shared, rng).await,
        Kind::Impatient => {
            let cut = Duration::from_millis(rng.random_range(1..30));
            let body = mutation(shared, rng);
            // Hangs up mid-request: the server's future is dropped wherever it is.
            let _ = http.post(url).json(&body).timeout(cut).send().await;
            Ok(())
        }
    }
}

/// A write of any kind: a tree (a transaction), a keyed create (on SQLite
/// a transaction sent as one command), a plain create, an update, a
/// cascading delete.
fn mutation(shared: &Shared, rng: &mut StdRng) -> Value {
    let key = rng
        .random_bool(0.5)
        .then(|| format!("cut-{}", rng.random_range(0..1000u32)));
    let (query, variables) = match rng.random_range(0..5) {
        0 => (
            "mutation($a: UUID!, $k: String) { createGoal(input: { agentId: $a, description: \"cut\", idempotencyKey: $k, plans: [{ description: \"p\", tasks: [{ description: \"t\" }] }] }) { id } }",
            json!({ "a": shared.agent, "k": key }),
        ),
        1 => (
            "mutation($p: UUID!, $k: String) { createTask(input: { planId: $p, description: \"cut\", idempotencyKey: $k }) { id } }",
            json!({ "p": shared.plan, "k": key }),
        ),
        2 => (
            "mutation($a: UUID!) { updateAgent(id: $a, input: { name: \"renamed\" }) { version } }",
            json!({ "a": shared.agent }),
        ),
        3 => (
            "mutation($a: UUID!) { createGoal(input: { agentId: $a, description: \"plain\" }) { id plans { totalCount } } }",
            json!({ "a": shared.agent }),
        ),
        _ => (
            "mutation { deleteAgent(id: \"00000000-0000-7000-8000-000000000000\", cascade: true) }",
            json!({}),
        ),
    };
    json!({ "query": query, "variables": variables })
}

async fn graphql(
    http: &reqwest::Client,
    url: &str,
    query: &str,
    variables: Value,
) -> anyhow::Result<Value> {
    let response = http
        .post(url)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await?;
    let body: Value = response.json().await?;
    if body.get("errors").is_some() {
        bail!("{body}");
    }
    Ok(body)
}

async fn setup(http: &reqwest::Client, url: &str) -> anyhow::Result<(String, String)> {
    let body = graphql(
        http,
        url,
        r#"mutation { createAgent(input: { name: "stress" }) { id } }"#,
        json!({}),
    )
    .await?;
    let agent = body["data"]["createAgent"]["id"]
        .as_str()
        .context("no agent id")?
        .to_owned();
    let body = graphql(
        http,
        url,
        r#"mutation($a: UUID!) { createGoal(input: { agentId: $a, description: "stress",
             plans: [{ description: "stressed" }] }) { plans { nodes { id } } } }"#,
        json!({ "a": agent }),
    )
    .await?;
    let plan = body["data"]["createGoal"]["plans"]["nodes"][0]["id"]
        .as_str()
        .context("no plan id")?
        .to_owned();
    Ok((agent, plan))
}
