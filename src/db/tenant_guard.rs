//! The wall behind the tenant condition. Every statement the server sends
//! passes [`check`] before it reaches the database: one that reads or
//! changes rows of a tenant's table without comparing their tenant is
//! refused, so a query written without the condition fails the first time
//! it runs (in its tests) instead of leaking another tenant's rows.
//!
//! The statement builders put the condition in (`store::resource::in_tenant`
//! and `find_in`); this checks that they were used. It reads the text:
//! a `tenant` compared (`=` or `IN`) after the first `WHERE`, or, for an
//! INSERT, a `tenant` column. The few statements that rightly span every
//! tenant (the lease sweep, pruning, the change feed's tail) say so with
//! [`EVERY_TENANT`], which is greppable and reviewed as such.

use sea_orm::DbErr;

/// A condition that is always true and marks its statement as meant for
/// every tenant.
pub const EVERY_TENANT: &str = "/* every tenant */ 1 = 1";
const EVERY_TENANT_MARK: &str = "/* every tenant */";

/// The tables whose rows belong to a tenant.
const TENANT_TABLES: [&str; 7] = [
    "agents",
    "goals",
    "plans",
    "tasks",
    "task_dependencies",
    "change_log",
    "idempotency_keys",
];

/// Refuses `sql` when it touches a tenant's rows without naming the tenant.
pub fn check(sql: &str) -> Result<(), DbErr> {
    if compares_tenant(sql) || !touches_tenant_rows(sql) || sql.contains(EVERY_TENANT_MARK) {
        return Ok(());
    }
    if is_insert(sql) && sql.contains("tenant") {
        return Ok(());
    }
    tracing::error!(sql, "refused a statement without a tenant condition");
    Err(DbErr::Custom(
        "refused: a statement on tenant rows without a tenant condition".to_owned(),
    ))
}

/// `tenant = …` or `tenant IN …` after the first WHERE (so not a column
/// list or an UPDATE's SET).
fn compares_tenant(sql: &str) -> bool {
    let Some(start) = sql.find("WHERE") else {
        return false;
    };
    let rest = &sql[start..];
    rest.match_indices("tenant").any(|(at, word)| {
        let after = rest[at + word.len()..].trim_start_matches('"').trim_start();
        after.starts_with('=') || after.starts_with("IN ") || after.starts_with("IN(")
    })
}

fn touches_tenant_rows(sql: &str) -> bool {
    TENANT_TABLES.iter().any(|table| sql.contains(table))
}

fn is_insert(sql: &str) -> bool {
    let sql = sql.trim_start();
    sql.starts_with("INSERT") || (sql.starts_with("WITH") && sql.contains("INSERT INTO"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::{agent, task};
    use sea_orm::sea_query::{Expr, ExprTrait};
    use sea_orm::{ColumnTrait, DbBackend, EntityTrait, IntoActiveModel, QueryFilter, QueryTrait};

    fn sql(statement: impl QueryTrait) -> String {
        statement.build(DbBackend::Postgres).sql
    }

    #[test]
    fn a_read_without_the_tenant_is_refused_and_with_it_passes() {
        let id = uuid::Uuid::now_v7();
        for refused in [
            sql(agent::Entity::find()),
            sql(agent::Entity::find_by_id(id)),
            sql(task::Entity::find().filter(task::Column::PlanId.eq(id))),
            sql(task::Entity::delete_many().filter(task::Column::Id.eq(id))),
            // Naming the column is not comparing it.
            sql(task::Entity::update_many()
                .col_expr(task::Column::Tenant, Expr::value("b"))
                .filter(task::Column::Id.eq(id))),
            "SELECT tenant, id FROM tasks".to_owned(),
        ] {
            assert!(check(&refused).is_err(), "{refused}");
        }
        for passed in [
            sql(agent::Entity::find().filter(agent::Column::Tenant.eq("a"))),
            sql(task::Entity::delete_many()
                .filter(task::Column::Tenant.eq("a"))
                .filter(task::Column::Id.eq(id))),
            sql(task::Entity::find().filter(Expr::col(task::Column::Tenant).is_in(["a", "b"]))),
            "UPDATE tasks SET status = 'PENDING' WHERE /* every tenant */ 1 = 1".to_owned(),
            "SELECT 1".to_owned(),
            "SELECT version FROM seaql_migrations".to_owned(),
        ] {
            assert!(check(&passed).is_ok(), "{passed}");
        }
    }

    #[test]
    fn an_insert_must_name_the_tenant_column() {
        let model = agent::Model {
            id: uuid::Uuid::now_v7(),
            tenant: "a".into(),
            did: "d".into(),
            name: "n".into(),
            status: entity::status::AgentStatus::Active,
            configuration: serde_json::json!({}),
            metadata: serde_json::json!({}),
            version: 1,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        };
        let insert = sql(agent::Entity::insert(model.into_active_model()));
        assert!(check(&insert).is_ok(), "{insert}");
        assert!(check("INSERT INTO agents (id, name) VALUES ($1, $2)").is_err());
    }
}
