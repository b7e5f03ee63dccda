//! Creating a goal with its plans and their tasks, or a plan with its
//! tasks, in one mutation: all or nothing, in input order, one INSERT per level.

use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error_code, error_fields, spawn_app, unknown_id};

const CREATE_GOAL_TREE: &str = "mutation($input: CreateGoalInput!) {
    createGoal(input: $input) {
        id description
        plans(first: 100) { totalCount nodes { id goalId description status
            tasks(first: 100) { totalCount nodes { id planId description taskType status inputData agentId createdAt } } } }
    }
}";

/// A goal input with `plans` plans of `tasks` tasks each.
fn goal_tree(agent: &str, plans: usize, tasks: usize) -> Value {
    let plans: Vec<Value> = (0..plans)
        .map(|p| {
            let tasks: Vec<Value> = (0..tasks)
                .map(|t| json!({ "description": format!("task {p}.{t}"), "agentId": agent }))
                .collect();
            json!({ "description": format!("plan {p}"), "tasks": tasks })
        })
        .collect();
    json!({ "agentId": agent, "description": "ship it", "plans": plans })
}

fn descriptions(connection: &Value) -> Vec<String> {
    connection["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["description"].as_str().expect("description").to_owned())
        .collect()
}

#[tokio::test]
async fn a_goal_with_3_plans_of_10_tasks_is_created_in_one_mutation_in_input_order() {
    let app = spawn_app().await;
    let agent = app.create_agent("planner").await;

    let data = app
        .gql_ok(
            CREATE_GOAL_TREE,
            json!({ "input": goal_tree(&agent, 3, 10) }),
        )
        .await;

    let goal = &data["createGoal"];
    assert_eq!(goal["plans"]["totalCount"], json!(3));
    assert_eq!(descriptions(&goal["plans"]), ["plan 0", "plan 1", "plan 2"]);
    for (p, plan) in goal["plans"]["nodes"]
        .as_array()
        .expect("plans")
        .iter()
        .enumerate()
    {
        assert_eq!(plan["goalId"], goal["id"]);
        assert_eq!(plan["status"], json!("DRAFT"));
        let expected: Vec<String> = (0..10).map(|t| format!("task {p}.{t}")).collect();
        assert_eq!(
            descriptions(&plan["tasks"]),
            expected,
            "tasks keep the input order"
        );
        for task in plan["tasks"]["nodes"].as_array().expect("tasks") {
            assert_eq!(task["planId"], plan["id"]);
            assert_eq!(task["taskType"], json!("generic"));
            assert_eq!(task["status"], json!("PENDING"));
            assert_eq!(task["inputData"], json!({}));
            assert_eq!(task["agentId"], json!(agent));
        }
    }
    assert_eq!(app.counts().await, [1, 1, 3, 30]);
    // The same order from any list of them.
    let all = app
        .gql_ok("{ tasks(first: 100) { nodes { description } } }", json!({}))
        .await;
    let expected: Vec<String> = (0..3)
        .flat_map(|p| (0..10).map(move |t| format!("task {p}.{t}")))
        .collect();
    assert_eq!(descriptions(&all["tasks"]), expected);
}

#[tokio::test]
async fn a_plan_with_tasks_is_created_in_one_mutation() {
    let app = spawn_app().await;
    let agent = app.create_agent("planner").await;
    let goal = app.create_goal(&agent, "goal").await;
    let data = app
        .gql_ok(
            "mutation($input: CreatePlanInput!) { createPlan(input: $input) {
                status tasks { totalCount nodes { description taskType inputData agentId } } } }",
            json!({ "input": { "goalId": goal, "description": "p", "status": "ACTIVE", "tasks": [
                { "description": "first", "taskType": "research", "inputData": { "q": 1 } },
                { "description": "second", "agentId": agent },
            ] } }),
        )
        .await;
    let plan = &data["createPlan"];
    assert_eq!(plan["status"], json!("ACTIVE"));
    assert_eq!(plan["tasks"]["totalCount"], json!(2));
    assert_eq!(
        plan["tasks"]["nodes"],
        json!([
            { "description": "first", "taskType": "research", "inputData": { "q": 1 }, "agentId": null },
            { "description": "second", "taskType": "generic", "inputData": {}, "agentId": agent },
        ])
    );
}

#[tokio::test]
async fn every_invalid_value_anywhere_in_the_tree_is_reported_with_its_path_and_nothing_is_created()
{
    let app = spawn_app().await;
    let agent = app.create_agent("planner").await;
    let mut input = goal_tree(&agent, 3, 5);
    input["priority"] = json!(11);
    input["plans"][1]["tasks"][3]["description"] = json!("  ");
    input["plans"][0]["tasks"][0]["inputData"] = json!([1]);
    input["plans"][2]["description"] = json!("");
    input["plans"][2]["tasks"][4]["taskType"] = json!("x".repeat(101));

    let body = app.gql(CREATE_GOAL_TREE, json!({ "input": input })).await;

    assert_error_code(&body, "BAD_USER_INPUT");
    let mut fields = error_fields(&body);
    fields.sort();
    assert_eq!(
        fields,
        [
            "input.plans.0.tasks.0.inputData",
            "input.plans.1.tasks.3.description",
            "input.plans.2.description",
            "input.plans.2.tasks.4.taskType",
            "input.priority",
        ]
    );
    assert_eq!(app.counts().await, [1, 0, 0, 0]);
}

#[tokio::test]
async fn a_task_assigned_to_an_unknown_agent_fails_the_whole_tree_with_not_found() {
    let app = spawn_app().await;
    let agent = app.create_agent("planner").await;
    let missing = unknown_id();
    let mut input = goal_tree(&agent, 2, 3);
    input["plans"][1]["tasks"][2]["agentId"] = json!(missing);

    let body = app.gql(CREATE_GOAL_TREE, json!({ "input": input })).await;

    assert_error_code(&body, "NOT_FOUND");
    let message = body["errors"][0]["message"].as_str().expect("message");
    assert!(
        message.contains(&missing) && message.contains("input.plans.1.tasks.2.agentId"),
        "{message}"
    );
    assert_eq!(
        app.counts().await,
        [1, 0, 0, 0],
        "the goal and plans were rolled back"
    );

    // A missing goal for createPlan: NOT_FOUND, nothing created either.
    let body = app
        .gql(
            "mutation($input: CreatePlanInput!) { createPlan(input: $input) { id } }",
            json!({ "input": { "goalId": unknown_id(), "description": "p", "tasks": [{ "description": "t" }] } }),
        )
        .await;
    assert_error_code(&body, "NOT_FOUND");
    assert_eq!(app.counts().await, [1, 0, 0, 0]);
}

#[tokio::test]
async fn one_mutation_creates_at_most_1000_objects() {
    let app = spawn_app().await;
    let agent = app.create_agent("planner").await;
    let goal = app.create_goal(&agent, "goal").await;
    let tasks = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| json!({ "description": format!("t{i}") }))
            .collect()
    };
    let create_plan =
        "mutation($input: CreatePlanInput!) { createPlan(input: $input) { tasks { totalCount } } }";

    let body = app
        .gql(
            create_plan,
            json!({ "input": { "goalId": goal, "description": "p", "tasks": tasks(1000) } }),
        )
        .await;
    assert_error_code(&body, "BAD_USER_INPUT");
    assert_eq!(error_fields(&body), ["input.tasks"]);
    let body = app
        .gql(
            CREATE_GOAL_TREE,
            json!({ "input": goal_tree(&agent, 10, 100) }),
        )
        .await;
    assert_error_code(&body, "BAD_USER_INPUT");
    assert_eq!(error_fields(&body), ["input.plans"]);
    assert_eq!(app.counts().await, [1, 1, 0, 0]);

    // A plan and 999 tasks are 1,000 objects: allowed.
    let data = app
        .gql_ok(
            create_plan,
            json!({ "input": { "goalId": goal, "description": "p", "tasks": tasks(999) } }),
        )
        .await;
    assert_eq!(data["createPlan"]["tasks"]["totalCount"], json!(999));
}

async fn inserts_for(app: &TestApp, query: &str, variables: Value) -> Vec<String> {
    app.statements.record();
    app.gql_ok(query, variables).await;
    app.statements
        .take_recorded()
        .into_iter()
        .map(|s| s.sql)
        .filter(|sql| {
            sql.trim_start().starts_with("INSERT") || sql.trim_start().starts_with("WITH")
        })
        .collect()
}

#[tokio::test]
async fn a_tree_costs_one_insert_per_level_whatever_its_size() {
    let app = spawn_app().await;
    let agent = app.create_agent("planner").await;
    let small = inserts_for(
        &app,
        CREATE_GOAL_TREE,
        json!({ "input": goal_tree(&agent, 1, 1) }),
    )
    .await;
    let large = inserts_for(
        &app,
        CREATE_GOAL_TREE,
        json!({ "input": goal_tree(&agent, 9, 100) }),
    )
    .await;
    assert_eq!(small.len(), 3, "goal, plans, tasks: {small:?}");
    assert_eq!(large.len(), 3, "goal, plans, tasks: {large:?}");
    let mut keyed = goal_tree(&agent, 9, 100);
    keyed["idempotencyKey"] = json!("tree-1");
    let keyed = inserts_for(&app, CREATE_GOAL_TREE, json!({ "input": keyed })).await;
    assert_eq!(keyed.len(), 4, "the key, goal, plans, tasks: {keyed:?}");
}
