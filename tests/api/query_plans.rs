//! Every (parent, ordering) pair of the contract is an index range scan:
//! the statements the server runs for each page are recorded and their
//! query plans read back with `EXPLAIN`, on both backends.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, is_postgres, spawn_app};
use crate::lists::List;

/// Enough rows on PostgreSQL that its planner chooses by cost as it would
/// in production, with hundreds of children under the parents the test
/// lists (for a parent of four children, a bitmap scan and a sort is
/// rightly cheaper). SQLite's planner, without statistics, assumes large
/// tables already.
async fn fill_postgres(app: &TestApp, agent: &str, goal: &str, plan: &str) {
    let db = &app.db.writes;
    let under_parents = [
        format!(
            "INSERT INTO goals (id, tenant, agent_id, description, success_criteria, priority, status, version, created_at, updated_at)
             SELECT gen_random_uuid(), 'default', '{agent}', 'mine', '[]', 1 + i % 10, 'PENDING', 1,
                    now() - i * interval '1 second', now() - (i % 7) * interval '1 second'
             FROM generate_series(1, 300) AS s(i)"
        ),
        format!(
            "INSERT INTO plans (id, tenant, goal_id, description, status, version, created_at, updated_at)
             SELECT gen_random_uuid(), 'default', '{goal}', 'mine', 'DRAFT', 1,
                    now() - i * interval '1 second', now() - (i % 7) * interval '1 second'
             FROM generate_series(1, 300) AS s(i)"
        ),
        format!(
            "INSERT INTO tasks (id, tenant, plan_id, agent_id, description, task_type, status, input_data, version, created_at, updated_at)
             SELECT gen_random_uuid(), 'default', '{plan}', '{agent}', 'mine', 'generic', 'PENDING', '{{}}', 1,
                    now() - i * interval '1 second', now() - (i % 7) * interval '1 second'
             FROM generate_series(1, 300) AS s(i)"
        ),
    ];
    for sql in &under_parents {
        db.execute_unprepared(sql).await.expect("fill the parents");
    }
    for sql in [
        "INSERT INTO agents (id, tenant, did, name, status, configuration, metadata, version, created_at, updated_at)
         SELECT gen_random_uuid(), 'default', 'did:filler:' || i, 'filler ' || (i % 50), 'ACTIVE', '{}', '{}', 1,
                now() - i * interval '1 second', now() - (i % 17) * interval '1 second'
         FROM generate_series(1, 3000) AS s(i)",
        "INSERT INTO goals (id, tenant, agent_id, description, success_criteria, priority, status, version, created_at, updated_at)
         SELECT gen_random_uuid(), a.tenant, a.id, 'filler', '[]', 1 + (random() * 9)::int, 'PENDING', 1, a.created_at, a.updated_at
         FROM agents a CROSS JOIN generate_series(1, 3) WHERE /* every tenant */ 1 = 1",
        "INSERT INTO plans (id, tenant, goal_id, description, status, version, created_at, updated_at)
         SELECT gen_random_uuid(), g.tenant, g.id, 'filler', 'DRAFT', 1, g.created_at, g.updated_at FROM goals g",
        "INSERT INTO tasks (id, tenant, plan_id, agent_id, description, task_type, status, input_data, version, created_at, updated_at)
         SELECT gen_random_uuid(), p.tenant, p.id, g.agent_id, 'filler', 'generic', 'PENDING', '{}', 1, p.created_at, p.updated_at
         FROM plans p JOIN goals g ON g.id = p.goal_id CROSS JOIN generate_series(1, 2)",
        // What autovacuum does to a table in service.
        "VACUUM ANALYZE",
    ] {
        db.execute_unprepared(sql).await.expect("fill the tables");
    }
}

/// The scans of a statement's plan, as (what, table, index) and whether it sorts.
pub(crate) async fn plan_of(app: &TestApp, statement: &Statement) -> (Vec<String>, bool) {
    let db = &app.db.reader;
    let backend = db.get_database_backend();
    if is_postgres() {
        let explain = Statement {
            sql: format!("EXPLAIN (FORMAT JSON) {}", statement.sql),
            ..statement.clone()
        };
        let row = db
            .query_one_raw(explain)
            .await
            .expect("EXPLAIN")
            .expect("a plan");
        let plan: Value = row.try_get("", "QUERY PLAN").expect("JSON plan");
        let mut scans = Vec::new();
        let mut sorts = false;
        walk_postgres(&plan[0]["Plan"], &mut scans, &mut sorts);
        (scans, sorts)
    } else {
        let explain = Statement {
            sql: format!("EXPLAIN QUERY PLAN {}", statement.sql),
            ..statement.clone()
        };
        assert_eq!(backend, sea_orm::DbBackend::Sqlite);
        let rows = db.query_all_raw(explain).await.expect("EXPLAIN QUERY PLAN");
        let details: Vec<String> = rows
            .iter()
            .map(|row| row.try_get::<String>("", "detail").expect("detail"))
            .collect();
        let sorts = details.iter().any(|d| d.contains("TEMP B-TREE"));
        (details, sorts)
    }
}

fn walk_postgres(node: &Value, scans: &mut Vec<String>, sorts: &mut bool) {
    let kind = node["Node Type"].as_str().unwrap_or_default();
    if kind.contains("Sort") {
        *sorts = true;
    }
    // A bitmap heap scan names the table, its bitmap index scan the index.
    if let Some(table) = node["Relation Name"].as_str() {
        let index = node["Index Name"].as_str().unwrap_or("no index");
        scans.push(format!("{kind} on {table} using {index}"));
    } else if let Some(index) = node["Index Name"].as_str() {
        scans.push(format!("{kind} on {index}"));
    }
    for child in node["Plans"].as_array().into_iter().flatten() {
        walk_postgres(child, scans, sorts);
    }
}

/// Pages `list` under `order` and `filter` (from either end, and from the
/// middle both ways) and checks each page statement reads `index` in order.
async fn assert_range_scan(
    app: &TestApp,
    list: &List,
    filter: &Value,
    order: &Value,
    table: &str,
    index: &str,
) {
    let args = |extra: Value| {
        let mut args = json!({ "order": order, "filter": filter });
        for (key, value) in extra.as_object().into_iter().flatten() {
            args[key] = value.clone();
        }
        args
    };
    let first = list.page(app, args(json!({ "first": 100 }))).await;
    let middle = first["pageInfo"]["endCursor"].clone();
    for args in [
        args(json!({ "first": 20 })),
        args(json!({ "last": 20 })),
        args(json!({ "first": 20, "after": middle })),
        args(json!({ "last": 20, "before": middle })),
    ] {
        app.statements.record();
        list.page(app, args.clone()).await;
        let pages: Vec<Statement> = app
            .statements
            .take_recorded()
            .into_iter()
            .filter(|s| s.sql.contains("ORDER BY"))
            .collect();
        assert_eq!(pages.len(), 1, "{} {args}: one page statement", list.name);
        let (scans, sorts) = plan_of(app, &pages[0]).await;
        if std::env::var_os("AGENTGRAPH_SHOW_PLANS").is_some() {
            eprintln!("{} {args}:\n  {}\n  {scans:?}", list.name, pages[0].sql);
        }
        let on_table: Vec<&String> = scans.iter().filter(|s| s.contains(table)).collect();
        assert!(
            !on_table.is_empty(),
            "{} {args}: no scan of {table} in {scans:?}",
            list.name
        );
        for scan in on_table {
            assert!(
                scan.split_whitespace().any(|word| word == index),
                "{} {args}: {scan:?} does not range-scan {index}; plan {scans:?}",
                list.name
            );
        }
        assert!(!sorts, "{} {args}: the plan sorts: {scans:?}", list.name);
    }
}

/// The contract's order fields of a list, with the column each sorts by.
type Orderings = &'static [(&'static str, &'static str)];

#[tokio::test]
async fn every_ordering_of_every_list_is_an_index_range_scan() {
    let app = spawn_app().await;
    let agent = app.create_agent("worker").await;
    let goal = app.create_goal(&agent, "goal").await;
    let plan = app.create_plan(&goal, "plan").await;
    let task = app.create_task(&plan, "task").await;
    app.update_many(
        "updateTask",
        "UpdateTaskInput",
        &[(task, json!({ "agentId": agent }))],
    )
    .await;
    if is_postgres() {
        fill_postgres(&app, &agent, &goal, &plan).await;
    }

    let mut cases: Vec<(List, Value, &str, Option<&str>, Orderings)> = vec![
        (
            List::top("agents", "Agent"),
            Value::Null,
            "agents",
            None,
            &[
                ("CREATED_AT", "created_at"),
                ("UPDATED_AT", "updated_at"),
                ("NAME", "name"),
            ],
        ),
        (
            List::top("goals", "Goal"),
            Value::Null,
            "goals",
            None,
            &[
                ("CREATED_AT", "created_at"),
                ("UPDATED_AT", "updated_at"),
                ("PRIORITY", "priority"),
            ],
        ),
        (
            List::nested("agent", &agent, "goals", "Goal"),
            Value::Null,
            "goals",
            Some("agent_id"),
            &[
                ("CREATED_AT", "created_at"),
                ("UPDATED_AT", "updated_at"),
                ("PRIORITY", "priority"),
            ],
        ),
        (
            List::top("plans", "Plan"),
            Value::Null,
            "plans",
            None,
            &[("CREATED_AT", "created_at"), ("UPDATED_AT", "updated_at")],
        ),
        (
            List::nested("goal", &goal, "plans", "Plan"),
            Value::Null,
            "plans",
            Some("goal_id"),
            &[("CREATED_AT", "created_at"), ("UPDATED_AT", "updated_at")],
        ),
        (
            List::top("tasks", "Task"),
            Value::Null,
            "tasks",
            None,
            &[("CREATED_AT", "created_at"), ("UPDATED_AT", "updated_at")],
        ),
        (
            List::nested("plan", &plan, "tasks", "Task"),
            Value::Null,
            "tasks",
            Some("plan_id"),
            &[("CREATED_AT", "created_at"), ("UPDATED_AT", "updated_at")],
        ),
        (
            List::nested("agent", &agent, "tasks", "Task"),
            Value::Null,
            "tasks",
            Some("agent_id"),
            &[("CREATED_AT", "created_at"), ("UPDATED_AT", "updated_at")],
        ),
    ];
    // A top-level list filtered by its parent walks the parent's indexes.
    let times: Orderings = &[("CREATED_AT", "created_at"), ("UPDATED_AT", "updated_at")];
    for (field, id, table, parent) in [
        ("agentId", &agent, "goals", "agent_id"),
        ("goalId", &goal, "plans", "goal_id"),
        ("planId", &plan, "tasks", "plan_id"),
        ("agentId", &agent, "tasks", "agent_id"),
    ] {
        let node_type = if table == "goals" {
            "Goal"
        } else if table == "plans" {
            "Plan"
        } else {
            "Task"
        };
        cases.push((
            List::top(table, node_type),
            json!({ field: id }),
            table,
            Some(parent),
            times,
        ));
    }
    for (list, filter, table, parent, orderings) in &cases {
        for (field, column) in *orderings {
            // Top-level lists walk their tenant's indexes.
            let index = migration::index_name(table, parent.or(Some("tenant")), column);
            for direction in ["ASC", "DESC"] {
                let order = json!({ "field": field, "direction": direction });
                assert_range_scan(&app, list, filter, &order, table, &index).await;
            }
        }
    }
}

/// `taskCounts` reads the tasks of its parents from the index that holds
/// the status beside the parent, at each level.
#[tokio::test]
async fn task_counts_read_an_index_of_parent_and_status() {
    let app = spawn_app().await;
    let agent = app.create_agent("worker").await;
    let goal = app.create_goal(&agent, "goal").await;
    let plan = app.create_plan(&goal, "plan").await;
    app.create_task(&plan, "task").await;
    if is_postgres() {
        fill_postgres(&app, &agent, &goal, &plan).await;
    }
    let cases = [
        ("agent", agent.as_str(), "idx_tasks_agent_status"),
        ("goal", goal.as_str(), "idx_tasks_plan_status"),
        ("plan", plan.as_str(), "idx_tasks_plan_status"),
    ];
    for (field, id, index) in cases {
        app.statements.record();
        let document = format!(
            "query($id: UUID!) {{ a: {field}(id: $id) {{ taskCounts {{ total }} }} \
             b: {field}(id: $id) {{ id }} }}"
        );
        app.gql_ok(&document, json!({ "id": id })).await;
        let counts: Vec<Statement> = app
            .statements
            .take_recorded()
            .into_iter()
            .filter(|s| s.sql.contains("GROUP BY"))
            .collect();
        assert_eq!(counts.len(), 1, "{field}: one counting statement");
        let (scans, _) = plan_of(&app, &counts[0]).await;
        let on_tasks: Vec<&String> = scans.iter().filter(|s| s.contains("tasks")).collect();
        assert!(
            !on_tasks.is_empty(),
            "{field}: no scan of tasks in {scans:?}"
        );
        for scan in on_tasks {
            assert!(
                scan.split_whitespace().any(|word| word == index),
                "{field}: {scan:?} does not read {index}; plan {scans:?}"
            );
        }
    }
}
