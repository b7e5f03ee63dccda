//! Per-object history (issue 29): who made each change and which fields it
//! changed.
//!
//! Each resource row keeps the name of whoever last wrote it (`actor`: the
//! key's name or the token's `sub`, NULL with credentials off or for the
//! server's own writes), set by the very statement that writes it, so a
//! group commit's rows keep each its own caller's. The triggers copy it
//! into the change log with the change. A delete first stamps the deleter
//! on the rows it is about to remove, without moving their version (so the
//! update trigger logs nothing), and the delete trigger copies that.
//!
//! `changed` is a bitmask of the columns an update changed, bit `i` for
//! the `i`-th column of the table's [`TRACKED`] list: the columns clients
//! see as fields, less `version` and `updated_at` (every change sets them)
//! and the ones no field shows (a lease's token). 0 for creates and
//! deletes. The list is this migration's: a later column gets its bit in a
//! later migration, after these.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::m20261202_000001_change_log::{COLUMNS, LOGGED, Logged, UPDATED, values};
use crate::m20261207_000001_work_queue::wakes;
use crate::m20261208_000001_tenants;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

/// Each logged table's columns that `change_log.changed` reports, bit `i`
/// for the `i`-th.
pub const TRACKED: [(&str, &[&str]); 4] = [
    (
        "agents",
        &["did", "name", "status", "configuration", "metadata"],
    ),
    (
        "goals",
        &[
            "agent_id",
            "description",
            "success_criteria",
            "priority",
            "status",
        ],
    ),
    ("plans", &["goal_id", "description", "status"]),
    (
        "tasks",
        &[
            "plan_id",
            "agent_id",
            "description",
            "task_type",
            "status",
            "input_data",
            "output_data",
            "error",
            "started_at",
            "completed_at",
            "priority",
            "run_at",
            "attempts",
            "max_attempts",
            "lease_expires_at",
        ],
    ),
];

const RESOURCES: [&str; 4] = ["agents", "goals", "plans", "tasks"];

/// The `changed` mask of an update from row `old` to row `new`, with the
/// backend's null-safe "differs" (`IS DISTINCT FROM`, `IS NOT`).
fn changed(logged: &Logged, new: &str, old: &str, differs: &str) -> String {
    let columns = TRACKED
        .iter()
        .find(|(table, _)| *table == logged.table)
        .map_or(&[][..], |(_, columns)| *columns);
    let bits: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(bit, column)| {
            format!(
                "CASE WHEN {new}.{column} {differs} {old}.{column} THEN {} ELSE 0 END",
                1_i64 << bit
            )
        })
        .collect();
    if bits.is_empty() {
        "0".to_owned()
    } else {
        bits.join(" + ")
    }
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
            let changed = if event == "UPDATE" {
                changed(logged, "n", "o", "IS DISTINCT FROM")
            } else {
                "0".to_owned()
            };
            sql.push(format!(
                "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN
                   INSERT INTO change_log ({COLUMNS}, wakes, tenant, actor, changed)
                   SELECT {}, {}, n.tenant, n.actor, {changed} FROM {from};
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
            let changed = if event == "UPDATE" {
                changed(logged, "NEW", "OLD", "IS NOT")
            } else {
                "0".to_owned()
            };
            sql.push(format!("DROP TRIGGER IF EXISTS {name}"));
            sql.push(format!(
                "CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} BEGIN
                   INSERT INTO change_log ({COLUMNS}, wakes, tenant, actor, changed)
                   VALUES ({}, {}, {new}.tenant, {new}.actor, {changed});
                 END",
                values(logged, kind, new, old, now),
                wakes(logged, event, new),
            ));
        }
    }
    sql
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        // One column per statement: SQLite adds no more at a time.
        let mut sql = vec![
            "ALTER TABLE change_log ADD COLUMN actor text".to_owned(),
            "ALTER TABLE change_log ADD COLUMN changed integer NOT NULL DEFAULT 0".to_owned(),
        ];
        for table in RESOURCES {
            sql.push(format!("ALTER TABLE {table} ADD COLUMN actor text"));
        }
        sql.extend(match backend {
            DbBackend::Postgres => postgres_triggers(),
            _ => sqlite_triggers(),
        });
        for statement in sql {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        // The triggers as the tenants migration left them, then the columns.
        let mut sql = match backend {
            DbBackend::Postgres => m20261208_000001_tenants::postgres_triggers(),
            _ => m20261208_000001_tenants::sqlite_triggers(),
        };
        for table in RESOURCES {
            sql.push(format!("ALTER TABLE {table} DROP COLUMN actor"));
        }
        sql.push("ALTER TABLE change_log DROP COLUMN changed".to_owned());
        sql.push("ALTER TABLE change_log DROP COLUMN actor".to_owned());
        for statement in sql {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_sums_one_bit_per_tracked_column() {
        let plans = &LOGGED[2];
        assert_eq!(
            changed(plans, "n", "o", "IS DISTINCT FROM"),
            "CASE WHEN n.goal_id IS DISTINCT FROM o.goal_id THEN 1 ELSE 0 END + \
             CASE WHEN n.description IS DISTINCT FROM o.description THEN 2 ELSE 0 END + \
             CASE WHEN n.status IS DISTINCT FROM o.status THEN 4 ELSE 0 END"
        );
    }
}
