//! Indexes for every ordering of the contract, top level and under each
//! parent, so each page of each (parent, ordering) pair is a range scan:
//! `(sort column, id)` for a top-level list, `(parent, sort column, id)` for
//! a child list. Each serves its ordering in both directions (scanned
//! backward for DESC) and also the default order of a `filter` on that
//! parent. They replace the `(parent, id)` indexes, which ordered children
//! by id rather than by creation time. Written as SQL because one of them is
//! partial, in the syntax both backends share.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

/// (table, parent column or none, sort columns).
const ORDERINGS: &[(&str, Option<&str>, &[&str])] = &[
    ("agents", None, &["created_at", "updated_at", "name"]),
    ("goals", None, &["created_at", "updated_at", "priority"]),
    (
        "goals",
        Some("agent_id"),
        &["created_at", "updated_at", "priority"],
    ),
    ("plans", None, &["created_at", "updated_at"]),
    ("plans", Some("goal_id"), &["created_at", "updated_at"]),
    ("tasks", None, &["created_at", "updated_at"]),
    ("tasks", Some("plan_id"), &["created_at", "updated_at"]),
    ("tasks", Some("agent_id"), &["created_at", "updated_at"]),
];

const REPLACED: &[(&str, &str)] = &[
    ("goals", "idx_goals_agent_id"),
    ("plans", "idx_plans_goal_id"),
    ("tasks", "idx_tasks_plan_id"),
    ("tasks", "idx_tasks_agent_id"),
];

/// The index of one ordering, named after its columns.
pub fn index_name(table: &str, parent: Option<&str>, sort: &str) -> String {
    match parent {
        Some(parent) => format!("idx_{table}_{parent}_{sort}"),
        None => format!("idx_{table}_{sort}"),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for &(table, parent, sorts) in ORDERINGS {
            for sort in sorts {
                let name = index_name(table, parent, sort);
                let columns = match parent {
                    Some(parent) => format!("{parent}, {sort}, id"),
                    None => format!("{sort}, id"),
                };
                // An unassigned task is in no assignee's list, so the
                // assignee indexes leave those rows out: a task created
                // unassigned writes five index entries, not seven.
                // `agent_id = ?` implies the condition, so both backends
                // still choose these indexes for an assignee's tasks.
                let partial = if parent == Some("agent_id") && table == "tasks" {
                    " WHERE agent_id IS NOT NULL"
                } else {
                    ""
                };
                manager
                    .get_connection()
                    .execute_unprepared(&format!(
                        "CREATE INDEX {name} ON {table} ({columns}){partial}"
                    ))
                    .await?;
            }
        }
        for &(table, name) in REPLACED {
            manager
                .drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for &(table, name) in REPLACED {
            let parent = name.strip_prefix(&format!("idx_{table}_")).unwrap_or(name);
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Alias::new(table))
                        .col(Alias::new(parent))
                        .col(Alias::new("id"))
                        .to_owned(),
                )
                .await?;
        }
        for &(table, parent, sorts) in ORDERINGS {
            for sort in sorts {
                manager
                    .drop_index(
                        Index::drop()
                            .name(index_name(table, parent, sort))
                            .table(Alias::new(table))
                            .to_owned(),
                    )
                    .await?;
            }
        }
        Ok(())
    }
}
