//! `_entities`: what a gateway sends to fetch fields of objects another
//! subgraph returned, by `__typename` and `id`.

use serde_json::{Value, json};

use super::{ENTITIES, representation, spawn_subgraph};
use crate::helpers::{TestApp, codes, is_postgres, on, unknown_id};
use crate::tenants::Pair;

fn backend() -> &'static str {
    if is_postgres() {
        "PostgreSQL"
    } else {
        "SQLite"
    }
}

/// What Hive Gateway sends agentgraph for `{ costliestTasks(first: 100) {
/// id cost description status } }`, whose tasks come from the other
/// subgraph: `tests/federation/check.mjs` checks that the gateway sends this
/// very text (with 100 representations in one request).
const GATEWAY_ENTITIES: &str = "query($representations:[_Any!]!){_entities(representations:$representations){__typename ...on Task{description status}}}";

/// The statements one run of `document` (an `_entities` query) for
/// `representations` costs (after a warm-up run), and its list.
async fn costing(app: &TestApp, document: &str, representations: &[Value]) -> (u64, Vec<Value>) {
    let variables = json!({ "representations": representations });
    app.gql_ok(document, variables.clone()).await;
    let before = app.statements.get();
    let data = app.gql_ok(document, variables).await;
    let statements = app.statements.get() - before;
    let list = data["_entities"]
        .as_array()
        .expect("_entities is a list")
        .clone();
    (statements, list)
}

/// An agent with a goal, a plan, and `tasks` tasks in it: their ids.
async fn seed(app: &TestApp, tasks: usize) -> (String, String, String, Vec<String>) {
    let agent = app.create_agent("federated").await;
    let goal = app.create_goal(&agent, "a goal").await;
    let plan = app.create_plan(&goal, "a plan").await;
    let inputs: Vec<Value> = (0..tasks)
        .map(|i| json!({ "planId": plan, "description": format!("task {i}") }))
        .collect();
    let tasks = app
        .create_many("createTask", "CreateTaskInput", &inputs)
        .await;
    (agent, goal, plan, tasks)
}

/// Issue 30's performance line: an entity query for 100 tasks through the
/// gateway is one statement on agentgraph.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_gateways_entities_query_for_100_tasks_is_one_statement() {
    let app = spawn_subgraph().await;
    let (_, _, _, tasks) = seed(&app, 100).await;
    let representations: Vec<Value> = tasks.iter().map(|id| representation("Task", id)).collect();

    let (statements, list) = costing(&app, GATEWAY_ENTITIES, &representations).await;

    assert_eq!(
        statements,
        1,
        "on {}, the gateway's _entities for 100 tasks costs {statements} statements",
        backend()
    );
    assert_eq!(list.len(), 100);
    for (i, entity) in list.iter().enumerate() {
        let expected = json!({ "__typename": "Task", "description": format!("task {i}"), "status": "PENDING" });
        assert_eq!(entity, &expected);
    }
}

/// Every type's fragment selected, ids included.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn entities_for_100_tasks_cost_one_statement_in_the_order_asked() {
    let app = spawn_subgraph().await;
    let (_, _, _, tasks) = seed(&app, 100).await;
    let representations: Vec<Value> = tasks.iter().map(|id| representation("Task", id)).collect();

    let (statements, list) = costing(&app, ENTITIES, &representations).await;

    assert_eq!(
        statements,
        1,
        "on {}, _entities for 100 tasks costs {statements} statements",
        backend()
    );
    assert_eq!(list.len(), 100);
    for (i, (entity, id)) in list.iter().zip(&tasks).enumerate() {
        assert_eq!(
            entity,
            &json!({ "__typename": "Task", "id": id, "description": format!("task {i}") })
        );
    }
}

/// A relation of the entities goes through its loader too: 100 tasks with
/// their plans and goals are three statements.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn relations_of_100_entities_cost_one_statement_per_level() {
    let app = spawn_subgraph().await;
    let (_, goal, plan, tasks) = seed(&app, 100).await;
    let representations: Vec<Value> = tasks.iter().map(|id| representation("Task", id)).collect();
    let document = "query($representations: [_Any!]!) {
        _entities(representations: $representations) {
            ... on Task { id plan { id goal { id } } }
        }
    }";

    let (statements, list) = costing(&app, document, &representations).await;

    assert_eq!(
        statements,
        3,
        "on {}, 100 tasks with their plans and goals cost {statements} statements",
        backend()
    );
    assert_eq!(list.len(), 100);
    for (entity, id) in list.iter().zip(&tasks) {
        assert_eq!(
            entity,
            &json!({ "id": id, "plan": { "id": plan, "goal": { "id": goal } } })
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mixed_types_cost_one_statement_per_type_and_a_missing_id_is_null() {
    let app = spawn_subgraph().await;
    let (agent, goal, plan, tasks) = seed(&app, 50).await;
    let missing = unknown_id();
    let mut representations = vec![
        representation("Agent", &agent),
        representation("Task", &missing),
        representation("Goal", &goal),
        representation("Plan", &plan),
    ];
    representations.extend(tasks.iter().map(|id| representation("Task", id)));
    representations.push(representation("Agent", &agent));

    let (statements, list) = costing(&app, ENTITIES, &representations).await;

    assert_eq!(
        statements,
        4,
        "on {}, _entities over four types costs {statements} statements",
        backend()
    );
    assert_eq!(list.len(), representations.len());
    assert_eq!(
        list[0],
        json!({ "__typename": "Agent", "id": agent, "name": "federated" })
    );
    assert_eq!(
        list[1],
        Value::Null,
        "an id that names nothing resolves to null"
    );
    assert_eq!(list[2]["id"], json!(goal));
    assert_eq!(
        list[3],
        json!({ "__typename": "Plan", "id": plan, "description": "a plan" })
    );
    assert_eq!(list[4]["id"], json!(tasks[0]));
    assert_eq!(list[53]["id"], json!(tasks[49]));
    assert_eq!(
        list[54], list[0],
        "a repeated representation resolves again"
    );
}

/// Entities read like `agent(id:)`: tenant B's key resolves tenant A's ids
/// to null, whatever the gateway forwards, and its own ids to its objects.
#[tokio::test]
async fn a_tenant_resolves_only_its_own_entities() {
    let pair = Pair::with(|config| config.serve.federation = true).await;
    let of = |agent: &str, goal: &str, plan: &str, task: &str| {
        vec![
            representation("Agent", agent),
            representation("Goal", goal),
            representation("Plan", plan),
            representation("Task", task),
        ]
    };
    let (ta, tb) = (&pair.a.targets, &pair.b.targets);
    let a = of(&ta.agent, &ta.goal, &ta.plan, &ta.task);
    let b = of(&tb.agent, &tb.goal, &tb.plan, &tb.task);

    let data = pair
        .b
        .writer
        .gql_ok(ENTITIES, json!({ "representations": a }))
        .await;
    assert_eq!(
        data["_entities"],
        json!([null, null, null, null]),
        "tenant B sees none of A's"
    );

    let data = pair
        .a
        .writer
        .gql_ok(ENTITIES, json!({ "representations": [a[3], b[3], a[0]] }))
        .await;
    let list = &data["_entities"];
    assert_eq!(list[0]["id"], json!(pair.a.targets.task));
    assert_eq!(list[1], Value::Null, "tenant A sees none of B's");
    assert_eq!(list[2]["id"], json!(pair.a.targets.agent));

    let status = pair
        .app
        .post_raw()
        .json(json!({ "query": ENTITIES, "variables": { "representations": a } }))
        .send()
        .await
        .status;
    assert_eq!(status, 401, "no key through the gateway is no key");
}

#[tokio::test]
async fn a_bad_representation_is_bad_user_input_at_its_index() {
    let app = spawn_subgraph().await;
    let agent = app.create_agent("real").await;
    let good = representation("Agent", &agent);
    let cases = [
        (
            json!({ "__typename": "Robot", "id": agent }),
            "representations.1.__typename",
        ),
        (
            json!({ "__typename": "_Service", "id": agent }),
            "representations.1.__typename",
        ),
        (json!({ "id": agent }), "representations.1.__typename"),
        (
            json!({ "__typename": 7, "id": agent }),
            "representations.1.__typename",
        ),
        (json!({ "__typename": "Task" }), "representations.1.id"),
        (
            json!({ "__typename": "Task", "id": "not-a-uuid" }),
            "representations.1.id",
        ),
        (
            json!({ "__typename": "Goal", "id": 42 }),
            "representations.1.id",
        ),
        (json!("Task"), "representations.1"),
    ];
    for (bad, field) in cases {
        let response = app
            .post_raw()
            .json(json!({ "query": ENTITIES, "variables": { "representations": [good, bad] } }))
            .send()
            .await;
        assert_eq!(
            response.status, 200,
            "{bad}: not a server error: {}",
            response.text
        );
        let body: Value = serde_json::from_str(&response.text).expect("a JSON body");
        assert_eq!(
            codes(&body),
            vec![on("BAD_USER_INPUT", field)],
            "{bad}: {body:#}"
        );
        assert!(body["data"].is_null(), "{bad}: no partial list: {body:#}");
    }
}
