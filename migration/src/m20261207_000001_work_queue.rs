//! The work queue (issue 27), in one migration: the queue fields and the
//! lease of a task, the edges of its dependencies, the indexes the claim and
//! the lease sweep walk, and two changes to the change log.
//!
//! Existing tasks keep working: priority 50, `run_at` their creation,
//! `attempts` 1 if they ever ran (0 otherwise), `max_attempts` 3, no lease.
//!
//! The change log learns two things. An update that leaves `version` as it
//! was is not a change (a heartbeat only moves a lease's end), so the
//! update triggers skip those rows. And each change says whether it may
//! have made work claimable (`wakes`: a task now PENDING, a plan now
//! ACTIVE), so parked claims wake for those changes only, not for every
//! claim and completion of the others.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::m20261202_000001_change_log::{COLUMNS, LOGGED, Logged, UPDATED, values};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum Tasks {
    Table,
    Id,
    Priority,
    RunAt,
    Attempts,
    MaxAttempts,
    LeaseToken,
    LeaseExpiresAt,
    LeaseSeconds,
    LeaseEndedBy,
    Awaited,
}

#[derive(DeriveIden)]
enum TaskDependencies {
    Table,
    TaskId,
    DependsOnId,
    Position,
}

#[derive(DeriveIden)]
enum ChangeLog {
    Table,
    Wakes,
}

/// Whether a change may have made a task claimable; see the module's note.
pub(crate) fn wakes(logged: &Logged, kind: &str, new: &str) -> String {
    let ready = match logged.table {
        "tasks" => "PENDING",
        "plans" => "ACTIVE",
        _ => return "0".to_owned(),
    };
    if kind == "DELETE" {
        return "0".to_owned();
    }
    format!("CASE WHEN {new}.status = '{ready}' THEN 1 ELSE 0 END")
}

fn postgres_triggers() -> Vec<String> {
    let now = "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint";
    let mut sql = Vec::new();
    for logged in &LOGGED {
        let table = logged.table;
        for (event, kind, from, old) in [
            ("INSERT", 1, "new_rows n", "n"),
            (
                "UPDATE",
                UPDATED,
                "new_rows n JOIN old_rows o ON o.id = n.id WHERE n.version <> o.version",
                "o",
            ),
            ("DELETE", 3, "old_rows n", "n"),
        ] {
            let function = format!("{table}_log_{}", event.to_lowercase());
            sql.push(format!(
                "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN
                   INSERT INTO change_log ({COLUMNS}, wakes) SELECT {}, {} FROM {from};
                   RETURN NULL;
                 END $$",
                values(logged, kind, "n", old, now),
                wakes(logged, event, "n"),
            ));
        }
    }
    sql
}

fn sqlite_triggers() -> Vec<String> {
    let now = "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)";
    let mut sql = Vec::new();
    for logged in &LOGGED {
        let table = logged.table;
        for (event, kind, new, old, when) in [
            ("INSERT", 1, "NEW", "NEW", ""),
            (
                "UPDATE",
                UPDATED,
                "NEW",
                "OLD",
                " WHEN NEW.version <> OLD.version",
            ),
            ("DELETE", 3, "OLD", "OLD", ""),
        ] {
            let name = format!("{table}_log_{}", event.to_lowercase());
            sql.push(format!("DROP TRIGGER IF EXISTS {name}"));
            sql.push(format!(
                "CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} BEGIN
                   INSERT INTO change_log ({COLUMNS}, wakes) VALUES ({}, {});
                 END",
                values(logged, kind, new, old, now),
                wakes(logged, event, new),
            ));
        }
    }
    sql
}

/// One column per statement: SQLite adds no more at a time.
async fn add_column(manager: &SchemaManager<'_>, column: ColumnDef) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(Tasks::Table)
                .add_column(column)
                .to_owned(),
        )
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        add_column(manager, integer(Tasks::Priority).default(50).take()).await?;
        // SQLite adds a NOT NULL column only with a constant default; every
        // row gets its real value just below, and every insert names it.
        add_column(
            manager,
            timestamp_with_time_zone(Tasks::RunAt)
                .default("1970-01-01 00:00:00+00:00")
                .take(),
        )
        .await?;
        add_column(manager, integer(Tasks::Attempts).default(0).take()).await?;
        add_column(manager, integer(Tasks::MaxAttempts).default(3).take()).await?;
        add_column(manager, uuid_null(Tasks::LeaseToken).take()).await?;
        add_column(
            manager,
            timestamp_with_time_zone_null(Tasks::LeaseExpiresAt).take(),
        )
        .await?;
        add_column(manager, integer_null(Tasks::LeaseSeconds).take()).await?;
        add_column(manager, small_integer_null(Tasks::LeaseEndedBy).take()).await?;
        // Whether any task waits for it: completing one that nobody waits
        // for is a single statement, and a new dependency sets it in the
        // row itself, which a concurrent completion then re-reads.
        add_column(manager, boolean(Tasks::Awaited).default(false).take()).await?;
        manager
            .create_table(
                Table::create()
                    .table(TaskDependencies::Table)
                    .col(uuid(TaskDependencies::TaskId))
                    .col(uuid(TaskDependencies::DependsOnId))
                    .col(integer(TaskDependencies::Position))
                    .primary_key(
                        Index::create()
                            .col(TaskDependencies::TaskId)
                            .col(TaskDependencies::DependsOnId),
                    )
                    // A plan's delete takes its tasks and so their edges; a
                    // task others depend on is refused its own delete first.
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_task_dependencies_task")
                            .from(TaskDependencies::Table, TaskDependencies::TaskId)
                            .to(Tasks::Table, Tasks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_task_dependencies_depends_on")
                            .from(TaskDependencies::Table, TaskDependencies::DependsOnId)
                            .to(Tasks::Table, Tasks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The other direction: a task's dependents.
        manager
            .create_index(
                Index::create()
                    .name("idx_task_dependencies_depends_on")
                    .table(TaskDependencies::Table)
                    .col(TaskDependencies::DependsOnId)
                    .col(TaskDependencies::TaskId)
                    .to_owned(),
            )
            .await?;
        // The claim walks the pending tasks in claim order and stops after
        // `limit` takeable ones; the sweep reads the leases that ended.
        db.execute_unprepared(
            "CREATE INDEX idx_tasks_claim ON tasks (priority DESC, run_at, id)
             WHERE status = 'PENDING'",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_tasks_lease ON tasks (lease_expires_at)
             WHERE lease_expires_at IS NOT NULL",
        )
        .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(ChangeLog::Table)
                    .add_column(small_integer(ChangeLog::Wakes).default(0).take())
                    .to_owned(),
            )
            .await?;
        let triggers = match backend {
            DbBackend::Postgres => postgres_triggers(),
            _ => sqlite_triggers(),
        };
        for statement in triggers {
            db.execute_unprepared(&statement).await?;
        }
        // Not a change: the existing rows keep their version, and the
        // triggers just replaced log no update whose version did not move.
        db.execute_unprepared(
            "UPDATE tasks SET run_at = created_at,
               attempts = CASE WHEN started_at IS NOT NULL
                                 OR status IN ('RUNNING', 'COMPLETED', 'FAILED') THEN 1 ELSE 0 END",
        )
        .await?;

        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // Dropping the queue's columns would lose every task's queue state;
        // going back is restoring a backup, as for the change log's data.
        Err(DbErr::Migration(
            "the work queue migration cannot be reverted; restore a backup".to_owned(),
        ))
    }
}
