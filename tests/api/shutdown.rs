//! Issue 25: a connection held without end neither hides who holds it nor
//! holds the process. The real binary, with a database lock taken from
//! outside it so that its create holds the writer connection for good.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database, TransactionTrait};
use serde_json::{Value, json};

use crate::helpers::fresh_database_url;

const DRAIN_SECS: u64 = 1;
/// The server's grace for closing its pools, and a margin for a busy machine.
const STOP_LIMIT: Duration = Duration::from_secs(DRAIN_SECS + 3 + 3);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_connection_is_named_and_does_not_hold_the_shutdown() {
    let database_url = fresh_database_url().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_agentgraph"))
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .args(["--drain-timeout-secs", &DRAIN_SECS.to_string()])
        .args(["--database-acquire-timeout", "1s"])
        .args(["--max-concurrent-operations", "64"])
        .env("DATABASE_URL", &database_url)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start agentgraph");
    let lines = log_lines(child.stderr.take().expect("stderr"));
    let mut seen = Vec::new();
    let address = wait_for(&lines, &mut seen, |message| {
        message
            .strip_prefix("agentgraph listening on ")
            .map(|rest| {
                rest.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
    });
    let postgres = database_url.starts_with("postgres");
    let http = reqwest::Client::new();
    let send = |query: String| {
        http.post(format!("{address}/graphql"))
            .json(&json!({ "query": query }))
            .send()
    };
    let body: Value = send(r#"mutation { createAgent(input: { name: "locked" }) { id } }"#.into())
        .await
        .expect("a create before the lock")
        .json()
        .await
        .expect("json");
    let agent = body["data"]["createAgent"]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // Another client locks the agents; each update then holds a writer
    // connection, waiting on the lock, for as long as it lasts.
    let blocker = Database::connect(database_url.as_str())
        .await
        .expect("connect");
    let lock = blocker.begin().await.expect("begin");
    let statement = if postgres {
        "LOCK TABLE agents IN ACCESS EXCLUSIVE MODE"
    } else {
        // A write takes SQLite's one write lock until this transaction ends.
        "UPDATE agents SET name = name"
    };
    lock.execute_unprepared(statement).await.expect("lock");

    // More writes than the writer has connections: the last waits for one,
    // times out, and the log says who holds them. On PostgreSQL updates,
    // each a transaction on a connection of its own, until all 16 are
    // held; on SQLite a create, which holds the one writer connection
    // while SQLite's busy handler waits for the lock, then a create of
    // another kind, which waits for that connection.
    let writes: Vec<String> = if postgres {
        let update = format!(
            r#"mutation {{ updateAgent(id: "{agent}", input: {{ name: "renamed" }}) {{ version }} }}"#
        );
        vec![update; 24]
    } else {
        vec![
            r#"mutation { createAgent(input: { name: "held" }) { id } }"#.to_owned(),
            format!(
                r#"mutation {{ createGoal(input: {{ agentId: "{agent}", description: "waits" }}) {{ id }} }}"#
            ),
        ]
    };
    let mut pending = Vec::new();
    for write in writes {
        pending.push(tokio::spawn(send(write)));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    wait_for(&lines, &mut seen, |message| {
        message
            .starts_with("timed out waiting for a database connection")
            .then_some(())
    });
    let report = seen
        .iter()
        .rev()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|line| {
            line["fields"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("timed out waiting"))
        })
        .expect("the report");
    assert_eq!(report["fields"]["pool"], json!("writer"), "{report}");
    let holders = report["fields"]["held_by"].as_str().unwrap_or_default();
    assert!(holders.contains(" × mutation (longest"), "{report}");
    assert!(
        report["fields"]["waiting"].as_u64().unwrap_or(0) >= 1,
        "{report}"
    );
    let refused = futures_util::future::join_all(pending.split_off(pending.len() - 1))
        .await
        .into_iter()
        .next()
        .expect("the last update")
        .expect("task")
        .expect("a response");
    let body: Value = refused.json().await.expect("json");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        json!("SERVICE_UNAVAILABLE"),
        "{body}"
    );

    // The metrics show the held connections and who waits for them.
    let metrics = http
        .get(format!("{address}/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    let gauge = |name: &str| -> f64 {
        let prefix = format!("{name}{{pool=\"writer\"}} ");
        metrics
            .lines()
            .find_map(|line| line.strip_prefix(prefix.as_str()))
            .and_then(|value| value.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {prefix} in:\n{metrics}"))
    };
    assert!(
        gauge("agentgraph_db_pool_longest_hold_seconds") >= 1.0,
        "{metrics}"
    );
    assert!(gauge("agentgraph_db_pool_waiters") >= 0.0, "{metrics}");

    let sent = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("send SIGTERM");
    assert!(status.success());
    let exit = tokio::task::spawn_blocking(move || {
        loop {
            if let Some(exit) = child.try_wait().expect("wait") {
                return Some(exit);
            }
            if sent.elapsed() > STOP_LIMIT {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    })
    .await
    .expect("wait task");
    let stopped_after = sent.elapsed();
    lock.rollback().await.expect("release the lock");
    blocker.close().await.ok();
    for update in pending {
        update.abort();
    }
    seen.extend(lines.iter());
    let exit = exit.unwrap_or_else(|| {
        panic!(
            "still running {STOP_LIMIT:?} after SIGTERM:\n{}",
            seen.join("\n")
        )
    });
    assert_eq!(
        exit.code(),
        Some(3),
        "abandoning work exits with 3, after {stopped_after:?}:\n{}",
        seen.join("\n")
    );
    assert!(
        seen.iter()
            .any(|l| l.contains("abandoning") && l.contains("writer")),
        "the log names what was abandoned:\n{}",
        seen.join("\n")
    );
}

fn log_lines(stderr: std::process::ChildStderr) -> Receiver<String> {
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    lines_rx
}

/// Reads log lines until `found` picks something out of one's message.
fn wait_for<T>(
    lines: &Receiver<String>,
    seen: &mut Vec<String>,
    found: impl Fn(&str) -> Option<T>,
) -> T {
    loop {
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("not logged; the log so far:\n{}", seen.join("\n")));
        seen.push(line.clone());
        let Ok(parsed) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if let Some(value) = found(parsed["fields"]["message"].as_str().unwrap_or_default()) {
            return value;
        }
    }
}
