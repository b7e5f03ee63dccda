//! Subscriptions that are the same operation with the same variables share
//! one execution: it runs once per instance and its results, serialized
//! once, go to every subscriber of the group. A thousand agents watching
//! one plan cost one resolution per change, not a thousand.
//!
//! A subscription that may resume (a field of its document is given an
//! `after` argument) runs on its own: its catch-up is its own. A group ends
//! when its last subscriber leaves (its execution is dropped) or when its
//! stream ends (every subscriber completes).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};

use async_graphql::Response;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use super::Engine;
use super::operation::{self, Admitted, Transport};
use super::outcome;
use crate::auth::Caller;
use crate::error::AppError;
use crate::metrics as m;
use crate::telemetry::spans::Operation;

/// A GraphQL response, serialized.
pub(crate) type Payload = Arc<str>;

/// Results a subscriber of a group may fall behind by before it is cut off.
const GROUP_BACKLOG: usize = 256;

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    /// Subscribers of different tenants never share: each sees its own rows.
    tenant: crate::auth::Tenant,
    query: String,
    operation: Option<String>,
    variables: String,
}

#[derive(Clone)]
enum Item {
    Next(Payload),
    End,
}

struct Group {
    id: u64,
    key: Key,
    sender: broadcast::Sender<Item>,
    execution: tokio::task::AbortHandle,
    registry: Weak<SharedSubscriptions>,
}

impl Drop for Group {
    fn drop(&mut self) {
        self.execution.abort();
        if let Some(registry) = self.registry.upgrade() {
            registry.forget(&self.key, self.id);
        }
    }
}

#[derive(Default)]
pub(crate) struct SharedSubscriptions {
    /// By key: the group's id, so it can be told apart without upgrading.
    groups: Mutex<HashMap<Key, (u64, Weak<Group>)>>,
    next_id: AtomicU64,
}

impl SharedSubscriptions {
    /// The results of `admitted` (a subscription) for one subscriber.
    pub(crate) fn join(
        self: &Arc<Self>,
        engine: &Engine,
        admitted: Admitted,
        caller: &Caller,
        transport: Transport,
    ) -> BoxStream<'static, Payload> {
        let gauge = Subscribed::new(transport);
        let delivered = ::metrics::counter!(m::DELIVERED, "transport" => transport.label());
        if !admitted.prepared.may_share {
            let alone = operation::subscribe(engine, admitted, caller);
            let results = driven(Box::pin(alone.map(|response| serialize(&response))));
            return Box::pin(results.map(move |payload| {
                let _ = &gauge;
                delivered.increment(1);
                payload
            }));
        }
        let key = Key {
            tenant: caller.tenant.clone(),
            query: admitted.request.query.clone(),
            operation: admitted.request.operation_name.clone(),
            variables: serde_json::to_string(&admitted.request.variables).unwrap_or_default(),
        };
        let mut groups = self.groups.lock().unwrap_or_else(PoisonError::into_inner);
        // An upgraded group is kept (it becomes this subscriber's), so no
        // group is ever dropped, and so forgotten, under the lock.
        let group = match groups.get(&key).and_then(|(_, group)| group.upgrade()) {
            Some(group) => group,
            None => {
                let group = self.start(engine, admitted, caller, key.clone());
                groups.insert(key, (group.id, Arc::downgrade(&group)));
                group
            }
        };
        drop(groups);
        let receiver = group.sender.subscribe();
        Box::pin(futures_util::stream::unfold(
            (group, receiver, (gauge, delivered), false),
            |(group, mut receiver, gauge, ended)| async move {
                if ended {
                    return None;
                }
                match receiver.recv().await {
                    Ok(Item::Next(payload)) => {
                        gauge.1.increment(1);
                        Some((payload, (group, receiver, gauge, false)))
                    }
                    Ok(Item::End) | Err(RecvError::Closed) => None,
                    Err(RecvError::Lagged(missed)) => {
                        let error = AppError::FellBehind(format!(
                            "this subscription fell {missed} results behind and was stopped; \
                             subscribe again with `after` set to the last cursor received"
                        ));
                        let response = Response::from_errors(vec![
                            crate::graphql::errors::plain_error(error)
                                .into_server_error(Default::default()),
                        ]);
                        Some((serialize(&response), (group, receiver, gauge, true)))
                    }
                }
            },
        ))
    }

    fn start(
        self: &Arc<Self>,
        engine: &Engine,
        admitted: Admitted,
        caller: &Caller,
        key: Key,
    ) -> Arc<Group> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (sender, _) = broadcast::channel(GROUP_BACKLOG);
        let mut results = operation::subscribe(engine, admitted, caller);
        let publish = sender.clone();
        let registry = Arc::downgrade(self);
        let task_key = key.clone();
        let execution = tokio::spawn(async move {
            while let Some(response) = results.next().await {
                let _ = publish.send(Item::Next(serialize(&response)));
            }
            // Nobody new may join a finished group; whoever joined, ends.
            if let Some(registry) = registry.upgrade() {
                registry.forget(&task_key, id);
            }
            let _ = publish.send(Item::End);
        })
        .abort_handle();
        Arc::new(Group {
            id,
            key,
            sender,
            execution,
            registry: Arc::downgrade(self),
        })
    }

    fn forget(&self, key: &Key, id: u64) {
        let mut groups = self.groups.lock().unwrap_or_else(PoisonError::into_inner);
        if groups.get(key).is_some_and(|(current, _)| *current == id) {
            groups.remove(key);
        }
    }
}

/// What a streaming transport (WebSocket, SSE) sends for `admitted`: a
/// subscription's results, or a query's or mutation's one response.
pub(crate) fn results(
    engine: &Engine,
    admitted: Admitted,
    caller: Caller,
    started: std::time::Instant,
    transport: Transport,
    trace: Operation,
) -> BoxStream<'static, Payload> {
    if admitted.is_subscription() {
        // Shared by every subscriber of the same text: no one's trace.
        return engine.shared.join(engine, admitted, &caller, transport);
    }
    let engine = engine.clone();
    let span = trace.span().clone();
    driven(Box::pin(futures_util::stream::once(
        tracing::Instrument::instrument(
            async move {
                let operation = admitted.operation.clone();
                let response = match operation::execute(&engine, admitted, &caller).await {
                    Ok(response) => response,
                    Err(refusal) => {
                        let mut response = Response::from_errors(vec![refusal.to_server_error()]);
                        super::response::stamp_reference(&mut response.errors);
                        response
                    }
                };
                outcome::finished(&response, &caller, &operation, started);
                serialize(&response)
            },
            span,
        ),
    )))
}

/// Results a transport has not yet taken from a [`driven`] stream.
const DRIVEN_BACKLOG: usize = 16;

/// `results`, run in a task of its own that hands them over a channel.
///
/// A transport polls its stream only when it is ready to send: a
/// WebSocket's loop between its other messages, an SSE body when the
/// socket takes more, which a client that stops reading can put off for
/// good. Polled that way, a mutation would hold its transaction (on SQLite
/// the one writer, and with it every write) and a subscription's catch-up
/// its reader connection, for as long as the transport waits (issue 25).
/// In a task, every statement runs to its end whoever reads; a slow reader
/// only leaves results waiting in the channel. Dropping the stream (the
/// client gone) ends the task.
fn driven(mut results: BoxStream<'static, Payload>) -> BoxStream<'static, Payload> {
    let (sender, receiver) = tokio::sync::mpsc::channel(DRIVEN_BACKLOG);
    let task = tokio::spawn(async move {
        while let Some(payload) = results.next().await {
            if sender.send(payload).await.is_err() {
                return;
            }
        }
    });
    let task = AbortOnDrop(task);
    Box::pin(futures_util::stream::unfold(
        (receiver, task),
        |(mut receiver, task)| async move {
            let payload = receiver.recv().await?;
            Some((payload, (receiver, task)))
        },
    ))
}

/// Aborts the task when dropped.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

pub(crate) fn serialize(response: &Response) -> Payload {
    serde_json::to_string(response)
        .unwrap_or_else(|_| r#"{"errors":[{"message":"unserializable response"}]}"#.to_owned())
        .into()
}

/// Counts one subscriber while it lives.
struct Subscribed(::metrics::Gauge);

impl Subscribed {
    fn new(transport: Transport) -> Self {
        let gauge = ::metrics::gauge!(m::SUBSCRIPTIONS, "transport" => transport.label());
        gauge.increment(1.0);
        Self(gauge)
    }
}

impl Drop for Subscribed {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}
