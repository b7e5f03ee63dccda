//! The goal status machine.

use super::*;

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
