//! The task-count indexes made wider than the child ordering indexes.
//! Issue 29 counted a plan's and an agent's tasks from `(tenant, plan_id,
//! status)` and `(tenant, agent_id, status)`. Being narrower than the
//! ordering indexes `(tenant, parent, created_at, id)`, they could win a
//! child page: PostgreSQL estimates a parent's children from the average,
//! and for "a few" rows reading the smaller index and sorting looked
//! cheaper, which for a plan of 50,000 tasks reads all 50,000 per page (the
//! query-plan test caught it now and then, as the statistics of the moment
//! fell). With the order's columns after the status, a count index is
//! larger than any ordering index and still needs the sort, so it never
//! wins a page; counting reads it as before, index-only.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

/// (index, parent column, partial): an unassigned task is in no assignee's
/// list or count.
const COUNT_INDEXES: &[(&str, &str, &str)] = &[
    ("idx_tasks_plan_status", "plan_id", ""),
    (
        "idx_tasks_agent_status",
        "agent_id",
        " WHERE agent_id IS NOT NULL",
    ),
];

async fn rebuild(manager: &SchemaManager<'_>, columns_after_status: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for &(name, parent, partial) in COUNT_INDEXES {
        db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        db.execute_unprepared(&format!(
            "CREATE INDEX {name} ON tasks (tenant, {parent}, status{columns_after_status}){partial}"
        ))
        .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, ", created_at, id").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, "").await
    }
}
