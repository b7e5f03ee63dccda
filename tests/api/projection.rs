//! Lists read only the columns their selection needs, and what they return
//! does not depend on which other fields are selected beside a field.

use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, spawn_app};

/// One agent → goal → plan → task, every optional field set to something
/// other than its default, so a placeholder cannot pass for the real value.
async fn seed_one_of_each(app: &TestApp) -> [String; 4] {
    let data = app
        .gql_ok(
            "mutation($agent: CreateAgentInput!) {
                createAgent(input: $agent) { id }
            }",
            json!({ "agent": {
                "name": "projected", "status": "PAUSED",
                "configuration": { "max_tokens": 512 }, "metadata": { "team": "core" }
            } }),
        )
        .await;
    let agent = data["createAgent"]["id"]
        .as_str()
        .expect("agent")
        .to_owned();
    let data = app
        .gql_ok(
            "mutation($goal: CreateGoalInput!) { createGoal(input: $goal) { id } }",
            json!({ "goal": {
                "agentId": agent, "description": "a goal",
                "successCriteria": ["one", "two"], "priority": 9
            } }),
        )
        .await;
    let goal = data["createGoal"]["id"].as_str().expect("goal").to_owned();
    let data = app
        .gql_ok(
            "mutation($plan: CreatePlanInput!) { createPlan(input: $plan) { id } }",
            json!({ "plan": { "goalId": goal, "description": "a plan", "status": "ACTIVE" } }),
        )
        .await;
    let plan = data["createPlan"]["id"].as_str().expect("plan").to_owned();
    let data = app
        .gql_ok(
            "mutation($task: CreateTaskInput!) { createTask(input: $task) { id } }",
            json!({ "task": {
                "planId": plan, "agentId": agent, "description": "a task",
                "taskType": "search", "inputData": { "query": "rust" }
            } }),
        )
        .await;
    let task = data["createTask"]["id"].as_str().expect("task").to_owned();
    for change in [
        json!({ "status": "RUNNING" }),
        json!({ "status": "FAILED", "error": "timed out", "outputData": { "partial": true } }),
    ] {
        app.gql_ok(
            "mutation($id: UUID!, $input: UpdateTaskInput!) { updateTask(id: $id, input: $input) { id } }",
            json!({ "id": task, "input": change }),
        )
        .await;
    }
    [agent, goal, plan, task]
}

/// Each field of `type_name`, with the sub-selection it needs.
async fn selections_of(app: &TestApp, type_name: &str) -> Vec<(String, String)> {
    let data = app
        .gql_ok(
            "query($name: String!) { __type(name: $name) { fields {
                name type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
            } } }",
            json!({ "name": type_name }),
        )
        .await;
    let fields = data["__type"]["fields"].as_array().expect("fields");
    assert!(!fields.is_empty(), "{type_name} has no fields");
    fields
        .iter()
        .map(|field| {
            let name = field["name"].as_str().expect("name").to_owned();
            // Unwrapped from NON_NULL and LIST down to the named type.
            let mut ty = &field["type"];
            while ty["name"].is_null() {
                assert!(ty.is_object(), "{name}: type nested deeper than asked");
                ty = &ty["ofType"];
            }
            let selection = match (ty["kind"].as_str(), ty["name"].as_str()) {
                (Some("OBJECT"), Some(object)) if object.ends_with("Connection") => {
                    format!("{name} {{ totalCount nodes {{ id }} }}")
                }
                (Some("OBJECT"), Some("TaskCounts")) => {
                    format!("{name} {{ total pending running }}")
                }
                (Some("OBJECT"), _) => format!("{name} {{ id }}"),
                _ => name.clone(),
            };
            (name, selection)
        })
        .collect()
}

/// Where a node type can be listed: a path of connection fields from the
/// root to a connection of that type.
fn list_paths(type_name: &str) -> Vec<Vec<&'static str>> {
    match type_name {
        "Agent" => vec![vec!["agents"]],
        "Goal" => vec![vec!["goals"], vec!["agents", "goals"]],
        "Plan" => vec![vec!["plans"], vec!["goals", "plans"]],
        "Task" => vec![
            vec!["tasks"],
            vec!["plans", "tasks"],
            vec!["agents", "tasks"],
        ],
        other => panic!("no list of {other}"),
    }
}

/// `{ a { nodes { b { nodes { <inner> } } } } }`, or with `edges { node }` at
/// the last level.
fn nested_document(path: &[&str], inner: &str, through_edges: bool) -> String {
    let (last, parents) = path.split_last().expect("a path");
    let mut document = if through_edges {
        format!("{last} {{ edges {{ cursor node {{ {inner} }} }} }}")
    } else {
        format!("{last} {{ nodes {{ {inner} }} }}")
    };
    for parent in parents.iter().rev() {
        document = format!("{parent} {{ nodes {{ {document} }} }}");
    }
    format!("{{ {document} }}")
}

/// The one node at the end of `path` in `data`.
fn only_node<'a>(mut data: &'a Value, path: &[&str], through_edges: bool) -> &'a Value {
    let (last, parents) = path.split_last().expect("a path");
    for parent in parents {
        data = &data[*parent]["nodes"][0];
    }
    let nodes = if through_edges {
        &data[*last]["edges"][0]["node"]
    } else {
        &data[*last]["nodes"][0]
    };
    assert!(nodes.is_object(), "no node at {path:?}: {data:#}");
    nodes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_field_selected_alone_in_a_list_equals_the_whole_object() {
    let app = spawn_app().await;
    let ids = seed_one_of_each(&app).await;
    for (type_name, id) in ["Agent", "Goal", "Plan", "Task"].into_iter().zip(&ids) {
        let selections = selections_of(&app, type_name).await;
        let everything = selections
            .iter()
            .map(|(_, selection)| selection.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        // By id, the whole row is read: the reference to compare with.
        let lookup = type_name.to_lowercase();
        let data = app
            .gql_ok(
                &format!("query($id: UUID!) {{ {lookup}(id: $id) {{ {everything} }} }}"),
                json!({ "id": id }),
            )
            .await;
        let whole = &data[&lookup];
        for path in list_paths(type_name) {
            for through_edges in [false, true] {
                for (field, selection) in &selections {
                    let document = nested_document(&path, selection, through_edges);
                    let data = app.gql_ok(&document, json!({})).await;
                    let node = only_node(&data, &path, through_edges);
                    assert_eq!(
                        node[field], whole[field],
                        "{type_name}.{field} through {document}"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn a_list_does_not_read_columns_its_selection_does_not_need() {
    let app = spawn_app().await;
    let [_, _, plan, task] = seed_one_of_each(&app).await;
    // A column a full read needs, gone: reading it now fails.
    let other = Database::connect(app.database_url.as_str())
        .await
        .expect("connect");
    other
        .execute_unprepared("ALTER TABLE tasks RENAME COLUMN input_data TO input_data_gone")
        .await
        .expect("rename column");

    let data = app
        .gql_ok(
            "fragment Parts on Task { status planId }
             { tasks { nodes { id description ...Parts } }
               plans { nodes { tasks { edges { node { ... on Task { id createdAt } } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["tasks"]["nodes"][0]["id"], json!(task));
    assert_eq!(data["tasks"]["nodes"][0]["status"], json!("FAILED"));
    assert_eq!(data["tasks"]["nodes"][0]["planId"], json!(plan));
    assert_eq!(
        data["plans"]["nodes"][0]["tasks"]["edges"][0]["node"]["id"],
        json!(task)
    );

    for needs_the_column in [
        "{ tasks { nodes { id inputData } } }",
        "{ plans { nodes { tasks { nodes { inputData } } } } }",
        "{ plans { nodes { tasks { edges { node { inputData } } } } } }",
    ] {
        let body = app.gql(needs_the_column, json!({})).await;
        assert_eq!(
            error_codes(&body),
            ["INTERNAL_SERVER_ERROR"],
            "{needs_the_column}: {body:#}"
        );
    }
}
