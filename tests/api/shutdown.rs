//! Issue 25: a connection held without end neither hides who holds it nor
//! holds the process. The real binary, with a database lock taken from
//! outside it so that its create holds the writer connection for good.

use std::process::Command;
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database, TransactionTrait};
use serde_json::{Value, json};

use crate::binary;
use crate::helpers::fresh_database_url;

const DRAIN_SECS: u64 = 1;
/// The server's grace for closing its pools, and a margin for a busy machine.
const STOP_LIMIT: Duration = Duration::from_secs(DRAIN_SECS + 3 + 3);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_connection_is_named_and_does_not_hold_the_shutdown() {
    let database_url = fresh_database_url().await;
    let drain = DRAIN_SECS.to_string();
    let mut server = binary::serve(
        &database_url,
        &[
            "--drain-timeout-secs",
            &drain,
            "--database-acquire-timeout",
            "1s",
            "--max-concurrent-operations",
            "64",
        ],
    );
    let address = server.address.clone();
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
    server.wait_for(|message| {
        message
            .starts_with("timed out waiting for a database connection")
            .then_some(())
    });
    let report = server
        .seen
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
    // The holders are named by their work: the mutations, or on a loaded
    // machine the server's first pruning pass, which can reach SQLite's one
    // writer connection after the lock and wait on it just the same.
    assert!(
        holders.contains(" × mutation (longest") || holders.contains(" × pruning (longest"),
        "{report}"
    );
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
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("send SIGTERM");
    assert!(status.success());
    let (mut server, exit) = tokio::task::spawn_blocking(move || {
        let exit = loop {
            if let Some(exit) = server.child.try_wait().expect("wait") {
                break Some(exit);
            }
            if sent.elapsed() > STOP_LIMIT {
                let _ = server.child.kill();
                let _ = server.child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        (server, exit)
    })
    .await
    .expect("wait task");
    let stopped_after = sent.elapsed();
    lock.rollback().await.expect("release the lock");
    blocker.close().await.ok();
    for update in pending {
        update.abort();
    }
    server.read_to_end();
    let seen = std::mem::take(&mut server.seen);
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
