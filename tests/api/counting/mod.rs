//! Counting: `taskCounts` on agents, goals and plans, and `taskStats`
//! (API.md, "Counting and history"). `taskStats` is in [`stats`].

mod stats;

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::subscriptions::subscribe_live;
use crate::ws_client::WsClient;

/// An agent with one goal of two plans and a second, idle agent:
/// plan 1 holds a running task assigned to the agent, a cancelled one,
/// a pending one and a blocked one (waiting for the pending one); plan 2
/// holds a completed task assigned to the idle agent and a failed one.
struct World {
    agent: String,
    idle: String,
    goal: String,
    plans: [String; 2],
    empty_plan: String,
}

async fn world(app: &TestApp) -> World {
    let agent = app.create_agent("worker").await;
    let idle = app.create_agent("idle").await;
    let goal = app.create_goal(&agent, "count").await;
    let plan1 = app.create_plan(&goal, "first").await;
    let plan2 = app.create_plan(&goal, "second").await;
    let other_goal = app.create_goal(&idle, "nothing yet").await;
    let empty_plan = app.create_plan(&other_goal, "empty").await;

    let created = app
        .gql_ok(
            r#"mutation($plan: UUID!, $agent: UUID!) {
               running: createTask(input: { planId: $plan, description: "r", agentId: $agent, taskType: "build" }) { id }
               cancelled: createTask(input: { planId: $plan, description: "c", taskType: "build" }) { id }
               pending: createTask(input: { planId: $plan, description: "p", taskType: "test" }) { id }
             }"#,
            json!({ "plan": plan1, "agent": agent }),
        )
        .await;
    let pending = created["pending"]["id"].as_str().expect("id").to_owned();
    app.gql_ok(
        r#"mutation($plan: UUID!, $on: UUID!) {
           createTask(input: { planId: $plan, description: "b", taskType: "test", dependsOn: [$on] }) { status }
         }"#,
        json!({ "plan": plan1, "on": pending }),
    )
    .await;
    let running = created["running"]["id"].as_str().expect("id");
    let cancelled = created["cancelled"]["id"].as_str().expect("id");
    app.walk_statuses("Task", running, &["RUNNING"]).await;
    app.walk_statuses("Task", cancelled, &["CANCELLED"]).await;

    let second = app
        .gql_ok(
            r#"mutation($plan: UUID!, $agent: UUID!) {
               done: createTask(input: { planId: $plan, description: "d", agentId: $agent, taskType: "build" }) { id }
               failed: createTask(input: { planId: $plan, description: "f", taskType: "build" }) { id }
             }"#,
            json!({ "plan": plan2, "agent": idle }),
        )
        .await;
    let done = second["done"]["id"].as_str().expect("id");
    let failed = second["failed"]["id"].as_str().expect("id");
    app.walk_statuses("Task", done, &["RUNNING", "COMPLETED"])
        .await;
    app.walk_statuses("Task", failed, &["RUNNING", "FAILED"])
        .await;
    World {
        agent,
        idle,
        goal,
        plans: [plan1, plan2],
        empty_plan,
    }
}

const COUNTS: &str = "taskCounts { total blocked pending running completed failed cancelled }";

fn counts(
    total: u64,
    [blocked, pending, running, completed, failed, cancelled]: [u64; 6],
) -> Value {
    json!({ "total": total, "blocked": blocked, "pending": pending, "running": running,
            "completed": completed, "failed": failed, "cancelled": cancelled })
}

#[tokio::test]
async fn task_counts_count_each_level_by_status() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let data = app
        .gql_ok(
            &format!(
                "query($agent: UUID!, $idle: UUID!, $goal: UUID!, $empty: UUID!) {{
                   agent(id: $agent) {{ {COUNTS} goals {{ nodes {{ id {COUNTS}
                     plans {{ nodes {{ id {COUNTS} }} }} }} }} }}
                   idle: agent(id: $idle) {{ {COUNTS} }}
                   goal(id: $goal) {{ {COUNTS} }}
                   empty: plan(id: $empty) {{ {COUNTS} }}
                 }}"
            ),
            json!({ "agent": w.agent, "idle": w.idle, "goal": w.goal, "empty": w.empty_plan }),
        )
        .await;

    // The agent's own: the one running task assigned to it.
    assert_eq!(data["agent"]["taskCounts"], counts(1, [0, 0, 1, 0, 0, 0]));
    assert_eq!(data["idle"]["taskCounts"], counts(1, [0, 0, 0, 1, 0, 0]));
    let whole_goal = counts(6, [1, 1, 1, 1, 1, 1]);
    assert_eq!(data["goal"]["taskCounts"], whole_goal);
    let goal = &data["agent"]["goals"]["nodes"][0];
    assert_eq!(goal["taskCounts"], whole_goal);
    let plans = goal["plans"]["nodes"].as_array().expect("plans");
    let of = |id: &str| {
        plans
            .iter()
            .find(|plan| plan["id"] == json!(id))
            .map(|plan| plan["taskCounts"].clone())
            .expect("plan listed")
    };
    assert_eq!(of(&w.plans[0]), counts(4, [1, 1, 1, 0, 0, 1]));
    assert_eq!(of(&w.plans[1]), counts(2, [0, 0, 0, 1, 1, 0]));
    assert_eq!(data["empty"]["taskCounts"], counts(0, [0; 6]));
}

#[tokio::test]
async fn task_counts_follow_changes_and_deletes() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let query = format!("query($id: UUID!) {{ plan(id: $id) {{ {COUNTS} }} }}");
    let task = app.create_task(&w.plans[1], "another").await;
    let before = app.gql_ok(&query, json!({ "id": w.plans[1] })).await;
    assert_eq!(before["plan"]["taskCounts"], counts(3, [0, 1, 0, 1, 1, 0]));
    app.walk_statuses("Task", &task, &["RUNNING"]).await;
    let after = app.gql_ok(&query, json!({ "id": w.plans[1] })).await;
    assert_eq!(after["plan"]["taskCounts"], counts(3, [0, 0, 1, 1, 1, 0]));
    app.gql_ok(
        "mutation($id: UUID!) { deleteTask(id: $id) }",
        json!({ "id": task }),
    )
    .await;
    let deleted = app.gql_ok(&query, json!({ "id": w.plans[1] })).await;
    assert_eq!(deleted["plan"]["taskCounts"], counts(2, [0, 0, 0, 1, 1, 0]));
}

/// Lists read their nodes' counts with the page (root lists, nested lists,
/// through `nodes`, `edges` and fragments); they must agree with the
/// counts of the same objects asked for one by one.
#[tokio::test]
async fn task_counts_read_with_a_page_agree_with_each_object_s_own() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let data = app
        .gql_ok(
            "query {
               agents { nodes { id taskCounts { total running completed } } }
               edges: agents { edges { node { id ... on Agent { taskCounts { total } }
                 goals { edges { node { id taskCounts { total blocked }
                   plans { nodes { id ...Counts } } } } } } } }
               plans { nodes { id ...Counts } }
             }
             fragment Counts on Plan { taskCounts { total pending failed } }",
            json!({}),
        )
        .await;
    let total_of = |kind: &str, id: &Value| {
        let app = &app;
        let query =
            format!("query($id: UUID!) {{ one: {kind}(id: $id) {{ taskCounts {{ total }} }} }}");
        let id = id.clone();
        async move {
            app.gql_ok(&query, json!({ "id": id })).await["one"]["taskCounts"]["total"].clone()
        }
    };
    for agent in data["agents"]["nodes"].as_array().expect("agents") {
        assert_eq!(
            agent["taskCounts"]["total"],
            total_of("agent", &agent["id"]).await
        );
    }
    let by_id = |nodes: &Value, id: &str| {
        nodes
            .as_array()
            .expect("nodes")
            .iter()
            .find(|node| node["id"] == json!(id))
            .cloned()
            .expect("listed")
    };
    let agent = by_id(&data["agents"]["nodes"], &w.agent);
    assert_eq!(
        agent["taskCounts"],
        json!({ "total": 1, "running": 1, "completed": 0 })
    );
    let edges: Vec<Value> = data["edges"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"].clone())
        .collect();
    let agent = by_id(&json!(edges), &w.agent);
    assert_eq!(agent["taskCounts"], json!({ "total": 1 }));
    let goal = &agent["goals"]["edges"][0]["node"];
    assert_eq!(goal["id"], json!(w.goal));
    assert_eq!(goal["taskCounts"], json!({ "total": 6, "blocked": 1 }));
    let plan = by_id(&goal["plans"]["nodes"], &w.plans[1]);
    assert_eq!(
        plan["taskCounts"],
        json!({ "total": 2, "pending": 0, "failed": 1 })
    );
    let plan = by_id(&data["plans"]["nodes"], &w.plans[0]);
    assert_eq!(
        plan["taskCounts"],
        json!({ "total": 4, "pending": 1, "failed": 0 })
    );
    let empty = by_id(&data["plans"]["nodes"], &w.empty_plan);
    assert_eq!(
        empty["taskCounts"],
        json!({ "total": 0, "pending": 0, "failed": 0 })
    );
}

/// A subscription's events each count afresh: one stream's loaders serve
/// every event, so counts read with a page in one event must not answer a
/// later event's `taskCounts` met through a reference.
#[tokio::test]
async fn a_subscription_s_every_event_counts_afresh() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let plan = w.plans[0].clone();
    let mut ws = WsClient::connect(&app.address).await;
    let document = "subscription($plan: UUID) { taskChanged(planId: $plan) { task { plan {
        id taskCounts { total } goal { plans { nodes { id taskCounts { total } } } } } } } }";
    subscribe_live(&mut ws, "1", document, json!({ "plan": plan }), || async {
        app.create_task(&plan, "poke").await;
    })
    .await;
    let listed = |event: &Value| {
        let plan = &event["taskChanged"]["task"]["plan"];
        let nodes = plan["goal"]["plans"]["nodes"].as_array().expect("plans");
        let listed = nodes
            .iter()
            .find(|node| node["id"] == plan["id"])
            .expect("listed");
        (
            plan["taskCounts"]["total"].clone(),
            listed["taskCounts"]["total"].clone(),
        )
    };
    for _ in 0..2 {
        app.create_task(&plan, "one more").await;
        let event = ws.next_data("1").await;
        let (by_reference, in_the_list) = listed(&event);
        assert_eq!(by_reference, in_the_list, "{event}");
    }
}
