//! OpenTelemetry traces: a real OTLP/HTTP receiver started here takes the
//! spans the server exports (protobuf, decoded with the official
//! `opentelemetry-proto` types), and the tests check their tree. Tracing
//! is process-wide: each test runs alone in a process of its own
//! (`helpers::run_alone`).

mod receiver;

use opentelemetry_proto::tonic::trace::v1::Span;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::group_commit::create_while_held;
use crate::helpers::{TestApp, is_postgres, spawn_app_with, unknown_id};
use receiver::{Receiver, attribute};

async fn spawn_traced(endpoint: &str) -> TestApp {
    let endpoint = endpoint.to_owned();
    spawn_app_with(move |config| {
        config.serve.otlp_endpoint = Some(endpoint);
        config.serve.otel_service_name = "agentgraph-test".to_owned();
        config.serve.write_concurrency = 1;
        config.serve.max_concurrent_operations = 100;
    })
    .await
}

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CLIENT_SPAN: &str = "00f067aa0ba902b7";

fn traceparent(trace_id: &str, span_id: &str) -> String {
    format!("00-{trace_id}-{span_id}-01")
}

const PROGRESS: &str = "query Progress {
  agents(first: 5) { nodes { name goals { nodes { description plans { nodes { tasks { nodes { id } } } } } } } }
}";

#[test]
fn a_request_with_a_traceparent_continues_its_trace_down_to_the_statements_alone() {
    crate::helpers::run_alone(
        "tracing::a_request_with_a_traceparent_continues_its_trace_down_to_the_statements",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "process-wide state: run alone by its `_alone` wrapper"]
async fn a_request_with_a_traceparent_continues_its_trace_down_to_the_statements() {
    let (receiver, endpoint) = Receiver::start().await;
    let app = spawn_traced(&endpoint).await;
    let agent = app.create_agent("traced").await;
    let goal = app.create_goal(&agent, "goal").await;
    let plan = app.create_plan(&goal, "plan").await;
    app.create_task(&plan, "task").await;

    let response = app
        .post(PROGRESS)
        .header("traceparent", &traceparent(TRACE_ID, CLIENT_SPAN))
        .header("tracestate", "vendor=value")
        .send()
        .await;
    let body = response.json();
    assert!(body.get("errors").is_none(), "{body}");

    let spans = receiver
        .wait_for(|spans| {
            spans
                .iter()
                .any(|s| hex::encode(&s.trace_id) == TRACE_ID && s.name == "query Progress")
                && spans
                    .iter()
                    .filter(|s| hex::encode(&s.trace_id) == TRACE_ID)
                    .count()
                    >= 8
        })
        .await;
    let services: Vec<String> = receiver
        .spans
        .lock()
        .expect("spans")
        .iter()
        .map(|(service, _)| service.clone())
        .collect();
    assert!(
        services.iter().all(|s| s == "agentgraph-test"),
        "{services:?}"
    );

    let trace: Vec<&Span> = spans
        .iter()
        .filter(|s| hex::encode(&s.trace_id) == TRACE_ID)
        .collect();
    let operation = trace
        .iter()
        .find(|s| s.name == "query Progress")
        .expect("the operation's span");
    assert_eq!(hex::encode(&operation.parent_span_id), CLIENT_SPAN);
    assert_eq!(operation.kind, 2, "a server span");
    assert_eq!(
        attribute(operation, "graphql.operation.name").as_deref(),
        Some("Progress")
    );
    assert_eq!(
        attribute(operation, "graphql.operation.type").as_deref(),
        Some("query")
    );
    assert_eq!(
        attribute(operation, "graphql.document.sha256"),
        Some(hex::encode(Sha256::digest(PROGRESS.as_bytes())))
    );
    assert_eq!(
        attribute(operation, "graphql.outcome").as_deref(),
        Some("ok")
    );
    assert!(attribute(operation, "graphql.error.codes").is_none());

    // One batch per level below the roots, each the operation's child.
    let batches: Vec<&&Span> = trace
        .iter()
        .filter(|s| attribute(s, "agentgraph.loader").is_some())
        .collect();
    assert!(batches.len() >= 3, "{batches:#?}");
    for batch in &batches {
        assert_eq!(batch.parent_span_id, operation.span_id, "{batch:?}");
        assert!(attribute(batch, "agentgraph.loader.keys").is_some());
    }
    let tables: Vec<String> = batches
        .iter()
        .filter_map(|b| attribute(b, "agentgraph.loader.table"))
        .collect();
    for table in ["goals", "plans", "tasks"] {
        assert!(tables.iter().any(|t| t == table), "{tables:?}");
    }

    // Statements: the roots' under the operation, the rest under batches.
    let system = if is_postgres() {
        "postgresql"
    } else {
        "sqlite"
    };
    let statements: Vec<&&Span> = trace
        .iter()
        .filter(|s| attribute(s, "db.system").is_some())
        .collect();
    assert!(statements.len() >= 4, "{statements:#?}");
    for statement in &statements {
        assert_eq!(attribute(statement, "db.system").as_deref(), Some(system));
        assert_eq!(
            attribute(statement, "db.operation").as_deref(),
            Some("SELECT")
        );
        assert_eq!(statement.kind, 3, "a client span");
        let text = attribute(statement, "db.query.text").expect("the statement's text");
        assert!(!text.contains("traced"), "no bound values: {text}");
        let parent = &statement.parent_span_id;
        assert!(
            *parent == operation.span_id || batches.iter().any(|b| b.span_id == *parent),
            "{statement:?}"
        );
    }
    for batch in &batches {
        assert!(
            statements.iter().any(|s| s.parent_span_id == batch.span_id),
            "each batch ran a statement: {batch:?}"
        );
    }
}

const CREATE_TASK: &str =
    "mutation NewTask($input: CreateTaskInput!) { createTask(input: $input) { id } }";

#[test]
fn creates_that_share_a_group_commit_link_to_its_span_alone() {
    crate::helpers::run_alone("tracing::creates_that_share_a_group_commit_link_to_its_span");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "process-wide state: run alone by its `_alone` wrapper"]
async fn creates_that_share_a_group_commit_link_to_its_span() {
    let (receiver, endpoint) = Receiver::start().await;
    let app = spawn_traced(&endpoint).await;
    let agent = app.create_agent("traced").await;
    let goal = app.create_goal(&agent, "goal").await;
    let plan = app.create_plan(&goal, "plan").await;

    let inputs: Vec<_> = (0..6)
        .map(|n| json!({ "planId": plan, "description": format!("queued {n}") }))
        .collect();
    let first = json!({ "planId": plan, "description": "held", "idempotencyKey": "held" });
    let (first, answers) = create_while_held(&app, CREATE_TASK, first, &inputs).await;
    assert!(first.get("errors").is_none(), "{first}");
    for answer in &answers {
        assert!(answer.get("errors").is_none(), "{answer}");
    }

    let is_commit = |s: &Span| {
        s.name == "group commit"
            && attribute(s, "agentgraph.batch.creates")
                .and_then(|n| n.parse::<u64>().ok())
                .is_some_and(|n| n >= 2)
    };
    let spans = receiver
        .wait_for(|spans| {
            let written = |commit: &Span| {
                spans.iter().any(|s| {
                    s.parent_span_id == commit.span_id && attribute(s, "db.operation").is_some()
                })
            };
            spans.iter().any(|s| is_commit(s) && written(s))
                && spans
                    .iter()
                    .filter(|s| s.name == "mutation NewTask")
                    .count()
                    >= 7
        })
        .await;
    let commit = spans
        .iter()
        .filter(|s| is_commit(s))
        .max_by_key(|s| s.links.len())
        .expect("a group commit");
    assert_eq!(
        attribute(commit, "agentgraph.resource").as_deref(),
        Some("tasks")
    );
    assert!(commit.links.len() >= 2, "{commit:?}");
    let operations: Vec<&Span> = spans
        .iter()
        .filter(|s| s.name == "mutation NewTask")
        .collect();
    // The commit links to each request's span, and each links back.
    for link in &commit.links {
        let request = operations
            .iter()
            .find(|s| s.span_id == link.span_id && s.trace_id == link.trace_id)
            .expect("a link to a request's span");
        assert!(
            request
                .links
                .iter()
                .any(|l| l.span_id == commit.span_id && l.trace_id == commit.trace_id),
            "{request:?}"
        );
    }
    // The commit's statement is its child.
    assert!(
        spans
            .iter()
            .any(|s| s.parent_span_id == commit.span_id && attribute(s, "db.operation").is_some()),
        "the commit's statement: {commit:?} among {:?}",
        spans
            .iter()
            .map(|s| (
                &s.name,
                hex::encode(&s.span_id),
                hex::encode(&s.parent_span_id)
            ))
            .collect::<Vec<_>>()
    );
}

#[test]
fn an_error_carries_the_trace_id_as_its_reference_alone() {
    crate::helpers::run_alone("tracing::an_error_carries_the_trace_id_as_its_reference");
}

#[tokio::test]
#[ignore = "process-wide state: run alone by its `_alone` wrapper"]
async fn an_error_carries_the_trace_id_as_its_reference() {
    let (receiver, endpoint) = Receiver::start().await;
    let app = spawn_traced(&endpoint).await;
    let trace_id = "0af7651916cd43dd8448eb211c80319c";
    let response = app
        .post_raw()
        .json(json!({
            "query": "mutation Gone($id: UUID!) { deleteTask(id: $id) }",
            "variables": { "id": unknown_id() },
        }))
        .header("traceparent", &traceparent(trace_id, "b7ad6b7169203331"))
        .send()
        .await;
    let body = response.json();
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], json!("NOT_FOUND"), "{body}");
    assert_eq!(error["extensions"]["reference"], json!(trace_id), "{body}");

    // A request error (nothing ran) is in the trace too.
    let response = app
        .post("query Bad { nothing }")
        .header("traceparent", &traceparent(trace_id, "b7ad6b7169203332"))
        .send()
        .await;
    let body = response.json();
    assert_eq!(
        body["errors"][0]["extensions"]["reference"],
        json!(trace_id),
        "{body}"
    );

    let spans = receiver
        .wait_for(|spans| spans.iter().any(|s| s.name == "mutation Gone"))
        .await;
    let operation = spans
        .iter()
        .find(|s| s.name == "mutation Gone")
        .expect("span");
    assert_eq!(hex::encode(&operation.trace_id), trace_id);
    assert_eq!(
        attribute(operation, "graphql.outcome").as_deref(),
        Some("error")
    );
    assert_eq!(
        attribute(operation, "graphql.error.codes").as_deref(),
        Some("NOT_FOUND")
    );
    assert_eq!(
        operation.status.as_ref().map(|s| s.code),
        Some(2),
        "status ERROR"
    );
}

#[test]
fn without_an_endpoint_nothing_is_traced_and_errors_keep_their_shape_alone() {
    crate::helpers::run_alone(
        "tracing::without_an_endpoint_nothing_is_traced_and_errors_keep_their_shape",
    );
}

#[tokio::test]
#[ignore = "process-wide state: run alone by its `_alone` wrapper"]
async fn without_an_endpoint_nothing_is_traced_and_errors_keep_their_shape() {
    let app = spawn_app_with(|_| {}).await;
    let response = app
        .post_raw()
        .json(json!({
            "query": "mutation Gone($id: UUID!) { deleteTask(id: $id) }",
            "variables": { "id": unknown_id() },
        }))
        .header("traceparent", &traceparent(TRACE_ID, CLIENT_SPAN))
        .send()
        .await;
    let body = response.json();
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        json!("NOT_FOUND"),
        "{body}"
    );
    assert!(
        body["errors"][0]["extensions"].get("reference").is_none(),
        "{body}"
    );
}
