//! One reader of the change log per instance, and the fan-out of what it
//! reads to every subscription on this instance.
//!
//! The reader keeps `last`: every change numbered up to it has been
//! published, or can never appear. On PostgreSQL a number is taken while
//! its transaction runs, so a later number can commit first and leave a
//! gap that fills afterwards. Nothing past a gap is published until the
//! gap is known to be permanent: every transaction that was running when
//! the gap was first seen (and so could own it) has ended. That makes
//! publication order the log's order, per object the order of its versions.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use sea_orm::sqlx::postgres::PgListener;
use tokio::sync::{Notify, broadcast, watch};

use super::snapshot::Snapshot;
use super::{Batch, Change, Resource, log};
use crate::db::Db;
use crate::error::Result;
use crate::metrics as m;

/// Changes read per statement.
const READ_LIMIT: u64 = 256;
/// Batches a subscription may fall behind before it is cut off.
pub(crate) const BACKLOG: usize = 128;
/// How soon to look again at a gap when no notification comes.
const RECHECK_FIRST: Duration = Duration::from_millis(2);
const RECHECK_MAX: Duration = Duration::from_millis(250);

/// A missing change number, and the transactions that may still fill it.
#[derive(Debug)]
struct Gap {
    seq: i64,
    owners: Vec<u64>,
    since: std::time::Instant,
}

#[derive(Debug, Default)]
struct Reader {
    last: i64,
    gap: Option<Gap>,
    /// Nobody listened, so nothing was read: `last` must be found afresh.
    stale: bool,
}

pub(crate) struct Hub {
    db: Db,
    postgres: bool,
    sender: broadcast::Sender<Arc<Batch>>,
    /// Held while reading and sending, so `last` is always the position of
    /// the newest batch sent.
    reader: tokio::sync::Mutex<Reader>,
    wake: Notify,
    /// Asks the notifier to tell the other instances (PostgreSQL).
    pub(super) announce: Notify,
    watching: [AtomicUsize; 4],
    listening: AtomicBool,
    /// Turns true when the server shuts down: subscriptions complete.
    closed: watch::Sender<bool>,
}

impl Hub {
    pub(crate) fn new(db: Db) -> Arc<Self> {
        let postgres = db.backend() == sea_orm::DbBackend::Postgres;
        Arc::new(Self {
            db,
            postgres,
            sender: broadcast::channel(BACKLOG).0,
            reader: tokio::sync::Mutex::new(Reader {
                stale: true,
                ..Reader::default()
            }),
            wake: Notify::new(),
            announce: Notify::new(),
            watching: Default::default(),
            listening: AtomicBool::new(!postgres),
            closed: watch::channel(false).0,
        })
    }

    /// On PostgreSQL, the listening connection, made before the server
    /// serves so that it is ready from the start.
    pub(crate) async fn connect_listener(&self, database_url: &str) -> Result<Option<PgListener>> {
        if !self.postgres {
            return Ok(None);
        }
        let listener = super::listener::connect(database_url)
            .await
            .map_err(|err| crate::error::AppError::unavailable(&err))?;
        self.set_listening(true);
        Ok(Some(listener))
    }

    /// Starts the reader, and on PostgreSQL the listener (from `listener`,
    /// reconnecting to `listen_url`) and the notifier (on `notify_url`,
    /// which may be a transaction-mode pooler's), until `stop` turns true.
    pub(crate) fn start(
        self: &Arc<Self>,
        listen_url: &str,
        notify_url: &str,
        listener: Option<PgListener>,
        stop: watch::Receiver<bool>,
    ) {
        if let Some(listener) = listener {
            super::listener::spawn(
                self.clone(),
                listen_url.to_owned(),
                notify_url.to_owned(),
                listener,
                stop.clone(),
            );
        }
        let hub = self.clone();
        tokio::spawn(crate::db::holds::doing("change hub", async move {
            hub.read_loop(stop).await
        }));
    }

    /// A mutation has ended (committed or not): look, and tell the others.
    pub(crate) fn written(&self) {
        self.wake.notify_one();
        if self.postgres {
            self.announce.notify_one();
        }
    }

    pub(super) fn wake(&self) {
        self.wake.notify_one();
    }

    pub(super) fn set_listening(&self, up: bool) {
        self.listening.store(up, Ordering::Relaxed);
        ::metrics::gauge!(m::LISTENER_UP).set(if up { 1.0 } else { 0.0 });
    }

    /// False while this instance cannot hear the others (`/ready` fails).
    pub(crate) fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Relaxed)
    }

    /// A receiver of every batch published from now on, and the position
    /// before the first of them.
    pub(crate) async fn subscribe(&self) -> Result<(broadcast::Receiver<Arc<Batch>>, i64)> {
        let mut reader = self.reader.lock().await;
        if reader.stale {
            self.resync(&mut reader).await?;
        }
        // No batch can be sent while the reader is held here.
        Ok((self.sender.subscribe(), reader.last))
    }

    /// Completes when the server shuts down.
    pub(crate) async fn closing(&self) {
        let mut closed = self.closed.subscribe();
        let _ = closed.wait_for(|closed| *closed).await;
    }

    /// Counts a subscription to `resource` while the guard lives, so the
    /// reader loads only the kinds of object somebody listens for.
    pub(crate) fn watch(self: &Arc<Self>, resource: Resource) -> Watching {
        self.watching[resource.index()].fetch_add(1, Ordering::Relaxed);
        Watching {
            hub: self.clone(),
            resource,
        }
    }

    async fn read_loop(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        let mut recheck = RECHECK_FIRST;
        loop {
            let gap_open = self.step_until_caught_up().await;
            let wait = if gap_open {
                let wait = recheck;
                recheck = (recheck * 2).min(RECHECK_MAX);
                wait
            } else {
                recheck = RECHECK_FIRST;
                Duration::from_secs(3600)
            };
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(wait), if gap_open => {}
                _ = stop.wait_for(|stopped| *stopped) => {
                    self.closed.send_replace(true);
                    return;
                }
            }
        }
    }

    /// Reads until nothing more can be published; whether a gap holds it up.
    async fn step_until_caught_up(&self) -> bool {
        loop {
            match self.step().await {
                Ok(Step::More) => continue,
                Ok(Step::Done { gap_open }) => return gap_open,
                Err(err) => {
                    tracing::warn!(error = ?err, "reading the change log failed; will retry");
                    tokio::time::sleep(RECHECK_MAX).await;
                    return true;
                }
            }
        }
    }

    async fn step(&self) -> Result<Step> {
        let mut reader = self.reader.lock().await;
        if self.sender.receiver_count() == 0 {
            reader.stale = true;
            return Ok(Step::Done { gap_open: false });
        }
        if reader.stale {
            self.resync(&mut reader).await?;
        }
        let (rows, snapshot) = log::read_after(&self.db.reader, reader.last, READ_LIMIT).await?;
        let full = rows.len() as u64 == READ_LIMIT;
        let mut publish: Vec<Change> = Vec::with_capacity(rows.len());
        let mut expected = reader.last + 1;
        let mut held = false;
        for change in rows {
            if change.seq > expected
                && !self
                    .gap_is_permanent(&mut reader, expected, snapshot.as_ref())
                    .await?
            {
                held = true;
                break;
            }
            expected = change.seq + 1;
            publish.push(change);
        }
        if !held {
            reader.gap = None;
        }
        if let Some(newest) = publish.last() {
            let newest = newest.seq;
            let objects = log::objects(&self.db.reader, &publish, |r| {
                self.watching[r.index()].load(Ordering::Relaxed) > 0
            })
            .await?;
            record_lag(&publish);
            reader.last = newest;
            let batch = Arc::new(Batch {
                changes: publish,
                objects,
            });
            let _ = self.sender.send(batch);
        }
        Ok(if full && !held {
            Step::More
        } else {
            Step::Done { gap_open: held }
        })
    }

    /// Whether the missing number `seq`, seen under `snapshot`, can never
    /// appear. A transaction owning it was running when the gap was first
    /// seen, so once all of those have ended, the gap is final.
    async fn gap_is_permanent(
        &self,
        reader: &mut Reader,
        seq: i64,
        snapshot: Option<&Snapshot>,
    ) -> Result<bool> {
        // SQLite has one writer and numbers in commit order: no gap fills later.
        let Some(snapshot) = snapshot else {
            return Ok(true);
        };
        if let Some(gap) = reader.gap.as_mut().filter(|g| g.seq == seq) {
            gap.owners.retain(|xid| snapshot.still_running(*xid));
            if gap.owners.is_empty() {
                reader.gap = None;
                return Ok(true);
            }
            if gap.since.elapsed() > Duration::from_secs(10) {
                tracing::warn!(
                    seq,
                    waiting_for = ?gap.owners,
                    "changes are held back by transactions open for over 10 s"
                );
                gap.since = std::time::Instant::now();
            }
            return Ok(false);
        }
        let mut owners = snapshot.in_progress.clone();
        if !owners.is_empty() {
            let foreign = log::foreign_transactions(&self.db.reader).await?;
            owners.retain(|xid| !foreign.contains(xid));
        }
        if owners.is_empty() {
            return Ok(true);
        }
        reader.gap = Some(Gap {
            seq,
            owners,
            since: std::time::Instant::now(),
        });
        Ok(false)
    }

    /// Finds where to read from when nothing was read for a while: the
    /// newest change, or the first gap below it that a running transaction
    /// may still fill.
    async fn resync(&self, reader: &mut Reader) -> Result<()> {
        let (newest, recent, snapshot) = log::latest(&self.db.reader).await?;
        reader.last = newest;
        reader.gap = None;
        reader.stale = false;
        if let Some(snapshot) = snapshot {
            let first_gap = recent
                .windows(2)
                .find(|pair| pair[1] != pair[0] + 1)
                .map(|pair| pair[0] + 1);
            if let Some(seq) = first_gap {
                reader.last = seq - 1;
                if self.gap_is_permanent(reader, seq, Some(&snapshot)).await? {
                    reader.last = newest;
                    reader.gap = None;
                }
            }
        }
        Ok(())
    }
}

enum Step {
    More,
    Done { gap_open: bool },
}

fn record_lag(changes: &[Change]) {
    let now = chrono::Utc::now().timestamp_micros();
    let histogram = ::metrics::histogram!(m::DELIVERY_LAG);
    for change in changes {
        histogram.record((now - change.at).max(0) as f64 / 1e6);
    }
}

/// Held by each subscription; see [`Hub::watch`].
pub(crate) struct Watching {
    hub: Arc<Hub>,
    resource: Resource,
}

impl Drop for Watching {
    fn drop(&mut self) {
        self.hub.watching[self.resource.index()].fetch_sub(1, Ordering::Relaxed);
    }
}
