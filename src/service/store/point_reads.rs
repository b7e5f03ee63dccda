//! Point reads batched across requests (issue 31): the by-id reads of many
//! requests, of one kind on one reader, share a statement, as group commit
//! shares one among creates. A read is a root field's one row, or a
//! loader's batch of them (the by-id loads inside an operation: a task's
//! plan, its assignee, its dependencies, a federation entity).
//!
//! A read finds the kind's queue idle and goes at once, alone: a lone
//! request waits for nothing. Reads that arrive while a statement of their
//! kind is running queue up, and when it is done they all go as the next
//! one, `… WHERE tenant = $1 AND id IN (…)`, one per tenant among them. No
//! timer, no window: the batch is whatever piled up during the statement
//! before it, so batches grow with the load and vanish without it. Each
//! read gets its own row (or `None`), never another tenant's, and a failed
//! statement fails only the reads that rode in it.
//!
//! The statements run in a task of their own, so a request that leaves
//! (timed out, client gone) leaves the others' statement running and the
//! queue moving.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::oneshot;
use uuid::Uuid;

use super::page;
use super::resource::Resource;
use crate::auth::Tenant;
use crate::db::Connections;
use crate::error::{AppError, Result};

/// `tenant`'s row of kind `E` with this id, read with every other request's
/// reads of the same kind on `reader` that arrive while one is running.
pub(crate) async fn by_id<E: Resource>(
    reader: &Connections,
    tenant: &Tenant,
    id: Uuid,
) -> Result<Option<E::Model>> {
    let (answer, answered) = oneshot::channel();
    enqueue::<E>(reader, tenant, Wanted::One(id, answer));
    answered.await.unwrap_or_else(|_| Err(dropped()))
}

/// `tenant`'s rows of kind `E` with these ids (a loader's batch: the by-id
/// loads inside an operation), read as [`by_id`] reads one.
pub(crate) async fn by_ids<E: Resource>(
    reader: &Connections,
    tenant: &Tenant,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, E::Model>> {
    let (answer, answered) = oneshot::channel();
    enqueue::<E>(reader, tenant, Wanted::Many(ids, answer));
    answered.await.unwrap_or_else(|_| Err(dropped()))
}

fn dropped() -> AppError {
    AppError::internal(&"a batched point read was dropped")
}

/// Queues a read, and runs the kind's statements when none is running.
fn enqueue<E: Resource>(reader: &Connections, tenant: &Tenant, wanted: Wanted<E>) {
    let queue = reader.shared::<Queue<E>>();
    let lead = {
        let mut waiting = queue.lock();
        waiting.reads.push(Read {
            tenant: tenant.clone(),
            wanted,
        });
        !std::mem::replace(&mut waiting.busy, true)
    };
    if lead {
        let drain = drain(queue, reader.clone());
        // Traced, the statements are the lead's: it started them.
        if crate::telemetry::on() {
            let traced = tracing::Instrument::instrument(drain, tracing::Span::current());
            tokio::spawn(crate::db::holds::doing("point reads", traced));
        } else {
            tokio::spawn(crate::db::holds::doing("point reads", drain));
        }
    }
}

/// One kind's reads waiting on one reader.
pub(crate) struct Queue<E: Resource> {
    waiting: Mutex<Waiting<E>>,
}

impl<E: Resource> Default for Queue<E> {
    fn default() -> Self {
        Self {
            waiting: Mutex::new(Waiting {
                busy: false,
                reads: Vec::new(),
            }),
        }
    }
}

impl<E: Resource> Queue<E> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Waiting<E>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct Waiting<E: Resource> {
    /// A task is running this kind's statements.
    busy: bool,
    reads: Vec<Read<E>>,
}

struct Read<E: Resource> {
    tenant: Tenant,
    wanted: Wanted<E>,
}

/// One row (a root field's) or a loader's batch of them.
enum Wanted<E: Resource> {
    One(Uuid, oneshot::Sender<Result<Option<E::Model>>>),
    Many(Vec<Uuid>, oneshot::Sender<Result<HashMap<Uuid, E::Model>>>),
}

impl<E: Resource> Wanted<E> {
    fn ids(&self) -> &[Uuid] {
        match self {
            Wanted::One(id, _) => std::slice::from_ref(id),
            Wanted::Many(ids, _) => ids,
        }
    }

    /// Answers with what of `rows` this read asked for; a reader that left
    /// does not take it.
    fn answer(self, rows: &Result<HashMap<Uuid, E::Model>>) {
        match self {
            Wanted::One(id, answer) => {
                let _ = answer.send(match rows {
                    Ok(rows) => Ok(rows.get(&id).cloned()),
                    Err(err) => Err(err.clone()),
                });
            }
            Wanted::Many(ids, answer) => {
                let _ = answer.send(match rows {
                    Ok(rows) => Ok(ids
                        .iter()
                        .filter_map(|id| rows.get(id).map(|row| (*id, row.clone())))
                        .collect()),
                    Err(err) => Err(err.clone()),
                });
            }
        }
    }

    /// Answers with all of `rows`: this read was the statement's only one.
    fn answer_alone(self, rows: Result<HashMap<Uuid, E::Model>>) {
        match self {
            Wanted::Many(_, answer) => {
                let _ = answer.send(rows);
            }
            one => one.answer(&rows),
        }
    }
}

/// Runs the queue's statements until no read waits.
async fn drain<E: Resource>(queue: Arc<Queue<E>>, reader: Connections) {
    let idle_when_done = IdleWhenDone(&queue);
    loop {
        let reads = {
            let mut waiting = queue.lock();
            if waiting.reads.is_empty() {
                waiting.busy = false;
                break;
            }
            std::mem::take(&mut waiting.reads)
        };
        let mut by_tenant: HashMap<Tenant, Vec<Read<E>>> = HashMap::new();
        for read in reads {
            by_tenant.entry(read.tenant.clone()).or_default().push(read);
        }
        for (tenant, mut reads) in by_tenant {
            let mut ids: Vec<Uuid> = reads
                .iter()
                .flat_map(|read| read.wanted.ids().iter().copied())
                .collect();
            ids.sort_unstable();
            ids.dedup();
            let rows = read_rows::<E>(&reader, &tenant, &ids).await;
            if reads.len() == 1
                && let Some(read) = reads.pop()
            {
                read.wanted.answer_alone(rows);
                continue;
            }
            for read in reads {
                read.wanted.answer(&rows);
            }
        }
    }
    std::mem::forget(idle_when_done);
}

/// The rows of `ids`, at most [`IDS_PER_STATEMENT`] to a statement.
async fn read_rows<E: Resource>(
    reader: &Connections,
    tenant: &Tenant,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, E::Model>> {
    let mut rows = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        rows.extend(page::by_ids::<E>(reader, tenant, chunk).await?);
    }
    Ok(rows)
}

/// Bound values per statement: many requests' loader batches together stay
/// well inside both databases' limits on them.
const IDS_PER_STATEMENT: usize = 1000;

/// Should the task end any other way (a panic), the queue is left idle and
/// the reads waiting fail, so that later reads start a task of their own
/// instead of waiting for this one.
struct IdleWhenDone<'a, E: Resource>(&'a Queue<E>);

impl<E: Resource> Drop for IdleWhenDone<'_, E> {
    fn drop(&mut self) {
        let mut waiting = self.0.lock();
        waiting.busy = false;
        waiting.reads.clear();
    }
}
