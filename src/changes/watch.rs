//! One subscription: the retained changes after its cursor, if it gave
//! one, then the live ones, filtered, with nothing missed or repeated at
//! the seam between the two.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::db::Connections;
use futures_util::Stream;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use super::hub::Watching;
use super::{Batch, Delivered, Filter, Hub, log};
use crate::error::{AppError, Result};

/// Changes read per statement while catching up.
const CATCH_UP_PAGE: u64 = 200;

struct Watch {
    hub: Arc<Hub>,
    db: Connections,
    filter: Filter,
    receiver: broadcast::Receiver<Arc<Batch>>,
    /// Still to read from the log: after the first, up to the second.
    catching_up: Option<(i64, i64)>,
    pending: VecDeque<Delivered>,
    last_seq: i64,
    last_cursor: Option<String>,
    ended: bool,
    _watching: Watching,
}

/// The changes `filter` matches, after `after` (a log position) or from now.
pub(crate) async fn watch(
    hub: Arc<Hub>,
    db: Connections,
    filter: Filter,
    after: Option<i64>,
) -> Result<impl Stream<Item = Result<Delivered>> + Send + 'static> {
    let watching = hub.watch(filter.resource);
    let (receiver, published) = hub.subscribe().await?;
    let state = Watch {
        hub,
        db,
        filter,
        receiver,
        catching_up: after.filter(|a| *a < published).map(|a| (a, published)),
        pending: VecDeque::new(),
        // Live changes up to here were read from the log, or seen before the cursor.
        last_seq: after.unwrap_or(published).max(published),
        last_cursor: None,
        ended: false,
        _watching: watching,
    };
    Ok(futures_util::stream::unfold(
        state,
        |mut state| async move {
            let next = state.next().await?;
            if let Ok(delivered) = &next {
                state.last_cursor = Some(super::cursor::encode(&delivered.change));
            }
            Some((next, state))
        },
    ))
}

impl Watch {
    async fn next(&mut self) -> Option<Result<Delivered>> {
        loop {
            if self.ended {
                return None;
            }
            if let Some(delivered) = self.pending.pop_front() {
                return Some(Ok(delivered));
            }
            if let Some((after, upto)) = self.catching_up {
                if let Err(err) = self.catch_up(after, upto).await {
                    self.ended = true;
                    return Some(Err(err));
                }
                continue;
            }
            let batch = tokio::select! {
                received = self.receiver.recv() => received,
                () = self.hub.closing() => return None,
            };
            match batch {
                Ok(batch) => self.take(&batch),
                Err(RecvError::Lagged(missed)) => {
                    self.ended = true;
                    return Some(Err(AppError::FellBehind(format!(
                        "this subscription fell {missed} batches of changes behind and was \
                         stopped; subscribe again with `after` set to the last cursor received{}",
                        self.last_cursor
                            .as_deref()
                            .map(|c| format!(" ({c})"))
                            .unwrap_or_default()
                    ))));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }

    async fn catch_up(&mut self, after: i64, upto: i64) -> Result<()> {
        let page = log::matching(&self.db, &self.filter, after, upto, CATCH_UP_PAGE).await?;
        let objects = log::objects(&self.db, &page, |_| true).await?;
        self.catching_up = match page.last() {
            Some(last) if page.len() as u64 == CATCH_UP_PAGE => Some((last.seq, upto)),
            _ => None,
        };
        for change in page {
            let object = objects.get(&(change.resource, change.object_id)).cloned();
            self.pending.push_back(Delivered { change, object });
        }
        Ok(())
    }

    fn take(&mut self, batch: &Batch) {
        for change in &batch.changes {
            if change.seq <= self.last_seq || !self.filter.matches(change) {
                continue;
            }
            self.last_seq = change.seq;
            let object = batch
                .objects
                .get(&(change.resource, change.object_id))
                .cloned();
            self.pending.push_back(Delivered {
                change: change.clone(),
                object,
            });
        }
    }
}
