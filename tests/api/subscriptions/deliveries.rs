//! What each mutation delivers, and to which filters.

use super::*;

#[tokio::test]
async fn a_plans_tasks_deliver_created_updated_and_deleted_with_their_versions() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let other = tree(&app).await;
    let (mut ws, _) = watch_plan(&app, &t.plan).await;

    let task = app.create_task(&t.plan, "watched task").await;
    app.create_task(&other.plan, "another plan's task").await;
    let created = event(&mut ws, "1", "taskChanged").await;
    assert_eq!(created["kind"], "CREATED");
    assert_eq!(created["id"], task.as_str());
    assert_eq!(created["version"], 1);
    assert_eq!(created["task"]["description"], "watched task");

    app.update_status("Task", &task, "RUNNING").await;
    let updated = event(&mut ws, "1", "taskChanged").await;
    assert_eq!(updated["kind"], "UPDATED");
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["task"]["status"], "RUNNING");

    app.gql_ok(
        "mutation($id: UUID!) { deleteTask(id: $id) }",
        json!({ "id": task }),
    )
    .await;
    let deleted = event(&mut ws, "1", "taskChanged").await;
    assert_eq!(deleted["kind"], "DELETED");
    assert_eq!(deleted["version"], 2);
    assert_eq!(deleted["task"], Value::Null);
    ws.expect_silence(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn every_resource_and_filter_hears_its_own_changes_and_a_cascade_deletes_each() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let mut ws = WsClient::connect(&app.address).await;
    let cases = [
        (
            "a",
            "subscription($id: UUID) { agentChanged(id: $id) { kind id agent { name } } }",
            json!({ "id": t.agent }),
        ),
        (
            "g",
            "subscription($a: UUID) { goalChanged(agentId: $a) { kind id goal { description } } }",
            json!({ "a": t.agent }),
        ),
        (
            "p",
            "subscription { planChanged { kind id plan { description } } }",
            json!({}),
        ),
    ];
    for (id, query, variables) in cases {
        let agent = t.agent.clone();
        subscribe_live(&mut ws, id, query, variables, || {
            let agent = agent.clone();
            let app = &app;
            async move {
                // Touches every level under the agent at once.
                let goal = app.create_goal(&agent, "poke").await;
                app.create_plan(&goal, "poke").await;
                app.gql_ok(
                    r#"mutation($id: UUID!) { updateAgent(id: $id, input: { name: "poked" }) { id } }"#,
                    json!({ "id": agent }),
                )
                .await;
            }
        })
        .await;
    }
    let goal = app.create_goal(&t.agent, "new goal").await;
    let plan = app.create_plan(&goal, "new plan").await;
    // One message per subscription; their order across ids is free.
    let mut seen = Vec::new();
    for _ in 0..2 {
        let message = ws.message().await;
        seen.push((
            message["id"].as_str().unwrap_or("").to_owned(),
            message["payload"]["data"].clone(),
        ));
    }
    seen.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(seen[0].0, "g");
    assert_eq!(seen[0].1["goalChanged"]["id"], goal.as_str());
    assert_eq!(seen[0].1["goalChanged"]["kind"], "CREATED");
    assert_eq!(seen[1].0, "p");
    assert_eq!(seen[1].1["planChanged"]["id"], plan.as_str());

    app.gql_ok(
        "mutation($id: UUID!) { deleteAgent(id: $id, cascade: true) }",
        json!({ "id": t.agent }),
    )
    .await;
    let mut kinds: Vec<(String, String)> = Vec::new();
    // The agent, its goals (the poke goals too) and all their plans.
    while let Some(Received::Message(message)) = ws.receive_within(Duration::from_millis(800)).await
    {
        let data = &message["payload"]["data"];
        let change = data
            .as_object()
            .and_then(|o| o.values().next())
            .cloned()
            .unwrap_or_default();
        kinds.push((
            message["id"].as_str().unwrap_or("").to_owned(),
            change["kind"].as_str().unwrap_or("").to_owned(),
        ));
    }
    assert!(kinds.iter().all(|(_, kind)| kind == "DELETED"), "{kinds:?}");
    assert_eq!(
        kinds.iter().filter(|(id, _)| id == "a").count(),
        1,
        "{kinds:?}"
    );
    let goals = app.total_count("goals").await;
    assert_eq!(goals, 0);
    assert!(
        kinds.iter().filter(|(id, _)| id == "g").count() >= 2,
        "{kinds:?}"
    );
    assert!(
        kinds.iter().filter(|(id, _)| id == "p").count() >= 2,
        "{kinds:?}"
    );
}

#[tokio::test]
async fn an_assignee_hears_a_reassignment_both_ways_and_its_own_deletion() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let first = app.create_agent("first").await;
    let second = app.create_agent("second").await;
    let task = app.create_task(&t.plan, "to reassign").await;
    let assign = |agent: String| {
        let task = task.clone();
        let app = &app;
        async move {
            app.gql_ok(
                "mutation($id: UUID!, $a: UUID) { updateTask(id: $id, input: { agentId: $a }) { id } }",
                json!({ "id": task, "a": agent }),
            )
            .await;
        }
    };
    let mut to_first = WsClient::connect(&app.address).await;
    let mut to_second = WsClient::connect(&app.address).await;
    assign(first.clone()).await;
    subscribe_live(
        &mut to_first,
        "1",
        TASK_CHANGES,
        json!({ "agent": first }),
        || assign(first.clone()),
    )
    .await;
    subscribe_live(
        &mut to_second,
        "1",
        TASK_CHANGES,
        json!({ "agent": second }),
        || async {
            assign(second.clone()).await;
            assign(first.clone()).await;
        },
    )
    .await;
    while to_first
        .receive_within(Duration::from_millis(300))
        .await
        .is_some()
    {}

    assign(second.clone()).await;
    let lost = event(&mut to_first, "1", "taskChanged").await;
    let gained = event(&mut to_second, "1", "taskChanged").await;
    assert_eq!(lost["kind"], "UPDATED");
    assert_eq!(lost["task"]["agentId"], second.as_str());
    assert_eq!(gained["version"], lost["version"]);

    app.gql_ok(
        "mutation($id: UUID!) { deleteAgent(id: $id) }",
        json!({ "id": second }),
    )
    .await;
    let unassigned = event(&mut to_second, "1", "taskChanged").await;
    assert_eq!(unassigned["kind"], "UPDATED");
    assert_eq!(unassigned["task"]["agentId"], Value::Null);
    assert_eq!(
        unassigned["version"].as_i64(),
        gained["version"].as_i64().map(|v| v + 1)
    );
}

#[tokio::test]
async fn a_refused_or_rolled_back_mutation_delivers_nothing() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let (mut ws, _) = watch_plan(&app, &t.plan).await;
    // Refused at the boundary, and refused halfway through a tree (the
    // second task names an agent that does not exist: the first was
    // inserted, then rolled back).
    let bad = app
        .gql(
            r#"mutation($p: UUID!) { createTask(input: { planId: $p, description: "" }) { id } }"#,
            json!({ "p": t.plan }),
        )
        .await;
    assert!(bad.get("errors").is_some());
    let rolled_back = app
        .gql(
            r#"mutation($g: UUID!, $a: UUID!) { createPlan(input: { goalId: $g, description: "tree",
                 tasks: [{ description: "fine" }, { description: "bad", agentId: $a }] }) { id } }"#,
            json!({ "g": goal_of(&app, &t.plan).await, "a": crate::helpers::unknown_id() }),
        )
        .await;
    assert!(rolled_back.get("errors").is_some(), "{rolled_back}");
    let task = app.create_task(&t.plan, "after the failures").await;
    let next = event(&mut ws, "1", "taskChanged").await;
    assert_eq!(
        next["id"],
        task.as_str(),
        "the first change after the failures is the good one"
    );
}
