//! Paging a top-level list: every node once, page sizes, ends and filters.

use super::*;

#[tokio::test]
async fn walking_250_agents_100_at_a_time_sees_each_once_in_creation_order() {
    let app = spawn_app().await;
    let created = create_agents(&app, 250).await;

    let mut seen = Vec::new();
    let mut after = Value::Null;
    let mut pages = 0;
    loop {
        let data = app
            .gql_ok(AGENTS_PAGE, json!({ "first": 100, "after": after }))
            .await;
        let connection = &data["agents"];
        pages += 1;
        assert_eq!(connection["totalCount"], json!(250), "page {pages}");
        let ids = checked_page(connection);
        let has_next = connection["pageInfo"]["hasNextPage"]
            .as_bool()
            .expect("hasNextPage");
        assert_eq!(ids.len(), if has_next { 100 } else { 50 }, "page {pages}");
        seen.extend(ids);
        if !has_next {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
        assert!(pages < 3, "more pages than expected");
    }

    assert_eq!(pages, 3);
    let distinct: HashSet<&String> = seen.iter().collect();
    assert_eq!(distinct.len(), 250, "every id is seen exactly once");
    assert_eq!(seen, created, "oldest first, in creation order");
}

#[tokio::test]
async fn a_page_after_the_last_cursor_is_empty() {
    let app = spawn_app().await;
    create_agents(&app, 3).await;
    let data = app
        .gql_ok(AGENTS_PAGE, json!({ "first": 3, "after": null }))
        .await;
    let last = data["agents"]["pageInfo"]["endCursor"].clone();
    assert_eq!(data["agents"]["pageInfo"]["hasNextPage"], json!(false));

    let data = app
        .gql_ok(AGENTS_PAGE, json!({ "first": 3, "after": last }))
        .await;

    let connection = &data["agents"];
    assert!(checked_page(connection).is_empty());
    assert_eq!(connection["pageInfo"]["hasNextPage"], json!(false));
    assert_eq!(connection["totalCount"], json!(3));
}

#[tokio::test]
async fn first_defaults_to_20() {
    let app = spawn_app().await;
    let created = create_agents(&app, 25).await;

    let data = app.gql_ok(AGENTS_PAGE, json!({})).await;

    let connection = &data["agents"];
    assert_eq!(checked_page(connection), created[..20].to_vec());
    assert_eq!(connection["pageInfo"]["hasNextPage"], json!(true));
    assert_eq!(connection["totalCount"], json!(25));

    let after = connection["pageInfo"]["endCursor"].clone();
    let data = app.gql_ok(AGENTS_PAGE, json!({ "after": after })).await;
    assert_eq!(checked_page(&data["agents"]), created[20..].to_vec());
    assert_eq!(data["agents"]["pageInfo"]["hasNextPage"], json!(false));
}

#[tokio::test]
async fn an_exactly_full_page_has_no_next_page() {
    let app = spawn_app().await;
    let created = create_agents(&app, 10).await;

    let data = app
        .gql_ok(AGENTS_PAGE, json!({ "first": 10, "after": null }))
        .await;

    assert_eq!(checked_page(&data["agents"]), created);
    assert_eq!(data["agents"]["pageInfo"]["hasNextPage"], json!(false));

    let data = app
        .gql_ok(AGENTS_PAGE, json!({ "first": 9, "after": null }))
        .await;
    assert_eq!(checked_page(&data["agents"]), created[..9].to_vec());
    assert_eq!(data["agents"]["pageInfo"]["hasNextPage"], json!(true));
}

#[tokio::test]
async fn a_filtered_connection_pages_and_counts_only_matching_nodes() {
    let app = spawn_app().await;
    let inputs: Vec<Value> = (0..30)
        .map(|i| {
            let status = if i % 3 == 0 { "PAUSED" } else { "ACTIVE" };
            json!({ "name": format!("agent-{i:02}"), "status": status })
        })
        .collect();
    let created = app
        .create_many("createAgent", "CreateAgentInput", &inputs)
        .await;
    let paused: Vec<String> = created.iter().step_by(3).cloned().collect();
    let query = "query($after: String) {
        agents(first: 4, after: $after, filter: { status: PAUSED }) {
            edges { cursor node { id } }
            nodes { id }
            pageInfo { hasNextPage startCursor endCursor }
            totalCount
        }
    }";

    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = app.gql_ok(query, json!({ "after": after })).await;
        let connection = &data["agents"];
        assert_eq!(connection["totalCount"], json!(10));
        seen.extend(checked_page(connection));
        if connection["pageInfo"]["hasNextPage"] == json!(false) {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
        assert!(seen.len() <= 10, "pagination terminates");
    }

    assert_eq!(seen, paused);
}

#[tokio::test]
async fn cursors_are_opaque_and_not_the_raw_id() {
    let app = spawn_app().await;
    let created = create_agents(&app, 2).await;

    let data = app
        .gql_ok(AGENTS_PAGE, json!({ "first": 2, "after": null }))
        .await;

    let edges = data["agents"]["edges"].as_array().expect("edges");
    assert_eq!(edges.len(), 2);
    for (edge, id) in edges.iter().zip(&created) {
        let cursor = edge["cursor"].as_str().expect("cursor");
        assert_ne!(cursor, id);
        assert!(!cursor.contains(id.as_str()), "{cursor} hides {id}");
        assert!(
            uuid::Uuid::parse_str(cursor).is_err(),
            "{cursor} is not a bare UUID"
        );
    }
    assert_ne!(edges[0]["cursor"], edges[1]["cursor"]);
}
