//! Every rule a value can break is a `BAD_USER_INPUT` error naming the
//! offending input in `extensions.field`, and nothing is written.

use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error_snapshot, bad_input, codes, sorted, spawn_app};

pub(crate) const CREATE_AGENT: &str =
    "mutation($input: CreateAgentInput!) { createAgent(input: $input) { id } }";
pub(crate) const UPDATE_AGENT: &str = "mutation($id: UUID!, $input: UpdateAgentInput!) {
    updateAgent(id: $id, input: $input) { id }
}";
pub(crate) const CREATE_GOAL: &str =
    "mutation($input: CreateGoalInput!) { createGoal(input: $input) { id } }";
pub(crate) const UPDATE_GOAL: &str = "mutation($id: UUID!, $input: UpdateGoalInput!) {
    updateGoal(id: $id, input: $input) { id }
}";
pub(crate) const UPDATE_PLAN: &str = "mutation($id: UUID!, $input: UpdatePlanInput!) {
    updatePlan(id: $id, input: $input) { id }
}";
pub(crate) const CREATE_TASK: &str =
    "mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }";
pub(crate) const UPDATE_TASK: &str = "mutation($id: UUID!, $input: UpdateTaskInput!) {
    updateTask(id: $id, input: $input) { id }
}";

pub(crate) const AGENT: &str = "query($id: UUID!) {
    agent(id: $id) { name status configuration metadata version }
}";
pub(crate) const GOAL: &str = "query($id: UUID!) {
    goal(id: $id) { description successCriteria priority status version }
}";
pub(crate) const PLAN: &str = "query($id: UUID!) { plan(id: $id) { description status version } }";
pub(crate) const TASK: &str = "query($id: UUID!) {
    task(id: $id) { description taskType inputData outputData error version }
}";

pub(crate) async fn read_back(app: &TestApp, query: &str, id: &str) -> Value {
    app.gql_ok(query, json!({ "id": id })).await
}

/// An agent with one goal, one plan and one task; returns their ids.
pub(crate) async fn tree(app: &TestApp) -> [String; 4] {
    let agent = app.create_agent("Owner").await;
    let goal = app.create_goal(&agent, "Goal").await;
    let plan = app.create_plan(&goal, "Plan").await;
    let task = app.create_task(&plan, "Task").await;
    [agent, goal, plan, task]
}

#[tokio::test]
async fn create_agent_with_an_empty_name_is_bad_user_input_on_input_name() {
    let app = spawn_app().await;

    let body = app
        .gql(CREATE_AGENT, json!({ "input": { "name": "" } }))
        .await;

    assert_eq!(codes(&body), [bad_input("input.name")], "{body:#}");
    assert_error_snapshot!(body);
    assert_eq!(app.total_count("agents").await, 0);
}

#[tokio::test]
async fn a_name_of_201_characters_is_refused_and_200_are_accepted() {
    let app = spawn_app().await;

    let body = app
        .gql(
            CREATE_AGENT,
            json!({ "input": { "name": "n".repeat(201) } }),
        )
        .await;
    assert_eq!(codes(&body), [bad_input("input.name")], "{body:#}");
    assert_error_snapshot!(body);
    assert_eq!(app.total_count("agents").await, 0);

    app.gql_ok(
        CREATE_AGENT,
        json!({ "input": { "name": "n".repeat(200) } }),
    )
    .await;
    assert_eq!(app.total_count("agents").await, 1);
}

#[tokio::test]
async fn update_agent_with_an_empty_name_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let [agent, ..] = tree(&app).await;
    let before = read_back(&app, AGENT, &agent).await;

    let body = app
        .gql(
            UPDATE_AGENT,
            json!({ "id": agent, "input": { "name": "", "status": "PAUSED" } }),
        )
        .await;

    assert_eq!(codes(&body), [bad_input("input.name")], "{body:#}");
    assert_error_snapshot!(body);
    assert_eq!(read_back(&app, AGENT, &agent).await, before);
}

#[tokio::test]
async fn a_description_of_10001_characters_is_refused_and_10000_are_accepted() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;

    let body = app
        .gql(
            CREATE_GOAL,
            json!({ "input": { "agentId": agent, "description": "d".repeat(10_001) } }),
        )
        .await;
    assert_eq!(codes(&body), [bad_input("input.description")], "{body:#}");
    assert_error_snapshot!(body);
    assert_eq!(app.total_count("goals").await, 0);

    app.gql_ok(
        CREATE_GOAL,
        json!({ "input": { "agentId": agent, "description": "d".repeat(10_000) } }),
    )
    .await;
    assert_eq!(app.total_count("goals").await, 1);
}

#[tokio::test]
async fn update_plan_with_a_description_of_10001_characters_changes_nothing() {
    let app = spawn_app().await;
    let [_, _, plan, _] = tree(&app).await;
    let before = read_back(&app, PLAN, &plan).await;

    let body = app
        .gql(
            UPDATE_PLAN,
            json!({ "id": plan, "input": { "description": "d".repeat(10_001) } }),
        )
        .await;

    assert_eq!(codes(&body), [bad_input("input.description")], "{body:#}");
    assert_error_snapshot!(body);
    assert_eq!(read_back(&app, PLAN, &plan).await, before);
}

#[tokio::test]
async fn a_task_type_of_101_characters_is_refused_and_100_are_accepted() {
    let app = spawn_app().await;
    let [_, _, plan, _] = tree(&app).await;

    let body = app
        .gql(
            CREATE_TASK,
            json!({ "input": { "planId": plan, "description": "t", "taskType": "t".repeat(101) } }),
        )
        .await;
    assert_eq!(codes(&body), [bad_input("input.taskType")], "{body:#}");
    assert_error_snapshot!(body);
    assert_eq!(app.total_count("tasks").await, 1);

    app.gql_ok(
        CREATE_TASK,
        json!({ "input": { "planId": plan, "description": "t", "taskType": "t".repeat(100) } }),
    )
    .await;
    assert_eq!(app.total_count("tasks").await, 2);
}

#[tokio::test]
async fn success_criteria_of_101_items_are_refused_and_100_are_accepted() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let criteria = |n: usize| -> Vec<String> { (0..n).map(|i| format!("criterion {i}")).collect() };

    let body = app
        .gql(
            CREATE_GOAL,
            json!({ "input": { "agentId": agent, "description": "g", "successCriteria": criteria(101) } }),
        )
        .await;
    assert_eq!(
        codes(&body),
        [bad_input("input.successCriteria")],
        "{body:#}"
    );
    assert_error_snapshot!(body);
    assert_eq!(app.total_count("goals").await, 0);

    app.gql_ok(
        CREATE_GOAL,
        json!({ "input": { "agentId": agent, "description": "g", "successCriteria": criteria(100) } }),
    )
    .await;
    assert_eq!(app.total_count("goals").await, 1);
}

#[tokio::test]
async fn a_priority_outside_1_to_10_is_refused_on_input_priority() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;

    for priority in [0, 11, -1, 1000] {
        let body = app
            .gql(
                CREATE_GOAL,
                json!({ "input": { "agentId": agent, "description": "g", "priority": priority } }),
            )
            .await;
        assert_eq!(codes(&body), [bad_input("input.priority")], "{body:#}");
        assert_error_snapshot!(body);
    }
    assert_eq!(app.total_count("goals").await, 0);

    for priority in [1, 10] {
        app.gql_ok(
            CREATE_GOAL,
            json!({ "input": { "agentId": agent, "description": "g", "priority": priority } }),
        )
        .await;
    }
    assert_eq!(app.total_count("goals").await, 2);
}

#[tokio::test]
async fn update_goal_with_priority_11_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let [_, goal, ..] = tree(&app).await;
    let before = read_back(&app, GOAL, &goal).await;

    for priority in [0, 11] {
        let body = app
            .gql(
                UPDATE_GOAL,
                json!({ "id": goal, "input": { "priority": priority, "description": "changed" } }),
            )
            .await;
        assert_eq!(codes(&body), [bad_input("input.priority")], "{body:#}");
        assert_error_snapshot!(body);
    }

    assert_eq!(read_back(&app, GOAL, &goal).await, before);
}

#[tokio::test]
async fn first_outside_1_to_100_is_refused_on_first() {
    let app = spawn_app().await;
    app.create_agent("Someone").await;

    for connection in ["agents", "goals", "plans", "tasks"] {
        let query =
            format!("query($first: Int) {{ {connection}(first: $first) {{ totalCount }} }}");
        for first in [0, 101, -1] {
            let body = app.gql(&query, json!({ "first": first })).await;
            assert_eq!(codes(&body), [bad_input("first")], "{body:#}");
            assert_error_snapshot!(body);
        }
        let data = app.gql_ok(&query, json!({ "first": 100 })).await;
        assert!(data[connection]["totalCount"].is_i64());
        app.gql_ok(&query, json!({ "first": 1 })).await;
    }
}

#[tokio::test]
async fn a_request_with_two_invalid_fields_reports_both() {
    let app = spawn_app().await;

    let body = app
        .gql(
            CREATE_AGENT,
            json!({ "input": { "name": "", "configuration": [1, 2] } }),
        )
        .await;

    // Each once, in whatever order (the snapshot pins today's).
    assert_eq!(
        sorted(codes(&body)),
        [bad_input("input.configuration"), bad_input("input.name")],
        "{body:#}"
    );
    assert_error_snapshot!(body);
    assert_eq!(app.total_count("agents").await, 0);
}

#[tokio::test]
async fn a_goal_with_three_invalid_fields_reports_each() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let criteria: Vec<String> = (0..101).map(|i| i.to_string()).collect();

    let body = app
        .gql(
            CREATE_GOAL,
            json!({ "input": {
                "agentId": agent,
                "description": "d".repeat(10_001),
                "successCriteria": criteria,
                "priority": 11,
            } }),
        )
        .await;

    assert_eq!(
        sorted(codes(&body)),
        [
            bad_input("input.description"),
            bad_input("input.priority"),
            bad_input("input.successCriteria"),
        ],
        "each is reported once: {body:#}"
    );
    assert_error_snapshot!(body);
    assert_eq!(app.total_count("goals").await, 0);
}
