//! The statements that read and prune the change log.

use std::collections::HashMap;
use std::sync::Arc;

use entity::{agent, goal, plan, task};
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};
use uuid::Uuid;

use super::snapshot::Snapshot;
use super::{Change, ChangeKind, Filter, Object, Resource};
use crate::error::{AppError, Result};

const COLUMNS: &str =
    "seq, tenant, resource, kind, object_id, parent_id, agent_id, old_agent_id, version, at, wakes";

use crate::auth::Tenant;
use crate::db::EVERY_TENANT;

pub(super) fn placeholder(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => format!("?{n}"),
    }
}

fn decode(row: &QueryResult) -> Result<Change> {
    let resource: i16 = row.try_get("", "resource")?;
    let kind: i16 = row.try_get("", "kind")?;
    Ok(Change {
        seq: row.try_get("", "seq")?,
        tenant: Tenant::trusted(&row.try_get::<String>("", "tenant")?),
        resource: Resource::from_code(resource)
            .ok_or_else(|| AppError::internal(&format!("unknown resource code {resource}")))?,
        kind: ChangeKind::from_code(kind)
            .ok_or_else(|| AppError::internal(&format!("unknown change kind {kind}")))?,
        object_id: row.try_get("", "object_id")?,
        parent_id: row.try_get("", "parent_id")?,
        agent_id: row.try_get("", "agent_id")?,
        old_agent_id: row.try_get("", "old_agent_id")?,
        version: row.try_get("", "version")?,
        at: row.try_get("", "at")?,
        wakes: row.try_get::<i16>("", "wakes")? != 0,
    })
}

/// The `snapshot` column (`pg_current_snapshot()::text`) of a row.
fn snapshot_of(row: &QueryResult) -> Result<Snapshot> {
    let text: String = row.try_get("", "snapshot")?;
    Snapshot::parse(&text).ok_or_else(|| AppError::internal(&format!("unreadable snapshot {text}")))
}

/// Up to `limit` changes after `seq`, in order, and on PostgreSQL the
/// snapshot they were read under (to tell which gaps may still fill).
pub(crate) async fn read_after(
    db: &impl ConnectionTrait,
    seq: i64,
    limit: u64,
) -> Result<(Vec<Change>, Option<Snapshot>)> {
    let backend = db.get_database_backend();
    let snapshot_column = if backend == DbBackend::Postgres {
        "pg_current_snapshot()::text AS snapshot, "
    } else {
        ""
    };
    let sql = format!(
        "SELECT {snapshot_column}{COLUMNS} FROM change_log
         WHERE {EVERY_TENANT} AND seq > {} ORDER BY seq LIMIT {}",
        placeholder(backend, 1),
        placeholder(backend, 2)
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [seq.into(), (limit as i64).into()],
        ))
        .await?;
    let snapshot = match (backend, rows.first()) {
        (DbBackend::Postgres, Some(row)) => Some(snapshot_of(row)?),
        _ => None,
    };
    let changes = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
    Ok((changes, snapshot))
}

/// The newest change number, with (on PostgreSQL) the snapshot it was read
/// under and the numbers of the changes just below it.
pub(crate) async fn latest(db: &impl ConnectionTrait) -> Result<(i64, Vec<i64>, Option<Snapshot>)> {
    let backend = db.get_database_backend();
    let sql = if backend == DbBackend::Postgres {
        format!(
            "SELECT pg_current_snapshot()::text AS snapshot, coalesce(max(seq), 0) AS seq
             FROM change_log WHERE {EVERY_TENANT}"
        )
    } else {
        format!("SELECT coalesce(max(seq), 0) AS seq FROM change_log WHERE {EVERY_TENANT}")
    };
    let row = db
        .query_one_raw(Statement::from_string(backend, sql))
        .await?
        .ok_or_else(|| AppError::internal(&"max(seq) returned no row"))?;
    let max: i64 = row.try_get("", "seq")?;
    if backend != DbBackend::Postgres {
        return Ok((max, Vec::new(), None));
    }
    let snapshot = snapshot_of(&row)?;
    let recent = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "SELECT seq FROM change_log WHERE {EVERY_TENANT} AND seq > $1 AND seq <= $2
                 ORDER BY seq"
            ),
            [(max - RECENT_WINDOW).into(), max.into()],
        ))
        .await?
        .iter()
        .map(|row| row.try_get::<i64>("", "seq"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((max, recent, Some(snapshot)))
}

/// How far below the newest change a transaction still running at start-up
/// may hold a number that is yet to appear.
const RECENT_WINDOW: i64 = 1000;

/// Transactions in progress in other databases of the cluster: they cannot
/// own a change of this one, so a gap need not wait for them.
pub(crate) async fn foreign_transactions(db: &impl ConnectionTrait) -> Result<Vec<u64>> {
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT backend_xid::text AS xid FROM pg_stat_activity \
             WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database()",
        ))
        .await?;
    Ok(rows
        .iter()
        .filter_map(|row| row.try_get::<String>("", "xid").ok())
        .filter_map(|xid| xid.parse().ok())
        .collect())
}

/// The retained changes after `after` up to `upto` that `filter` matches,
/// at most `limit`, in order.
pub(crate) async fn matching(
    db: &impl ConnectionTrait,
    filter: &Filter,
    after: i64,
    upto: i64,
    limit: u64,
) -> Result<Vec<Change>> {
    let backend = db.get_database_backend();
    let mut values: Vec<Value> = vec![
        after.into(),
        upto.into(),
        (filter.resource as i16).into(),
        filter.tenant.as_str().into(),
    ];
    let mut conditions = vec![
        format!("tenant = {}", placeholder(backend, 4)),
        format!("seq > {}", placeholder(backend, 1)),
        format!("seq <= {}", placeholder(backend, 2)),
        format!("resource = {}", placeholder(backend, 3)),
    ];
    let bind = |values: &mut Vec<Value>, value: Uuid| {
        values.push(value.into());
        placeholder(backend, values.len())
    };
    if let Some(id) = filter.id {
        conditions.push(format!("object_id = {}", bind(&mut values, id)));
    }
    if let Some(parent) = filter.parent_id {
        conditions.push(format!("parent_id = {}", bind(&mut values, parent)));
    }
    if let Some(agent) = filter.agent_id {
        let p = bind(&mut values, agent);
        conditions.push(format!("(agent_id = {p} OR old_agent_id = {p})"));
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM change_log WHERE {} ORDER BY seq LIMIT {limit}",
        conditions.join(" AND ")
    );
    db.query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
        .iter()
        .map(decode)
        .collect()
}

/// Forgets changes made before `cutoff` (µs since the epoch), oldest first,
/// in slices so no one statement holds the log for long. It stops at the
/// first change inside the retention: an expired one after it (seq and
/// `at` disagree by the microseconds between concurrent writers) goes in
/// a later prune.
pub async fn prune(db: &impl ConnectionTrait, cutoff: i64) -> Result<u64> {
    let backend = db.get_database_backend();
    let (p1, p2) = (placeholder(backend, 1), placeholder(backend, 2));
    let mut pruned = 0;
    loop {
        // Both scans walk the log in seq order from its start and stop at
        // the first young change, so the work is the rows about to go. A
        // bare `at < cutoff … LIMIT` would, short of a full slice, read on
        // through every young row to the end of the log.
        let sql = format!(
            "DELETE FROM change_log WHERE {EVERY_TENANT} AND seq IN \
             (SELECT seq FROM change_log WHERE at < {p1} AND seq < COALESCE(\
               (SELECT seq FROM change_log WHERE at >= {p1} ORDER BY seq LIMIT 1), \
               {SEQ_MAX}) \
              ORDER BY seq LIMIT {p2})"
        );
        let deleted = db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [cutoff.into(), PRUNE_SLICE.into()],
            ))
            .await?
            .rows_affected();
        pruned += deleted;
        if deleted < PRUNE_SLICE as u64 {
            return Ok(pruned);
        }
    }
}

const PRUNE_SLICE: i64 = 5000;

/// Past every seq either backend hands out (both are signed 64-bit).
const SEQ_MAX: i64 = i64::MAX;

/// The objects `changes` name as they are now, one statement per kind.
pub(crate) async fn objects(
    db: &impl ConnectionTrait,
    changes: &[Change],
    wanted: impl Fn(Resource) -> bool,
) -> Result<HashMap<(Resource, Uuid), Arc<Object>>> {
    // Each object is read in the tenant of its change (a row never moves).
    let mut ids: HashMap<Resource, (Vec<Uuid>, Vec<Tenant>)> = HashMap::new();
    for change in changes.iter().filter(|c| wanted(c.resource)) {
        if change.kind != ChangeKind::Deleted {
            let (ids, tenants) = ids.entry(change.resource).or_default();
            ids.push(change.object_id);
            if !tenants.contains(&change.tenant) {
                tenants.push(change.tenant.clone());
            }
        }
    }
    let mut objects = HashMap::new();
    for (resource, (ids, tenants)) in ids {
        let found: Vec<(Uuid, Object)> = match resource {
            Resource::Agent => loaded::<agent::Entity>(db, &tenants, &ids, Object::Agent).await?,
            Resource::Goal => loaded::<goal::Entity>(db, &tenants, &ids, Object::Goal).await?,
            Resource::Plan => loaded::<plan::Entity>(db, &tenants, &ids, Object::Plan).await?,
            Resource::Task => loaded::<task::Entity>(db, &tenants, &ids, Object::Task).await?,
        };
        objects.extend(
            found
                .into_iter()
                .map(|(id, o)| ((resource, id), Arc::new(o))),
        );
    }
    Ok(objects)
}

async fn loaded<E: crate::service::store::resource::Resource>(
    db: &impl ConnectionTrait,
    tenants: &[Tenant],
    ids: &[Uuid],
    wrap: fn(E::Model) -> Object,
) -> Result<Vec<(Uuid, Object)>> {
    Ok(
        crate::service::store::page::by_ids_in::<E>(db, tenants, ids)
            .await?
            .into_iter()
            .map(|(id, model)| (id, wrap(model)))
            .collect(),
    )
}
