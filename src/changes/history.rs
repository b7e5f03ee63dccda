//! One object's history: its retained changes, oldest first, each with who
//! made it and which fields it changed (`actor` and `changed`, written by
//! the triggers; migration `m20261209_000002_history`).
//!
//! A page is one range scan of `idx_change_log_object (tenant, object_id,
//! seq)`. Paging by `seq` misses nothing here although PostgreSQL takes
//! `seq` before commit (the gaps the hub waits out): two changes of one
//! object are made under its row lock, so the later one takes its `seq`
//! after the earlier one committed.

use entity::{agent, goal, plan, task};
use migration::TRACKED;
use sea_orm::{ConnectionTrait, QueryResult, Statement};
use uuid::Uuid;

use super::{ChangeKind, Resource};
use crate::auth::Tenant;
use crate::error::{AppError, Result};
use crate::service::store::resource::Resource as Stored;

/// One change of the object.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) seq: i64,
    /// Microseconds since the epoch.
    pub(crate) at: i64,
    pub(crate) kind: ChangeKind,
    pub(crate) version: i32,
    /// The caller's name; `None` with credentials off and for the server's
    /// own changes (an expired lease).
    pub(crate) actor: Option<String>,
    /// The fields the change changed, as the schema spells them, in schema
    /// order; empty for creates and deletes.
    pub(crate) changed_fields: Vec<&'static str>,
}

/// Up to `first` changes of object `id` of `tenant` after `after` (a log
/// position), oldest first, and whether more follow.
pub(crate) async fn page(
    db: &impl ConnectionTrait,
    tenant: &Tenant,
    id: Uuid,
    after: i64,
    first: u64,
) -> Result<(Vec<Entry>, bool)> {
    let backend = db.get_database_backend();
    let p = |n| super::log::placeholder(backend, n);
    let sql = format!(
        "SELECT seq, resource, kind, version, at, actor, changed FROM change_log
         WHERE tenant = {} AND object_id = {} AND seq > {} ORDER BY seq LIMIT {}",
        p(1),
        p(2),
        p(3),
        p(4)
    );
    let limit = i64::try_from(first).unwrap_or(i64::MAX - 1) + 1;
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [
                tenant.as_str().into(),
                id.into(),
                after.into(),
                limit.into(),
            ],
        ))
        .await?;
    let mut entries = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
    let more = entries.len() as u64 > first;
    entries.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    Ok((entries, more))
}

fn decode(row: &QueryResult) -> Result<Entry> {
    let resource: i16 = row.try_get("", "resource")?;
    let kind: i16 = row.try_get("", "kind")?;
    let resource = Resource::from_code(resource)
        .ok_or_else(|| AppError::internal(&format!("unknown resource code {resource}")))?;
    let changed: i32 = row.try_get("", "changed")?;
    Ok(Entry {
        seq: row.try_get("", "seq")?,
        at: row.try_get("", "at")?,
        kind: ChangeKind::from_code(kind)
            .ok_or_else(|| AppError::internal(&format!("unknown change kind {kind}")))?,
        version: row.try_get("", "version")?,
        actor: row.try_get("", "actor")?,
        changed_fields: fields_changed(resource, changed),
    })
}

/// The fields whose bits `changed` holds, by the migration's list of the
/// resource's tracked columns.
fn fields_changed(resource: Resource, changed: i32) -> Vec<&'static str> {
    let (table, field_of): (&str, fn(&str) -> Option<&'static str>) = match resource {
        Resource::Agent => ("agents", agent::Entity::field_of),
        Resource::Goal => ("goals", goal::Entity::field_of),
        Resource::Plan => ("plans", plan::Entity::field_of),
        Resource::Task => ("tasks", task::Entity::field_of),
    };
    let Some((_, columns)) = TRACKED.iter().find(|(name, _)| *name == table) else {
        return Vec::new();
    };
    columns
        .iter()
        .enumerate()
        .filter(|(bit, _)| changed & (1 << bit) != 0)
        .filter_map(|(_, column)| field_of(column))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every tracked column names a field of its type, so no change's
    /// field is ever dropped silently.
    #[test]
    fn every_tracked_column_is_a_field() {
        for resource in Resource::ALL {
            let table = match resource {
                Resource::Agent => "agents",
                Resource::Goal => "goals",
                Resource::Plan => "plans",
                Resource::Task => "tasks",
            };
            let columns = TRACKED
                .iter()
                .find(|(name, _)| *name == table)
                .map_or(0, |(_, columns)| columns.len());
            assert!(columns > 0, "{table} is tracked");
            let all = (1 << columns) - 1;
            assert_eq!(fields_changed(resource, all).len(), columns, "{table}");
        }
        assert_eq!(
            fields_changed(Resource::Task, 0b1_0001_0000_0010),
            ["agentId", "startedAt", "attempts"]
        );
        assert_eq!(fields_changed(Resource::Task, 0), Vec::<&str>::new());
    }
}
