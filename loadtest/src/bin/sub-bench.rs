//! `sub-bench`: subscription delivery and memory, the figures oha cannot
//! give.
//!
//! - `latency`: `--subscriptions` taskChanged subscriptions spread over
//!   `--sockets` WebSockets to each `--subscribe-url` (one or more
//!   instances), while one writer creates `--changes` tasks through
//!   `--write-url` at `--rate` per second. For every event at every
//!   subscriber: arrival minus the moment the mutation's response arrived
//!   (0 when the event came first). Prints count, p50, p95, p99, max.
//! - `idle`: opens the subscriptions, waits, and prints the server's RSS
//!   growth per subscription (`--pid` of the server to read /proc from).
//!
//! For example:
//!
//!     sub-bench latency --write-url http://127.0.0.1:8301/graphql --subscribe-url http://127.0.0.1:8302/graphql

// A load tool stops with a message on a broken setup; `expect` says which.
#![allow(clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

#[derive(Debug, Parser)]
#[command(name = "sub-bench", about)]
struct Args {
    /// `latency` or `idle`.
    mode: String,
    /// Where the writer sends its mutations.
    #[arg(long)]
    write_url: String,
    /// Where subscribers connect (repeat for several instances; they share
    /// the subscriptions evenly).
    #[arg(long, required = true)]
    subscribe_url: Vec<String>,
    #[arg(long, default_value_t = 1000)]
    subscriptions: usize,
    /// WebSockets per instance.
    #[arg(long, default_value_t = 10)]
    sockets: usize,
    #[arg(long, default_value_t = 300)]
    changes: usize,
    /// Mutations per second.
    #[arg(long, default_value_t = 50)]
    rate: u32,
    /// The server's process id, for `idle`.
    #[arg(long)]
    pid: Option<u32>,
}

const SUBSCRIPTION: &str =
    "subscription($p: UUID) { taskChanged(planId: $p) { kind task { description } } }";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let http = reqwest::Client::new();
    let plan = setup(&http, &args.write_url).await?;
    let per_instance = args.subscriptions / args.subscribe_url.len();
    let responded: Arc<Mutex<HashMap<usize, Instant>>> = Arc::default();
    let arrivals: Arc<Mutex<Vec<(usize, Instant)>>> = Arc::default();
    let before = match (args.mode.as_str(), args.pid) {
        ("idle", Some(pid)) => Some(rss_kib(pid)?),
        _ => None,
    };
    let mut sockets = Vec::new();
    for url in &args.subscribe_url {
        for s in 0..args.sockets {
            let count = per_instance / args.sockets + usize::from(s < per_instance % args.sockets);
            sockets.push(open(url, count, &plan).await?);
        }
    }
    // Subscriptions start as the server reads their sockets.
    tokio::time::sleep(Duration::from_secs(2)).await;
    if args.mode == "idle" {
        return idle(&args, before, sockets).await;
    }
    if args.mode != "latency" {
        bail!("unknown mode {}", args.mode);
    }
    let mut readers = Vec::new();
    for mut socket in sockets {
        let arrivals = arrivals.clone();
        readers.push(tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                let Message::Text(text) = message else {
                    continue;
                };
                let at = Instant::now();
                let Ok(value) = serde_json::from_str::<Value>(text.as_str()) else {
                    continue;
                };
                let description = &value["payload"]["data"]["taskChanged"]["task"]["description"];
                if let Some(n) = description.as_str().and_then(|d| d.strip_prefix("change "))
                    && let Ok(n) = n.parse::<usize>()
                {
                    arrivals.lock().expect("lock").push((n, at));
                }
            }
        }));
    }
    let every = Duration::from_secs_f64(1.0 / f64::from(args.rate.max(1)));
    let mut ticks = tokio::time::interval(every);
    for n in 0..args.changes {
        ticks.tick().await;
        let body = json!({
            "query": "mutation($p: UUID!, $d: String!) { createTask(input: { planId: $p, description: $d }) { id } }",
            "variables": { "p": plan, "d": format!("change {n}") },
        });
        let response = http.post(&args.write_url).json(&body).send().await?;
        response.error_for_status_ref()?;
        let _ = response.bytes().await?;
        responded.lock().expect("lock").insert(n, Instant::now());
    }
    let expected = args.changes * per_instance * args.subscribe_url.len();
    let deadline = Instant::now() + Duration::from_secs(30);
    while arrivals.lock().expect("lock").len() < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut histogram = Histogram::<u64>::new(3)?;
    let responded = responded.lock().expect("lock");
    let arrivals = arrivals.lock().expect("lock");
    for (n, at) in arrivals.iter() {
        let Some(answered) = responded.get(n) else {
            continue;
        };
        let micros = at.saturating_duration_since(*answered).as_micros() as u64;
        histogram.record(micros.max(1))?;
    }
    let ms = |q: f64| histogram.value_at_quantile(q) as f64 / 1000.0;
    println!(
        "| {} subscriptions on {} instance(s), {} changes at {}/s | {} of {} events | p50 {:.2} ms | p95 {:.2} ms | p99 {:.2} ms | max {:.2} ms |",
        args.subscriptions,
        args.subscribe_url.len(),
        args.changes,
        args.rate,
        arrivals.len(),
        expected,
        ms(0.5),
        ms(0.95),
        ms(0.99),
        histogram.max() as f64 / 1000.0
    );
    for reader in readers {
        reader.abort();
    }
    Ok(())
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(url: &str, subscriptions: usize, plan: &str) -> anyhow::Result<Socket> {
    let mut request = url.replacen("http", "ws", 1).into_client_request()?;
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": {} }),
    )
    .await?;
    let ack = socket.next().await.context("no ack")??;
    if !ack.to_text().unwrap_or("").contains("connection_ack") {
        bail!("expected connection_ack, got {ack:?}");
    }
    for i in 0..subscriptions {
        send(
            &mut socket,
            json!({ "id": i.to_string(), "type": "subscribe",
                    "payload": { "query": SUBSCRIPTION, "variables": { "p": plan } } }),
        )
        .await?;
    }
    Ok(socket)
}

async fn send(socket: &mut Socket, message: Value) -> anyhow::Result<()> {
    socket
        .send(Message::Text(message.to_string().into()))
        .await?;
    Ok(())
}

async fn setup(http: &reqwest::Client, url: &str) -> anyhow::Result<String> {
    let run = |query: &'static str, variables: Value| async move {
        let body: Value = http
            .post(url)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await?
            .json()
            .await?;
        if body.get("errors").is_some() {
            bail!("setup failed: {body}");
        }
        Ok::<Value, anyhow::Error>(body["data"].clone())
    };
    let agent = run(
        r#"mutation { createAgent(input: { name: "sub-bench" }) { id } }"#,
        json!({}),
    )
    .await?;
    let agent = agent["createAgent"]["id"].clone();
    let goal = run(
        r#"mutation($a: UUID!) { createGoal(input: { agentId: $a, description: "sub-bench",
             plans: [{ description: "watched" }] }) { plans { nodes { id } } } }"#,
        json!({ "a": agent }),
    )
    .await?;
    goal["createGoal"]["plans"]["nodes"][0]["id"]
        .as_str()
        .map(str::to_owned)
        .context("no plan id")
}

fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmRSS")
}

async fn idle(args: &Args, before: Option<u64>, sockets: Vec<Socket>) -> anyhow::Result<()> {
    let pid = args.pid.context("idle needs --pid")?;
    let before = before.context("idle needs --pid")?;
    let with = rss_kib(pid)?;
    println!(
        "| {} idle subscriptions over {} sockets | server RSS {} KiB before, {} KiB with them | {:.1} KiB per subscription |",
        args.subscriptions,
        args.sockets * args.subscribe_url.len(),
        before,
        with,
        with.saturating_sub(before) as f64 / args.subscriptions as f64
    );
    drop(sockets);
    Ok(())
}
