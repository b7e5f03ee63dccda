//! Point reads batched across requests (issue 31): the by-id reads of many
//! requests, of one kind on one reader, share a statement, as group commit
//! shares one among creates.
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
use std::marker::PhantomData;
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
    let queue = reader.shared::<Queue<E>>();
    let (answer, answered) = oneshot::channel();
    let lead = {
        let mut waiting = queue.lock();
        waiting.reads.push(Read {
            tenant: tenant.clone(),
            id,
            answer,
        });
        !std::mem::replace(&mut waiting.busy, true)
    };
    if lead {
        let reader = reader.clone();
        tokio::spawn(crate::db::holds::doing("point reads", drain(queue, reader)));
    }
    answered
        .await
        .unwrap_or_else(|_| Err(AppError::internal(&"a batched point read was dropped")))
}

/// One kind's reads waiting on one reader.
pub(crate) struct Queue<E: Resource> {
    waiting: Mutex<Waiting<E>>,
    kind: PhantomData<E>,
}

impl<E: Resource> Default for Queue<E> {
    fn default() -> Self {
        Self {
            waiting: Mutex::new(Waiting {
                busy: false,
                reads: Vec::new(),
            }),
            kind: PhantomData,
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
    id: Uuid,
    answer: oneshot::Sender<Result<Option<E::Model>>>,
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
        for (tenant, reads) in by_tenant {
            let mut ids: Vec<Uuid> = reads.iter().map(|read| read.id).collect();
            ids.sort_unstable();
            ids.dedup();
            let rows = page::by_ids::<E>(&reader, &tenant, &ids).await;
            for read in reads {
                let row = match &rows {
                    Ok(rows) => Ok(rows.get(&read.id).cloned()),
                    Err(err) => Err(err.clone()),
                };
                // A reader that left does not take the answer.
                let _ = read.answer.send(row);
            }
        }
    }
    std::mem::forget(idle_when_done);
}

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
