//! The real binary, as an operator runs it: JSON logs that carry the request
//! id, and a clean exit on SIGTERM.

use std::process::Command;

use serde_json::{Value, json};

use crate::binary;
use crate::helpers::fresh_database_url;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_the_request_id_and_sigterm_exits_cleanly() {
    let database_url = fresh_database_url().await;
    let mut server = binary::serve(&database_url, &[]);
    let address = server.address.clone();

    let response = reqwest::Client::new()
        .post(format!("{address}/graphql"))
        .header("X-Request-Id", "process-test-request-7")
        .json(&json!({ "query": "query CountAgents { agents { totalCount } }", "operationName": "CountAgents" }))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);

    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("send SIGTERM");
    assert!(status.success());
    let (mut server, exit) = tokio::task::spawn_blocking(move || {
        let exit = server.child.wait();
        (server, exit)
    })
    .await
    .expect("wait task");
    let exit = exit.expect("wait");
    assert!(exit.success(), "agentgraph exited with {exit}");

    server.read_to_end();
    let seen = std::mem::take(&mut server.seen);
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

/// With tracing on, a request's JSON log lines name its trace: the client's
/// when it sent a `traceparent`, a new one otherwise; a user's report
/// (`extensions.reference`) or a log line leads to the trace.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_traced_request_s_json_log_lines_carry_its_trace_id() {
    let database_url = fresh_database_url().await;
    // Nothing listens there: the spans are lost, the log is what counts.
    let mut server = binary::serve(&database_url, &["--otlp-endpoint", "http://127.0.0.1:9"]);
    let address = server.address.clone();
    let trace_id = "5b8efff798038103d269b633813fc60c";
    let client = reqwest::Client::new();
    for traceparent in [Some(format!("00-{trace_id}-eee19b7ec3c1b174-01")), None] {
        let mut request = client
            .post(format!("{address}/graphql"))
            .json(&json!({ "query": "query Traced { agents { totalCount } }" }));
        if let Some(traceparent) = &traceparent {
            request = request.header("traceparent", traceparent);
        }
        let response = request.send().await.expect("send");
        assert_eq!(response.status(), 200);
        server.wait_for(|message| (message == "graphql request").then_some(()));
        let logged: Value =
            serde_json::from_str(server.seen.last().expect("a line")).expect("JSON");
        let logged_trace = logged["span"]["trace_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        match traceparent {
            Some(_) => assert_eq!(logged_trace, trace_id, "{logged}"),
            None => assert!(
                logged_trace.len() == 32 && logged_trace != trace_id,
                "a new trace's id: {logged}"
            ),
        }
    }
}
