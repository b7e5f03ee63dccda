//! Nested fields: from its own objects a caller reaches no other tenant's
//! rows, however deep. The selection asks every field of every object type
//! reachable from B's agent, goal, plan and task to depth 3 (built from the
//! SDL, so new fields are in it), after each tenant tried to link its
//! objects to the other's.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use super::schema_walk::Schema;
use super::{Pair, Side, leaked, report};

/// Depth of the walk, in objects (connections and edges not counted).
const DEPTH: usize = 3;

async fn a_larger_pair() -> Pair {
    Pair::with(|config| {
        config.serve.max_fields = 100_000;
        config.serve.max_depth = 64;
        config.serve.max_complexity = 1_000_000_000;
    })
    .await
}

/// Every way a caller might try to point its objects at the other
/// tenant's; each should fail, and none may leave a link.
async fn try_links(from: &Side, to: &Side) {
    let (mine, theirs) = (&from.targets, &to.targets);
    let w = &from.writer;
    let create_task = "mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }";
    for input in [
        json!({ "planId": mine.plan, "description": "link", "agentId": theirs.agent }),
        json!({ "planId": mine.plan, "description": "link", "dependsOn": [theirs.task] }),
    ] {
        w.gql(create_task, json!({ "input": input })).await;
    }
    w.gql(
        "mutation($input: CreateGoalInput!) { createGoal(input: $input) { id } }",
        json!({ "input": { "agentId": theirs.agent, "description": "link" } }),
    )
    .await;
    for task in [&mine.task, &mine.leases[1].0] {
        w.gql(
            "mutation($id: UUID!, $agent: UUID) { updateTask(id: $id, input: { agentId: $agent }) { id } }",
            json!({ "id": task, "agent": theirs.agent }),
        )
        .await;
    }
}

/// The walk from `side`'s agent, goal, plan and task, and from its lists.
async fn walk(schema: &Schema, side: &Side) -> Value {
    let t = &side.targets;
    let document = format!(
        "query($agent: UUID!, $goal: UUID!, $plan: UUID!, $task: UUID!) {{
           agent(id: $agent) {{ {} }}
           goal(id: $goal) {{ {} }}
           plan(id: $plan) {{ {} }}
           task(id: $task) {{ {} }}
           tasks {{ {} }}
         }}",
        schema.selection("Agent", DEPTH),
        schema.selection("Goal", DEPTH),
        schema.selection("Plan", DEPTH),
        schema.selection("Task", DEPTH),
        schema.selection("TaskConnection", 1),
    );
    side.writer
        .gql_ok(
            &document,
            json!({ "agent": t.agent, "goal": t.goal, "plan": t.plan, "task": t.leases[1].0 }),
        )
        .await
}

/// Connections whose `totalCount` is not the number of their edges (every
/// page here is the whole list): a count that included another's rows.
fn miscounted(value: &Value, path: &str, found: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            if let (Some(total), Some(edges), Some(false)) = (
                object.get("totalCount").and_then(Value::as_u64),
                object.get("edges").and_then(Value::as_array),
                object
                    .get("pageInfo")
                    .and_then(|p| p.get("hasNextPage"))
                    .and_then(Value::as_bool),
            ) && total != edges.len() as u64
            {
                found.push(format!("{path}: totalCount {total}, {} edges", edges.len()));
            }
            for (key, inner) in object {
                miscounted(inner, &format!("{path}.{key}"), found);
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                miscounted(inner, &format!("{path}.{i}"), found);
            }
        }
        _ => {}
    }
}

fn check(who: &str, data: &Value, others: &[String], failures: &mut Vec<String>) {
    let leaks = leaked(data, others);
    if !leaks.is_empty() {
        failures.push(format!("{who}'s walk reaches the other tenant's {leaks:?}"));
    }
    let mut wrong = Vec::new();
    miscounted(data, who, &mut wrong);
    failures.extend(wrong);
}

#[tokio::test]
async fn nested_fields_reach_no_row_of_another_tenant() {
    let pair = a_larger_pair().await;
    let schema = Schema::load();
    try_links(&pair.b, &pair.a).await;
    try_links(&pair.a, &pair.b).await;
    let mut failures = Vec::new();
    let b = walk(&schema, &pair.b).await;
    // Not empty: the walk did reach B's own rows.
    assert_eq!(b["agent"]["id"], pair.b.targets.agent.as_str());
    assert!(b["goal"]["plans"]["edges"][0]["node"]["tasks"]["edges"][0]["cursor"].is_string());
    check("B", &b, &pair.a.targets.ids(), &mut failures);
    let a = walk(&schema, &pair.a).await;
    check("A", &a, &pair.b.targets.ids(), &mut failures);
    report("nested fields", &failures);
}

/// Beyond what the API lets a caller do: rows of A linked to B's in the
/// database itself (A's task assigned to B's agent, A's goal under B's
/// agent, A's task depending on B's task). Isolation by construction means
/// every statement is bound to the caller's tenant, so B's nested fields
/// still reach none of them. A link the database refuses is fine too.
#[tokio::test]
async fn rows_linked_across_tenants_in_the_database_stay_out_of_nested_fields() {
    let pair = a_larger_pair().await;
    let schema = Schema::load();
    let (a, b) = (&pair.a.targets, &pair.b.targets);
    let backend = pair.app.db.writes.get_database_backend();
    let postgres = backend == sea_orm::DbBackend::Postgres;
    let links = [
        (
            "UPDATE tasks SET agent_id = $1 WHERE id = $2",
            &b.agent,
            &a.task,
        ),
        (
            "UPDATE goals SET agent_id = $1 WHERE id = $2",
            &b.agent,
            &a.doomed_goal,
        ),
        (
            "INSERT INTO task_dependencies (depends_on_id, task_id, position) VALUES ($1, $2, 0)",
            &b.task,
            &a.doomed_task,
        ),
    ];
    for (sql, first, second) in links {
        let sql = if postgres {
            sql.to_owned()
        } else {
            sql.replace('$', "?")
        };
        let values: [sea_orm::Value; 2] = [
            first.parse::<uuid::Uuid>().expect("uuid").into(),
            second.parse::<uuid::Uuid>().expect("uuid").into(),
        ];
        // Refused (a foreign key or policy that includes the tenant) is
        // isolation holding one floor down.
        let _ = pair
            .app
            .db
            .writes
            .execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await;
    }
    let mut failures = Vec::new();
    let data = walk(&schema, &pair.b).await;
    check("B", &data, &a.ids(), &mut failures);
    let lists = pair
        .b
        .writer
        .gql_ok(
            "query($agent: UUID) { tasks(filter: { agentId: $agent }) { totalCount nodes { id } }
                                   goals(filter: { agentId: $agent }) { totalCount nodes { id } } }",
            json!({ "agent": b.agent }),
        )
        .await;
    check("B's filtered lists", &lists, &a.ids(), &mut failures);
    report("rows linked in the database", &failures);
}
