//! `taskStats`: grouping, ordering, the 1,000-group cut, refusals and the
//! complexity charge.

use serde_json::{Value, json};

use super::world;
use crate::helpers::{TestApp, bad_input, codes, spawn_app};

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
