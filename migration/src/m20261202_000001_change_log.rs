//! The change log behind subscriptions: one row per created, updated or
//! deleted object, written by triggers, so a change exists exactly when the
//! statement that made it commits, whichever code path wrote the row
//! (single creates, trees, cascades, the unassignment of an agent's tasks).
//!
//! `seq` orders the log. On PostgreSQL it is taken while the writing
//! transaction runs, so it is not commit order; the reader (`src/changes`)
//! handles the gaps that leaves. Times are microseconds since the epoch.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

/// A resource table, its code in `change_log.resource`, the column naming
/// its parent, and whether it has an assignee (`agent_id`).
pub(crate) struct Logged {
    pub(crate) table: &'static str,
    resource: i16,
    parent: Option<&'static str>,
    assignee: bool,
}

pub(crate) const LOGGED: [Logged; 4] = [
    Logged {
        table: "agents",
        resource: 1,
        parent: None,
        assignee: false,
    },
    Logged {
        table: "goals",
        resource: 2,
        parent: Some("agent_id"),
        assignee: false,
    },
    Logged {
        table: "plans",
        resource: 3,
        parent: Some("goal_id"),
        assignee: false,
    },
    Logged {
        table: "tasks",
        resource: 4,
        parent: Some("plan_id"),
        assignee: true,
    },
];

const CREATED: i16 = 1;
pub(crate) const UPDATED: i16 = 2;
const DELETED: i16 = 3;

/// The row values of one change, from the row alias `new` (after) and `old`
/// (before; the same as `new` for inserts and deletes).
pub(crate) fn values(logged: &Logged, kind: i16, new: &str, old: &str, now: &str) -> String {
    let parent = logged
        .parent
        .map_or_else(|| "NULL".to_owned(), |column| format!("{new}.{column}"));
    let (agent, old_agent) = if logged.assignee {
        (format!("{new}.agent_id"), format!("{old}.agent_id"))
    } else {
        ("NULL".to_owned(), "NULL".to_owned())
    };
    format!(
        "{resource}, {kind}, {new}.id, {parent}, {agent}, {old_agent}, {new}.version, {now}",
        resource = logged.resource
    )
}

pub(crate) const COLUMNS: &str =
    "resource, kind, object_id, parent_id, agent_id, old_agent_id, version, at";

fn postgres_up() -> Vec<String> {
    let mut sql = vec![
        "CREATE TABLE change_log (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            resource smallint NOT NULL,
            kind smallint NOT NULL,
            object_id uuid NOT NULL,
            parent_id uuid,
            agent_id uuid,
            old_agent_id uuid,
            version integer NOT NULL,
            at bigint NOT NULL
        )"
        .to_owned(),
    ];
    let now = "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint";
    // Statement-level triggers with transition tables: one INSERT … SELECT
    // per statement, however many rows it touched (trees, cascades).
    for logged in &LOGGED {
        let table = logged.table;
        for (event, kind, from) in [
            ("INSERT", CREATED, "new_rows n"),
            (
                "UPDATE",
                UPDATED,
                "new_rows n JOIN old_rows o ON o.id = n.id",
            ),
            ("DELETE", DELETED, "old_rows n"),
        ] {
            let old = if event == "UPDATE" { "o" } else { "n" };
            let function = format!("{table}_log_{}", event.to_lowercase());
            sql.push(format!(
                "CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN
                   INSERT INTO change_log ({COLUMNS}) SELECT {} FROM {from};
                   RETURN NULL;
                 END $$",
                values(logged, kind, "n", old, now)
            ));
            let referencing = match event {
                "INSERT" => "NEW TABLE AS new_rows",
                "UPDATE" => "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                _ => "OLD TABLE AS old_rows",
            };
            sql.push(format!(
                "CREATE TRIGGER {function} AFTER {event} ON {table} REFERENCING {referencing}
                 FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            ));
        }
    }
    sql
}

fn sqlite_up() -> Vec<String> {
    // AUTOINCREMENT: a seq is never reused, even after pruning empties the table.
    let mut sql = vec![
        "CREATE TABLE change_log (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            resource INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            object_id uuid_text NOT NULL,
            parent_id uuid_text,
            agent_id uuid_text,
            old_agent_id uuid_text,
            version INTEGER NOT NULL,
            at INTEGER NOT NULL
        )"
        .to_owned(),
    ];
    let now = "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)";
    for logged in &LOGGED {
        let table = logged.table;
        for (event, kind, new, old) in [
            ("INSERT", CREATED, "NEW", "NEW"),
            ("UPDATE", UPDATED, "NEW", "OLD"),
            ("DELETE", DELETED, "OLD", "OLD"),
        ] {
            sql.push(format!(
                "CREATE TRIGGER {table}_log_{} AFTER {event} ON {table} FOR EACH ROW BEGIN
                   INSERT INTO change_log ({COLUMNS}) VALUES ({});
                 END",
                event.to_lowercase(),
                values(logged, kind, new, old, now)
            ));
        }
    }
    sql
}

fn down(backend: DbBackend) -> Vec<String> {
    let mut sql = Vec::new();
    for logged in &LOGGED {
        for event in ["insert", "update", "delete"] {
            let name = format!("{}_log_{event}", logged.table);
            if backend == DbBackend::Postgres {
                sql.push(format!("DROP TRIGGER IF EXISTS {name} ON {}", logged.table));
                sql.push(format!("DROP FUNCTION IF EXISTS {name}()"));
            } else {
                sql.push(format!("DROP TRIGGER IF EXISTS {name}"));
            }
        }
    }
    sql.push("DROP TABLE IF EXISTS change_log".to_owned());
    sql
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements = match db.get_database_backend() {
            DbBackend::Postgres => postgres_up(),
            _ => sqlite_up(),
        };
        for statement in statements {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for statement in down(db.get_database_backend()) {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }
}
