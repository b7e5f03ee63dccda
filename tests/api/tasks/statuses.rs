//! The task status machine and the timestamps it records.

use super::*;

#[tokio::test]
async fn every_allowed_task_transition_is_accepted() {
    let app = spawn_app().await;
    let (_, plan) = plan_fixture(&app).await;
    let allowed = [
        ("PENDING", "RUNNING"),
        ("PENDING", "CANCELLED"),
        ("RUNNING", "COMPLETED"),
        ("RUNNING", "FAILED"),
        ("RUNNING", "CANCELLED"),
        ("RUNNING", "PENDING"),
        ("FAILED", "PENDING"),
    ];

    for (from, to) in allowed {
        let id = app.create_task(&plan, &format!("{from} to {to}")).await;
        app.walk_statuses("Task", &id, path_to(from)).await;

        let body = app.update_status("Task", &id, to).await;

        assert!(
            body.get("errors").is_none(),
            "{from} -> {to} is allowed: {body:#}"
        );
        assert_eq!(body["data"]["updateTask"]["status"], json!(to));
        assert_eq!(fetch_task(&app, &id).await["status"], json!(to));
    }
}

#[tokio::test]
async fn refused_task_transitions_are_bad_user_input_and_change_nothing() {
    let app = spawn_app().await;
    let (_, plan) = plan_fixture(&app).await;
    let refused = [
        ("PENDING", "COMPLETED"),
        ("PENDING", "FAILED"),
        ("PENDING", "BLOCKED"),
        ("RUNNING", "BLOCKED"),
        ("COMPLETED", "RUNNING"),
        ("COMPLETED", "PENDING"),
        ("COMPLETED", "FAILED"),
        ("CANCELLED", "PENDING"),
        ("CANCELLED", "RUNNING"),
        ("FAILED", "RUNNING"),
        ("FAILED", "COMPLETED"),
        ("FAILED", "CANCELLED"),
    ];

    for (from, to) in refused {
        let id = app.create_task(&plan, &format!("{from} to {to}")).await;
        app.walk_statuses("Task", &id, path_to(from)).await;
        let before = fetch_task(&app, &id).await;

        let body = app.update_status("Task", &id, to).await;

        assert_bad_input(&body, "input.status");
        let after = fetch_task(&app, &id).await;
        assert_eq!(after["status"], json!(from), "{from} -> {to} is refused");
        assert_eq!(after, before);
    }
}

#[tokio::test]
async fn setting_the_current_task_status_again_is_accepted_and_keeps_the_timestamps() {
    let app = spawn_app().await;
    let (_, plan) = plan_fixture(&app).await;

    for status in ["PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"] {
        let id = app.create_task(&plan, status).await;
        app.walk_statuses("Task", &id, path_to(status)).await;
        let before = fetch_task(&app, &id).await;

        let body = app.update_status("Task", &id, status).await;

        assert!(
            body.get("errors").is_none(),
            "{status} -> {status} is accepted: {body:#}"
        );
        let task = fetch_task(&app, &id).await;
        assert_eq!(task["status"], json!(status));
        assert_eq!(task["description"], json!(status));
        assert_eq!(task["startedAt"], before["startedAt"], "{status} again");
        assert_eq!(task["completedAt"], before["completedAt"], "{status} again");
    }
}

#[tokio::test]
async fn a_task_records_when_it_started_and_completed() {
    let app = spawn_app().await;
    let (_, plan) = plan_fixture(&app).await;
    let id = app.create_task(&plan, "Lifecycle").await;
    let created = fetch_task(&app, &id).await;
    assert_eq!(created["startedAt"], Value::Null);
    assert_eq!(created["completedAt"], Value::Null);

    let running = set_status(&app, &id, "RUNNING").await;
    let started = datetime(&running["startedAt"]);
    assert!(started >= datetime(&created["createdAt"]));
    assert_eq!(running["completedAt"], Value::Null);

    let completed = set_status(&app, &id, "COMPLETED").await;
    assert_eq!(completed["startedAt"], running["startedAt"]);
    assert!(datetime(&completed["completedAt"]) >= started);

    assert_eq!(fetch_task(&app, &id).await, completed);
}

#[tokio::test]
async fn a_cancelled_task_is_completed_without_having_started() {
    let app = spawn_app().await;
    let (_, plan) = plan_fixture(&app).await;
    let id = app.create_task(&plan, "Never ran").await;

    let cancelled = set_status(&app, &id, "CANCELLED").await;

    assert_eq!(cancelled["startedAt"], Value::Null);
    assert!(datetime(&cancelled["completedAt"]) >= datetime(&cancelled["createdAt"]));
}

#[tokio::test]
async fn a_running_task_that_is_cancelled_records_its_completion() {
    let app = spawn_app().await;
    let (_, plan) = plan_fixture(&app).await;
    let id = app.create_task(&plan, "Stopped").await;
    let running = set_status(&app, &id, "RUNNING").await;

    let cancelled = set_status(&app, &id, "CANCELLED").await;

    assert_eq!(cancelled["startedAt"], running["startedAt"]);
    assert!(datetime(&cancelled["completedAt"]) >= datetime(&running["startedAt"]));
}

#[tokio::test]
async fn a_failed_task_records_its_completion_and_a_retry_clears_it() {
    let app = spawn_app().await;
    let (_, plan) = plan_fixture(&app).await;
    let id = app.create_task(&plan, "Flaky").await;
    let first_run = set_status(&app, &id, "RUNNING").await;

    let failed = app
        .gql_ok(
            &update_task_doc(),
            json!({ "id": id, "input": { "status": "FAILED", "error": "timeout" } }),
        )
        .await["updateTask"]
        .clone();
    assert_eq!(failed["status"], json!("FAILED"));
    assert_eq!(failed["error"], json!("timeout"));
    assert!(datetime(&failed["completedAt"]) >= datetime(&first_run["startedAt"]));

    let retried = set_status(&app, &id, "PENDING").await;
    assert_eq!(retried["status"], json!("PENDING"));
    assert_eq!(retried["completedAt"], Value::Null);

    let second_run = set_status(&app, &id, "RUNNING").await;
    assert!(datetime(&second_run["startedAt"]) >= datetime(&first_run["startedAt"]));
    assert_eq!(second_run["completedAt"], Value::Null);

    let done = set_status(&app, &id, "COMPLETED").await;
    assert!(datetime(&done["completedAt"]) >= datetime(&second_run["startedAt"]));
}
