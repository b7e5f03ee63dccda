//! Relay cursor connections: keyset pages, oldest first, opaque cursors.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::helpers::{TestApp, node_ids, spawn_app};

const AGENTS_PAGE: &str = "query($first: Int, $after: String) {
    agents(first: $first, after: $after) {
        edges { cursor node { id } }
        nodes { id }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        totalCount
    }
}";

async fn create_agents(app: &TestApp, n: usize) -> Vec<String> {
    let inputs: Vec<Value> = (0..n)
        .map(|i| json!({ "name": format!("agent-{i:03}") }))
        .collect();
    app.create_many("createAgent", "CreateAgentInput", &inputs)
        .await
}

/// The node ids of a connection's `edges`, checking them against `nodes` and
/// the cursors against `pageInfo`.
fn checked_page(connection: &Value) -> Vec<String> {
    let edges = connection["edges"].as_array().expect("edges");
    let ids: Vec<String> = edges
        .iter()
        .map(|edge| edge["node"]["id"].as_str().expect("node id").to_owned())
        .collect();
    assert_eq!(ids, node_ids(connection), "edges and nodes agree");
    for edge in edges {
        let cursor = edge["cursor"].as_str().expect("cursor");
        let id = edge["node"]["id"].as_str().expect("node id");
        assert_ne!(cursor, id, "cursors are opaque");
        assert!(!cursor.contains(id), "cursors are opaque: {cursor}");
    }
    let page_info = &connection["pageInfo"];
    match (edges.first(), edges.last()) {
        (Some(first), Some(last)) => {
            assert_eq!(page_info["startCursor"], first["cursor"]);
            assert_eq!(page_info["endCursor"], last["cursor"]);
        }
        _ => {
            assert_eq!(page_info["startCursor"], Value::Null);
            assert_eq!(page_info["endCursor"], Value::Null);
        }
    }
    ids
}

#[tokio::test]
async fn walking_250_agents_100_at_a_time_sees_each_once_in_creation_order() {
    let app = spawn_app().await;
    let created = create_agents(&app, 250).await;

    let mut seen = Vec::new();
    let mut after = Value::Null;
    let mut pages = 0;
    loop {
        let data = app
            .gql_ok(AGENTS_PAGE, json!({ "first": 100, "after": after }))
            .await;
        let connection = &data["agents"];
        pages += 1;
        assert_eq!(connection["totalCount"], json!(250), "page {pages}");
        let ids = checked_page(connection);
        let has_next = connection["pageInfo"]["hasNextPage"]
            .as_bool()
            .expect("hasNextPage");
        assert_eq!(ids.len(), if has_next { 100 } else { 50 }, "page {pages}");
        seen.extend(ids);
        if !has_next {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
        assert!(pages < 3, "more pages than expected");
    }

    assert_eq!(pages, 3);
    let distinct: HashSet<&String> = seen.iter().collect();
    assert_eq!(distinct.len(), 250, "every id is seen exactly once");
    assert_eq!(seen, created, "oldest first, in creation order");
}

#[tokio::test]
async fn a_page_after_the_last_cursor_is_empty() {
    let app = spawn_app().await;
    create_agents(&app, 3).await;
    let data = app
        .gql_ok(AGENTS_PAGE, json!({ "first": 3, "after": null }))
        .await;
    let last = data["agents"]["pageInfo"]["endCursor"].clone();
    assert_eq!(data["agents"]["pageInfo"]["hasNextPage"], json!(false));

    let data = app
        .gql_ok(AGENTS_PAGE, json!({ "first": 3, "after": last }))
        .await;

    let connection = &data["agents"];
    assert!(checked_page(connection).is_empty());
    assert_eq!(connection["pageInfo"]["hasNextPage"], json!(false));
    assert_eq!(connection["totalCount"], json!(3));
}

#[tokio::test]
async fn first_defaults_to_20() {
    let app = spawn_app().await;
    let created = create_agents(&app, 25).await;

    let data = app.gql_ok(AGENTS_PAGE, json!({})).await;

    let connection = &data["agents"];
    assert_eq!(checked_page(connection), created[..20].to_vec());
    assert_eq!(connection["pageInfo"]["hasNextPage"], json!(true));
    assert_eq!(connection["totalCount"], json!(25));

    let after = connection["pageInfo"]["endCursor"].clone();
    let data = app.gql_ok(AGENTS_PAGE, json!({ "after": after })).await;
    assert_eq!(checked_page(&data["agents"]), created[20..].to_vec());
    assert_eq!(data["agents"]["pageInfo"]["hasNextPage"], json!(false));
}

#[tokio::test]
async fn an_exactly_full_page_has_no_next_page() {
    let app = spawn_app().await;
    let created = create_agents(&app, 10).await;

    let data = app
        .gql_ok(AGENTS_PAGE, json!({ "first": 10, "after": null }))
        .await;

    assert_eq!(checked_page(&data["agents"]), created);
    assert_eq!(data["agents"]["pageInfo"]["hasNextPage"], json!(false));

    let data = app
        .gql_ok(AGENTS_PAGE, json!({ "first": 9, "after": null }))
        .await;
    assert_eq!(checked_page(&data["agents"]), created[..9].to_vec());
    assert_eq!(data["agents"]["pageInfo"]["hasNextPage"], json!(true));
}

#[tokio::test]
async fn a_filtered_connection_pages_and_counts_only_matching_nodes() {
    let app = spawn_app().await;
    let inputs: Vec<Value> = (0..30)
        .map(|i| {
            let status = if i % 3 == 0 { "PAUSED" } else { "ACTIVE" };
            json!({ "name": format!("agent-{i:02}"), "status": status })
        })
        .collect();
    let created = app
        .create_many("createAgent", "CreateAgentInput", &inputs)
        .await;
    let paused: Vec<String> = created.iter().step_by(3).cloned().collect();
    let query = "query($after: String) {
        agents(first: 4, after: $after, filter: { status: PAUSED }) {
            edges { cursor node { id } }
            nodes { id }
            pageInfo { hasNextPage startCursor endCursor }
            totalCount
        }
    }";

    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = app.gql_ok(query, json!({ "after": after })).await;
        let connection = &data["agents"];
        assert_eq!(connection["totalCount"], json!(10));
        seen.extend(checked_page(connection));
        if connection["pageInfo"]["hasNextPage"] == json!(false) {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
        assert!(seen.len() <= 10, "pagination terminates");
    }

    assert_eq!(seen, paused);
}

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
async fn cursors_are_opaque_and_not_the_raw_id() {
    let app = spawn_app().await;
    let created = create_agents(&app, 2).await;

    let data = app
        .gql_ok(AGENTS_PAGE, json!({ "first": 2, "after": null }))
        .await;

    let edges = data["agents"]["edges"].as_array().expect("edges");
    assert_eq!(edges.len(), 2);
    for (edge, id) in edges.iter().zip(&created) {
        let cursor = edge["cursor"].as_str().expect("cursor");
        assert_ne!(cursor, id);
        assert!(!cursor.contains(id.as_str()), "{cursor} hides {id}");
        assert!(
            uuid::Uuid::parse_str(cursor).is_err(),
            "{cursor} is not a bare UUID"
        );
    }
    assert_ne!(edges[0]["cursor"], edges[1]["cursor"]);
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
    let agents = app
        .create_many(
            "createAgent",
            "CreateAgentInput",
            &(0..6)
                .map(|i| json!({ "name": format!("agent {i}") }))
                .collect::<Vec<_>>(),
        )
        .await;
    let goals: Vec<Value> = agents
        .iter()
        .flat_map(|agent| {
            (0..90).map(move |i| json!({ "agentId": agent, "description": format!("goal {i}") }))
        })
        .collect();
    let goal_ids = app
        .create_many("createGoal", "CreateGoalInput", &goals)
        .await;
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
