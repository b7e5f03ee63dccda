//! The plan status machine.

use super::*;

#[tokio::test]
async fn every_allowed_plan_transition_is_accepted() {
    let app = spawn_app().await;
    let goal = goal_fixture(&app).await;
    let allowed = [
        ("DRAFT", "ACTIVE"),
        ("DRAFT", "CANCELLED"),
        ("ACTIVE", "COMPLETED"),
        ("ACTIVE", "FAILED"),
        ("ACTIVE", "CANCELLED"),
    ];

    for (from, to) in allowed {
        let id = app.create_plan(&goal, &format!("{from} to {to}")).await;
        app.walk_statuses("Plan", &id, path_to(from)).await;

        let body = app.update_status("Plan", &id, to).await;

        assert!(
            body.get("errors").is_none(),
            "{from} -> {to} is allowed: {body:#}"
        );
        assert_eq!(body["data"]["updatePlan"]["status"], json!(to));
        assert_eq!(fetch_plan(&app, &id).await["status"], json!(to));
    }
}

#[tokio::test]
async fn refused_plan_transitions_are_bad_user_input_and_change_nothing() {
    let app = spawn_app().await;
    let goal = goal_fixture(&app).await;
    let refused = [
        ("DRAFT", "COMPLETED"),
        ("DRAFT", "FAILED"),
        ("ACTIVE", "DRAFT"),
        ("COMPLETED", "ACTIVE"),
        ("COMPLETED", "DRAFT"),
        ("COMPLETED", "CANCELLED"),
        ("FAILED", "ACTIVE"),
        ("FAILED", "DRAFT"),
        ("CANCELLED", "DRAFT"),
        ("CANCELLED", "ACTIVE"),
    ];

    for (from, to) in refused {
        let id = app.create_plan(&goal, &format!("{from} to {to}")).await;
        app.walk_statuses("Plan", &id, path_to(from)).await;
        let before = fetch_plan(&app, &id).await;

        let body = app.update_status("Plan", &id, to).await;

        assert_bad_input(&body, "input.status");
        let after = fetch_plan(&app, &id).await;
        assert_eq!(after["status"], json!(from), "{from} -> {to} is refused");
        assert_eq!(after, before);
    }
}

#[tokio::test]
async fn setting_the_current_plan_status_again_is_accepted() {
    let app = spawn_app().await;
    let goal = goal_fixture(&app).await;

    for status in ["DRAFT", "ACTIVE", "COMPLETED", "FAILED", "CANCELLED"] {
        let id = app.create_plan(&goal, status).await;
        app.walk_statuses("Plan", &id, path_to(status)).await;

        let body = app.update_status("Plan", &id, status).await;

        assert!(
            body.get("errors").is_none(),
            "{status} -> {status} is accepted: {body:#}"
        );
        let plan = fetch_plan(&app, &id).await;
        assert_eq!(plan["status"], json!(status));
        assert_eq!(plan["description"], json!(status));
    }
}
