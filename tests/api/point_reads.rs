//! Point reads batched across requests (issue 31): concurrent root
//! `agent(id:)`-style reads of different requests, and the by-id loads
//! inside their operations, share statements; each still gets its own row,
//! never another tenant's, and a lone read is one statement of its own.

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::tenants::{TENANT_A, TENANT_B, key_line};

const AGENT: &str = "query($id: UUID!) { agent(id: $id) { id name } }";
const TASK: &str = "query($id: UUID!) { task(id: $id) { id description } }";
/// Two root fields: the request's loader reads them, then their plans.
const TWO_TASKS: &str = "query($a: UUID!, $b: UUID!) {
    a: task(id: $a) { description plan { description } }
    b: task(id: $b) { description plan { description } }
}";
/// The same agent twice: through the request's loader, not a lone read.
const AGENT_TWICE: &str =
    "query($id: UUID!) { agent(id: $id) { id name } again: agent(id: $id) { id } }";

async fn read(app: &TestApp, document: &str, id: &str, key: Option<&str>) -> Value {
    read_with(app, document, json!({ "id": id }), key).await
}

async fn read_with(app: &TestApp, document: &str, variables: Value, key: Option<&str>) -> Value {
    let body = app
        .post_raw()
        .maybe_key(key)
        .json(json!({ "query": document, "variables": variables }))
        .send()
        .await
        .json();
    assert!(body["errors"].is_null(), "{body}");
    body["data"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_point_reads_share_statements_and_each_gets_its_own_row() {
    let app = spawn_app().await;
    let mut agents = Vec::new();
    for i in 0..40 {
        agents.push((
            app.create_agent(&format!("agent {i}")).await,
            format!("agent {i}"),
        ));
    }
    let goal = app.create_goal(&agents[0].0, "a goal").await;
    let plan = app.create_plan(&goal, "a plan").await;
    let task = app.create_task(&plan, "the task").await;

    let app = &app;
    let before = app.statements.get();
    let mut requests = 0;
    for _ in 0..3 {
        // Agents and a task side by side: each kind queues on its own.
        let reads = agents
            .iter()
            .map(|(id, name)| async move {
                let data = read(app, AGENT, id, None).await;
                assert_eq!(data["agent"]["id"], id.as_str(), "{data}");
                assert_eq!(data["agent"]["name"], name.as_str(), "{data}");
            })
            .collect::<Vec<_>>();
        let tasks = (0..10).map(|_| async {
            let data = read(app, TASK, &task, None).await;
            assert_eq!(data["task"]["description"], "the task", "{data}");
        });
        requests += reads.len() + 10;
        let unknown = async {
            let data = read(app, AGENT, &crate::helpers::unknown_id(), None).await;
            assert!(data["agent"].is_null(), "{data}");
        };
        requests += 1;
        futures_util::join!(join_all(reads), join_all(tasks), unknown);
    }
    let statements = app.statements.get() - before;
    assert!(
        statements < requests as u64,
        "{requests} concurrent point reads took {statements} statements: none shared"
    );
}

#[tokio::test]
async fn a_lone_point_read_is_one_statement_of_its_own() {
    let app = spawn_app().await;
    let agent = app.create_agent("alone").await;
    for _ in 0..3 {
        app.statements.record();
        let data = read(&app, AGENT, &agent, None).await;
        assert_eq!(data["agent"]["name"], "alone");
        let statements = app.statements.take_recorded();
        assert_eq!(
            statements.len(),
            1,
            "{:#?}",
            statements.iter().map(|s| &s.sql).collect::<Vec<_>>()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn loads_inside_concurrent_operations_share_statements_and_each_gets_its_own_rows() {
    let app = spawn_app().await;
    let agent = app.create_agent("planner").await;
    let goal = app.create_goal(&agent, "a goal").await;
    let mut tasks = Vec::new();
    for i in 0..10 {
        let plan = app.create_plan(&goal, &format!("plan {i}")).await;
        let task = app.create_task(&plan, &format!("task {i}")).await;
        tasks.push(task);
    }
    let (app, tasks) = (&app, &tasks);
    // Alone: one statement for the tasks, one for their plans.
    app.statements.record();
    let data = read_with(
        app,
        TWO_TASKS,
        json!({ "a": tasks[0], "b": tasks[1] }),
        None,
    )
    .await;
    assert_eq!(data["b"]["plan"]["description"], "plan 1", "{data}");
    let statements = app.statements.take_recorded();
    assert_eq!(statements.len(), 2, "{statements:#?}");

    let before = app.statements.get();
    let mut requests = 0;
    for round in 0..3 {
        let reads = (0..30).map(|i| async move {
            let (a, b) = ((i + round) % 10, (i * 3 + 1) % 10);
            let variables = json!({ "a": tasks[a], "b": tasks[b] });
            let data = read_with(app, TWO_TASKS, variables, None).await;
            for (key, n) in [("a", a), ("b", b)] {
                assert_eq!(data[key]["description"], format!("task {n}"), "{data}");
                assert_eq!(
                    data[key]["plan"]["description"],
                    format!("plan {n}"),
                    "{data}"
                );
            }
        });
        requests += 30;
        join_all(reads).await;
    }
    let statements = app.statements.get() - before;
    assert!(
        statements < 2 * requests,
        "{requests} concurrent operations of two loads each took {statements} statements: none shared"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reads_batched_together_never_cross_tenants() {
    const KEY_A: &str = "agk_point_reads_a";
    const KEY_B: &str = "agk_point_reads_b";
    let keys = [
        key_line("a", "write", KEY_A, TENANT_A, None),
        key_line("b", "write", KEY_B, TENANT_B, None),
    ]
    .join(",");
    let app = spawn_app_with(|config| config.serve.api_keys = Some(keys)).await;
    let create = |key: &'static str, name: String| {
        let app = &app;
        async move {
            let body = app
                .post_raw()
                .key(key)
                .json(json!({
                    "query": "mutation($name: String!) { createAgent(input: { name: $name }) { id } }",
                    "variables": { "name": name },
                }))
                .send()
                .await
                .json();
            body["data"]["createAgent"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{body}"))
                .to_owned()
        }
    };
    let mut a = Vec::new();
    let mut b = Vec::new();
    for i in 0..15 {
        a.push(create(KEY_A, format!("a {i}")).await);
        b.push(create(KEY_B, format!("b {i}")).await);
    }
    let (app, a) = (&app, &a);
    // Lone root reads, and the same through the request's loader.
    for document in [AGENT, AGENT_TWICE, AGENT, AGENT_TWICE] {
        // Each tenant asks for its own rows and the other's, all at once.
        let reads = a
            .iter()
            .chain(&b)
            .flat_map(|id| [(KEY_A, id), (KEY_B, id)])
            .map(|(key, id)| async move {
                let data = read(app, document, id, Some(key)).await;
                let own = (key == KEY_A) == a.contains(id);
                let fields: &[&str] = if document == AGENT {
                    &["agent"]
                } else {
                    &["agent", "again"]
                };
                for field in fields {
                    if own {
                        assert_eq!(data[field]["id"], id.as_str(), "{data}");
                    } else {
                        assert!(data[field].is_null(), "another tenant's agent: {data}");
                    }
                }
            });
        join_all(reads).await;
    }
}
