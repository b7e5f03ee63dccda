//! Deleting agents: cascades, conflicts and unassigned tasks; reading and
//! listing what is left.

use super::*;

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
