//! Apollo Federation v2 (`serve --federation`, issue 30): the subgraph's
//! SDL, `_entities` through the by-id loaders (one statement per type,
//! however many representations), the caller's tenant, errors; and without
//! the flag, a schema with neither `_entities` nor `_service`.

mod entities;

use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_bad_input, assert_refused_as_bad_input, spawn_app, spawn_app_with,
};

pub async fn spawn_subgraph() -> TestApp {
    spawn_app_with(|config| config.serve.federation = true).await
}

/// `_entities` for `representations`, selecting each type's id and one field.
pub const ENTITIES: &str = "query($representations: [_Any!]!) {
    _entities(representations: $representations) {
        __typename
        ... on Agent { id name }
        ... on Goal { id description }
        ... on Plan { id description }
        ... on Task { id description }
    }
}";

pub fn representation(typename: &str, id: &str) -> Value {
    json!({ "__typename": typename, "id": id })
}

#[tokio::test]
async fn the_subgraph_sdl_keys_agent_goal_plan_and_task_by_id() {
    let app = spawn_subgraph().await;
    let data = app.gql_ok("{ _service { sdl } }", json!({})).await;
    let sdl = data["_service"]["sdl"].as_str().expect("_service.sdl");

    assert_eq!(
        sdl,
        agentgraph::subgraph_sdl(),
        "`schema --federation` prints what `_service` serves"
    );
    assert!(
        sdl.contains("extend schema @link(")
            && sdl.contains("url: \"https://specs.apollo.dev/federation/v2."),
        "a federation v2 subgraph links the spec: {sdl}"
    );
    for typename in ["Agent", "Goal", "Plan", "Task"] {
        let keyed = format!("type {typename} @key(fields: \"id\")");
        assert!(sdl.contains(&keyed), "{keyed} in the subgraph SDL");
    }
    assert_eq!(
        sdl.matches("@key(").count(),
        4,
        "only the four resources are entities"
    );
    for field in ["_entities", "_service", "_Any", "_Entity"] {
        assert!(
            !sdl.contains(field),
            "the subgraph SDL leaves {field} to the gateway"
        );
    }
}

#[tokio::test]
async fn the_binary_prints_the_subgraph_sdl_with_schema_federation() {
    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_agentgraph"))
            .args(args)
            .output()
            .expect("run agentgraph schema");
        assert!(output.status.success(), "agentgraph {args:?} exits 0");
        String::from_utf8(output.stdout).expect("UTF-8 SDL")
    };
    assert_eq!(run(&["schema", "--federation"]), agentgraph::subgraph_sdl());
    assert_eq!(run(&["schema"]), agentgraph::sdl());
}

#[tokio::test]
async fn without_the_flag_the_schema_has_no_entities_nor_service() {
    let app = spawn_app().await;
    let sdl = agentgraph::sdl();
    for name in ["_entities", "_service", "_Entity", "_Any", "@key", "@link"] {
        assert!(
            !sdl.contains(name),
            "{name} in the schema without --federation"
        );
    }

    let body = app.gql("{ _service { sdl } }", json!({})).await;
    assert_bad_input(&body, "query");
    let body = app.gql(ENTITIES, json!({ "representations": [] })).await;
    assert_refused_as_bad_input(&body);

    let data = app
        .gql_ok("{ __schema { queryType { fields { name } } } }", json!({}))
        .await;
    let fields = data["__schema"]["queryType"]["fields"].to_string();
    assert!(
        !fields.contains("_entities") && !fields.contains("_service"),
        "{fields}"
    );
}
