//! The wall behind the tenant condition: a statement on a tenant's table
//! that does not name the tenant is refused before it reaches the database,
//! so a resolver written without the condition fails at once.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement};

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_statement_without_the_tenant_cannot_be_executed() {
    let app = spawn_app().await;
    app.create_agent("walled").await;
    let backend = app.db.reader.get_database_backend();

    for unscoped in [
        "SELECT id FROM agents",
        "SELECT * FROM tasks WHERE plan_id IS NOT NULL",
        "DELETE FROM goals WHERE priority > 100",
        "UPDATE plans SET description = 'x' WHERE status = 'DRAFT'",
    ] {
        let refused = app
            .db
            .reader
            .query_all_raw(Statement::from_string(backend, unscoped))
            .await;
        let err = refused.expect_err(unscoped).to_string();
        assert!(err.contains("tenant"), "{unscoped}: {err}");
    }
    // The same through the query builder, on a transaction too.
    assert!(
        entity::agent::Entity::find()
            .all(&app.db.reader)
            .await
            .is_err()
    );
    let txn = app.db.writer.begin().await.expect("a transaction");
    assert!(entity::task::Entity::find().all(&txn).await.is_err());
    drop(txn);

    // Named, it runs and sees that tenant's rows only.
    let mine = entity::agent::Entity::find()
        .filter(entity::agent::Column::Tenant.eq("default"))
        .all(&app.db.reader)
        .await
        .expect("a scoped read");
    assert_eq!(mine.len(), 1);
    let theirs = entity::agent::Entity::find()
        .filter(entity::agent::Column::Tenant.eq("someone-else"))
        .all(&app.db.reader)
        .await
        .expect("a scoped read");
    assert!(theirs.is_empty());
}

/// PostgreSQL's second wall: a role that does not own the tables (an
/// analyst's, a dashboard's) sees only the tenant its session names.
#[tokio::test]
async fn on_postgres_a_role_that_does_not_own_the_tables_sees_only_its_tenant() {
    use agentgraph::auth::hash_hex;
    use sea_orm::{Database, DbBackend};

    if !crate::helpers::is_postgres() {
        return;
    }
    let keys = format!(
        "a:write:{}:team-a,b:write:{}:team-b",
        hash_hex("key-a"),
        hash_hex("key-b")
    );
    let app = crate::helpers::spawn_app_with(|config| config.serve.api_keys = Some(keys)).await;
    for (key, name) in [("key-a", "of a"), ("key-a", "also of a"), ("key-b", "of b")] {
        let body = app
            .post_raw()
            .key(key)
            .json(serde_json::json!({
                "query": "mutation($n: String!) { createAgent(input: {name: $n}) { id } }",
                "variables": { "n": name },
            }))
            .send()
            .await
            .json();
        assert!(body["errors"].is_null(), "{body}");
    }
    let role = format!("reader_{}", uuid::Uuid::now_v7().simple());
    let owner = Database::connect(app.database_url.as_str())
        .await
        .expect("connect as the owner");
    for sql in [
        format!("CREATE ROLE {role} LOGIN"),
        format!("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"),
    ] {
        owner.execute_unprepared(&sql).await.expect(&sql);
    }
    let url = app
        .database_url
        .replacen("postgres://postgres@", &format!("postgres://{role}@"), 1);
    let pool = Database::connect(url.as_str())
        .await
        .expect("connect as the reader");
    // One connection for the session setting and the reads.
    let reader = sea_orm::TransactionTrait::begin(&pool)
        .await
        .expect("begin");
    let count = |sql: &'static str| {
        let reader = &reader;
        async move {
            let row = reader
                .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
                .await
                .expect(sql)
                .expect("a row");
            row.try_get_by_index::<i64>(0).expect("a count")
        }
    };
    assert_eq!(
        count("SELECT count(*) FROM agents").await,
        0,
        "no tenant named"
    );
    reader
        .execute_unprepared("SET agentgraph.tenant = 'team-a'")
        .await
        .expect("set");
    assert_eq!(count("SELECT count(*) FROM agents").await, 2);
    assert_eq!(
        count("SELECT count(*) FROM change_log").await,
        2,
        "its changes only"
    );
    reader
        .execute_unprepared("SET agentgraph.tenant = 'team-b'")
        .await
        .expect("set");
    assert_eq!(count("SELECT count(*) FROM agents").await, 1);
    drop(reader);
    pool.close().await.expect("close");
    owner
        .execute_unprepared(&format!(
            "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}; DROP ROLE {role}"
        ))
        .await
        .expect("drop the role");
}
