use serde_json::{Value, json};

use crate::helpers::{assert_error_code, datetime, error_codes, node_ids, spawn_app, unknown_id};

const AGENT_FIELDS: &str = "id did name status configuration metadata version createdAt updatedAt";

fn create_agent_doc() -> String {
    format!(
        "mutation($input: CreateAgentInput!) {{ createAgent(input: $input) {{ {AGENT_FIELDS} }} }}"
    )
}

fn update_agent_doc() -> String {
    format!(
        "mutation($id: UUID!, $input: UpdateAgentInput!) {{ updateAgent(id: $id, input: $input) {{ {AGENT_FIELDS} }} }}"
    )
}

fn agent_doc() -> String {
    format!("query($id: UUID!) {{ agent(id: $id) {{ {AGENT_FIELDS} }} }}")
}

const DELETE_AGENT: &str =
    "mutation($id: UUID!, $cascade: Boolean) { deleteAgent(id: $id, cascade: $cascade) }";

const SUBTREE: &str = "query($goal: UUID!, $plan: UUID!, $task: UUID!) {
    goal(id: $goal) { id }
    plan(id: $plan) { id }
    task(id: $task) { id }
}";

async fn fetch_agent(app: &crate::helpers::TestApp, id: &str) -> Value {
    app.gql_ok(&agent_doc(), json!({ "id": id })).await["agent"].clone()
}

#[tokio::test]
async fn create_agent_with_only_a_name_gets_the_documented_defaults() {
    let app = spawn_app().await;

    let data = app
        .gql_ok(&create_agent_doc(), json!({ "input": { "name": "Scout" } }))
        .await;
    let agent = &data["createAgent"];

    let id = agent["id"].as_str().expect("id");
    uuid::Uuid::parse_str(id).expect("the id is a UUID");
    assert_eq!(agent["did"], json!(format!("did:agent:{id}")));
    assert_eq!(agent["name"], json!("Scout"));
    assert_eq!(agent["status"], json!("ACTIVE"));
    assert_eq!(agent["configuration"], json!({}));
    assert_eq!(agent["metadata"], json!({}));
    assert_eq!(agent["version"], json!(1));
    let created = datetime(&agent["createdAt"]);
    let updated = datetime(&agent["updatedAt"]);
    assert!(updated >= created);

    assert_eq!(fetch_agent(&app, id).await, *agent);
}

#[tokio::test]
async fn create_agent_with_every_field_stores_them_all() {
    let app = spawn_app().await;
    let input = json!({
        "name": "Planner",
        "did": "did:example:planner-1",
        "status": "PAUSED",
        "configuration": { "model": "large", "max_tokens": 1000, "tools": ["search", "code"] },
        "metadata": { "team": "research", "nested": { "level": 2 } },
    });

    let data = app
        .gql_ok(&create_agent_doc(), json!({ "input": input }))
        .await;
    let agent = &data["createAgent"];

    assert_eq!(agent["name"], input["name"]);
    assert_eq!(agent["did"], input["did"]);
    assert_eq!(agent["status"], json!("PAUSED"));
    assert_eq!(agent["configuration"], input["configuration"]);
    assert_eq!(agent["metadata"], input["metadata"]);
    assert_eq!(agent["version"], json!(1));

    let id = agent["id"].as_str().expect("id");
    assert_eq!(fetch_agent(&app, id).await, *agent);
}

#[tokio::test]
async fn create_agent_with_a_taken_did_is_a_conflict_and_creates_nothing() {
    let app = spawn_app().await;
    let input = json!({ "name": "First", "did": "did:example:taken" });
    app.gql_ok(&create_agent_doc(), json!({ "input": input }))
        .await;

    let body = app
        .gql(
            &create_agent_doc(),
            json!({ "input": { "name": "Second", "did": "did:example:taken" } }),
        )
        .await;

    assert_error_code(&body, "CONFLICT");
    assert!(body["data"].is_null(), "no agent is returned: {body:#}");
    let data = app
        .gql_ok("{ agents { totalCount nodes { name } } }", json!({}))
        .await;
    assert_eq!(data["agents"]["totalCount"], json!(1));
    assert_eq!(data["agents"]["nodes"][0]["name"], json!("First"));
}

#[tokio::test]
async fn update_agent_changes_only_the_fields_given_and_bumps_the_version() {
    let app = spawn_app().await;
    let created = app
        .gql_ok(
            &create_agent_doc(),
            json!({ "input": {
                "name": "Original",
                "configuration": { "a": 1, "b": 2 },
                "metadata": { "owner": "ops" },
            } }),
        )
        .await["createAgent"]
        .clone();
    let id = created["id"].as_str().expect("id");

    let updated = app
        .gql_ok(
            &update_agent_doc(),
            json!({ "id": id, "input": { "configuration": { "c": 3 } } }),
        )
        .await["updateAgent"]
        .clone();

    // A JSON field replaces the whole object; it is not merged.
    assert_eq!(updated["configuration"], json!({ "c": 3 }));
    assert_eq!(updated["name"], json!("Original"));
    assert_eq!(updated["did"], created["did"]);
    assert_eq!(updated["status"], json!("ACTIVE"));
    assert_eq!(updated["metadata"], json!({ "owner": "ops" }));
    assert_eq!(updated["version"], json!(2));
    assert_eq!(updated["createdAt"], created["createdAt"]);
    assert!(datetime(&updated["updatedAt"]) >= datetime(&created["updatedAt"]));

    let renamed = app
        .gql_ok(
            &update_agent_doc(),
            json!({ "id": id, "input": { "name": "Renamed", "status": "INACTIVE" } }),
        )
        .await["updateAgent"]
        .clone();
    assert_eq!(renamed["name"], json!("Renamed"));
    assert_eq!(renamed["status"], json!("INACTIVE"));
    assert_eq!(renamed["configuration"], json!({ "c": 3 }));
    assert_eq!(renamed["metadata"], json!({ "owner": "ops" }));
    assert_eq!(renamed["version"], json!(3));
    assert!(datetime(&renamed["updatedAt"]) >= datetime(&updated["updatedAt"]));

    assert_eq!(fetch_agent(&app, id).await, renamed);
}

#[tokio::test]
async fn agent_status_may_change_from_any_status_to_any_other() {
    let app = spawn_app().await;
    let id = app.create_agent("Mover").await;
    let path = [
        "PAUSED", "INACTIVE", "ACTIVE", "INACTIVE", "PAUSED", "ACTIVE", "ACTIVE",
    ];

    for status in path {
        let data = app
            .gql_ok(
                &update_agent_doc(),
                json!({ "id": id, "input": { "status": status } }),
            )
            .await;
        assert_eq!(data["updateAgent"]["status"], json!(status));
    }
}

#[tokio::test]
async fn update_agent_with_a_stale_expected_version_is_a_conflict_and_changes_nothing() {
    let app = spawn_app().await;
    let id = app.create_agent("Original").await;
    app.gql_ok(
        &update_agent_doc(),
        json!({ "id": id, "input": { "name": "Second" } }),
    )
    .await;
    let before = fetch_agent(&app, &id).await;
    assert_eq!(before["version"], json!(2));

    let body = app
        .gql(
            &update_agent_doc(),
            json!({ "id": id, "input": {
                "name": "Third",
                "status": "PAUSED",
                "configuration": { "x": 1 },
                "expectedVersion": 1,
            } }),
        )
        .await;

    assert_error_code(&body, "CONFLICT");
    assert!(body["data"].is_null(), "no agent is returned: {body:#}");
    assert_eq!(fetch_agent(&app, &id).await, before);
}

#[tokio::test]
async fn update_agent_with_the_current_expected_version_succeeds() {
    let app = spawn_app().await;
    let id = app.create_agent("Original").await;

    let data = app
        .gql_ok(
            &update_agent_doc(),
            json!({ "id": id, "input": { "name": "Checked", "expectedVersion": 1 } }),
        )
        .await;

    assert_eq!(data["updateAgent"]["name"], json!("Checked"));
    assert_eq!(data["updateAgent"]["version"], json!(2));

    let data = app
        .gql_ok(
            &update_agent_doc(),
            json!({ "id": id, "input": { "status": "PAUSED", "expectedVersion": 2 } }),
        )
        .await;
    assert_eq!(data["updateAgent"]["status"], json!("PAUSED"));
    assert_eq!(data["updateAgent"]["version"], json!(3));
}

#[tokio::test]
async fn update_agent_of_an_unknown_id_is_not_found() {
    let app = spawn_app().await;

    let body = app
        .gql(
            &update_agent_doc(),
            json!({ "id": unknown_id(), "input": { "name": "Ghost" } }),
        )
        .await;

    assert_error_code(&body, "NOT_FOUND");
    assert_eq!(app.total_count("agents").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_updates_with_the_same_expected_version_let_exactly_one_win() {
    let app = spawn_app().await;
    let id = app.create_agent("Contested").await;
    let doc = update_agent_doc();

    let (left, right) = tokio::join!(
        app.gql(
            &doc,
            json!({ "id": id, "input": { "name": "Left", "expectedVersion": 1 } }),
        ),
        app.gql(
            &doc,
            json!({ "id": id, "input": { "name": "Right", "expectedVersion": 1 } }),
        ),
    );

    let outcomes = [&left, &right];
    let winners: Vec<&Value> = outcomes
        .iter()
        .copied()
        .filter(|body| body.get("errors").is_none())
        .collect();
    assert_eq!(
        winners.len(),
        1,
        "exactly one update wins: {left:#} / {right:#}"
    );
    let loser = outcomes
        .iter()
        .copied()
        .find(|body| body.get("errors").is_some())
        .expect("one update loses");
    assert_eq!(
        error_codes(loser),
        vec!["CONFLICT".to_owned()],
        "the loser is a conflict: {loser:#}"
    );

    let winner_name = winners[0]["data"]["updateAgent"]["name"].clone();
    let agent = fetch_agent(&app, &id).await;
    assert_eq!(agent["version"], json!(2));
    assert_eq!(agent["name"], winner_name);
}

#[tokio::test]
async fn delete_agent_returns_the_deleted_id() {
    let app = spawn_app().await;
    let id = app.create_agent("Doomed").await;
    let other = app.create_agent("Survivor").await;

    let data = app.gql_ok(DELETE_AGENT, json!({ "id": id })).await;

    assert_eq!(data["deleteAgent"], json!(id));
    assert!(fetch_agent(&app, &id).await.is_null());
    assert_eq!(fetch_agent(&app, &other).await["name"], json!("Survivor"));
}

#[tokio::test]
async fn delete_agent_that_owns_goals_without_cascade_is_a_conflict() {
    let app = spawn_app().await;
    let id = app.create_agent("Owner").await;
    let goal = app.create_goal(&id, "Keep me").await;

    let body = app.gql(DELETE_AGENT, json!({ "id": id })).await;

    assert_error_code(&body, "CONFLICT");
    assert!(body["data"].is_null(), "no id is returned: {body:#}");
    assert_eq!(fetch_agent(&app, &id).await["name"], json!("Owner"));
    let data = app
        .gql_ok(
            "query($id: UUID!) { goal(id: $id) { id } }",
            json!({ "id": goal }),
        )
        .await;
    assert_eq!(data["goal"]["id"], json!(goal));

    let body = app
        .gql(DELETE_AGENT, json!({ "id": id, "cascade": false }))
        .await;
    assert_error_code(&body, "CONFLICT");
    assert_eq!(app.counts().await, [1, 1, 0, 0]);
}

#[tokio::test]
async fn delete_agent_with_cascade_removes_its_whole_subtree() {
    let app = spawn_app().await;
    let doomed = app.create_agent("Doomed").await;
    let goal = app.create_goal(&doomed, "Doomed goal").await;
    let plan = app.create_plan(&goal, "Doomed plan").await;
    let task = app.create_task(&plan, "Doomed task").await;
    let second_plan = app.create_plan(&goal, "Another doomed plan").await;
    app.create_task(&second_plan, "Another doomed task").await;
    let kept = app.create_agent("Kept").await;
    let kept_goal = app.create_goal(&kept, "Kept goal").await;
    let kept_plan = app.create_plan(&kept_goal, "Kept plan").await;
    let kept_task = app.create_task(&kept_plan, "Kept task").await;

    let data = app
        .gql_ok(DELETE_AGENT, json!({ "id": doomed, "cascade": true }))
        .await;

    assert_eq!(data["deleteAgent"], json!(doomed));
    assert!(fetch_agent(&app, &doomed).await.is_null());
    let gone = app
        .gql_ok(SUBTREE, json!({ "goal": goal, "plan": plan, "task": task }))
        .await;
    assert_eq!(gone, json!({ "goal": null, "plan": null, "task": null }));
    let kept_subtree = app
        .gql_ok(
            SUBTREE,
            json!({ "goal": kept_goal, "plan": kept_plan, "task": kept_task }),
        )
        .await;
    assert_eq!(
        kept_subtree,
        json!({ "goal": { "id": kept_goal }, "plan": { "id": kept_plan }, "task": { "id": kept_task } })
    );
    assert_eq!(app.counts().await, [1, 1, 1, 1]);
}

#[tokio::test]
async fn deleting_an_agent_unassigns_the_tasks_assigned_to_it() {
    let app = spawn_app().await;
    let owner = app.create_agent("Owner").await;
    let worker = app.create_agent("Worker").await;
    let goal = app.create_goal(&owner, "Goal").await;
    let plan = app.create_plan(&goal, "Plan").await;
    let data = app
        .gql_ok(
            "mutation($input: CreateTaskInput!) { createTask(input: $input) { id agentId } }",
            json!({ "input": { "planId": plan, "agentId": worker, "description": "Assigned" } }),
        )
        .await;
    let task = data["createTask"]["id"]
        .as_str()
        .expect("task id")
        .to_owned();
    assert_eq!(data["createTask"]["agentId"], json!(worker));

    let data = app.gql_ok(DELETE_AGENT, json!({ "id": worker })).await;
    assert_eq!(data["deleteAgent"], json!(worker));

    let data = app
        .gql_ok(
            "query($id: UUID!) { task(id: $id) { id agentId agent { id } planId } }",
            json!({ "id": task }),
        )
        .await;
    assert_eq!(
        data["task"],
        json!({ "id": task, "agentId": null, "agent": null, "planId": plan })
    );
}

#[tokio::test]
async fn delete_agent_of_an_unknown_id_is_not_found() {
    let app = spawn_app().await;
    app.create_agent("Bystander").await;

    let body = app.gql(DELETE_AGENT, json!({ "id": unknown_id() })).await;

    assert_error_code(&body, "NOT_FOUND");
    assert!(body["data"].is_null(), "no id is returned: {body:#}");
    assert_eq!(app.total_count("agents").await, 1);
}

#[tokio::test]
async fn agent_of_an_unknown_id_is_null_without_errors() {
    let app = spawn_app().await;

    let body = app.gql(&agent_doc(), json!({ "id": unknown_id() })).await;

    assert!(body.get("errors").is_none(), "no errors: {body:#}");
    assert_eq!(body["data"], json!({ "agent": null }));
}

#[tokio::test]
async fn agents_filter_by_status_and_case_insensitive_name_contains() {
    let app = spawn_app().await;
    let inputs = [
        json!({ "name": "Alpha Scout" }),
        json!({ "name": "beta scout", "status": "PAUSED" }),
        json!({ "name": "Gamma", "status": "PAUSED" }),
        json!({ "name": "Delta SCOUTING", "status": "INACTIVE" }),
    ];
    let ids = app
        .create_many("createAgent", "CreateAgentInput", &inputs)
        .await;
    let query = "query($filter: AgentFilter) {
        agents(filter: $filter) { totalCount nodes { id name status } }
    }";

    let paused = app
        .gql_ok(query, json!({ "filter": { "status": "PAUSED" } }))
        .await;
    assert_eq!(paused["agents"]["totalCount"], json!(2));
    assert_eq!(
        node_ids(&paused["agents"]),
        vec![ids[1].clone(), ids[2].clone()]
    );

    let scouts = app
        .gql_ok(query, json!({ "filter": { "nameContains": "sCoUt" } }))
        .await;
    assert_eq!(scouts["agents"]["totalCount"], json!(3));
    assert_eq!(
        node_ids(&scouts["agents"]),
        vec![ids[0].clone(), ids[1].clone(), ids[3].clone()]
    );

    let both = app
        .gql_ok(
            query,
            json!({ "filter": { "status": "PAUSED", "nameContains": "SCOUT" } }),
        )
        .await;
    assert_eq!(both["agents"]["totalCount"], json!(1));
    assert_eq!(both["agents"]["nodes"][0]["name"], json!("beta scout"));

    let none = app
        .gql_ok(query, json!({ "filter": { "nameContains": "nobody" } }))
        .await;
    assert_eq!(none["agents"], json!({ "totalCount": 0, "nodes": [] }));

    let all = app.gql_ok(query, json!({ "filter": null })).await;
    assert_eq!(node_ids(&all["agents"]), ids);
}
