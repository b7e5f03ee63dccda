//! Counting: `taskCounts` on agents, goals and plans, and `taskStats`
//! (API.md, "Counting and history").

use serde_json::{Value, json};

use crate::helpers::{TestApp, bad_input, codes, spawn_app};
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

async fn stats(app: &TestApp, arguments: &str, variables: Value) -> Value {
    // GraphQL refuses a declared variable the document does not use.
    let declared: Vec<String> = ["plan", "agent"]
        .iter()
        .filter(|name| arguments.contains(&format!("${name}")))
        .map(|name| format!("${name}: UUID"))
        .collect();
    let declared = if declared.is_empty() {
        String::new()
    } else {
        format!("({})", declared.join(", "))
    };
    let document = format!(
        "query{declared} {{ taskStats({arguments}) {{
           status agentId taskType planId count oldestCreatedAt }} }}"
    );
    app.gql_ok(&document, variables).await["taskStats"].clone()
}

fn group(status: Value, agent: Value, task_type: Value, plan: Value, count: u64) -> Value {
    json!({ "status": status, "agentId": agent, "taskType": task_type, "planId": plan, "count": count })
}

/// The groups without `oldestCreatedAt`, checked on its own.
fn without_times(groups: &Value) -> Vec<Value> {
    groups
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            let mut g = g.clone();
            g.as_object_mut().expect("object").remove("oldestCreatedAt");
            g
        })
        .collect()
}

#[tokio::test]
async fn task_stats_group_count_and_order_the_matching_tasks() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let vars = json!({ "plan": w.plans[0], "agent": w.agent });

    // Largest first; the tie (one task each) by status in schema order.
    let by_type = stats(&app, "groupBy: [TASK_TYPE]", vars.clone()).await;
    assert_eq!(
        without_times(&by_type),
        vec![
            group(json!(null), json!(null), json!("build"), json!(null), 4),
            group(json!(null), json!(null), json!("test"), json!(null), 2),
        ]
    );
    let by_status = stats(&app, "groupBy: [STATUS]", vars.clone()).await;
    let statuses: Vec<&Value> = by_status
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| &g["status"])
        .collect();
    assert_eq!(
        statuses,
        [
            "PENDING",
            "RUNNING",
            "COMPLETED",
            "FAILED",
            "CANCELLED",
            "BLOCKED"
        ]
        .iter()
        .map(|s| json!(s))
        .collect::<Vec<_>>()
        .iter()
        .collect::<Vec<_>>()
    );

    // The unassigned group's agentId is null, and ties put null last.
    let by_agent = stats(&app, "groupBy: [AGENT]", vars.clone()).await;
    let by_agent = without_times(&by_agent);
    assert_eq!(by_agent.len(), 3);
    assert_eq!(
        by_agent[0],
        group(json!(null), json!(null), json!(null), json!(null), 4)
    );
    let mut assigned: Vec<String> = by_agent[1..]
        .iter()
        .map(|g| g["agentId"].as_str().expect("assignee").to_owned())
        .collect();
    let listed = assigned.clone();
    assigned.sort();
    assert_eq!(listed, assigned, "equal counts by agentId ascending");

    // The filter narrows as `tasks`'s does, and keys combine.
    let in_plan = stats(
        &app,
        "filter: { planId: $plan }, groupBy: [TASK_TYPE, STATUS]",
        vars.clone(),
    )
    .await;
    assert_eq!(
        without_times(&in_plan),
        vec![
            group(
                json!("RUNNING"),
                json!(null),
                json!("build"),
                json!(null),
                1
            ),
            group(
                json!("CANCELLED"),
                json!(null),
                json!("build"),
                json!(null),
                1
            ),
            group(json!("PENDING"), json!(null), json!("test"), json!(null), 1),
            group(json!("BLOCKED"), json!(null), json!("test"), json!(null), 1),
        ]
    );
    let mine = stats(
        &app,
        "filter: { agentId: $agent }, groupBy: [PLAN, AGENT]",
        vars.clone(),
    )
    .await;
    assert_eq!(
        without_times(&mine),
        vec![group(
            json!(null),
            json!(w.agent),
            json!(null),
            json!(w.plans[0]),
            1
        )]
    );
    let none = stats(
        &app,
        "filter: { status: FAILED, taskType: \"test\" }, groupBy: [STATUS]",
        vars,
    )
    .await;
    assert_eq!(none, json!([]));

    // oldestCreatedAt is the oldest task's creation in the group.
    let tasks = app
        .gql_ok(
            "{ tasks(first: 100, filter: { taskType: \"build\" }) { nodes { createdAt } } }",
            json!({}),
        )
        .await;
    let oldest = tasks["tasks"]["nodes"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| crate::helpers::datetime(&t["createdAt"]))
        .min()
        .expect("a build task");
    assert_eq!(
        crate::helpers::datetime(&by_type[0]["oldestCreatedAt"]),
        oldest
    );
}

#[tokio::test]
async fn task_stats_refuse_bad_keys_and_filters_each_by_its_field() {
    let app = spawn_app().await;
    let document = "query($by: [TaskGroupBy!]!, $filter: TaskFilter) {
                      taskStats(groupBy: $by, filter: $filter) { count } }";
    let cases = [
        (json!({ "by": [] }), vec![bad_input("groupBy")]),
        (
            json!({ "by": ["STATUS", "PLAN", "STATUS"] }),
            vec![bad_input("groupBy")],
        ),
        (
            json!({ "by": ["STATUS"], "filter": { "statusIn": [] } }),
            vec![bad_input("filter.statusIn")],
        ),
        (
            json!({ "by": [], "filter": { "agentId": crate::helpers::unknown_id(), "unassigned": true } }),
            vec![bad_input("filter.unassigned"), bad_input("groupBy")],
        ),
    ];
    for (variables, expected) in cases {
        let body = app.gql(document, variables.clone()).await;
        let mut found = codes(&body);
        found.sort();
        assert_eq!(found, expected, "{variables}: {body}");
        assert!(body["data"].is_null(), "{body}");
    }
}

#[tokio::test]
async fn task_stats_answer_at_most_the_1000_largest_groups() {
    let app = spawn_app().await;
    let agent = app.create_agent("many").await;
    let goal = app.create_goal(&agent, "many types").await;
    let plan = app.create_plan(&goal, "many types").await;
    // 1,001 types of one task each and one type of two: the large one first,
    // then the types ascending, cut at 1,000.
    let mut inputs: Vec<Value> = (0..1001)
        .map(|n| json!({ "planId": plan, "description": "x", "taskType": format!("t{n:04}") }))
        .collect();
    inputs.push(json!({ "planId": plan, "description": "x", "taskType": "t0500" }));
    app.create_many("createTask", "CreateTaskInput", &inputs)
        .await;
    let groups = app
        .gql_ok(
            "{ taskStats(groupBy: [TASK_TYPE]) { taskType count } }",
            json!({}),
        )
        .await["taskStats"]
        .as_array()
        .expect("groups")
        .clone();
    assert_eq!(groups.len(), 1000);
    assert_eq!(groups[0], json!({ "taskType": "t0500", "count": 2 }));
    assert_eq!(groups[1]["taskType"], json!("t0000"));
    assert_eq!(groups[999]["taskType"], json!("t0999"));
}

/// `taskStats` is charged like a list of 100 of its selection: a limit
/// that admits `tasks(first: 100)` of the same selection admits it, one
/// below refuses both.
#[tokio::test]
async fn task_stats_count_against_the_complexity_limit_like_a_list() {
    let stats = "{ taskStats(groupBy: [STATUS]) { status count } }";
    let list = "{ tasks(first: 100) { nodes { status } } }";
    // Each: 100 × its two selected fields, plus the field itself; the
    // list's `nodes` adds one to its child.
    for (limit, admitted) in [(10_000, true), (150, false)] {
        let app =
            crate::helpers::spawn_app_with(|config| config.serve.max_complexity = limit).await;
        for document in [stats, list] {
            let body = app.gql(document, json!({})).await;
            let refused = body.to_string().contains("too complex");
            assert_eq!(!refused, admitted, "limit {limit}: {document}: {body}");
        }
    }
}
