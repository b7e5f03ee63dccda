//! The real binary, as an operator runs it: JSON logs that carry the request
//! id, and a clean exit on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::fresh_database_url;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_the_request_id_and_sigterm_exits_cleanly() {
    let database_url = fresh_database_url().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_agentgraph"))
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .env("DATABASE_URL", &database_url)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start agentgraph");
    let stderr = child.stderr.take().expect("stderr");
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let address = loop {
        let line = lines_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the server logs its address");
        seen.push(line.clone());
        let parsed: Value = serde_json::from_str(&line).expect("every log line is JSON");
        let message = parsed["fields"]["message"].as_str().unwrap_or_default();
        if let Some(rest) = message.strip_prefix("agentgraph listening on ") {
            break rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned();
        }
    };

    let response = reqwest::Client::new()
        .post(format!("{address}/graphql"))
        .header("X-Request-Id", "process-test-request-7")
        .json(&json!({ "query": "query CountAgents { agents { totalCount } }", "operationName": "CountAgents" }))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("send SIGTERM");
    assert!(status.success());
    let exit = tokio::task::spawn_blocking(move || child.wait())
        .await
        .expect("wait task")
        .expect("wait");
    assert!(exit.success(), "agentgraph exited with {exit}");

    // The process has exited, so its stderr ends and the reader thread
    // closes the channel once it has passed on the last lines.
    seen.extend(lines_rx.iter());
    let request_line = seen
        .iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|line| line["fields"]["message"] == json!("graphql request"))
        .unwrap_or_else(|| panic!("no GraphQL request line in:\n{}", seen.join("\n")));
    assert_eq!(
        request_line["span"]["request_id"],
        json!("process-test-request-7"),
        "{request_line}"
    );
    assert_eq!(request_line["fields"]["operation"], json!("CountAgents"));
    assert_eq!(request_line["fields"]["outcome"], json!("ok"));
    assert!(request_line["fields"]["elapsed_ms"].is_number());
    assert!(
        seen.iter().any(|l| l.contains("agentgraph stopped")),
        "no clean stop in:\n{}",
        seen.join("\n")
    );
}
