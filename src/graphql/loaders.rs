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
use futures_util::task::AtomicWaker;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::{DatabaseConnection, EntityTrait};
use uuid::Uuid;

use crate::error::AppError;
use crate::service::page::{self, PageRequest, Resource, ResourceFilter};

pub type Loaders = DataLoader<DbLoader>;

pub struct DbLoader {
    db: DatabaseConnection,
}

impl DbLoader {
    /// The loaders of one request, and the driver that runs their batches.
    pub fn per_request(reader: DatabaseConnection) -> (Loaders, BatchDriver) {
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
        let loaders = DataLoader::new(Self { db: reader }, spawner).delay(Duration::ZERO);
        (loaders, driver)
    }
}

/// Starts the loaders' batch tasks only once the request has yielded,
/// instead of at the first key. A batch then holds every key that a wave of
/// resolvers asked for, however slowly those resolvers were polled: the
/// number of statements is fixed by the query's shape, not by timing, and no
/// request waits out a batching delay. The batches run as tasks of their
/// own, so rows streaming in from the database wake them, not the request.
#[derive(Default)]
pub struct BatchDriver {
    queue: Arc<Mutex<Vec<BoxFuture<'static, ()>>>>,
    waker: Arc<AtomicWaker>,
}

impl BatchDriver {
    /// Drives `request` to completion, starting batches whenever it waits.
    pub async fn run<F: Future>(self, request: F) -> F::Output {
        let mut request = std::pin::pin!(request);
        std::future::poll_fn(move |cx| {
            if let Poll::Ready(output) = request.as_mut().poll(cx) {
                return Poll::Ready(output);
            }
            self.waker.register(cx.waker());
            let ready = std::mem::take(
                &mut *self
                    .queue
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
            );
            for batch in ready {
                tokio::spawn(batch);
            }
            Poll::Pending
        })
        .await
    }
}

/// One row of `E` by id.
pub struct ById<E>(pub Uuid, PhantomData<fn() -> E>);

impl<E> ById<E> {
    pub fn new(id: Uuid) -> Self {
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
        let rows = page::by_ids::<E>(&self.db, &ids).await?;
        Ok(rows
            .into_iter()
            .map(|(id, model)| (ById::new(id), model))
            .collect())
    }
}

/// One page of a parent's children; the page holds one extra row when
/// another page follows.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ChildPage<F> {
    pub parent_column: &'static str,
    pub parent: Uuid,
    pub page: PageRequest,
    pub filter: F,
}

impl<F: ResourceFilter> Loader<ChildPage<F>> for DbLoader {
    type Value = Vec<<F::Entity as EntityTrait>::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ChildPage<F>],
    ) -> Result<HashMap<ChildPage<F>, Self::Value>, AppError> {
        // Keys that differ only by parent share one statement.
        let mut groups: HashMap<(&'static str, PageRequest, &F), Vec<Uuid>> = HashMap::new();
        for key in keys {
            groups
                .entry((key.parent_column, key.page, &key.filter))
                .or_default()
                .push(key.parent);
        }
        let mut found = HashMap::with_capacity(keys.len());
        for ((parent_column, page, filter), parents) in groups {
            let mut pages =
                page::child_pages(&self.db, parent_column, &parents, filter, page).await?;
            for parent in parents {
                let rows = pages.remove(&parent).unwrap_or_default();
                let key = ChildPage {
                    parent_column,
                    parent,
                    page,
                    filter: filter.clone(),
                };
                found.insert(key, rows);
            }
        }
        Ok(found)
    }
}

/// How many children of a parent match a filter.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ChildCount<F> {
    pub parent_column: &'static str,
    pub parent: Uuid,
    pub filter: F,
}

impl<F: ResourceFilter> Loader<ChildCount<F>> for DbLoader {
    type Value = u64;
    type Error = AppError;

    async fn load(&self, keys: &[ChildCount<F>]) -> Result<HashMap<ChildCount<F>, u64>, AppError> {
        let mut groups: HashMap<(&'static str, &F), Vec<Uuid>> = HashMap::new();
        for key in keys {
            groups
                .entry((key.parent_column, &key.filter))
                .or_default()
                .push(key.parent);
        }
        let mut found = HashMap::with_capacity(keys.len());
        for ((parent_column, filter), parents) in groups {
            let counts = page::child_counts(&self.db, parent_column, &parents, filter).await?;
            for parent in parents {
                let key = ChildCount {
                    parent_column,
                    parent,
                    filter: filter.clone(),
                };
                found.insert(key, counts.get(&parent).copied().unwrap_or(0));
            }
        }
        Ok(found)
    }
}
