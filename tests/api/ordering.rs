//! `orderBy` and backward paging on every connection: each ordering walked
//! forward and backward in pages, against the same objects sorted in memory.

use serde_json::{Value, json};

use crate::helpers::{TestApp, node_ids, spawn_app};
use crate::lists::{List, ids, same_key, sorted};

const COUNT: usize = 250;
const PAGE: usize = 100;

/// Changes every third object, latest first, so that the order of
/// `updatedAt` is neither creation order nor its reverse.
async fn scramble_updates(
    app: &TestApp,
    field: &str,
    input_type: &str,
    ids: &[String],
    input: Value,
) {
    let updates: Vec<(String, Value)> = ids
        .iter()
        .step_by(3)
        .rev()
        .map(|id| (id.clone(), input.clone()))
        .collect();
    app.update_many(field, input_type, &updates).await;
}

/// Walks `list` under each ordering of `fields`, both directions, forward
/// and backward, and compares with `everything` sorted in memory.
async fn walk_every_ordering(app: &TestApp, list: &List, fields: &[&str]) {
    let everything = list.walk_forward(app, &Value::Null, PAGE).await;
    assert_eq!(everything.len(), COUNT, "{}", list.name);
    for field in fields {
        for direction in ["ASC", "DESC"] {
            let order = json!({ "field": field, "direction": direction });
            let expected = ids(&sorted(&everything, field, direction));
            let forward = ids(&list.walk_forward(app, &order, PAGE).await);
            assert_eq!(
                forward, expected,
                "{} by {field} {direction}, forward",
                list.name
            );
            let backward = ids(&list.walk_backward(app, &order, PAGE).await);
            assert_eq!(
                backward, expected,
                "{} by {field} {direction}, backward",
                list.name
            );
        }
    }
    // No orderBy is CREATED_AT ASC.
    assert_eq!(
        ids(&everything),
        ids(&sorted(&everything, "CREATED_AT", "ASC")),
        "{}: the default order",
        list.name
    );
}

#[tokio::test]
async fn agents_walk_in_every_ordering_both_ways() {
    let app = spawn_app().await;
    // Seven names for 250 agents: ties broken by id.
    let inputs: Vec<Value> = (0..COUNT)
        .map(|i| json!({ "name": format!("agent-{}", (i * 3) % 7) }))
        .collect();
    let agents = app
        .create_many("createAgent", "CreateAgentInput", &inputs)
        .await;
    scramble_updates(
        &app,
        "updateAgent",
        "UpdateAgentInput",
        &agents,
        json!({ "status": "PAUSED" }),
    )
    .await;

    let list = List::top("agents", "Agent");
    walk_every_ordering(&app, &list, &["CREATED_AT", "UPDATED_AT", "NAME"]).await;
}

#[tokio::test]
async fn goals_walk_in_every_ordering_both_ways_at_the_top_and_under_their_agent() {
    let app = spawn_app().await;
    let agent = app.create_agent("planner").await;
    let inputs: Vec<Value> = (0..COUNT)
        .map(|i| json!({ "agentId": agent, "description": format!("goal {i}"), "priority": (i * 7) % 10 + 1 }))
        .collect();
    let goals = app
        .create_many("createGoal", "CreateGoalInput", &inputs)
        .await;
    scramble_updates(
        &app,
        "updateGoal",
        "UpdateGoalInput",
        &goals,
        json!({ "description": "changed" }),
    )
    .await;

    let fields = ["CREATED_AT", "UPDATED_AT", "PRIORITY"];
    walk_every_ordering(&app, &List::top("goals", "Goal"), &fields).await;
    walk_every_ordering(
        &app,
        &List::nested("agent", &agent, "goals", "Goal"),
        &fields,
    )
    .await;
}

#[tokio::test]
async fn plans_walk_in_every_ordering_both_ways_at_the_top_and_under_their_goal() {
    let app = spawn_app().await;
    let agent = app.create_agent("planner").await;
    let goal = app.create_goal(&agent, "the goal").await;
    let inputs: Vec<Value> = (0..COUNT)
        .map(|i| json!({ "goalId": goal, "description": format!("plan {i}") }))
        .collect();
    let plans = app
        .create_many("createPlan", "CreatePlanInput", &inputs)
        .await;
    scramble_updates(
        &app,
        "updatePlan",
        "UpdatePlanInput",
        &plans,
        json!({ "status": "ACTIVE" }),
    )
    .await;

    let fields = ["CREATED_AT", "UPDATED_AT"];
    walk_every_ordering(&app, &List::top("plans", "Plan"), &fields).await;
    walk_every_ordering(&app, &List::nested("goal", &goal, "plans", "Plan"), &fields).await;
}

#[tokio::test]
async fn tasks_walk_in_every_ordering_both_ways_at_the_top_under_their_plan_and_their_agent() {
    let app = spawn_app().await;
    let agent = app.create_agent("worker").await;
    let goal = app.create_goal(&agent, "the goal").await;
    let plan = app.create_plan(&goal, "the plan").await;
    let inputs: Vec<Value> = (0..COUNT)
        .map(|i| json!({ "planId": plan, "agentId": agent, "description": format!("task {i}") }))
        .collect();
    let tasks = app
        .create_many("createTask", "CreateTaskInput", &inputs)
        .await;
    scramble_updates(
        &app,
        "updateTask",
        "UpdateTaskInput",
        &tasks,
        json!({ "status": "RUNNING" }),
    )
    .await;

    let fields = ["CREATED_AT", "UPDATED_AT"];
    walk_every_ordering(&app, &List::top("tasks", "Task"), &fields).await;
    walk_every_ordering(&app, &List::nested("plan", &plan, "tasks", "Task"), &fields).await;
    walk_every_ordering(
        &app,
        &List::nested("agent", &agent, "tasks", "Task"),
        &fields,
    )
    .await;
}

#[tokio::test]
async fn equal_keys_are_ordered_by_id_in_the_direction_asked_for() {
    let app = spawn_app().await;
    let agent = app.create_agent("planner").await;
    let inputs: Vec<Value> = (0..6)
        .map(|i| json!({ "agentId": agent, "description": format!("goal {i}"), "priority": if i % 2 == 0 { 3 } else { 8 } }))
        .collect();
    let goals = app
        .create_many("createGoal", "CreateGoalInput", &inputs)
        .await;
    let (threes, eights): (Vec<_>, Vec<_>) = goals
        .iter()
        .cloned()
        .enumerate()
        .partition(|(i, _)| i % 2 == 0);
    let threes: Vec<String> = threes.into_iter().map(|(_, id)| id).collect();
    let eights: Vec<String> = eights.into_iter().map(|(_, id)| id).collect();

    let list = List::top("goals", "Goal");
    let asc = json!({ "field": "PRIORITY" });
    let page = list.page(&app, json!({ "first": 10, "order": asc })).await;
    let nodes: Vec<Value> = page["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    assert!(same_key(&nodes[0], &nodes[1], "PRIORITY"));
    assert_eq!(
        ids(&nodes),
        [threes.clone(), eights.clone()].concat(),
        "ASC: ties by id ascending"
    );

    let desc = json!({ "field": "PRIORITY", "direction": "DESC" });
    let page = list.page(&app, json!({ "first": 10, "order": desc })).await;
    let nodes: Vec<Value> = page["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    let reversed = |ids: &[String]| ids.iter().rev().cloned().collect::<Vec<_>>();
    assert_eq!(
        ids(&nodes),
        [reversed(&eights), reversed(&threes)].concat(),
        "DESC: ties by id descending"
    );

    // A page boundary inside a run of equal keys loses and repeats nothing.
    let first = list.page(&app, json!({ "first": 2, "order": asc })).await;
    let rest = list
        .page(
            &app,
            json!({ "first": 10, "after": first["pageInfo"]["endCursor"], "order": asc }),
        )
        .await;
    assert_eq!(
        [node_ids_of(&first), node_ids_of(&rest)].concat(),
        [threes, eights].concat()
    );
}

fn node_ids_of(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn last_without_a_cursor_is_the_final_objects_in_the_ordering() {
    let app = spawn_app().await;
    let inputs: Vec<Value> = (0..8)
        .map(|i| json!({ "name": format!("agent-{i}") }))
        .collect();
    let agents = app
        .create_many("createAgent", "CreateAgentInput", &inputs)
        .await;
    let data = app
        .gql_ok(
            "{ oldest: agents(last: 3) { nodes { id } pageInfo { hasNextPage hasPreviousPage } }
               newest: agents(last: 3, orderBy: { field: CREATED_AT, direction: DESC }) { nodes { id } }
               all: agents(last: 20) { nodes { id } pageInfo { hasNextPage hasPreviousPage } } }",
            json!({}),
        )
        .await;
    assert_eq!(node_ids(&data["oldest"]), agents[5..].to_vec());
    assert_eq!(
        data["oldest"]["pageInfo"],
        json!({ "hasNextPage": false, "hasPreviousPage": true })
    );
    let mut first_three: Vec<String> = agents[..3].to_vec();
    first_three.reverse();
    assert_eq!(node_ids(&data["newest"]), first_three);
    assert_eq!(node_ids(&data["all"]), agents);
    assert_eq!(
        data["all"]["pageInfo"],
        json!({ "hasNextPage": false, "hasPreviousPage": false })
    );
}

#[tokio::test]
async fn after_and_before_together_bound_a_window() {
    let app = spawn_app().await;
    let inputs: Vec<Value> = (0..10)
        .map(|i| json!({ "name": format!("agent-{i}") }))
        .collect();
    let agents = app
        .create_many("createAgent", "CreateAgentInput", &inputs)
        .await;
    let list = List::top("agents", "Agent");
    let all = list.page(&app, json!({ "first": 10 })).await;
    let cursors: Vec<Value> = all["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["cursor"].clone())
        .collect();

    let forward = list
        .page(
            &app,
            json!({ "first": 3, "after": cursors[1], "before": cursors[7] }),
        )
        .await;
    assert_eq!(node_ids_of(&forward), agents[2..5].to_vec());
    assert_eq!(forward["pageInfo"]["hasNextPage"], json!(true));
    let backward = list
        .page(
            &app,
            json!({ "last": 3, "after": cursors[1], "before": cursors[7] }),
        )
        .await;
    assert_eq!(node_ids_of(&backward), agents[4..7].to_vec());
    assert_eq!(backward["pageInfo"]["hasPreviousPage"], json!(true));
    let whole = list
        .page(
            &app,
            json!({ "last": 10, "after": cursors[1], "before": cursors[7] }),
        )
        .await;
    assert_eq!(node_ids_of(&whole), agents[2..7].to_vec());
    assert_eq!(whole["pageInfo"]["hasPreviousPage"], json!(false));
}

#[tokio::test]
async fn ordered_backward_nested_pages_of_more_than_500_parents_are_all_answered() {
    // 540 goals, each with two plans whose update order is the reverse of
    // their creation order; SQLite splits the parents over two statements.
    let app = spawn_app().await;
    let goals = app.create_540_goals().await;
    let plan_inputs: Vec<Value> = goals
        .iter()
        .flat_map(|goal| {
            (0..2).map(move |i| json!({ "goalId": goal, "description": format!("plan {i}") }))
        })
        .collect();
    let plans = app
        .create_many("createPlan", "CreatePlanInput", &plan_inputs)
        .await;
    let first_plans: Vec<(String, Value)> = plans
        .iter()
        .step_by(2)
        .map(|id| (id.clone(), json!({ "status": "ACTIVE" })))
        .collect();
    app.update_many("updatePlan", "UpdatePlanInput", &first_plans)
        .await;

    let data = app
        .gql_ok(
            "{ agents(first: 6) { nodes { goals(first: 100, orderBy: { field: CREATED_AT, direction: DESC }) {
                 nodes { id plans(last: 1, orderBy: { field: UPDATED_AT, direction: DESC }) {
                   nodes { id } pageInfo { hasNextPage hasPreviousPage } totalCount } } } } } }",
            json!({}),
        )
        .await;
    let agent_nodes = data["agents"]["nodes"].as_array().expect("agents");
    let mut seen = 0;
    for (a, agent) in agent_nodes.iter().enumerate() {
        let mut expected_goals: Vec<String> = goals[a * 90..(a + 1) * 90].to_vec();
        expected_goals.reverse();
        assert_eq!(
            node_ids(&agent["goals"]),
            expected_goals,
            "agent {a}: goals newest first"
        );
        for goal in agent["goals"]["nodes"].as_array().expect("goals") {
            let index = goals
                .iter()
                .position(|g| goal["id"] == json!(g))
                .expect("a known goal");
            // Newest update first: the updated first plan, then the second;
            // the last one of those is the second plan.
            assert_eq!(node_ids(&goal["plans"]), vec![plans[index * 2 + 1].clone()]);
            assert_eq!(
                goal["plans"]["pageInfo"],
                json!({ "hasNextPage": false, "hasPreviousPage": true })
            );
            assert_eq!(goal["plans"]["totalCount"], json!(2));
            seen += 1;
        }
    }
    assert_eq!(seen, 540);
}
