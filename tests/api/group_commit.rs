//! Group commit: creates that arrive while the writer is busy are written
//! together, and each still gets exactly its own answer. A bad create in
//! the group (a missing parent, a key taken by other input, a unique value
//! taken) fails alone; the others commit, and only they emit changes.

use futures_util::future::join_all;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, is_postgres, spawn_app_with, unknown_id};

const CREATE_TASK: &str =
    "mutation($input: CreateTaskInput!) { createTask(input: $input) { id description } }";
const CREATE_AGENT: &str =
    "mutation($input: CreateAgentInput!) { createAgent(input: $input) { id did } }";

/// The key whose create the held transaction blocks.
const HELD_KEY: &str = "held";

async fn spawn_one_writer() -> TestApp {
    spawn_app_with(|config| {
        config.serve.write_concurrency = 1;
        // Every request below must reach the create queue at once.
        config.serve.max_concurrent_operations = 100;
    })
    .await
}

/// Keeps the writer from finishing the create keyed [`HELD_KEY`] until the
/// transaction returned ends: on SQLite it holds the one writer connection;
/// on PostgreSQL it holds an uncommitted claim of the key, which the
/// create's claim waits for.
pub async fn hold_writes(app: &TestApp) -> agentgraph::db::Transaction {
    let txn = app.db.writer.begin().await.expect("begin");
    if is_postgres() {
        txn.execute_raw(Statement::from_string(
            DbBackend::Postgres,
            format!(
                "INSERT INTO idempotency_keys (tenant, caller, key, request_hash, object_id, created_at) \
                 VALUES ('default', '', '{HELD_KEY}', 'held', gen_random_uuid(), now())"
            ),
        ))
        .await
        .expect("claim the held key");
    }
    txn
}

/// Sends `inputs` while the writer is held, so that they queue behind the
/// held create, then lets it go: they are written together after it.
pub async fn create_while_held(
    app: &TestApp,
    document: &str,
    first: Value,
    inputs: &[Value],
) -> (Value, Vec<Value>) {
    let held = hold_writes(app).await;
    let blocked = app.gql(document, json!({ "input": first }));
    let queued = join_all(
        inputs
            .iter()
            .map(|input| app.gql(document, json!({ "input": input }))),
    );
    let release = async {
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        held.rollback().await.expect("release the writer");
    };
    let (first, rest, ()) = tokio::join!(blocked, queued, release);
    (first, rest)
}

async fn plan_of(app: &TestApp) -> String {
    let agent = app.create_agent("planner").await;
    let goal = app.create_goal(&agent, "goal").await;
    app.create_plan(&goal, "plan").await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let backend = app.db.reader.get_database_backend();
    let row = app
        .db
        .reader
        .query_one_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .expect("count")
        .expect("a row");
    row.try_get_by_index::<i64>(0).expect("a number")
}

fn created_id(body: &Value, field: &str) -> Option<String> {
    body["data"][field]["id"].as_str().map(str::to_owned)
}

#[tokio::test]
async fn a_bad_create_in_a_group_fails_alone_and_the_others_commit() {
    let app = spawn_one_writer().await;
    let plan = plan_of(&app).await;
    // A key already used for other input.
    app.gql_ok(
        CREATE_TASK,
        json!({ "input": { "planId": plan, "description": "first use", "idempotencyKey": "taken" } }),
    )
    .await;
    let worker = app.create_agent("worker").await;
    let before = app.create_batches();

    // With and without a key, with and without an assignee: creates with
    // other parents are tested apart in the group's statement.
    let mut inputs = Vec::new();
    for n in 0..24 {
        let mut input = json!({ "planId": plan, "description": format!("good {n}") });
        if n % 2 == 0 {
            input["idempotencyKey"] = json!(format!("good-{n}"));
        }
        if n % 3 == 0 {
            input["agentId"] = json!(worker);
        }
        inputs.push(input);
    }
    let missing = [
        json!({ "planId": unknown_id(), "description": "orphan" }),
        json!({ "planId": unknown_id(), "description": "keyed orphan", "idempotencyKey": "orphan" }),
        json!({ "planId": plan, "agentId": unknown_id(), "description": "nobody's" }),
    ];
    let conflicting = [
        json!({ "planId": plan, "description": "other input", "idempotencyKey": "taken" }),
        json!({ "planId": plan, "description": "more other input", "idempotencyKey": "taken" }),
    ];
    // The same create sent three times at once: one task.
    let twin = json!({ "planId": plan, "description": "twin", "idempotencyKey": "twin" });
    inputs.extend(missing.iter().cloned());
    inputs.extend(conflicting.iter().cloned());
    inputs.extend([twin.clone(), twin.clone(), twin]);
    let first = json!({ "planId": plan, "description": "held", "idempotencyKey": HELD_KEY });

    let (first, answers) = create_while_held(&app, CREATE_TASK, first, &inputs).await;

    assert!(created_id(&first, "createTask").is_some(), "{first}");
    let batches = app.create_batches();
    assert!(
        batches.largest >= 10,
        "the queued creates were written together: {before:?} → {batches:?}"
    );
    for (input, answer) in inputs.iter().zip(&answers).take(24) {
        assert!(answer.get("errors").is_none(), "{input} → {answer}");
        assert_eq!(
            answer["data"]["createTask"]["description"],
            input["description"]
        );
    }
    let assigned = app
        .gql_ok(
            "query($a: UUID!) { tasks(filter: { agentId: $a }) { totalCount } }",
            json!({ "a": worker }),
        )
        .await;
    assert_eq!(
        assigned["tasks"]["totalCount"], 8,
        "every create with an assignee went in, assigned"
    );
    for answer in &answers[24..27] {
        assert_eq!(error_codes(answer), ["NOT_FOUND"], "{answer}");
        assert_eq!(answer["data"], Value::Null, "{answer}");
    }
    for answer in &answers[27..29] {
        assert_eq!(error_codes(answer), ["CONFLICT"], "{answer}");
        assert_eq!(
            answer["errors"][0]["extensions"]["field"],
            json!("input.idempotencyKey"),
            "{answer}"
        );
    }
    let twins: Vec<_> = answers[29..]
        .iter()
        .map(|answer| created_id(answer, "createTask").expect("the twin's task"))
        .collect();
    assert!(twins.iter().all(|id| *id == twins[0]), "{twins:?}");

    // The first use, the held one, 24 good ones and one twin.
    let tasks = 1 + 1 + 24 + 1;
    assert_eq!(app.counts().await[3], tasks);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM change_log WHERE /* every tenant */ resource = 4 AND kind = 1"
        )
        .await,
        tasks,
        "one change per task written, none for the creates that failed"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM idempotency_keys WHERE /* every tenant */ 1 = 1"
        )
        .await,
        // taken, held, 12 good ones, twin; orphan's claim went with it.
        1 + 1 + 12 + 1
    );
}

#[tokio::test]
async fn a_group_the_database_rejects_is_written_one_create_at_a_time() {
    let app = spawn_one_writer().await;
    let mut inputs: Vec<Value> = (0..10)
        .map(|n| json!({ "name": format!("agent {n}") }))
        .collect();
    // One did five times: the unique index rejects the group's statement
    // as a whole; written one by one, the first of them wins. Keyed, so
    // that on SQLite each failure ends a transaction of its own.
    inputs.extend((0..5).map(|n| {
        json!({ "name": format!("dup {n}"), "did": "did:example:dup", "idempotencyKey": format!("dup-{n}") })
    }));
    let first = json!({ "name": "held", "idempotencyKey": HELD_KEY });

    let (first, answers) = create_while_held(&app, CREATE_AGENT, first, &inputs).await;

    assert!(created_id(&first, "createAgent").is_some(), "{first}");
    assert!(app.create_batches().largest >= 10);
    for answer in &answers[..10] {
        assert!(answer.get("errors").is_none(), "{answer}");
    }
    let dups = &answers[10..];
    let won: Vec<_> = dups
        .iter()
        .filter(|answer| answer.get("errors").is_none())
        .collect();
    assert_eq!(won.len(), 1, "{dups:?}");
    for lost in dups.iter().filter(|answer| answer.get("errors").is_some()) {
        assert_eq!(error_codes(lost), ["CONFLICT"], "{lost}");
    }
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM idempotency_keys WHERE /* every tenant */ 1 = 1"
        )
        .await,
        2,
        "the held create's key and the winner's: a failed create remembers nothing"
    );
    // The writer is whole again after the failed transactions.
    app.gql_ok(
        CREATE_AGENT,
        json!({ "input": { "name": "after", "idempotencyKey": "after" } }),
    )
    .await;
    assert_eq!(app.counts().await[0], 1 + 10 + 1 + 1);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM change_log WHERE /* every tenant */ resource = 1 AND kind = 1"
        )
        .await,
        13
    );
}

#[tokio::test]
async fn creates_one_at_a_time_are_written_one_at_a_time() {
    // Batching never waits for company: a lone create is a group of one.
    let app = spawn_one_writer().await;
    let plan = plan_of(&app).await;
    let before = app.create_batches();
    for n in 0..5 {
        app.create_task(&plan, &format!("task {n}")).await;
    }
    let after = app.create_batches();
    assert_eq!(after.batches - before.batches, 5);
    assert_eq!(after.creates - before.creates, 5);
}
