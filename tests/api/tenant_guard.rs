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
