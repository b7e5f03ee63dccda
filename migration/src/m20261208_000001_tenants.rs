//! Tenants (issue 28): every row of every table belongs to one.
//!
//! Existing rows go to tenant `default`, where every caller was. A
//! tenant's lists walk indexes that lead with the tenant, so with many
//! tenants in one database a page costs what it costs alone; a child list
//! walks its parent's index as before (the parent is in one tenant). An
//! agent's `did` becomes unique per tenant. Idempotency keys are
//! remembered per tenant and caller. The change log records each change's
//! tenant, copied by the triggers from the row, so no code path can log a
//! change in another tenant than its row's.
//!
//! On PostgreSQL the columns keep no default: an INSERT that forgets the
//! tenant fails instead of landing in `default`. SQLite cannot drop a
//! default; there the statement guard (`src/db/tenant_guard.rs`) refuses
//! such an INSERT before it runs.
//!
//! PostgreSQL also gets row-level security policies, a second wall for
//! every role that does not own the tables: such a role sees and writes
//! only the rows of the tenant its session names in the setting
//! `agentgraph.tenant`, and nothing when it names none. The owner (the
//! role the server migrates and runs as) is not subject to them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::m20261201_000001_ordering_indexes::index_name;
use crate::m20261202_000001_change_log::{COLUMNS, LOGGED, UPDATED, values};
use crate::m20261207_000001_work_queue::wakes;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

/// Tables that gain the column in place (agents is rebuilt on SQLite, the
/// idempotency keys everywhere: their keys change).
const ALTERED: [&str; 6] = [
    "agents",
    "goals",
    "plans",
    "tasks",
    "task_dependencies",
    "change_log",
];

/// The top-level orderings, now per tenant (as in the ordering indexes'
/// migration, without the children's, which lead with their parent).
const TOP_LEVEL: &[(&str, &[&str])] = &[
    ("agents", &["created_at", "updated_at", "name"]),
    ("goals", &["created_at", "updated_at", "priority"]),
    ("plans", &["created_at", "updated_at"]),
    ("tasks", &["created_at", "updated_at"]),
];

/// The child orderings, which lead with their parent; they gain the tenant
/// before it, so that a child page's two equalities (the caller's tenant,
/// the parent) are both index conditions: with them as separate columns
/// PostgreSQL, taking them as independent, estimated one row and ANDed two
/// bitmaps and sorted (an agent's goals at 0.81 of their speed with 100
/// tenants in the database; BENCHMARKS, issue 28).
const CHILDREN: &[(&str, &str, &[&str])] = &[
    (
        "goals",
        "agent_id",
        &["created_at", "updated_at", "priority"],
    ),
    ("plans", "goal_id", &["created_at", "updated_at"]),
    ("tasks", "plan_id", &["created_at", "updated_at"]),
    ("tasks", "agent_id", &["created_at", "updated_at"]),
];

const TENANT_COLUMN: &str = "tenant varchar(64) NOT NULL DEFAULT 'default'";

pub(crate) fn postgres_triggers() -> Vec<String> {
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
                   INSERT INTO change_log ({COLUMNS}, wakes, tenant) SELECT {}, {}, n.tenant FROM {from};
                   RETURN NULL;
                 END $$",
                values(logged, kind, "n", old, now),
                wakes(logged, event, "n"),
            ));
        }
    }
    sql
}

pub(crate) fn sqlite_triggers() -> Vec<String> {
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
                   INSERT INTO change_log ({COLUMNS}, wakes, tenant) VALUES ({}, {}, {new}.tenant);
                 END",
                values(logged, kind, new, old, now),
                wakes(logged, event, new),
            ));
        }
    }
    sql
}

/// SQLite cannot drop the `UNIQUE` of a column: the agents table is made
/// again from its own definition without it (SQLite's documented way,
/// foreign keys off meanwhile, so the goals and tasks pointing at it keep
/// pointing at the new one), with its indexes; the triggers follow below.
async fn rebuild_sqlite_agents(db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'agents'",
        ))
        .await?
        .ok_or_else(|| DbErr::Migration("no agents table".to_owned()))?;
    let create: String = row.try_get("", "sql")?;
    let unique = "\"did\" varchar(400) NOT NULL UNIQUE";
    if !create.contains(unique) {
        return Err(DbErr::Migration(format!(
            "the agents table is not as expected: {create}"
        )));
    }
    let create = create
        .replacen("\"agents\"", "\"agents_with_tenants\"", 1)
        .replacen(unique, "\"did\" varchar(400) NOT NULL", 1);
    let indexes: Vec<String> = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT sql FROM sqlite_master
             WHERE type = 'index' AND tbl_name = 'agents' AND sql IS NOT NULL",
        ))
        .await?
        .iter()
        .map(|row| row.try_get::<String>("", "sql"))
        .collect::<Result<_, _>>()?;
    db.execute_unprepared("PRAGMA foreign_keys = OFF").await?;
    let mut statements = vec![
        "BEGIN".to_owned(),
        create,
        "INSERT INTO agents_with_tenants SELECT * FROM agents".to_owned(),
        "DROP TABLE agents".to_owned(),
        "ALTER TABLE agents_with_tenants RENAME TO agents".to_owned(),
    ];
    statements.extend(indexes);
    statements.push("COMMIT".to_owned());
    let mut result = Ok(());
    for statement in &statements {
        if let Err(err) = db.execute_unprepared(statement).await {
            let _ = db.execute_unprepared("ROLLBACK").await;
            result = Err(err);
            break;
        }
    }
    db.execute_unprepared("PRAGMA foreign_keys = ON").await?;
    result
}

/// The keys now belong to (tenant, caller, key): made again, the kept
/// ones copied into `default`, in their order (SQLite forgets them by
/// rowid, see the by-rowid migration).
fn idempotency_keys(backend: DbBackend) -> Vec<String> {
    let uuid = if backend == DbBackend::Postgres {
        "uuid"
    } else {
        "uuid_text"
    };
    let timestamp = if backend == DbBackend::Postgres {
        "timestamp with time zone"
    } else {
        "timestamp_with_timezone_text"
    };
    let mut sql = vec![
        "ALTER TABLE idempotency_keys RENAME TO idempotency_keys_before_tenants".to_owned(),
        format!(
            "CREATE TABLE idempotency_keys (
               tenant varchar(64) NOT NULL,
               caller varchar(200) NOT NULL,
               key varchar(200) NOT NULL,
               request_hash varchar(100) NOT NULL,
               object_id {uuid} NOT NULL,
               created_at {timestamp} NOT NULL,
               PRIMARY KEY (tenant, caller, key)
             )"
        ),
        "INSERT INTO idempotency_keys
           SELECT 'default', caller, key, request_hash, object_id, created_at
           FROM idempotency_keys_before_tenants ORDER BY created_at"
            .to_owned(),
        "DROP TABLE idempotency_keys_before_tenants".to_owned(),
    ];
    if backend == DbBackend::Postgres {
        sql.push(
            "CREATE INDEX idx_idempotency_keys_created_at_t ON idempotency_keys (created_at)"
                .to_owned(),
        );
    }
    sql
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        if backend == DbBackend::Sqlite {
            rebuild_sqlite_agents(db).await?;
        }
        let mut sql = Vec::new();
        for table in ALTERED {
            sql.push(format!("ALTER TABLE {table} ADD COLUMN {TENANT_COLUMN}"));
        }
        if backend == DbBackend::Postgres {
            sql.push("ALTER TABLE agents DROP CONSTRAINT agents_did_key".to_owned());
            for table in ALTERED {
                sql.push(format!(
                    "ALTER TABLE {table} ALTER COLUMN tenant DROP DEFAULT"
                ));
            }
        }
        sql.push("CREATE UNIQUE INDEX idx_agents_tenant_did ON agents (tenant, did)".to_owned());
        for &(table, sorts) in TOP_LEVEL {
            for sort in sorts {
                sql.push(format!("DROP INDEX {}", index_name(table, None, sort)));
                sql.push(format!(
                    "CREATE INDEX {} ON {table} (tenant, {sort}, id)",
                    index_name(table, Some("tenant"), sort)
                ));
            }
        }
        for &(table, parent, sorts) in CHILDREN {
            for sort in sorts {
                let name = index_name(table, Some(parent), sort);
                // As before, an unassigned task is in no assignee's list.
                let partial = if table == "tasks" && parent == "agent_id" {
                    " WHERE agent_id IS NOT NULL"
                } else {
                    ""
                };
                sql.push(format!("DROP INDEX {name}"));
                sql.push(format!(
                    "CREATE INDEX {name} ON {table} (tenant, {parent}, {sort}, id){partial}"
                ));
            }
        }
        // A claim asks for one tenant's pending work.
        sql.push("DROP INDEX idx_tasks_claim".to_owned());
        sql.push(
            "CREATE INDEX idx_tasks_claim ON tasks (tenant, priority DESC, run_at, id)
             WHERE status = 'PENDING'"
                .to_owned(),
        );
        // Resuming a subscription or reading a history reads one tenant's
        // changes after a position.
        sql.push("CREATE INDEX idx_change_log_tenant_seq ON change_log (tenant, seq)".to_owned());
        // One object's changes: whether a task a lease call names was
        // deleted (its token is stale) or never was (NOT_FOUND), and an
        // object's history.
        sql.push(
            "CREATE INDEX idx_change_log_object ON change_log (tenant, object_id, seq)".to_owned(),
        );
        sql.extend(idempotency_keys(backend));
        if backend == DbBackend::Postgres {
            for table in ALTERED.iter().chain(["idempotency_keys"].iter()) {
                sql.push(format!("ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"));
                sql.push(format!(
                    "CREATE POLICY tenant_wall ON {table}
                     USING (tenant = current_setting('agentgraph.tenant', true))
                     WITH CHECK (tenant = current_setting('agentgraph.tenant', true))"
                ));
            }
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

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the tenants migration cannot be reverted; restore a backup".to_owned(),
        ))
    }
}
