//! The filters of every list (status sets, priority bounds, assignment, time
//! bounds) and every mistake in the arguments of a connection.

use serde_json::{Value, json};

use crate::helpers::{assert_bad_input, error_fields, node_ids, spawn_app};
use crate::lists::List;

#[tokio::test]
async fn status_in_and_time_bounds_narrow_agents_and_totals_count_the_match() {
    let app = spawn_app().await;
    let inputs: Vec<Value> = ["ACTIVE", "PAUSED", "INACTIVE", "ACTIVE", "PAUSED"]
        .iter()
        .enumerate()
        .map(|(i, status)| json!({ "name": format!("agent-{i}"), "status": status }))
        .collect();
    let agents = app
        .create_many("createAgent", "CreateAgentInput", &inputs)
        .await;
    let all = app
        .gql_ok("{ agents { nodes { id createdAt updatedAt } } }", json!({}))
        .await["agents"]["nodes"]
        .clone();
    let created = |i: usize| all[i]["createdAt"].clone();
    app.update_many(
        "updateAgent",
        "UpdateAgentInput",
        &[(agents[1].clone(), json!({ "name": "renamed" }))],
    )
    .await;

    let list = |filter: Value| {
        let app = &app;
        async move {
            app.gql_ok(
                "query($f: AgentFilter) { agents(filter: $f) { nodes { id } totalCount } }",
                json!({ "f": filter }),
            )
            .await["agents"]
                .clone()
        }
    };
    let paused_or_inactive = list(json!({ "statusIn": ["PAUSED", "INACTIVE"] })).await;
    assert_eq!(
        node_ids(&paused_or_inactive),
        vec![agents[1].clone(), agents[2].clone(), agents[4].clone()]
    );
    assert_eq!(paused_or_inactive["totalCount"], json!(3));
    // Exclusive bounds: the object at the bound is left out.
    let between = list(json!({ "createdAfter": created(1), "createdBefore": created(4) })).await;
    assert_eq!(node_ids(&between), agents[2..4].to_vec());
    assert_eq!(between["totalCount"], json!(2));
    let changed = list(json!({ "updatedAfter": all[4]["updatedAt"] })).await;
    assert_eq!(node_ids(&changed), vec![agents[1].clone()]);
    let both = list(json!({ "statusIn": ["ACTIVE"], "createdAfter": created(0) })).await;
    assert_eq!(node_ids(&both), vec![agents[3].clone()]);
}

#[tokio::test]
async fn goals_filter_by_a_priority_range_and_status_set() {
    let app = spawn_app().await;
    let agent = app.create_agent("planner").await;
    let inputs: Vec<Value> = (1..=10)
        .map(|p| json!({ "agentId": agent, "description": format!("goal {p}"), "priority": p }))
        .collect();
    let goals = app
        .create_many("createGoal", "CreateGoalInput", &inputs)
        .await;
    app.update_many(
        "updateGoal",
        "UpdateGoalInput",
        &[(goals[4].clone(), json!({ "status": "ACTIVE" }))],
    )
    .await;
    let query = "query($id: UUID!, $f: GoalFilter) {
        goals(filter: $f) { nodes { id } totalCount }
        agent(id: $id) { goals(filter: $f) { nodes { id } totalCount } } }";
    let data = app
        .gql_ok(
            query,
            json!({ "id": agent, "f": { "minPriority": 3, "maxPriority": 6 } }),
        )
        .await;
    for connection in [&data["goals"], &data["agent"]["goals"]] {
        assert_eq!(node_ids(connection), goals[2..6].to_vec());
        assert_eq!(connection["totalCount"], json!(4));
    }
    let data = app
        .gql_ok(
            query,
            json!({ "id": agent, "f": { "maxPriority": 5, "statusIn": ["ACTIVE", "COMPLETED"] } }),
        )
        .await;
    assert_eq!(node_ids(&data["goals"]), vec![goals[4].clone()]);
    assert_eq!(node_ids(&data["agent"]["goals"]), vec![goals[4].clone()]);
}

#[tokio::test]
async fn tasks_filter_by_assignment_status_set_and_time_nested_or_not() {
    let app = spawn_app().await;
    let agent = app.create_agent("worker").await;
    let goal = app.create_goal(&agent, "goal").await;
    let plan = app.create_plan(&goal, "plan").await;
    let inputs: Vec<Value> = (0..6)
        .map(|i| {
            let mut input = json!({ "planId": plan, "description": format!("task {i}") });
            if i % 2 == 0 {
                input["agentId"] = json!(agent);
            }
            input
        })
        .collect();
    let tasks = app
        .create_many("createTask", "CreateTaskInput", &inputs)
        .await;
    for (index, path) in [
        (0, &["RUNNING"][..]),
        (1, &["RUNNING", "FAILED"][..]),
        (3, &["RUNNING", "COMPLETED"][..]),
    ] {
        app.walk_statuses("Task", &tasks[index], path).await;
    }

    let query = "query($plan: UUID!, $f: TaskFilter) {
        tasks(filter: $f) { nodes { id } totalCount }
        plan(id: $plan) { tasks(filter: $f) { nodes { id } totalCount } } }";
    let both = |data: &Value| [data["tasks"].clone(), data["plan"]["tasks"].clone()];
    let check = |data: Value, expected: Vec<String>| {
        for connection in both(&data) {
            assert_eq!(node_ids(&connection), expected);
            assert_eq!(connection["totalCount"], json!(expected.len()));
        }
    };
    let vars = |f: Value| json!({ "plan": plan, "f": f });
    check(
        app.gql_ok(query, vars(json!({ "unassigned": true }))).await,
        vec![tasks[1].clone(), tasks[3].clone(), tasks[5].clone()],
    );
    check(
        app.gql_ok(query, vars(json!({ "unassigned": false })))
            .await,
        vec![tasks[0].clone(), tasks[2].clone(), tasks[4].clone()],
    );
    check(
        app.gql_ok(query, vars(json!({ "statusIn": ["RUNNING", "FAILED"] })))
            .await,
        vec![tasks[0].clone(), tasks[1].clone()],
    );
    check(
        app.gql_ok(
            query,
            vars(json!({ "statusIn": ["RUNNING", "FAILED", "COMPLETED"], "unassigned": true })),
        )
        .await,
        vec![tasks[1].clone(), tasks[3].clone()],
    );

    // The issue's own example: the 20 latest changes among running or
    // failed tasks, oldest change first, at the top and nested.
    let data = app
        .gql_ok(
            "query($plan: UUID!) {
                tasks(last: 20, orderBy: { field: UPDATED_AT }, filter: { statusIn: [RUNNING, FAILED] }) { nodes { id } }
                plan(id: $plan) { tasks(last: 20, orderBy: { field: UPDATED_AT }, filter: { statusIn: [RUNNING, FAILED] }) { nodes { id } } } }",
            json!({ "plan": plan }),
        )
        .await;
    // Task 1 went RUNNING then FAILED after task 0 went RUNNING.
    for connection in both(&data) {
        assert_eq!(
            node_ids(&connection),
            vec![tasks[0].clone(), tasks[1].clone()]
        );
    }
}

#[tokio::test]
async fn plans_filter_by_status_set_and_creation_time() {
    let app = spawn_app().await;
    let agent = app.create_agent("planner").await;
    let goal = app.create_goal(&agent, "goal").await;
    let inputs: Vec<Value> = (0..4)
        .map(|i| json!({ "goalId": goal, "description": format!("plan {i}") }))
        .collect();
    let plans = app
        .create_many("createPlan", "CreatePlanInput", &inputs)
        .await;
    app.walk_statuses("Plan", &plans[2], &["ACTIVE"]).await;
    let list = List::nested("goal", &goal, "plans", "Plan");
    let page = list
        .page(
            &app,
            json!({ "filter": { "statusIn": ["ACTIVE", "CANCELLED"] } }),
        )
        .await;
    assert_eq!(page["edges"].as_array().expect("edges").len(), 1);
    assert_eq!(page["edges"][0]["node"]["id"], json!(plans[2]));
    let all = list.page(&app, json!({})).await;
    let page = list
        .page(&app, json!({ "filter": { "createdBefore": all["edges"][2]["node"]["createdAt"], "statusIn": ["DRAFT"] } }))
        .await;
    assert_eq!(page["totalCount"], json!(2));
}

async fn errors_of(list: &List, app: &crate::helpers::TestApp, args: Value) -> Value {
    let body = list.request(app, args).await;
    // A refused list is null, and so is the nullable field above it.
    assert!(
        body["data"].is_null() || body["data"]["plan"].is_null(),
        "{}: no list for refused arguments: {body:#}",
        list.name
    );
    body
}

#[tokio::test]
async fn every_mistake_in_connection_arguments_is_bad_user_input_on_its_field() {
    let app = spawn_app().await;
    let agent = app.create_agent("worker").await;
    let goal = app.create_goal(&agent, "goal").await;
    let plan = app.create_plan(&goal, "plan").await;
    for i in 0..3 {
        app.create_task(&plan, &format!("task {i}")).await;
    }
    let top = List::top("tasks", "Task");
    let nested = List::nested("plan", &plan, "tasks", "Task");
    let by_update = json!({ "field": "UPDATED_AT" });
    let default_cursor =
        top.page(&app, json!({ "first": 1 })).await["pageInfo"]["endCursor"].clone();
    let desc_cursor = top
        .page(
            &app,
            json!({ "first": 1, "order": { "field": "CREATED_AT", "direction": "DESC" } }),
        )
        .await["pageInfo"]["endCursor"]
        .clone();
    let agent_cursor = app
        .gql_ok("{ agents(first: 1) { pageInfo { endCursor } } }", json!({}))
        .await["agents"]["pageInfo"]["endCursor"]
        .clone();

    let cases: Vec<(Value, &[&str])> = vec![
        (json!({ "first": 2, "last": 2 }), &["last"]),
        (json!({ "last": 0 }), &["last"]),
        (json!({ "last": 101 }), &["last"]),
        (json!({ "first": 0 }), &["first"]),
        (
            json!({ "after": default_cursor, "order": by_update }),
            &["after"],
        ),
        (
            json!({ "before": default_cursor, "order": by_update }),
            &["before"],
        ),
        (json!({ "after": desc_cursor }), &["after"]),
        (json!({ "last": 1, "before": desc_cursor }), &["before"]),
        (json!({ "after": agent_cursor }), &["after"]),
        (json!({ "before": "not-a-cursor" }), &["before"]),
        (
            json!({ "filter": { "statusIn": [] } }),
            &["filter.statusIn"],
        ),
        (
            json!({ "filter": { "statusIn": vec!["PENDING"; 11] } }),
            &["filter.statusIn"],
        ),
        (
            json!({ "filter": { "agentId": agent, "unassigned": true } }),
            &["filter.unassigned"],
        ),
        (
            json!({ "filter": { "agentId": agent, "unassigned": false } }),
            &["filter.unassigned"],
        ),
        // Every mistake at once, each on its own field.
        (
            json!({ "first": 5, "last": 500, "after": "x", "before": "y", "filter": { "statusIn": [] } }),
            &["last", "after", "before", "filter.statusIn"],
        ),
    ];
    for (args, fields) in cases {
        for list in [&top, &nested] {
            let body = errors_of(list, &app, args.clone()).await;
            for field in fields {
                assert_bad_input(&body, field);
            }
            assert_eq!(
                error_fields(&body).len(),
                fields.len(),
                "{} {args}: {body:#}",
                list.name
            );
        }
    }
}

#[tokio::test]
async fn a_null_direction_is_ascending() {
    let app = spawn_app().await;
    let agents = app
        .create_many(
            "createAgent",
            "CreateAgentInput",
            &[json!({ "name": "b" }), json!({ "name": "a" })],
        )
        .await;
    let data = app
        .gql_ok(
            "{ agents(orderBy: { field: NAME, direction: null }) { nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        node_ids(&data["agents"]),
        vec![agents[1].clone(), agents[0].clone()]
    );
}
