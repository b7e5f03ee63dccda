//! Task counts (issue 29): a plan's and an agent's tasks by status are read
//! from an index that holds the status beside the parent, so counting a
//! page of parents' tasks touches no table rows (PostgreSQL: an index-only
//! scan once the table is vacuumed) and needs no sort to group them; a
//! tenant's tasks by status, for `taskStats`, likewise.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE INDEX idx_tasks_plan_status ON tasks (tenant, plan_id, status)",
        )
        .await?;
        // As the assignee's ordering indexes: an unassigned task is in no
        // agent's counts.
        db.execute_unprepared(
            "CREATE INDEX idx_tasks_agent_status ON tasks (tenant, agent_id, status)
             WHERE agent_id IS NOT NULL",
        )
        .await?;
        // taskStats over a whole tenant: grouped by status (and the oldest
        // creation), an index-only scan of 50,000 tasks in 6.5 ms where the
        // table's sequential scan took 15 (BENCHMARKS, issue 29).
        db.execute_unprepared(
            "CREATE INDEX idx_tasks_tenant_status ON tasks (tenant, status, created_at)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS idx_tasks_tenant_status")
            .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS idx_tasks_agent_status")
            .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS idx_tasks_plan_status")
            .await?;
        Ok(())
    }
}
