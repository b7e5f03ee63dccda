//! What a plan reaches (goal chain, tasks) and the lists of plans.

use super::*;

#[tokio::test]
async fn a_plan_exposes_its_goal_chain_and_its_tasks_with_filters() {
    let app = spawn_app().await;
    let agent = app.create_agent("Chief").await;
    let goal = app.create_goal(&agent, "The goal").await;
    let plan = app.create_plan(&goal, "The plan").await;
    let other_plan = app.create_plan(&goal, "Other plan").await;
    let tasks = app
        .create_many(
            "createTask",
            "CreateTaskInput",
            &[
                json!({ "planId": plan, "description": "search", "taskType": "web_search" }),
                json!({ "planId": plan, "description": "write" }),
                json!({ "planId": other_plan, "description": "not mine", "taskType": "web_search" }),
                json!({ "planId": plan, "description": "search again", "taskType": "web_search" }),
            ],
        )
        .await;
    app.walk_statuses("Task", &tasks[3], &["RUNNING"]).await;

    let data = app
        .gql_ok(
            "query($id: UUID!) {
                plan(id: $id) {
                    goal { id agent { id name } }
                    tasks { totalCount nodes { id planId } }
                    searches: tasks(filter: { taskType: \"web_search\" }) { totalCount nodes { id } }
                    running: tasks(filter: { status: RUNNING }) { totalCount nodes { id } }
                    generic: tasks(filter: { taskType: \"generic\", status: PENDING }) { totalCount nodes { id } }
                }
            }",
            json!({ "id": plan }),
        )
        .await;
    let plan_data = &data["plan"];

    assert_eq!(
        plan_data["goal"],
        json!({ "id": goal, "agent": { "id": agent, "name": "Chief" } })
    );
    assert_eq!(plan_data["tasks"]["totalCount"], json!(3));
    assert_eq!(
        node_ids(&plan_data["tasks"]),
        vec![tasks[0].clone(), tasks[1].clone(), tasks[3].clone()]
    );
    for task in plan_data["tasks"]["nodes"].as_array().expect("tasks") {
        assert_eq!(task["planId"], json!(plan));
    }
    assert_eq!(plan_data["searches"]["totalCount"], json!(2));
    assert_eq!(
        node_ids(&plan_data["searches"]),
        vec![tasks[0].clone(), tasks[3].clone()]
    );
    assert_eq!(plan_data["running"]["totalCount"], json!(1));
    assert_eq!(node_ids(&plan_data["running"]), vec![tasks[3].clone()]);
    assert_eq!(plan_data["generic"]["totalCount"], json!(1));
    assert_eq!(node_ids(&plan_data["generic"]), vec![tasks[1].clone()]);
}

#[tokio::test]
async fn plans_filter_by_goal_and_status() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let first = app.create_goal(&agent, "First").await;
    let second = app.create_goal(&agent, "Second").await;
    let plans = app
        .create_many(
            "createPlan",
            "CreatePlanInput",
            &[
                json!({ "goalId": first, "description": "a" }),
                json!({ "goalId": second, "description": "b" }),
                json!({ "goalId": first, "description": "c", "status": "ACTIVE" }),
                json!({ "goalId": second, "description": "d" }),
            ],
        )
        .await;
    app.walk_statuses("Plan", &plans[3], &["CANCELLED"]).await;
    let query = "query($filter: PlanFilter) { plans(filter: $filter) { totalCount nodes { id } } }";
    let cases = [
        (json!(null), vec![0, 1, 2, 3]),
        (json!({ "goalId": first }), vec![0, 2]),
        (json!({ "goalId": second }), vec![1, 3]),
        (json!({ "status": "DRAFT" }), vec![0, 1]),
        (json!({ "status": "ACTIVE" }), vec![2]),
        (json!({ "goalId": second, "status": "CANCELLED" }), vec![3]),
        (json!({ "goalId": first, "status": "CANCELLED" }), vec![]),
        (json!({ "goalId": unknown_id() }), vec![]),
    ];

    for (filter, expected) in cases {
        let data = app.gql_ok(query, json!({ "filter": filter })).await;
        let expected: Vec<String> = expected.iter().map(|&i| plans[i].clone()).collect();
        assert_eq!(node_ids(&data["plans"]), expected, "filter {filter}");
        assert_eq!(
            data["plans"]["totalCount"],
            json!(expected.len()),
            "filter {filter}"
        );
    }
}
