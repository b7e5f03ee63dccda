//! One read replica: its connections, and what the last probe found.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sea_orm::DbErr;

use super::position::{self, Position};
use crate::db::Connections;

/// How long a probe may take before the replica counts as failed.
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

/// What a replica's statements and the probes share: whether it is in.
#[derive(Debug)]
pub struct Health {
    /// As the URL names it, without credentials (`host:port/database`).
    pub name: String,
    up: AtomicBool,
}

impl Health {
    pub(super) fn new(name: String) -> Arc<Self> {
        Arc::new(Self {
            name,
            up: AtomicBool::new(false),
        })
    }

    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Acquire)
    }

    /// Takes the replica out until a probe finds it answering again.
    pub fn failed(&self, why: &dyn std::fmt::Display) {
        if self.up.swap(false, Ordering::AcqRel) {
            tracing::warn!(replica = %self.name, error = %why,
                "replica taken out of reads; reads go to the primary until it answers again");
        }
    }

    fn answered(&self) {
        if !self.up.swap(true, Ordering::AcqRel) {
            tracing::info!(replica = %self.name, "replica answering: reads may go to it");
        }
    }
}

/// How fresh a replica was found by its last probe.
#[derive(Debug, Clone, Copy)]
pub(super) struct Found {
    pub(super) replayed: Position,
    /// The latest moment at which the primary had written nothing the
    /// replica has not replayed; `None`: earlier than any kept sample.
    pub(super) fresh_as_of: Option<Instant>,
}

pub(super) struct Replica {
    pub(super) health: Arc<Health>,
    /// Reads routed here: a statement that fails goes to the primary.
    pub(super) reads: Connections,
    /// The probes' own turn on the replica, outside the statement count.
    probe: Connections,
    found: Mutex<Option<Found>>,
    /// The furthest position ever found replayed: what a token read checks
    /// first, without the lock, and never moved back by a probe answered
    /// out of order.
    replayed: AtomicU64,
    /// When the last probe started, in µs since `epoch`.
    probed_at: AtomicU64,
    epoch: Instant,
    /// One on-demand probe at a time; the others wait for its answer.
    probing: tokio::sync::Mutex<()>,
}

impl Replica {
    pub(super) fn new(health: Arc<Health>, reads: Connections, probe: Connections) -> Self {
        Self {
            health,
            reads,
            probe,
            found: Mutex::new(None),
            replayed: AtomicU64::new(0),
            probed_at: AtomicU64::new(0),
            epoch: Instant::now(),
            probing: tokio::sync::Mutex::new(()),
        }
    }

    pub(super) fn found(&self) -> Option<Found> {
        *self.found.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Staleness at `now`: how long ago the primary last had nothing the
    /// replica lacks; `None` when unknown (never probed, or older than
    /// every kept sample of the primary).
    pub(super) fn lag(&self, now: Instant) -> Option<Duration> {
        self.found()?
            .fresh_as_of
            .map(|fresh| now.saturating_duration_since(fresh))
    }

    pub(super) fn replayed(&self) -> Position {
        Position(self.replayed.load(Ordering::Acquire))
    }

    /// Asks the replica how far it has replayed; `samples` (the primary's
    /// positions over time, oldest first) say how fresh that is.
    pub(super) async fn probe(&self, samples: &[(Instant, Position)]) -> Result<Position, DbErr> {
        let started = Instant::now();
        self.probed_at.store(
            u64::try_from(started.duration_since(self.epoch).as_micros()).unwrap_or(u64::MAX),
            Ordering::Release,
        );
        let replayed = tokio::time::timeout(
            PROBE_TIMEOUT,
            position::read(&self.probe, "SELECT pg_last_wal_replay_lsn()::text AS lsn"),
        )
        .await
        .map_err(|_| DbErr::Custom("the replica did not answer within 1 s".to_owned()))
        .and_then(|read| read);
        let replayed = match replayed {
            Ok(Some(replayed)) => replayed,
            Ok(None) => {
                let err = DbErr::Custom(
                    "not a replica: the server is not in recovery (promoted?)".to_owned(),
                );
                self.health.failed(&err);
                return Err(err);
            }
            Err(err) => {
                self.health.failed(&err);
                return Err(err);
            }
        };
        let fresh_as_of = samples
            .iter()
            .rev()
            .find(|(_, primary)| *primary <= replayed)
            .map(|(at, _)| *at);
        *self.found.lock().unwrap_or_else(PoisonError::into_inner) = Some(Found {
            replayed,
            fresh_as_of,
        });
        self.replayed.fetch_max(replayed.0, Ordering::AcqRel);
        self.health.answered();
        Ok(replayed)
    }

    /// Whether the replica has replayed `wanted`, asking it again (one
    /// probe for every request that asks meanwhile) when the last probe
    /// found it short.
    pub(super) async fn has_replayed(
        &self,
        wanted: Position,
        samples: impl FnOnce() -> Vec<(Instant, Position)>,
    ) -> bool {
        if self.replayed() >= wanted {
            return true;
        }
        let asked = u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX);
        let _turn = self.probing.lock().await;
        if self.probed_at.load(Ordering::Acquire) < asked {
            let _ = self.probe(&samples()).await;
        }
        self.health.is_up() && self.replayed() >= wanted
    }

    pub(super) async fn close(&self) {
        self.probe.let_go();
        self.reads.close().await;
    }
}
