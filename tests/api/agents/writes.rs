//! Creating and updating agents: defaults, what is stored, conflicts and
//! optimistic concurrency.

use super::*;

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
