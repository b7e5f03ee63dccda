//! What a goal reaches (agent, plans) and the lists of goals.

use super::*;

#[tokio::test]
async fn a_goal_exposes_its_agent_and_its_plans_with_filters() {
    let app = spawn_app().await;
    let agent = app.create_agent("Strategist").await;
    let goal = app.create_goal(&agent, "Parent").await;
    let other_goal = app.create_goal(&agent, "Other").await;
    let draft = app.create_plan(&goal, "Draft plan").await;
    let active = app.create_plan(&goal, "Active plan").await;
    app.walk_statuses("Plan", &active, &["ACTIVE"]).await;
    app.create_plan(&other_goal, "Not mine").await;

    let data = app
        .gql_ok(
            "query($id: UUID!, $filter: PlanFilter) {
                goal(id: $id) {
                    agent { id name }
                    plans { totalCount nodes { id goalId } }
                    active: plans(filter: $filter) { totalCount nodes { id status } }
                }
            }",
            json!({ "id": goal, "filter": { "status": "ACTIVE" } }),
        )
        .await;
    let goal_data = &data["goal"];

    assert_eq!(
        goal_data["agent"],
        json!({ "id": agent, "name": "Strategist" })
    );
    assert_eq!(goal_data["plans"]["totalCount"], json!(2));
    assert_eq!(node_ids(&goal_data["plans"]), vec![draft, active.clone()]);
    for plan in goal_data["plans"]["nodes"].as_array().expect("plans") {
        assert_eq!(plan["goalId"], json!(goal));
    }
    assert_eq!(
        goal_data["active"],
        json!({ "totalCount": 1, "nodes": [{ "id": active, "status": "ACTIVE" }] })
    );
}

#[tokio::test]
async fn an_agent_lists_the_goals_it_owns_with_filters() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let other = app.create_agent("Other").await;
    let goals = app
        .create_many(
            "createGoal",
            "CreateGoalInput",
            &[
                json!({ "agentId": agent, "description": "low", "priority": 2 }),
                json!({ "agentId": agent, "description": "high", "priority": 8 }),
                json!({ "agentId": other, "description": "not mine", "priority": 9 }),
                json!({ "agentId": agent, "description": "top", "priority": 10 }),
            ],
        )
        .await;
    app.walk_statuses("Goal", &goals[3], &["ACTIVE"]).await;

    let data = app
        .gql_ok(
            "query($id: UUID!) {
                agent(id: $id) {
                    all: goals { totalCount nodes { id agentId } }
                    important: goals(filter: { minPriority: 8 }) { totalCount nodes { id } }
                    active: goals(filter: { status: ACTIVE }) { totalCount nodes { id } }
                }
            }",
            json!({ "id": agent }),
        )
        .await;
    let agent_data = &data["agent"];

    assert_eq!(agent_data["all"]["totalCount"], json!(3));
    assert_eq!(
        node_ids(&agent_data["all"]),
        vec![goals[0].clone(), goals[1].clone(), goals[3].clone()]
    );
    assert_eq!(agent_data["important"]["totalCount"], json!(2));
    assert_eq!(
        node_ids(&agent_data["important"]),
        vec![goals[1].clone(), goals[3].clone()]
    );
    assert_eq!(agent_data["active"]["totalCount"], json!(1));
    assert_eq!(node_ids(&agent_data["active"]), vec![goals[3].clone()]);
}

#[tokio::test]
async fn goals_filter_by_agent_status_and_min_priority() {
    let app = spawn_app().await;
    let first = app.create_agent("First").await;
    let second = app.create_agent("Second").await;
    let goals = app
        .create_many(
            "createGoal",
            "CreateGoalInput",
            &[
                json!({ "agentId": first, "description": "a", "priority": 1 }),
                json!({ "agentId": first, "description": "b", "priority": 6 }),
                json!({ "agentId": second, "description": "c", "priority": 7 }),
                json!({ "agentId": second, "description": "d" }),
            ],
        )
        .await;
    app.walk_statuses("Goal", &goals[1], &["ACTIVE"]).await;
    app.walk_statuses("Goal", &goals[2], &["CANCELLED"]).await;
    let query = "query($filter: GoalFilter) { goals(filter: $filter) { totalCount nodes { id } } }";
    let cases = [
        (json!(null), vec![0, 1, 2, 3]),
        (json!({ "agentId": first }), vec![0, 1]),
        (json!({ "agentId": second }), vec![2, 3]),
        (json!({ "status": "PENDING" }), vec![0, 3]),
        (json!({ "status": "CANCELLED" }), vec![2]),
        (json!({ "minPriority": 6 }), vec![1, 2]),
        (json!({ "minPriority": 5 }), vec![1, 2, 3]),
        (json!({ "agentId": second, "minPriority": 7 }), vec![2]),
        (json!({ "agentId": first, "status": "COMPLETED" }), vec![]),
    ];

    for (filter, expected) in cases {
        let data = app.gql_ok(query, json!({ "filter": filter })).await;
        let expected: Vec<String> = expected.iter().map(|&i| goals[i].clone()).collect();
        assert_eq!(node_ids(&data["goals"]), expected, "filter {filter}");
        assert_eq!(
            data["goals"]["totalCount"],
            json!(expected.len()),
            "filter {filter}"
        );
    }
}
