//! Who made each change, and what it changed: creates, updates, claims,
//! completions, the unblocking and cancelling they cause, deletes and
//! cascades, and creates written together by group commit.

use futures_util::future::join_all;
use serde_json::{Value, json};

use super::{ALICE, BOB, active_plan, entry, spawn_with_keys, story, story_anonymous};
use crate::helpers::{spawn_app, unknown_id};
use crate::tenants::Client;

#[tokio::test]
async fn without_credentials_no_one_is_the_actor_and_an_update_names_only_what_it_changed() {
    let app = spawn_app().await;
    let agent = app.create_agent("a").await;
    let goal = app.create_goal(&agent, "same").await;
    let task = app
        .create_task(&app.create_plan(&goal, "p").await, "t")
        .await;
    // The description given again is no change; the priority is.
    app.gql_ok(
        "mutation($id: UUID!) { updateGoal(id: $id, input: { description: \"same\", priority: 9 }) { id } }",
        json!({ "id": goal }),
    )
    .await;
    app.gql_ok(
        "mutation($id: UUID!) { updateTask(id: $id, input: { description: \"t2\", priority: 7, \
         runAt: \"2030-01-01T00:00:00Z\", status: CANCELLED }) { id } }",
        json!({ "id": task }),
    )
    .await;
    app.gql_ok(
        "mutation($id: UUID!) { deleteTask(id: $id) }",
        json!({ "id": task }),
    )
    .await;
    assert_eq!(
        story_anonymous(&app, &goal).await,
        [
            entry("CREATED", 1, Value::Null, &[]),
            entry("UPDATED", 2, Value::Null, &["priority"]),
        ]
    );
    // Deleted, and still with its whole history, fields in schema order.
    assert_eq!(
        story_anonymous(&app, &task).await,
        [
            entry("CREATED", 1, Value::Null, &[]),
            entry(
                "UPDATED",
                2,
                Value::Null,
                &["description", "status", "completedAt", "priority", "runAt"]
            ),
            entry("DELETED", 2, Value::Null, &[]),
        ]
    );
    assert_eq!(story_anonymous(&app, &unknown_id()).await, []);
}

#[tokio::test]
async fn each_change_names_the_key_that_made_it_claims_completions_and_what_they_cause_included() {
    let app = spawn_with_keys(|_| {}).await;
    let (alice, bob) = (Client::new(&app, ALICE), Client::new(&app, BOB));
    let (plan, agent) = active_plan(&alice).await;
    let first = alice
        .create(
            "createTask",
            json!({ "planId": plan, "description": "first" }),
        )
        .await;
    let second = alice
        .create(
            "createTask",
            json!({ "planId": plan, "description": "second", "dependsOn": [first] }),
        )
        .await;
    let third = alice
        .create(
            "createTask",
            json!({ "planId": plan, "description": "third", "dependsOn": [second] }),
        )
        .await;
    let lease = bob
        .gql_ok(
            "mutation($agent: UUID!) { claimTasks(input: { agentId: $agent }) { token task { id } } }",
            json!({ "agent": agent }),
        )
        .await["claimTasks"][0]
        .clone();
    assert_eq!(lease["task"]["id"], first.as_str());
    bob.gql_ok(
        "mutation($id: UUID!, $token: String!) { heartbeatTask(id: $id, token: $token) { token } }",
        json!({ "id": first, "token": lease["token"] }),
    )
    .await;
    bob.gql_ok(
        "mutation($id: UUID!, $token: String!) { completeTask(id: $id, token: $token, outputData: { ok: true }) { id } }",
        json!({ "id": first, "token": lease["token"] }),
    )
    .await;
    alice
        .gql_ok(
            "mutation($id: UUID!) { updateTask(id: $id, input: { status: CANCELLED }) { id } }",
            json!({ "id": second }),
        )
        .await;
    let (a, b) = (json!("alice"), json!("bob"));
    // The heartbeat is no change.
    assert_eq!(
        story(&alice, &first).await,
        [
            entry("CREATED", 1, a.clone(), &[]),
            entry(
                "UPDATED",
                2,
                b.clone(),
                &[
                    "agentId",
                    "status",
                    "startedAt",
                    "attempts",
                    "leaseExpiresAt"
                ]
            ),
            entry(
                "UPDATED",
                3,
                b.clone(),
                &["status", "outputData", "completedAt", "leaseExpiresAt"]
            ),
        ]
    );
    // Unblocked by bob's completion; cancelled by alice.
    assert_eq!(
        story(&alice, &second).await,
        [
            entry("CREATED", 1, a.clone(), &[]),
            entry("UPDATED", 2, b.clone(), &["status"]),
            entry("UPDATED", 3, a.clone(), &["status", "completedAt"]),
        ]
    );
    // Cancelled downstream in alice's transaction.
    assert_eq!(
        story(&alice, &third).await,
        [
            entry("CREATED", 1, a.clone(), &[]),
            entry("UPDATED", 2, a.clone(), &["status", "error", "completedAt"]),
        ]
    );

    // bob deletes the agent with everything under it: each object's last
    // entry is bob's, the agent's tasks' included.
    let goal = alice
        .gql_ok(
            "query($id: UUID!) { plan(id: $id) { goalId } }",
            json!({ "id": plan }),
        )
        .await["plan"]["goalId"]
        .as_str()
        .expect("goalId")
        .to_owned();
    bob.gql_ok(
        "mutation($id: UUID!) { deleteAgent(id: $id, cascade: true) }",
        json!({ "id": agent }),
    )
    .await;
    let deleted = [
        (&agent, 1),
        (&goal, 1),
        (&plan, 1),
        (&first, 3),
        (&second, 3),
        (&third, 2),
    ];
    for (id, version) in deleted {
        let story = story(&alice, id).await;
        assert_eq!(
            story.last(),
            Some(&entry("DELETED", version, b.clone(), &[])),
            "{id}: {story:?}"
        );
    }
}

#[tokio::test]
async fn deleting_an_agent_unassigns_its_tasks_as_the_deleter() {
    let app = spawn_with_keys(|_| {}).await;
    let (alice, bob) = (Client::new(&app, ALICE), Client::new(&app, BOB));
    let (plan, _) = active_plan(&alice).await;
    let other = alice
        .create("createAgent", json!({ "name": "other" }))
        .await;
    let task = alice
        .create(
            "createTask",
            json!({ "planId": plan, "description": "t", "agentId": other }),
        )
        .await;
    bob.gql_ok(
        "mutation($id: UUID!) { deleteAgent(id: $id) }",
        json!({ "id": other }),
    )
    .await;
    assert_eq!(
        story(&alice, &task).await,
        [
            entry("CREATED", 1, json!("alice"), &[]),
            entry("UPDATED", 2, json!("bob"), &["agentId"]),
        ]
    );
}

/// Creates that share one statement (group commit) keep each its own
/// caller as actor.
#[tokio::test]
async fn creates_written_together_keep_each_its_own_actor() {
    let app = spawn_with_keys(|config| {
        config.serve.write_concurrency = 1;
        config.serve.max_concurrent_operations = 100;
    })
    .await;
    let (alice, bob) = (Client::new(&app, ALICE), Client::new(&app, BOB));
    let (plan, _) = active_plan(&alice).await;
    let create = |client: &Client, n: usize| {
        let client = client.clone();
        let plan = plan.clone();
        async move {
            let id = client
                .create(
                    "createTask",
                    json!({ "planId": plan, "description": format!("t{n}") }),
                )
                .await;
            (client.key.clone(), id)
        }
    };
    let before = app.create_batches();
    let mut largest = 0;
    let mut created = Vec::new();
    // Concurrent creates of both keys queue behind each other on the one
    // writer; a few rounds make a shared batch all but certain.
    for _ in 0..10 {
        let round = join_all((0..16).map(|n| {
            if n % 2 == 0 {
                create(&alice, n)
            } else {
                create(&bob, n)
            }
        }))
        .await;
        created.extend(round);
        largest = app.create_batches().largest;
        if largest > 1 {
            break;
        }
    }
    assert!(largest > 1, "no creates were written together ({before:?})");
    for (key, id) in created {
        let name = if key == ALICE { "alice" } else { "bob" };
        assert_eq!(
            super::story(&alice, &id).await,
            [entry("CREATED", 1, json!(name), &[])],
            "{id} by {name}"
        );
    }
}

/// An expired lease is put back by the server itself: no one's change.
#[tokio::test]
async fn an_expired_lease_is_requeued_by_no_one() {
    let app = spawn_with_keys(|config| {
        config.serve.lease_sweep_interval = std::time::Duration::from_millis(100);
    })
    .await;
    let (alice, bob) = (Client::new(&app, ALICE), Client::new(&app, BOB));
    let (plan, agent) = active_plan(&alice).await;
    let task = alice
        .create("createTask", json!({ "planId": plan, "description": "t" }))
        .await;
    bob.gql_ok(
        "mutation($agent: UUID!) { claimTasks(input: { agentId: $agent, leaseSeconds: 5 }) { token } }",
        json!({ "agent": agent }),
    )
    .await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let story = story(&alice, &task).await;
        if story.len() == 3 {
            assert_eq!(
                story[2],
                entry(
                    "UPDATED",
                    3,
                    Value::Null,
                    &["agentId", "status", "startedAt", "runAt", "leaseExpiresAt"]
                ),
                "{story:?}"
            );
            assert_eq!(story[1].2, json!("bob"));
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never swept: {story:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
