//! PostgreSQL told that a parent has many children, so a child page walks
//! its ordering index however tall that index has grown.
//!
//! A page of many parents' children is a `LATERAL` subquery whose parent is
//! unknown when it is planned, so PostgreSQL estimates each parent's
//! children as the column's average (rows / distinct parents). Where that
//! average is small (plans of two tasks, say), the planner weighs the
//! ordered walk of `(tenant, parent, updated_at, id)` against reading the
//! same parent from `(tenant, parent, created_at, id)` and sorting "two"
//! rows, and the sort costs less than one more level of B-tree to descend.
//! Which index is taller is the data's doing: the `updated_at` indexes
//! take a new entry on every update and grow a level before their
//! `created_at` twins. Then every `UPDATED_AT` page of a parent with
//! 50,000 children reads and sorts all 50,000 (the query-plan test caught
//! it about one run in six, as the trees fell).
//!
//! Fixing each parent column's distinct count at 5% of its rows makes the
//! estimate 20 children a parent, capped by PostgreSQL at the most common
//! parent's share: sorting 20 rows costs more than a few levels of descent,
//! and where even the largest parent has fewer, a page reads them all
//! either way. The server's other statements on these columns (counts by
//! parent, a list filtered by its parent, the queue's assignee) read the
//! same indexes at either estimate; the tests of their plans say so.
//! SQLite keeps no such statistics and assumes large tables already.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

/// (table, parent column) of every child list.
const PARENTS: &[(&str, &str)] = &[
    ("goals", "agent_id"),
    ("plans", "goal_id"),
    ("tasks", "plan_id"),
    ("tasks", "agent_id"),
];

/// Distinct parents as a fraction of the rows: 20 children each.
const DISTINCT_PARENTS: &str = "-0.05";

async fn set(manager: &SchemaManager<'_>, option: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let db = manager.get_connection();
    for &(table, column) in PARENTS {
        db.execute_unprepared(&format!(
            "ALTER TABLE {table} ALTER COLUMN {column} {option}"
        ))
        .await?;
    }
    // The override counts from the next ANALYZE; a deployment's tables
    // should not wait for autovacuum to get there.
    db.execute_unprepared("ANALYZE goals, plans, tasks").await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set(manager, &format!("SET (n_distinct = {DISTINCT_PARENTS})")).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set(manager, "RESET (n_distinct)").await
    }
}
