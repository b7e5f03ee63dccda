//! What a task reaches (plan, goal, agent, assignee) and the lists of tasks.

use super::*;

#[tokio::test]
async fn a_task_reaches_its_plan_goal_and_agent_and_its_assignee() {
    let app = spawn_app().await;
    let owner = app.create_agent("Owner").await;
    let goal = app.create_goal(&owner, "The goal").await;
    let plan = app.create_plan(&goal, "The plan").await;
    let worker = app.create_agent("Worker").await;
    let data = app
        .gql_ok(
            "mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }",
            json!({ "input": { "planId": plan, "agentId": worker, "description": "Nested" } }),
        )
        .await;
    let task = data["createTask"]["id"].as_str().expect("task id");

    let data = app
        .gql_ok(
            "query($id: UUID!) {
                task(id: $id) {
                    plan { id goalId goal { id agentId agent { id name } } }
                    agent { id name goals { totalCount } }
                }
            }",
            json!({ "id": task }),
        )
        .await;

    assert_eq!(
        data["task"],
        json!({
            "plan": {
                "id": plan,
                "goalId": goal,
                "goal": { "id": goal, "agentId": owner, "agent": { "id": owner, "name": "Owner" } },
            },
            "agent": { "id": worker, "name": "Worker", "goals": { "totalCount": 0 } },
        })
    );
}

#[tokio::test]
async fn an_agent_lists_the_tasks_assigned_to_it_with_filters() {
    let app = spawn_app().await;
    let (owner, plan) = plan_fixture(&app).await;
    let worker = app.create_agent("Worker").await;
    let tasks = app
        .create_many(
            "createTask",
            "CreateTaskInput",
            &[
                json!({ "planId": plan, "agentId": worker, "description": "a" }),
                json!({ "planId": plan, "description": "unassigned" }),
                json!({ "planId": plan, "agentId": owner, "description": "owner's" }),
                json!({ "planId": plan, "agentId": worker, "description": "b", "taskType": "code" }),
            ],
        )
        .await;
    app.walk_statuses("Task", &tasks[3], &["RUNNING"]).await;

    let data = app
        .gql_ok(
            "query($worker: UUID!, $owner: UUID!) {
                worker: agent(id: $worker) {
                    tasks { totalCount nodes { id agentId } }
                    running: tasks(filter: { status: RUNNING }) { totalCount nodes { id } }
                    code: tasks(filter: { taskType: \"code\" }) { totalCount nodes { id } }
                }
                owner: agent(id: $owner) { tasks { totalCount nodes { id } } }
            }",
            json!({ "worker": worker, "owner": owner }),
        )
        .await;

    let assigned = &data["worker"]["tasks"];
    assert_eq!(assigned["totalCount"], json!(2));
    assert_eq!(node_ids(assigned), vec![tasks[0].clone(), tasks[3].clone()]);
    for task in assigned["nodes"].as_array().expect("tasks") {
        assert_eq!(task["agentId"], json!(worker));
    }
    assert_eq!(data["worker"]["running"]["totalCount"], json!(1));
    assert_eq!(node_ids(&data["worker"]["running"]), vec![tasks[3].clone()]);
    assert_eq!(node_ids(&data["worker"]["code"]), vec![tasks[3].clone()]);
    assert_eq!(data["owner"]["tasks"]["totalCount"], json!(1));
    assert_eq!(node_ids(&data["owner"]["tasks"]), vec![tasks[2].clone()]);
}

#[tokio::test]
async fn tasks_filter_by_plan_agent_status_and_task_type() {
    let app = spawn_app().await;
    let (owner, first) = plan_fixture(&app).await;
    let goal = app.create_goal(&owner, "Second goal").await;
    let second = app.create_plan(&goal, "Second plan").await;
    let worker = app.create_agent("Worker").await;
    let tasks = app
        .create_many(
            "createTask",
            "CreateTaskInput",
            &[
                json!({ "planId": first, "description": "0" }),
                json!({ "planId": first, "agentId": worker, "description": "1", "taskType": "code" }),
                json!({ "planId": second, "agentId": worker, "description": "2" }),
                json!({ "planId": second, "description": "3", "taskType": "code" }),
            ],
        )
        .await;
    app.walk_statuses("Task", &tasks[1], &["RUNNING"]).await;
    app.walk_statuses("Task", &tasks[3], &["RUNNING", "FAILED"])
        .await;
    let query = "query($filter: TaskFilter) { tasks(filter: $filter) { totalCount nodes { id } } }";
    let cases = [
        (json!(null), vec![0, 1, 2, 3]),
        (json!({ "planId": first }), vec![0, 1]),
        (json!({ "planId": second }), vec![2, 3]),
        (json!({ "agentId": worker }), vec![1, 2]),
        (json!({ "agentId": owner }), vec![]),
        (json!({ "status": "PENDING" }), vec![0, 2]),
        (json!({ "status": "FAILED" }), vec![3]),
        (json!({ "taskType": "code" }), vec![1, 3]),
        (json!({ "taskType": "generic" }), vec![0, 2]),
        (
            json!({ "planId": second, "agentId": worker, "status": "PENDING", "taskType": "generic" }),
            vec![2],
        ),
        (
            json!({ "planId": first, "taskType": "code", "status": "PENDING" }),
            vec![],
        ),
    ];

    for (filter, expected) in cases {
        let data = app.gql_ok(query, json!({ "filter": filter })).await;
        let expected: Vec<String> = expected.iter().map(|&i| tasks[i].clone()).collect();
        assert_eq!(node_ids(&data["tasks"]), expected, "filter {filter}");
        assert_eq!(
            data["tasks"]["totalCount"],
            json!(expected.len()),
            "filter {filter}"
        );
    }
}
