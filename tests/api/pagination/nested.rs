//! Paging nested connections: each parent its own pages, filters and
//! cursors, however many parents.

use super::*;

#[tokio::test]
async fn a_nested_connection_pages_with_first_and_after() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let goal = app.create_goal(&agent, "Many plans").await;
    let other_goal = app.create_goal(&agent, "Few plans").await;
    let inputs: Vec<Value> = (0..25)
        .map(|i| json!({ "goalId": goal, "description": format!("plan {i}") }))
        .collect();
    let plans = app
        .create_many("createPlan", "CreatePlanInput", &inputs)
        .await;
    app.create_plan(&other_goal, "Elsewhere").await;
    let query = "query($id: UUID!, $after: String) {
        goal(id: $id) {
            plans(first: 10, after: $after) {
                edges { cursor node { id } }
                nodes { id }
                pageInfo { hasNextPage startCursor endCursor }
                totalCount
            }
        }
    }";

    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = app
            .gql_ok(query, json!({ "id": goal, "after": after }))
            .await;
        let connection = &data["goal"]["plans"];
        assert_eq!(connection["totalCount"], json!(25));
        let ids = checked_page(connection);
        sizes.push(ids.len());
        seen.extend(ids);
        if connection["pageInfo"]["hasNextPage"] == json!(false) {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
        assert!(sizes.len() < 3, "more pages than expected");
    }

    assert_eq!(sizes, vec![10, 10, 5]);
    assert_eq!(seen, plans);
}

#[tokio::test]
async fn nested_connections_under_a_list_page_each_parent_separately() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let goals = app
        .create_many(
            "createGoal",
            "CreateGoalInput",
            &[
                json!({ "agentId": agent, "description": "three" }),
                json!({ "agentId": agent, "description": "none" }),
                json!({ "agentId": agent, "description": "one" }),
            ],
        )
        .await;
    // Interleave the plans of the goals so that each goal's first page is
    // not simply a prefix of all plans.
    let plans = app
        .create_many(
            "createPlan",
            "CreatePlanInput",
            &[
                json!({ "goalId": goals[0], "description": "a" }),
                json!({ "goalId": goals[2], "description": "b" }),
                json!({ "goalId": goals[0], "description": "c" }),
                json!({ "goalId": goals[0], "description": "d" }),
            ],
        )
        .await;

    let data = app
        .gql_ok(
            "query($id: UUID!) {
                agent(id: $id) {
                    goals {
                        nodes {
                            id
                            plans(first: 2) { nodes { id } pageInfo { hasNextPage } totalCount }
                        }
                    }
                }
            }",
            json!({ "id": agent }),
        )
        .await;

    let goal_nodes = data["agent"]["goals"]["nodes"].as_array().expect("goals");
    let summary: Vec<Value> = goal_nodes
        .iter()
        .map(|goal| {
            json!({
                "id": goal["id"],
                "plans": node_ids(&goal["plans"]),
                "hasNextPage": goal["plans"]["pageInfo"]["hasNextPage"],
                "totalCount": goal["plans"]["totalCount"],
            })
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            json!({ "id": goals[0], "plans": [plans[0], plans[2]], "hasNextPage": true, "totalCount": 3 }),
            json!({ "id": goals[1], "plans": [], "hasNextPage": false, "totalCount": 0 }),
            json!({ "id": goals[2], "plans": [plans[1]], "hasNextPage": false, "totalCount": 1 }),
        ]
    );
}

#[tokio::test]
async fn nested_pages_apply_the_filter_and_the_cursor_to_every_parent() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let goal = app
        .create_many(
            "createGoal",
            "CreateGoalInput",
            &[json!({ "agentId": agent, "description": "g" })],
        )
        .await
        .remove(0);
    let plans = app
        .create_many(
            "createPlan",
            "CreatePlanInput",
            &[
                json!({ "goalId": goal, "description": "a" }),
                json!({ "goalId": goal, "description": "b" }),
            ],
        )
        .await;
    let task =
        |plan: &str, kind: &str| json!({ "planId": plan, "description": kind, "taskType": kind });
    let tasks = app
        .create_many(
            "createTask",
            "CreateTaskInput",
            &[
                task(&plans[0], "x"),
                task(&plans[0], "y"),
                task(&plans[1], "x"),
                task(&plans[0], "x"),
                task(&plans[0], "x"),
                task(&plans[1], "y"),
            ],
        )
        .await;
    let page = |after: Value| {
        let app = &app;
        let goal = goal.clone();
        async move {
            let data = app
                .gql_ok(
                    "query($id: UUID!, $after: String) {
                        goal(id: $id) {
                            plans {
                                nodes {
                                    tasks(first: 1, after: $after, filter: { taskType: \"x\" }) {
                                        nodes { id }
                                        pageInfo { hasNextPage }
                                    }
                                }
                            }
                        }
                    }",
                    json!({ "id": goal, "after": after }),
                )
                .await;
            data["goal"]["plans"]["nodes"]
                .as_array()
                .expect("plans")
                .iter()
                .map(|plan| {
                    json!([
                        node_ids(&plan["tasks"]),
                        plan["tasks"]["pageInfo"]["hasNextPage"]
                    ])
                })
                .collect::<Vec<_>>()
        }
    };

    assert_eq!(
        page(Value::Null).await,
        vec![json!([[tasks[0]], true]), json!([[tasks[2]], false])]
    );
    // The cursor of the first task continues each plan after that id.
    let cursor = app
        .gql_ok(
            "query($id: UUID!) { plan(id: $id) { tasks(first: 1) { pageInfo { endCursor } } } }",
            json!({ "id": plans[0] }),
        )
        .await["plan"]["tasks"]["pageInfo"]["endCursor"]
        .clone();
    assert_eq!(
        page(cursor).await,
        vec![json!([[tasks[3]], true]), json!([[tasks[2]], false])]
    );
}

#[tokio::test]
async fn nested_pages_of_more_than_500_parents_are_all_answered() {
    // SQLite allows 500 arms in one compound SELECT; past that the parents
    // are split over several statements.
    let app = spawn_app().await;
    let goal_ids = app.create_540_goals().await;
    let last_goal = goal_ids.last().expect("goals").clone();
    let plan = app
        .create_many(
            "createPlan",
            "CreatePlanInput",
            &[json!({ "goalId": last_goal, "description": "the only plan" })],
        )
        .await
        .remove(0);

    let data = app
        .gql_ok(
            "{ agents(first: 6) { nodes { goals(first: 100) { nodes { id plans { nodes { id } } } } } } }",
            json!({}),
        )
        .await;
    let goals_seen: Vec<&Value> = data["agents"]["nodes"]
        .as_array()
        .expect("agents")
        .iter()
        .flat_map(|agent| agent["goals"]["nodes"].as_array().expect("goals"))
        .collect();
    assert_eq!(goals_seen.len(), 540);
    for goal in &goals_seen {
        let expected = if goal["id"] == json!(last_goal) {
            json!([plan])
        } else {
            json!([])
        };
        assert_eq!(json!(node_ids(&goal["plans"])), expected);
    }
}
