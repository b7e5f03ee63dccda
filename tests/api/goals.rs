use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_bad_input, assert_error_code, datetime, node_ids, spawn_app, unknown_id,
};

const GOAL_FIELDS: &str = "id agentId agent { id name } description successCriteria priority \
                           status version createdAt updatedAt";

fn create_goal_doc() -> String {
    format!(
        "mutation($input: CreateGoalInput!) {{ createGoal(input: $input) {{ {GOAL_FIELDS} }} }}"
    )
}

fn update_goal_doc() -> String {
    format!(
        "mutation($id: UUID!, $input: UpdateGoalInput!) {{ updateGoal(id: $id, input: $input) {{ {GOAL_FIELDS} }} }}"
    )
}

async fn fetch_goal(app: &TestApp, id: &str) -> Value {
    let document = format!("query($id: UUID!) {{ goal(id: $id) {{ {GOAL_FIELDS} }} }}");
    app.gql_ok(&document, json!({ "id": id })).await["goal"].clone()
}

const DELETE_GOAL: &str =
    "mutation($id: UUID!, $cascade: Boolean) { deleteGoal(id: $id, cascade: $cascade) }";

/// The statuses a fresh (PENDING) goal passes through to reach `status`.
fn path_to(status: &str) -> &'static [&'static str] {
    match status {
        "PENDING" => &[],
        "ACTIVE" => &["ACTIVE"],
        "COMPLETED" => &["ACTIVE", "COMPLETED"],
        "FAILED" => &["ACTIVE", "FAILED"],
        "CANCELLED" => &["CANCELLED"],
        other => panic!("no goal status {other}"),
    }
}

#[tokio::test]
async fn create_goal_with_required_fields_gets_the_documented_defaults() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;

    let data = app
        .gql_ok(
            &create_goal_doc(),
            json!({ "input": { "agentId": agent, "description": "Ship it" } }),
        )
        .await;
    let goal = &data["createGoal"];

    uuid::Uuid::parse_str(goal["id"].as_str().expect("id")).expect("the id is a UUID");
    assert_eq!(goal["agentId"], json!(agent));
    assert_eq!(goal["agent"], json!({ "id": agent, "name": "Owner" }));
    assert_eq!(goal["description"], json!("Ship it"));
    assert_eq!(goal["successCriteria"], json!([]));
    assert_eq!(goal["priority"], json!(5));
    assert_eq!(goal["status"], json!("PENDING"));
    assert_eq!(goal["version"], json!(1));
    assert!(datetime(&goal["updatedAt"]) >= datetime(&goal["createdAt"]));

    let id = goal["id"].as_str().expect("id");
    assert_eq!(fetch_goal(&app, id).await, *goal);
}

#[tokio::test]
async fn create_goal_with_every_field_stores_them_all() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let input = json!({
        "agentId": agent,
        "description": "Answer the question",
        "successCriteria": ["cites sources", "under 200 words"],
        "priority": 9,
    });

    let data = app
        .gql_ok(&create_goal_doc(), json!({ "input": input }))
        .await;
    let goal = &data["createGoal"];

    assert_eq!(goal["successCriteria"], input["successCriteria"]);
    assert_eq!(goal["priority"], json!(9));
    assert_eq!(goal["description"], input["description"]);
    assert_eq!(goal["status"], json!("PENDING"));
    let id = goal["id"].as_str().expect("id");
    assert_eq!(fetch_goal(&app, id).await, *goal);
}

#[tokio::test]
async fn create_goal_under_an_unknown_agent_is_not_found_and_creates_nothing() {
    let app = spawn_app().await;

    let body = app
        .gql(
            &create_goal_doc(),
            json!({ "input": { "agentId": unknown_id(), "description": "Orphan" } }),
        )
        .await;

    assert_error_code(&body, "NOT_FOUND");
    assert!(body["data"].is_null(), "no goal is returned: {body:#}");
    assert_eq!(app.total_count("goals").await, 0);
}

#[tokio::test]
async fn update_goal_changes_only_the_fields_given_and_bumps_the_version() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let created = app
        .gql_ok(
            &create_goal_doc(),
            json!({ "input": {
                "agentId": agent,
                "description": "Original",
                "successCriteria": ["a", "b"],
                "priority": 3,
            } }),
        )
        .await["createGoal"]
        .clone();
    let id = created["id"].as_str().expect("id");

    let updated = app
        .gql_ok(
            &update_goal_doc(),
            json!({ "id": id, "input": { "successCriteria": ["c"] } }),
        )
        .await["updateGoal"]
        .clone();
    assert_eq!(updated["successCriteria"], json!(["c"]));
    assert_eq!(updated["description"], json!("Original"));
    assert_eq!(updated["priority"], json!(3));
    assert_eq!(updated["status"], json!("PENDING"));
    assert_eq!(updated["agentId"], json!(agent));
    assert_eq!(updated["version"], json!(2));
    assert_eq!(updated["createdAt"], created["createdAt"]);
    assert!(datetime(&updated["updatedAt"]) >= datetime(&created["updatedAt"]));

    let updated = app
        .gql_ok(
            &update_goal_doc(),
            json!({ "id": id, "input": { "description": "Reworded", "priority": 10, "expectedVersion": 2 } }),
        )
        .await["updateGoal"]
        .clone();
    assert_eq!(updated["description"], json!("Reworded"));
    assert_eq!(updated["priority"], json!(10));
    assert_eq!(updated["successCriteria"], json!(["c"]));
    assert_eq!(updated["version"], json!(3));

    assert_eq!(fetch_goal(&app, id).await, updated);
}

#[tokio::test]
async fn update_goal_with_a_stale_expected_version_is_a_conflict_and_changes_nothing() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let id = app.create_goal(&agent, "Original").await;
    app.walk_statuses("Goal", &id, &["ACTIVE"]).await;
    let before = fetch_goal(&app, &id).await;

    let body = app
        .gql(
            &update_goal_doc(),
            json!({ "id": id, "input": { "description": "Late", "expectedVersion": 1 } }),
        )
        .await;

    assert_error_code(&body, "CONFLICT");
    assert_eq!(fetch_goal(&app, &id).await, before);
}

#[tokio::test]
async fn update_goal_of_an_unknown_id_is_not_found() {
    let app = spawn_app().await;

    let body = app
        .gql(
            &update_goal_doc(),
            json!({ "id": unknown_id(), "input": { "priority": 7 } }),
        )
        .await;

    assert_error_code(&body, "NOT_FOUND");
}

#[tokio::test]
async fn every_allowed_goal_transition_is_accepted() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let allowed = [
        ("PENDING", "ACTIVE"),
        ("PENDING", "CANCELLED"),
        ("ACTIVE", "COMPLETED"),
        ("ACTIVE", "FAILED"),
        ("ACTIVE", "CANCELLED"),
    ];

    for (from, to) in allowed {
        let id = app.create_goal(&agent, &format!("{from} to {to}")).await;
        app.walk_statuses("Goal", &id, path_to(from)).await;

        let body = app.update_status("Goal", &id, to).await;

        assert!(
            body.get("errors").is_none(),
            "{from} -> {to} is allowed: {body:#}"
        );
        assert_eq!(body["data"]["updateGoal"]["status"], json!(to));
        assert_eq!(fetch_goal(&app, &id).await["status"], json!(to));
    }
}

#[tokio::test]
async fn refused_goal_transitions_are_bad_user_input_and_change_nothing() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let refused = [
        ("PENDING", "COMPLETED"),
        ("PENDING", "FAILED"),
        ("ACTIVE", "PENDING"),
        ("COMPLETED", "ACTIVE"),
        ("COMPLETED", "PENDING"),
        ("COMPLETED", "FAILED"),
        ("FAILED", "ACTIVE"),
        ("FAILED", "PENDING"),
        ("CANCELLED", "PENDING"),
        ("CANCELLED", "ACTIVE"),
    ];

    for (from, to) in refused {
        let id = app.create_goal(&agent, &format!("{from} to {to}")).await;
        app.walk_statuses("Goal", &id, path_to(from)).await;
        let before = fetch_goal(&app, &id).await;

        let body = app.update_status("Goal", &id, to).await;

        assert_bad_input(&body, "input.status");
        let after = fetch_goal(&app, &id).await;
        assert_eq!(after["status"], json!(from), "{from} -> {to} is refused");
        assert_eq!(after, before);
    }
}

#[tokio::test]
async fn a_refused_goal_transition_leaves_the_other_fields_of_the_update_unapplied() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let id = app.create_goal(&agent, "Original").await;
    let before = fetch_goal(&app, &id).await;

    let body = app
        .gql(
            &update_goal_doc(),
            json!({ "id": id, "input": { "status": "COMPLETED", "description": "Changed", "priority": 9 } }),
        )
        .await;

    assert_bad_input(&body, "input.status");
    assert_eq!(fetch_goal(&app, &id).await, before);
}

#[tokio::test]
async fn setting_the_current_goal_status_again_is_accepted() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;

    for status in ["PENDING", "ACTIVE", "COMPLETED", "FAILED", "CANCELLED"] {
        let id = app.create_goal(&agent, status).await;
        app.walk_statuses("Goal", &id, path_to(status)).await;

        let body = app.update_status("Goal", &id, status).await;

        assert!(
            body.get("errors").is_none(),
            "{status} -> {status} is accepted: {body:#}"
        );
        let goal = fetch_goal(&app, &id).await;
        assert_eq!(goal["status"], json!(status));
        assert_eq!(goal["description"], json!(status));
    }
}

#[tokio::test]
async fn delete_goal_returns_the_deleted_id() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let id = app.create_goal(&agent, "Doomed").await;
    let kept = app.create_goal(&agent, "Kept").await;

    let data = app.gql_ok(DELETE_GOAL, json!({ "id": id })).await;

    assert_eq!(data["deleteGoal"], json!(id));
    let data = app
        .gql_ok(
            "query($a: UUID!, $b: UUID!) { a: goal(id: $a) { id } b: goal(id: $b) { id } }",
            json!({ "a": id, "b": kept }),
        )
        .await;
    assert_eq!(data, json!({ "a": null, "b": { "id": kept } }));
}

#[tokio::test]
async fn delete_goal_of_an_unknown_id_is_not_found() {
    let app = spawn_app().await;

    let body = app.gql(DELETE_GOAL, json!({ "id": unknown_id() })).await;

    assert_error_code(&body, "NOT_FOUND");
    assert!(body["data"].is_null(), "no id is returned: {body:#}");
}

#[tokio::test]
async fn delete_goal_that_has_plans_without_cascade_is_a_conflict() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let goal = app.create_goal(&agent, "Parent").await;
    let plan = app.create_plan(&goal, "Child").await;

    for variables in [
        json!({ "id": goal }),
        json!({ "id": goal, "cascade": false }),
    ] {
        let body = app.gql(DELETE_GOAL, variables).await;
        assert_error_code(&body, "CONFLICT");
    }

    let data = app
        .gql_ok(
            "query($goal: UUID!, $plan: UUID!) { goal(id: $goal) { id } plan(id: $plan) { id } }",
            json!({ "goal": goal, "plan": plan }),
        )
        .await;
    assert_eq!(
        data,
        json!({ "goal": { "id": goal }, "plan": { "id": plan } })
    );
}

#[tokio::test]
async fn delete_goal_with_cascade_removes_its_plans_and_their_tasks() {
    let app = spawn_app().await;
    let agent = app.create_agent("Owner").await;
    let goal = app.create_goal(&agent, "Doomed").await;
    let plan = app.create_plan(&goal, "Doomed plan").await;
    let task = app.create_task(&plan, "Doomed task").await;
    let kept_goal = app.create_goal(&agent, "Kept").await;
    let kept_plan = app.create_plan(&kept_goal, "Kept plan").await;
    app.create_task(&kept_plan, "Kept task").await;

    let data = app
        .gql_ok(DELETE_GOAL, json!({ "id": goal, "cascade": true }))
        .await;

    assert_eq!(data["deleteGoal"], json!(goal));
    let data = app
        .gql_ok(
            "query($goal: UUID!, $plan: UUID!, $task: UUID!, $agent: UUID!) {
                goal(id: $goal) { id } plan(id: $plan) { id } task(id: $task) { id }
                agent(id: $agent) { goals { totalCount } }
            }",
            json!({ "goal": goal, "plan": plan, "task": task, "agent": agent }),
        )
        .await;
    assert_eq!(
        data,
        json!({ "goal": null, "plan": null, "task": null, "agent": { "goals": { "totalCount": 1 } } })
    );
    assert_eq!(app.counts().await, [1, 1, 1, 1]);
}

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
