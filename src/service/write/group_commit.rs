//! Group commit for creates: what the DataLoader does for reads, done for
//! writes across requests.
//!
//! Each resource has a queue and a few writers. A create that finds a
//! writer free and no one queued is written at once, in its own task, as
//! it would be without any of this. One that arrives while every writer is
//! busy queues, and the next free writer takes every create waiting (it
//! never waits for more) and writes them as one statement and one commit.
//! Only creates that arrive together share a commit, which is where the
//! time goes under load: one round trip, one commit and one pass of the
//! change-log trigger for the lot, where each used to pay for its own.
//!
//! Every create still gets its own answer, after the commit that wrote it.
//! A create whose parent is missing or whose key is taken inserts nothing
//! in that statement while the others go in. When the database rejects the
//! statement as a whole (a unique `did` taken, a parent deleted under it),
//! nothing was written, and the writer writes the creates one by one so
//! that only the one at fault fails. An error that leaves the outcome
//! unknown (a connection lost during the commit) is reported to each of
//! them and not retried: a create without a key must not be written twice.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use entity::{agent, goal, plan, task};
use sea_orm::{DbErr, ModelTrait, RuntimeErr};
use tokio::sync::oneshot;
use tracing::Instrument;

use super::batch::{self, Pending};
use crate::db::Connections;
use crate::error::{AppError, Result};
use crate::service::store::resource::Resource;
use crate::telemetry::spans;

/// The most creates one statement carries; each has a dozen or so values,
/// far below either backend's limit on bound parameters.
const MAX_BATCH: usize = 64;

pub const BATCH_ROWS: &str = "agentgraph_create_batch_rows";

/// The create queues of all four resources.
#[derive(Clone)]
pub struct Creates {
    /// The writer pool's connections for single statements.
    writes: Connections,
    agents: Queue<agent::Entity>,
    goals: Queue<goal::Entity>,
    plans: Queue<plan::Entity>,
    tasks: Queue<task::Entity>,
    stats: Arc<Counts>,
}

impl Creates {
    /// Starts `writers` writers per resource, writing through `writes`,
    /// the connections of the writer pool. On SQLite give one writer:
    /// there is one writer connection, and more would only queue on it.
    pub(crate) fn start(writes: Connections, writers: usize) -> Self {
        let stats = Arc::new(Counts::default());
        let writers = writers.max(1);
        Self {
            agents: Queue::start(&writes, writers, &stats),
            goals: Queue::start(&writes, writers, &stats),
            plans: Queue::start(&writes, writers, &stats),
            tasks: Queue::start(&writes, writers, &stats),
            writes,
            stats,
        }
    }

    /// The writer pool, for what a create reads after it is written and
    /// for transactions.
    pub(crate) fn db(&self) -> &crate::db::Pool {
        self.writes.pool()
    }

    /// The writer pool's connections for single statements.
    pub(crate) fn writes(&self) -> &Connections {
        &self.writes
    }

    /// How many statements have written how many creates so far.
    pub fn counts(&self) -> BatchCounts {
        BatchCounts {
            batches: self.stats.batches.load(Ordering::Relaxed),
            creates: self.stats.creates.load(Ordering::Relaxed),
            largest: self.stats.largest.load(Ordering::Relaxed),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchCounts {
    /// Groups written (one statement, or one transaction, each).
    pub batches: u64,
    /// Creates in them.
    pub creates: u64,
    /// The most creates one group held.
    pub largest: u64,
}

#[derive(Default)]
struct Counts {
    batches: AtomicU64,
    creates: AtomicU64,
    largest: AtomicU64,
}

impl Counts {
    fn record(&self, size: usize) {
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.creates.fetch_add(size as u64, Ordering::Relaxed);
        self.largest.fetch_max(size as u64, Ordering::Relaxed);
        metrics::histogram!(BATCH_ROWS).record(size as f64);
    }
}

/// A resource whose creates go through [`Creates`].
pub(crate) trait Queued: Resource
where
    Self::Model: ModelTrait<Entity = Self>,
{
    fn queue(creates: &Creates) -> &Queue<Self>;
}

macro_rules! queued {
    ($($entity:ident => $field:ident),*) => {$(
        impl Queued for $entity::Entity {
            fn queue(creates: &Creates) -> &Queue<Self> {
                &creates.$field
            }
        }
    )*};
}
queued!(agent => agents, goal => goals, plan => plans, task => tasks);

type Outcome<E> = Result<(Pending<E>, bool)>;

struct Job<E: Resource> {
    pending: Pending<E>,
    reply: oneshot::Sender<Outcome<E>>,
    /// The request's span, linked to the group commit's (tracing on).
    traced: Option<opentelemetry::Context>,
}

/// One resource's creates: those waiting, and how many writers are free.
///
/// A create that finds no one waiting and a writer free writes itself, in
/// its own task, as a group of one: under light load nothing is handed to
/// another task and nothing waits. Otherwise it joins the queue, and a
/// writer task (started when one is free) writes what has gathered. A
/// finished writer, whichever kind, starts a writer task for creates that
/// queued while it wrote. One lock guards both, so no create is left
/// waiting with a writer free.
pub(crate) struct Queue<E: Resource> {
    shared: Arc<Shared<E>>,
}

struct Shared<E: Resource> {
    writes: Connections,
    stats: Arc<Counts>,
    state: std::sync::Mutex<State<E>>,
}

/// Who writes a create: the request itself, or a writer it waits for.
enum Turn<E: Resource> {
    Mine(Pending<E>),
    Queued(oneshot::Receiver<Outcome<E>>),
}

struct State<E: Resource> {
    waiting: VecDeque<Job<E>>,
    free_writers: usize,
}

impl<E: Resource> Clone for Queue<E> {
    fn clone(&self) -> Self {
        Self {
            shared: self.shared.clone(),
        }
    }
}

impl<E: Resource> Queue<E>
where
    E::Model: ModelTrait<Entity = E>,
{
    fn start(writes: &Connections, writers: usize, stats: &Arc<Counts>) -> Self {
        Self {
            shared: Arc::new(Shared {
                writes: writes.clone(),
                stats: stats.clone(),
                state: std::sync::Mutex::new(State {
                    waiting: VecDeque::new(),
                    free_writers: writers,
                }),
            }),
        }
    }

    /// Writes `pending` (alone, or with whatever else is queued) and answers
    /// after the commit: the create given back, and whether its row went in.
    pub(crate) async fn write(&self, pending: Pending<E>) -> Outcome<E> {
        let turn = {
            let mut state = self.shared.lock();
            if state.waiting.is_empty() && state.free_writers > 0 {
                state.free_writers -= 1;
                Turn::Mine(pending)
            } else {
                let (reply, answer) = oneshot::channel();
                state.waiting.push_back(Job {
                    pending,
                    reply,
                    traced: spans::current_context(),
                });
                Shared::start_writer(&self.shared, &mut state);
                Turn::Queued(answer)
            }
        };
        match turn {
            Turn::Queued(answer) => answer.await.map_err(|_| stopped())?,
            Turn::Mine(pending) => {
                // Handed back even if this request is dropped mid-write.
                let _writer = Writer(self.shared.clone());
                self.shared.stats.record(1);
                let span = spans::group_commit(E::default().table_name(), 1, std::iter::empty());
                let went_in = batch::write_alone(&self.shared.writes, &pending)
                    .instrument(span)
                    .await?;
                Ok((pending, went_in))
            }
        }
    }
}

impl<E: Resource> Shared<E>
where
    E::Model: ModelTrait<Entity = E>,
{
    fn lock(&self) -> std::sync::MutexGuard<'_, State<E>> {
        // Nothing panics while holding it; a poisoned lock's state is whole.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Takes a free writer for the waiting creates, if both exist.
    fn start_writer(shared: &Arc<Self>, state: &mut State<E>) {
        if !state.waiting.is_empty() && state.free_writers > 0 {
            state.free_writers -= 1;
            let writer = Writer(shared.clone());
            // Only absent while the runtime shuts down, when nothing awaits.
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(crate::db::holds::doing(
                    "group commit",
                    write_queued(writer),
                ));
            } else {
                std::mem::forget(writer);
            }
        }
    }

    /// The next group to write, up to [`MAX_BATCH`] of what is waiting.
    fn next_batch(&self) -> Vec<Job<E>> {
        let mut state = self.lock();
        let take = state.waiting.len().min(MAX_BATCH);
        state.waiting.drain(..take).collect()
    }
}

/// A writer's turn; ending it (by return or by drop) frees the writer and
/// starts another for creates that queued meanwhile.
struct Writer<E: Resource>(Arc<Shared<E>>)
where
    E::Model: ModelTrait<Entity = E>;

impl<E: Resource> Drop for Writer<E>
where
    E::Model: ModelTrait<Entity = E>,
{
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.free_writers += 1;
        Shared::start_writer(&self.0, &mut state);
    }
}

fn stopped() -> AppError {
    AppError::internal(&"the create queue has stopped")
}

async fn write_queued<E: Resource>(writer: Writer<E>)
where
    E::Model: ModelTrait<Entity = E>,
{
    let shared = &writer.0;
    loop {
        let batch = shared.next_batch();
        if batch.is_empty() {
            return;
        }
        shared.stats.record(batch.len());
        let requests = batch.iter().filter_map(|job| job.traced.as_ref());
        let span = spans::group_commit(E::default().table_name(), batch.len(), requests);
        write_batch(&shared.writes, batch).instrument(span).await;
    }
}

async fn write_batch<E: Resource>(db: &Connections, batch: Vec<Job<E>>)
where
    E::Model: ModelTrait<Entity = E>,
{
    let (pending, replies): (Vec<_>, Vec<_>) = batch
        .into_iter()
        .map(|job| (job.pending, job.reply))
        .unzip();
    if pending.len() > 1 {
        match batch::write_together(db, &pending).await {
            Ok(inserted) => {
                for (pending, reply) in pending.into_iter().zip(replies) {
                    let went_in = inserted.contains(&E::id_of(&pending.model));
                    let _ = reply.send(Ok((pending, went_in)));
                }
                return;
            }
            // Rolled back whole: find the one at fault by writing each alone.
            Err(err) if rejected_by_database(&err) => {}
            Err(err) => {
                let err = AppError::from(err);
                for reply in replies {
                    let _ = reply.send(Err(err.clone()));
                }
                return;
            }
        }
    }
    for (pending, reply) in pending.into_iter().zip(replies) {
        let outcome = batch::write_alone(db, &pending).await;
        let _ = reply.send(outcome.map(|went_in| (pending, went_in)));
    }
}

/// Whether the database ran the statement and refused it, so that nothing
/// of it was written (in autocommit, or in a transaction then rolled back).
/// A lost connection is not: its commit may have happened.
fn rejected_by_database(err: &DbErr) -> bool {
    match err {
        DbErr::Exec(RuntimeErr::SqlxError(sqlx)) | DbErr::Query(RuntimeErr::SqlxError(sqlx)) => {
            matches!(**sqlx, sea_orm::SqlxError::Database(_))
        }
        _ => false,
    }
}
