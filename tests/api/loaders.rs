//! Every relation goes through a batching loader: the number of SQL
//! statements a query costs depends on its depth, never on how many rows it
//! returns.

use serde_json::{Value, json};

use crate::helpers::{TestApp, is_postgres, spawn_app};

/// The most statements a four-level query may cost.
const SMALL: u64 = 10;

fn backend() -> &'static str {
    if is_postgres() {
        "PostgreSQL"
    } else {
        "SQLite"
    }
}

/// How many children each parent gets when seeding.
struct Shape {
    agents: usize,
    goals: usize,
    plans: usize,
    tasks: usize,
}

/// Seeds `shape.agents` agents, each with `goals` goals, each with `plans`
/// plans, each with `tasks` tasks assigned to the agent that owns the goal.
async fn seed(app: &TestApp, shape: &Shape) {
    let agent_inputs: Vec<Value> = (0..shape.agents)
        .map(|a| json!({ "name": format!("agent {a}") }))
        .collect();
    let agents = app
        .create_many("createAgent", "CreateAgentInput", &agent_inputs)
        .await;

    let mut goal_owners = Vec::new();
    let mut goal_inputs = Vec::new();
    for agent in &agents {
        for g in 0..shape.goals {
            goal_owners.push(agent.clone());
            goal_inputs.push(json!({ "agentId": agent, "description": format!("goal {g}") }));
        }
    }
    let goals = app
        .create_many("createGoal", "CreateGoalInput", &goal_inputs)
        .await;

    let mut plan_owners = Vec::new();
    let mut plan_inputs = Vec::new();
    for (goal, owner) in goals.iter().zip(&goal_owners) {
        for p in 0..shape.plans {
            plan_owners.push(owner.clone());
            plan_inputs.push(json!({ "goalId": goal, "description": format!("plan {p}") }));
        }
    }
    let plans = app
        .create_many("createPlan", "CreatePlanInput", &plan_inputs)
        .await;

    let mut task_inputs = Vec::new();
    for (plan, owner) in plans.iter().zip(&plan_owners) {
        for t in 0..shape.tasks {
            task_inputs.push(json!({
                "planId": plan,
                "agentId": owner,
                "description": format!("task {t}"),
            }));
        }
    }
    app.create_many("createTask", "CreateTaskInput", &task_inputs)
        .await;
}

/// Two servers seeded with Q2's tree (5 goals × 2 plans × 5 tasks per
/// agent) under 20 agents and under 2.
async fn q2_trees_of_20_and_2_agents() -> (TestApp, TestApp) {
    let large = spawn_app().await;
    let small = spawn_app().await;
    let shape = |agents| Shape {
        agents,
        goals: 5,
        plans: 2,
        tasks: 5,
    };
    let (large_shape, small_shape) = (shape(20), shape(2));
    tokio::join!(seed(&large, &large_shape), seed(&small, &small_shape));
    (large, small)
}

/// Runs `query` once to warm up, then again, and returns the statements the
/// second run cost together with its data.
async fn statements_for(app: &TestApp, query: &str) -> (u64, Value) {
    app.gql_ok(query, json!({})).await;
    let before = app.statements.get();
    let data = app.gql_ok(query, json!({})).await;
    let after = app.statements.get();
    (after - before, data)
}

const TREE: &str = "{
    agents(first: 20) {
        nodes {
            goals { nodes { plans { nodes { tasks { nodes { id } totalCount } } } } }
        }
    }
}";

fn assert_tree_shape(data: &Value, agents: usize) {
    let agent_nodes = data["agents"]["nodes"].as_array().expect("agents");
    assert_eq!(agent_nodes.len(), agents);
    for agent in agent_nodes {
        let goals = agent["goals"]["nodes"].as_array().expect("goals");
        assert_eq!(goals.len(), 5);
        for goal in goals {
            let plans = goal["plans"]["nodes"].as_array().expect("plans");
            assert_eq!(plans.len(), 2);
            for plan in plans {
                let tasks = plan["tasks"]["nodes"].as_array().expect("tasks");
                assert_eq!(tasks.len(), 5);
                assert_eq!(plan["tasks"]["totalCount"], json!(5));
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_four_level_query_costs_the_same_statements_for_20_agents_as_for_2() {
    let (large, small) = q2_trees_of_20_and_2_agents().await;

    let (large_statements, large_data) = statements_for(&large, TREE).await;
    let (small_statements, small_data) = statements_for(&small, TREE).await;

    assert_tree_shape(&large_data, 20);
    assert_tree_shape(&small_data, 2);
    assert_eq!(
        large_statements,
        small_statements,
        "on {}, 20 agents cost {large_statements} statements, 2 agents {small_statements}: \
         the count must not grow with the rows returned",
        backend()
    );
    assert!(
        small_statements <= SMALL,
        "on {}, a four-level query costs {small_statements} statements (at most {SMALL} expected)",
        backend()
    );
}

/// Q2's shape with `taskCounts` at each level: one grouped statement per
/// level, whatever the number of parents.
const TREE_WITH_COUNTS: &str = "{
    agents(first: 20) {
        nodes {
            taskCounts { total running }
            goals { nodes {
                taskCounts { total pending }
                plans { nodes { taskCounts { total pending } tasks { nodes { id } totalCount } } }
            } }
        }
    }
}";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn task_counts_at_every_level_cost_one_statement_per_level_for_20_agents_as_for_2() {
    let (large, small) = q2_trees_of_20_and_2_agents().await;

    let (without, _) = statements_for(&small, TREE).await;
    let (large_statements, large_data) = statements_for(&large, TREE_WITH_COUNTS).await;
    let (small_statements, _) = statements_for(&small, TREE_WITH_COUNTS).await;

    let agents = large_data["agents"]["nodes"].as_array().expect("agents");
    assert_eq!(agents.len(), 20);
    for agent in agents {
        assert_eq!(agent["taskCounts"], json!({ "total": 50, "running": 0 }));
        for goal in agent["goals"]["nodes"].as_array().expect("goals") {
            assert_eq!(goal["taskCounts"], json!({ "total": 10, "pending": 10 }));
            for plan in goal["plans"]["nodes"].as_array().expect("plans") {
                assert_eq!(plan["taskCounts"], json!({ "total": 5, "pending": 5 }));
            }
        }
    }
    assert_eq!(
        large_statements,
        small_statements,
        "on {}, counts under 20 agents cost {large_statements} statements, under 2 {small_statements}",
        backend()
    );
    assert_eq!(
        small_statements,
        without + 3,
        "on {}, counts at three levels cost {} statements more than none",
        backend(),
        small_statements - without
    );
}

const PARENTS: &str = "{
    tasks(first: 100) {
        nodes { id plan { id goal { id agent { id name } } } agent { id name } }
    }
    agents(first: 20) {
        nodes { tasks(first: 3) { nodes { id } totalCount } }
    }
}";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parent_lookups_cost_the_same_statements_for_100_tasks_as_for_1() {
    let large = spawn_app().await;
    let small = spawn_app().await;
    let large_shape = Shape {
        agents: 4,
        goals: 5,
        plans: 1,
        tasks: 5,
    };
    let small_shape = Shape {
        agents: 1,
        goals: 1,
        plans: 1,
        tasks: 1,
    };
    tokio::join!(seed(&large, &large_shape), seed(&small, &small_shape));

    let (large_statements, large_data) = statements_for(&large, PARENTS).await;
    let (small_statements, small_data) = statements_for(&small, PARENTS).await;

    let tasks = large_data["tasks"]["nodes"].as_array().expect("tasks");
    assert_eq!(tasks.len(), 100);
    for task in tasks {
        assert_eq!(task["agent"]["id"], task["plan"]["goal"]["agent"]["id"]);
        assert!(task["agent"]["name"].is_string());
    }
    let agents = large_data["agents"]["nodes"].as_array().expect("agents");
    assert_eq!(agents.len(), 4);
    for agent in agents {
        assert_eq!(agent["tasks"]["totalCount"], json!(25));
        assert_eq!(agent["tasks"]["nodes"].as_array().expect("tasks").len(), 3);
    }
    assert_eq!(
        small_data["tasks"]["nodes"]
            .as_array()
            .expect("tasks")
            .len(),
        1
    );
    // Agents are loaded by id at two depths (task.agent, goal.agent). Those
    // two waves share one statement when the second comes before the first
    // batch has started, so the count may differ by that one statement;
    // what must hold is that it is bounded by the query's shape, whatever
    // the number of rows.
    assert!(
        large_statements <= small_statements + 1 && large_statements <= SMALL,
        "on {}, 100 tasks cost {large_statements} statements, 1 task {small_statements}",
        backend()
    );
    assert!(
        small_statements <= SMALL,
        "on {}, the query costs {small_statements} statements (at most {SMALL} expected)",
        backend()
    );
}

const ORDERED_TREE: &str = "{
    agents(last: 20, orderBy: { field: NAME, direction: DESC }) {
        nodes {
            goals(last: 5, orderBy: { field: PRIORITY, direction: DESC }, filter: { statusIn: [PENDING, ACTIVE] }) {
                nodes {
                    plans(first: 2, orderBy: { field: UPDATED_AT, direction: DESC }) {
                        nodes {
                            tasks(last: 5, orderBy: { field: UPDATED_AT }, filter: { unassigned: false }) {
                                edges { cursor node { id } } totalCount
                            }
                        }
                    }
                }
            }
        }
    }
}";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ordered_backward_filtered_nested_pages_cost_the_same_statements_for_20_agents_as_for_2() {
    let (large, small) = q2_trees_of_20_and_2_agents().await;

    let (large_statements, large_data) = statements_for(&large, ORDERED_TREE).await;
    let (small_statements, small_data) = statements_for(&small, ORDERED_TREE).await;

    for (data, agents) in [(&large_data, 20), (&small_data, 2)] {
        let agent_nodes = data["agents"]["nodes"].as_array().expect("agents");
        assert_eq!(agent_nodes.len(), agents);
        for agent in agent_nodes {
            for goal in agent["goals"]["nodes"].as_array().expect("goals") {
                for plan in goal["plans"]["nodes"].as_array().expect("plans") {
                    assert_eq!(plan["tasks"]["edges"].as_array().expect("tasks").len(), 5);
                    assert_eq!(plan["tasks"]["totalCount"], json!(5));
                }
            }
        }
    }
    assert_eq!(
        large_statements,
        small_statements,
        "on {}, 20 agents cost {large_statements} statements, 2 agents {small_statements}",
        backend()
    );
    assert!(
        small_statements <= SMALL,
        "on {}, the query costs {small_statements} statements (at most {SMALL} expected)",
        backend()
    );
}
