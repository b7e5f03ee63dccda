//! What a claimant does with its lease, and what a stale token gets.

use std::time::Duration;

use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use super::*;
use crate::helpers::{assert_bad_input, datetime, unknown_id};

/// A task claimed by a fresh agent: (task id, token).
async fn claimed(app: &TestApp, fields: Value, lease_seconds: u32) -> (String, String) {
    let (agent, plan) = active_plan(app).await;
    add_task(app, &plan, fields).await;
    let leases = claim(app, &agent, json!({ "leaseSeconds": lease_seconds })).await;
    assert_eq!(leases.len(), 1);
    lease_parts(&leases[0])
}

async fn change_count(app: &TestApp) -> i64 {
    let backend = app.db.reader.get_database_backend();
    let row = app
        .db
        .reader
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) AS n FROM change_log WHERE /* every tenant */ 1 = 1",
        ))
        .await
        .expect("count changes")
        .expect("a row");
    row.try_get("", "n").expect("n")
}

#[tokio::test]
async fn a_heartbeat_moves_the_lease_and_is_not_a_change() {
    let app = queue_app().await;
    let (id, token) = claimed(&app, json!({}), 10).await;
    let before = task(&app, &id).await;
    let changes = change_count(&app).await;

    let body = lease_call(&app, "heartbeatTask", &id, &token, ", leaseSeconds: 600").await;

    let lease = &body["data"]["heartbeatTask"];
    assert_eq!(lease["token"], json!(token), "{body:#}");
    let expires = datetime(&lease["expiresAt"]);
    assert!(expires > chrono::Utc::now() + chrono::Duration::seconds(590));
    let after = task(&app, &id).await;
    assert_eq!(after["leaseExpiresAt"], lease["expiresAt"]);
    assert_eq!(after["version"], before["version"]);
    assert_eq!(change_count(&app).await, changes, "no change-log row");

    // Without leaseSeconds: the claim's length again.
    let body = lease_call(&app, "heartbeatTask", &id, &token, "").await;
    let expires = datetime(&body["data"]["heartbeatTask"]["expiresAt"]);
    assert!(expires < chrono::Utc::now() + chrono::Duration::seconds(11));

    let body = lease_call(&app, "heartbeatTask", &id, &token, ", leaseSeconds: 4").await;
    assert_bad_input(&body, "leaseSeconds");
}

#[tokio::test]
async fn complete_ends_the_lease_and_a_retry_of_it_is_answered() {
    let app = queue_app().await;
    let (id, token) = claimed(&app, json!({}), 60).await;

    let body = lease_call(
        &app,
        "completeTask",
        &id,
        &token,
        r#", outputData: {ok: true}"#,
    )
    .await;

    let done = &body["data"]["completeTask"];
    assert_eq!(done["status"], "COMPLETED", "{body:#}");
    assert_eq!(done["outputData"], json!({ "ok": true }));
    assert_eq!(done["leaseExpiresAt"], json!(null));
    assert!(done["completedAt"].is_string());
    // The answer was lost; the worker sends it again, arguments and all.
    let again = lease_call(
        &app,
        "completeTask",
        &id,
        &token,
        r#", outputData: {ok: 2}"#,
    )
    .await;
    assert_eq!(&again["data"]["completeTask"], done, "{again:#}");
    // Any other call with that token is stale.
    assert_stale(&lease_call(&app, "failTask", &id, &token, r#", error: "late""#).await);
    assert_stale(&lease_call(&app, "releaseTask", &id, &token, "").await);
    assert_stale(&lease_call(&app, "heartbeatTask", &id, &token, "").await);
    assert_eq!(task(&app, &id).await, *done);

    let body = lease_call(&app, "completeTask", &id, &token, ", outputData: [1]").await;
    assert_bad_input(&body, "outputData");
}

#[tokio::test]
async fn a_retryable_failure_requeues_after_the_backoff_until_attempts_run_out() {
    let app = queue_app().await;
    let (agent, plan) = active_plan(&app).await;
    let created = add_task(&app, &plan, json!({ "maxAttempts": 2 })).await;
    let id = id_of(&created);

    let (_, token) = lease_parts(&claim(&app, &agent, json!({})).await[0]);
    let failed_at = chrono::Utc::now();
    let body = lease_call(&app, "failTask", &id, &token, r#", error: "flaky""#).await;
    let requeued = &body["data"]["failTask"];
    assert_eq!(requeued["status"], "PENDING", "{body:#}");
    assert_eq!(requeued["agentId"], json!(null));
    assert_eq!(requeued["error"], "flaky");
    assert_eq!(requeued["attempts"], 1);
    assert_eq!(requeued["startedAt"], json!(null));
    // The backoff: 100 ms after the first failure, ±10 %.
    let wait = datetime(&requeued["runAt"]) - failed_at;
    assert!(
        wait >= chrono::Duration::milliseconds(80) && wait <= chrono::Duration::milliseconds(200),
        "waits about 100 ms: {wait}"
    );
    let again = lease_call(&app, "failTask", &id, &token, r#", error: "other""#).await;
    assert_eq!(&again["data"]["failTask"], requeued, "a retry is answered");

    tokio::time::sleep(Duration::from_millis(150)).await;
    let (_, second) = lease_parts(&claim(&app, &agent, json!({})).await[0]);
    let body = lease_call(&app, "failTask", &id, &second, r#", error: "again""#).await;
    let failed = &body["data"]["failTask"];
    assert_eq!(failed["status"], "FAILED", "attempts used up: {body:#}");
    assert_eq!(failed["attempts"], 2);
    assert!(failed["completedAt"].is_string());
    assert!(claim(&app, &agent, json!({})).await.is_empty());
}

#[tokio::test]
async fn a_failure_without_retry_is_final() {
    let app = queue_app().await;
    let (id, token) = claimed(&app, json!({ "maxAttempts": 5 }), 60).await;

    let body = lease_call(
        &app,
        "failTask",
        &id,
        &token,
        r#", error: "poison", retry: false"#,
    )
    .await;

    assert_eq!(body["data"]["failTask"]["status"], "FAILED", "{body:#}");
    assert_eq!(body["data"]["failTask"]["attempts"], 1);
}

#[tokio::test]
async fn release_puts_the_task_back_at_once_without_counting_the_claim() {
    let app = queue_app().await;
    let (agent, plan) = active_plan(&app).await;
    add_task(&app, &plan, json!({})).await;
    let (id, token) = lease_parts(&claim(&app, &agent, json!({})).await[0]);

    let body = lease_call(&app, "releaseTask", &id, &token, "").await;

    let released = &body["data"]["releaseTask"];
    assert_eq!(released["status"], "PENDING", "{body:#}");
    assert_eq!(released["attempts"], 0);
    assert_eq!(released["agentId"], json!(null));
    assert_eq!(
        &lease_call(&app, "releaseTask", &id, &token, "").await["data"]["releaseTask"],
        released
    );
    let next = claim(&app, &agent, json!({})).await;
    let (again, newer) = lease_parts(&next[0]);
    assert_eq!(again, id);
    assert_eq!(next[0]["task"]["attempts"], 1);
    assert_ne!(newer, token);
    // The old token is stale now that a newer claim holds the task.
    assert_stale(&lease_call(&app, "completeTask", &id, &token, "").await);
}

#[tokio::test]
async fn a_zombie_completing_after_its_lease_expired_changes_nothing() {
    let app = spawn_app_with(|config| {
        // No sweep during the test: the lease expires, the task stays.
        config.serve.lease_sweep_interval = Duration::from_secs(3600);
    })
    .await;
    let (id, token) = claimed(&app, json!({}), 5).await;

    tokio::time::sleep(Duration::from_millis(5200)).await;
    let before = task(&app, &id).await;
    assert_eq!(before["status"], "RUNNING", "not swept yet");

    assert_stale(&lease_call(&app, "completeTask", &id, &token, "").await);
    assert_stale(&lease_call(&app, "heartbeatTask", &id, &token, "").await);
    assert_eq!(task(&app, &id).await, before);
}

#[tokio::test]
async fn unknown_tokens_are_stale_and_unknown_tasks_not_found() {
    let app = queue_app().await;
    let (id, _) = claimed(&app, json!({}), 60).await;

    for forged in ["", "not-a-token", "0123456789abcdef0123456789abcdef"] {
        assert_stale(&lease_call(&app, "completeTask", &id, forged, "").await);
    }
    for call in ["heartbeatTask", "completeTask", "releaseTask"] {
        let body = lease_call(
            &app,
            call,
            &unknown_id(),
            "00000000000000000000000000000000",
            "",
        )
        .await;
        assert_eq!(
            crate::helpers::error_codes(&body),
            ["NOT_FOUND"],
            "{call}: {body:#}"
        );
    }
    assert_eq!(task(&app, &id).await["status"], "RUNNING");
}

/// A task deleted under its claimant: the token is stale (the task left
/// RUNNING another way), not an unknown task.
#[tokio::test]
async fn a_lease_on_a_deleted_task_is_stale() {
    let app = queue_app().await;
    let (id, token) = claimed(&app, json!({}), 60).await;
    let deleted = app
        .gql(
            "mutation($id: UUID!) { deleteTask(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(deleted["data"]["deleteTask"], json!(id), "{deleted:#}");
    for (call, extra) in [
        ("heartbeatTask", ""),
        ("completeTask", ""),
        ("failTask", r#", error: "gone""#),
        ("releaseTask", ""),
    ] {
        assert_stale(&lease_call(&app, call, &id, &token, extra).await);
    }
}

#[tokio::test]
async fn cancelling_a_leased_task_by_hand_ends_its_lease() {
    let app = queue_app().await;
    let (id, token) = claimed(&app, json!({}), 60).await;

    let body = app.update_status("Task", &id, "CANCELLED").await;
    assert_eq!(
        body["data"]["updateTask"]["status"], "CANCELLED",
        "{body:#}"
    );

    assert_eq!(task(&app, &id).await["leaseExpiresAt"], json!(null));
    assert_stale(&lease_call(&app, "completeTask", &id, &token, "").await);
    assert_eq!(task(&app, &id).await["status"], "CANCELLED");
}

#[tokio::test]
async fn a_task_set_running_by_hand_has_no_lease() {
    let app = queue_app().await;
    let (_, plan) = active_plan(&app).await;
    let created = add_task(&app, &plan, json!({})).await;

    app.update_status("Task", &id_of(&created), "RUNNING").await;

    let running = task(&app, &id_of(&created)).await;
    assert_eq!(running["status"], "RUNNING");
    assert_eq!(running["leaseExpiresAt"], json!(null));
    assert_eq!(running["attempts"], 0);
}
