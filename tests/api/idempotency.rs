//! Idempotent creates: a retry with the same key and input returns the
//! object the first attempt made and makes nothing, also when they race.

use std::time::Duration;

use agentgraph::auth::hash_hex;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_bad_input, assert_error_code, spawn_app, spawn_app_with};

const CREATE_TASK: &str =
    "mutation($input: CreateTaskInput!) { createTask(input: $input) { id description version } }";

async fn plan_of(app: &TestApp) -> String {
    let agent = app.create_agent("worker").await;
    let goal = app.create_goal(&agent, "goal").await;
    app.create_plan(&goal, "plan").await
}

fn task_input(plan: &str, key: &str) -> Value {
    json!({ "input": { "planId": plan, "description": "write the report", "idempotencyKey": key } })
}

#[tokio::test]
async fn a_create_repeated_with_its_key_returns_the_same_object_as_it_is_now() {
    let app = spawn_app().await;
    let plan = plan_of(&app).await;
    let first = app.gql_ok(CREATE_TASK, task_input(&plan, "report-1")).await["createTask"].clone();
    app.update_many(
        "updateTask",
        "UpdateTaskInput",
        &[(
            first["id"].as_str().expect("id").to_owned(),
            json!({ "description": "renamed" }),
        )],
    )
    .await;

    let again = app.gql_ok(CREATE_TASK, task_input(&plan, "report-1")).await["createTask"].clone();

    assert_eq!(again["id"], first["id"]);
    assert_eq!(
        again["description"],
        json!("renamed"),
        "the object as it is now"
    );
    assert_eq!(again["version"], json!(2));
    assert_eq!(app.counts().await, [1, 1, 1, 1]);
    // Another key is another task.
    app.gql_ok(CREATE_TASK, task_input(&plan, "report-2")).await;
    assert_eq!(app.counts().await, [1, 1, 1, 2]);
}

#[tokio::test]
async fn every_create_takes_a_key() {
    let app = spawn_app().await;
    for _ in 0..2 {
        let agent = app
            .gql_ok(
                r#"mutation { createAgent(input: { name: "a", idempotencyKey: "a" }) { id } }"#,
                json!({}),
            )
            .await["createAgent"]["id"]
            .clone();
        let goal = app
            .gql_ok(
                "mutation($a: UUID!) { createGoal(input: { agentId: $a, description: \"g\", idempotencyKey: \"g\" }) { id } }",
                json!({ "a": agent }),
            )
            .await["createGoal"]["id"]
            .clone();
        app.gql_ok(
            "mutation($g: UUID!) { createPlan(input: { goalId: $g, description: \"p\", idempotencyKey: \"p\" }) { id } }",
            json!({ "g": goal }),
        )
        .await;
    }
    assert_eq!(app.counts().await, [1, 1, 1, 0]);
}

#[tokio::test]
async fn a_key_reused_for_another_input_is_a_conflict_on_the_key() {
    let app = spawn_app().await;
    let plan = plan_of(&app).await;
    app.gql_ok(CREATE_TASK, task_input(&plan, "k")).await;
    let mut other = task_input(&plan, "k");
    other["input"]["description"] = json!("something else");

    let body = app.gql(CREATE_TASK, other).await;

    assert_error_code(&body, "CONFLICT");
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        json!("input.idempotencyKey")
    );
    // And for another mutation under the same key.
    let body = app
        .gql(
            r#"mutation { createAgent(input: { name: "x", idempotencyKey: "k" }) { id } }"#,
            json!({}),
        )
        .await;
    assert_error_code(&body, "CONFLICT");
    assert_eq!(app.counts().await, [1, 1, 1, 1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dozen_racing_duplicates_make_one_object() {
    let app = spawn_app().await;
    let plan = plan_of(&app).await;
    let requests = (0..12).map(|_| app.gql(CREATE_TASK, task_input(&plan, "race")));
    let bodies = futures_util::future::join_all(requests).await;
    let ids: Vec<&Value> = bodies
        .iter()
        .map(|body| {
            assert!(body.get("errors").is_none(), "{body:#}");
            &body["data"]["createTask"]["id"]
        })
        .collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "one id for all: {ids:?}"
    );
    assert_eq!(app.counts().await, [1, 1, 1, 1]);
}

#[tokio::test]
async fn a_failed_create_remembers_nothing() {
    let app = spawn_app().await;
    let taken = app
        .gql_ok(
            r#"mutation { createAgent(input: { name: "a", did: "did:x" }) { id } }"#,
            json!({}),
        )
        .await["createAgent"]["id"]
        .clone();
    let keyed = r#"mutation { createAgent(input: { name: "b", did: "did:x", idempotencyKey: "b" }) { id } }"#;
    assert_error_code(&app.gql(keyed, json!({})).await, "CONFLICT");
    app.gql_ok(
        "mutation($id: UUID!) { deleteAgent(id: $id) }",
        json!({ "id": taken }),
    )
    .await;

    // The key was not kept by the failed attempt: the retry creates.
    let data = app.gql_ok(keyed, json!({})).await;
    assert!(data["createAgent"]["id"].is_string());
    assert_eq!(app.counts().await, [1, 0, 0, 0]);
}

#[tokio::test]
async fn a_replay_of_an_object_deleted_since_is_not_found() {
    let app = spawn_app().await;
    let plan = plan_of(&app).await;
    let id = app.gql_ok(CREATE_TASK, task_input(&plan, "gone")).await["createTask"]["id"].clone();
    app.gql_ok(
        "mutation($id: UUID!) { deleteTask(id: $id) }",
        json!({ "id": id }),
    )
    .await;
    assert_error_code(
        &app.gql(CREATE_TASK, task_input(&plan, "gone")).await,
        "NOT_FOUND",
    );
    assert_eq!(app.counts().await, [1, 1, 1, 0]);
}

#[tokio::test]
async fn a_tree_takes_one_key_for_the_whole_tree() {
    let app = spawn_app().await;
    let agent = app.create_agent("planner").await;
    let document = "mutation($input: CreateGoalInput!) { createGoal(input: $input) { id plans { totalCount } } }";
    let input = json!({ "input": { "agentId": agent, "description": "g", "idempotencyKey": "tree",
        "plans": [{ "description": "p", "tasks": [{ "description": "t1" }, { "description": "t2" }] }] } });
    let first = app.gql_ok(document, input.clone()).await;
    let again = app.gql_ok(document, input).await;
    assert_eq!(first, again);
    assert_eq!(app.counts().await, [1, 1, 1, 2]);
}

#[tokio::test]
async fn keys_are_1_to_200_characters() {
    let app = spawn_app().await;
    let plan = plan_of(&app).await;
    for key in [String::new(), "k".repeat(201)] {
        assert_bad_input(
            &app.gql(CREATE_TASK, task_input(&plan, &key)).await,
            "input.idempotencyKey",
        );
    }
    app.gql_ok(CREATE_TASK, task_input(&plan, &"k".repeat(200)))
        .await;
}

#[tokio::test]
async fn keys_belong_to_the_caller() {
    let keys = format!(
        "alice:write:{},bob:write:{}",
        hash_hex("agk_alice"),
        hash_hex("agk_bob")
    );
    let app = spawn_app_with(|config| config.serve.api_keys = Some(keys)).await;
    let create = |key: &'static str| {
        let app = &app;
        async move {
            let body = app
                .post(r#"mutation { createAgent(input: { name: "n", idempotencyKey: "same" }) { id } }"#)
                .key(key)
                .send()
                .await
                .json();
            body["data"]["createAgent"]["id"].clone()
        }
    };
    let alice = create("agk_alice").await;
    assert_eq!(create("agk_alice").await, alice);
    let bob = create("agk_bob").await;
    assert!(bob.is_string() && bob != alice, "bob's key is his own");
}

#[tokio::test]
async fn keys_are_forgotten_after_the_retention() {
    let app =
        spawn_app_with(|config| config.serve.idempotency_retention = Duration::from_millis(300))
            .await;
    let plan = plan_of(&app).await;
    let first =
        app.gql_ok(CREATE_TASK, task_input(&plan, "short")).await["createTask"]["id"].clone();
    let mut forgotten = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let again =
            app.gql_ok(CREATE_TASK, task_input(&plan, "short")).await["createTask"]["id"].clone();
        if again != first {
            forgotten = true;
            break;
        }
    }
    assert!(forgotten, "the key was still remembered after 5 s");
}

#[tokio::test]
async fn pruning_keeps_the_keys_inside_their_retention() {
    let app =
        spawn_app_with(|config| config.serve.idempotency_retention = Duration::from_secs(4)).await;
    let plan = plan_of(&app).await;
    let old = app.gql_ok(CREATE_TASK, task_input(&plan, "old")).await["createTask"]["id"].clone();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let young =
        app.gql_ok(CREATE_TASK, task_input(&plan, "young")).await["createTask"]["id"].clone();
    // Wait until the old key is forgotten (a retry then makes a new task)...
    let mut forgotten = false;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let again =
            app.gql_ok(CREATE_TASK, task_input(&plan, "old")).await["createTask"]["id"].clone();
        if again != old {
            forgotten = true;
            break;
        }
    }
    assert!(forgotten, "the old key was still remembered after 12 s");
    // ...when the young one, 2 s younger, is still inside its retention.
    let replayed =
        app.gql_ok(CREATE_TASK, task_input(&plan, "young")).await["createTask"]["id"].clone();
    assert_eq!(replayed, young, "a key inside its retention was pruned");
}
