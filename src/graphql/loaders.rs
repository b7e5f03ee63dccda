//! DataLoaders: every relation and nested connection goes through one, so the
//! number of SQL statements a query runs depends on its depth, not on how many
//! rows it returns. One `DataLoader<DbLoader>` is made per request.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::task::AtomicWaker;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use uuid::Uuid;

use super::counting::Counted;
use crate::auth::Tenant;
use crate::db::Connections;
use crate::error::AppError;
use crate::service::queue::dependencies;
use crate::service::store::point_reads;
use crate::service::store::resource::Resource;
use crate::telemetry::spans;

pub(crate) type Loaders = DataLoader<DbLoader>;

/// The loaders of one caller: every batch reads the caller's tenant only,
/// so no batch mixes tenants' rows.
pub(crate) struct DbLoader {
    db: Connections,
    tenant: Tenant,
    /// Task counts read ahead with their parents' pages.
    pub(crate) counted: Counted,
}

impl DbLoader {
    fn new(db: Connections, tenant: Tenant, counted: Counted) -> Self {
        Self {
            db,
            tenant,
            counted,
        }
    }

    /// The reader and tenant a batch of this loader reads with.
    pub(crate) fn scope(&self) -> (Connections, Tenant) {
        (self.db.clone(), self.tenant.clone())
    }

    /// Loaders whose batches run as tasks of their own, for subscriptions:
    /// their events resolve long after any request driver is gone.
    pub(crate) fn spawned(reader: Connections, tenant: Tenant) -> Loaders {
        let spawn = |batch| tokio::spawn(crate::db::holds::doing("subscription", batch));
        DataLoader::new(Self::new(reader, tenant, Counted::none()), spawn)
            .delay(Duration::from_millis(1))
    }

    /// The loaders of one request, and the driver that runs their batches.
    pub(crate) fn per_request(reader: Connections, tenant: Tenant) -> (Loaders, BatchDriver) {
        let driver = BatchDriver::default();
        let queue = driver.queue.clone();
        let waker = driver.waker.clone();
        let spawner = move |task: BoxFuture<'static, ()>| {
            queue
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(task);
            waker.wake();
        };
        let loaders = DataLoader::new(Self::new(reader, tenant, Counted::per_request()), spawner)
            .delay(Duration::ZERO);
        (loaders, driver)
    }
}

/// Runs the loaders' batch tasks inside the request's own task instead of
/// spawning them. A batch then starts only once the request has yielded, so
/// it holds every key that a wave of resolvers asked for, however slowly
/// those resolvers were polled: the number of statements is fixed by the
/// query's shape, not by timing, and no request waits out a batching delay.
#[derive(Default)]
pub(crate) struct BatchDriver {
    queue: Arc<Mutex<Vec<BoxFuture<'static, ()>>>>,
    waker: Arc<AtomicWaker>,
}

impl BatchDriver {
    /// Drives `request` to completion, running batches whenever it waits.
    pub(crate) async fn run<F: Future>(self, request: F) -> F::Output {
        let mut request = std::pin::pin!(request);
        let mut batches = FuturesUnordered::new();
        std::future::poll_fn(move |cx| {
            if let Poll::Ready(output) = request.as_mut().poll(cx) {
                return Poll::Ready(output);
            }
            self.waker.register(cx.waker());
            batches.extend(std::mem::take(
                &mut *self
                    .queue
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
            ));
            // Finished batches hand their rows to the waiting resolvers, which
            // wakes this task to poll the request again.
            while let Poll::Ready(Some(())) = batches.poll_next_unpin(cx) {}
            Poll::Pending
        })
        .await
    }
}

/// Set on a request whose operation selects a single root field.
pub(crate) struct LoneRootField;

/// The object with this id, for a root field. A root field alone in its
/// operation reads its row without the request's loader, which gains it
/// nothing (async-graphql's DataLoader opens every batch with a
/// `futures_timer::Delay`, even of zero, which wakes that crate's timer
/// thread twice and is woken back by it once: about a tenth of a point
/// read's CPU, issue 13), but with the other requests' point reads of its
/// kind ([`point_reads`]): alone at once when none runs, in one statement
/// with those that queued meanwhile when one does. Root fields side by side
/// (aliases) still share one statement through the loader.
pub(crate) async fn root_by_id<E: Resource>(
    ctx: &Context<'_>,
    id: Uuid,
) -> Result<Option<E::Model>, AppError> {
    if ctx.data_opt::<LoneRootField>().is_none() {
        return ctx
            .data_unchecked::<Loaders>()
            .load_one(ById::<E>::new(id))
            .await;
    }
    let reader = super::reader(ctx);
    let tenant = &super::caller(ctx).tenant;
    point_reads::by_id::<E>(reader, tenant, id).await
}

/// The object `id` of kind `E` that a loaded row refers to by a foreign
/// key, through the request's loader.
pub(crate) async fn referenced<E: Resource>(
    ctx: &Context<'_>,
    id: Uuid,
    what: &str,
) -> async_graphql::Result<E::Model> {
    use super::errors::GqlResult as _;
    let found = ctx
        .data_unchecked::<Loaders>()
        .load_one(ById::<E>::new(id))
        .await
        .gql(ctx)?;
    // The foreign key keeps the row in place: its absence is our fault.
    let missing = || AppError::internal(&format!("{what} referenced by a foreign key is missing"));
    found.ok_or_else(missing).gql(ctx)
}

/// One row of `E` by id.
pub(crate) struct ById<E>(pub Uuid, PhantomData<fn() -> E>);

impl<E> ById<E> {
    pub(crate) fn new(id: Uuid) -> Self {
        Self(id, PhantomData)
    }
}

impl<E> Clone for ById<E> {
    fn clone(&self) -> Self {
        Self::new(self.0)
    }
}
impl<E> PartialEq for ById<E> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl<E> Eq for ById<E> {}
impl<E> Hash for ById<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl<E: Resource> Loader<ById<E>> for DbLoader {
    type Value = E::Model;
    type Error = AppError;

    async fn load(&self, keys: &[ById<E>]) -> Result<HashMap<ById<E>, E::Model>, AppError> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let span = spans::loader_batch("load by id", E::default().table_name(), keys.len());
        // With the other requests' point reads of this kind: the statement
        // runs on a task of its own already (so rows streaming in do not
        // wake this request), at once when none of its kind runs.
        let rows = tracing::Instrument::instrument(
            point_reads::by_ids::<E>(&self.db, &self.tenant, ids),
            span,
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, model)| (ById::new(id), model))
            .collect())
    }
}

/// The ids of the tasks a task waits for, in the order given.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct DependsOn(pub(crate) Uuid);

impl Loader<DependsOn> for DbLoader {
    type Value = Arc<Vec<Uuid>>;
    type Error = AppError;

    async fn load(&self, keys: &[DependsOn]) -> Result<HashMap<DependsOn, Self::Value>, AppError> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let (db, tenant) = (self.db.clone(), self.tenant.clone());
        let span = spans::loader_batch("load dependencies", "task_dependencies", keys.len());
        let edges = off_request(span, async move {
            dependencies::depends_on(&db, &tenant, &ids).await
        })
        .await?;
        let mut found: HashMap<DependsOn, Vec<Uuid>> = HashMap::with_capacity(keys.len());
        for (task, depends_on) in edges {
            found.entry(DependsOn(task)).or_default().push(depends_on);
        }
        Ok(found
            .into_iter()
            .map(|(key, ids)| (key, Arc::new(ids)))
            .collect())
    }
}

/// Runs a query on a task of its own. Batches run inside the request's task
/// (see [`BatchDriver`]); without this, every row streaming in from the
/// database would wake, and re-poll, the whole request.
/// `span` is the batch's (its statements' parent when tracing is on).
pub(crate) async fn off_request<T: Send + 'static>(
    span: tracing::Span,
    query: impl Future<Output = Result<T, AppError>> + Send + 'static,
) -> Result<T, AppError> {
    tokio::spawn(tracing::Instrument::instrument(query, span))
        .await
        .map_err(|err| AppError::internal(&err))?
}
