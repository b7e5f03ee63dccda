//! PostgreSQL read replicas with session consistency (`--replica-url`).
//!
//! Queries read from a replica that is up and fresh; everything else (and
//! a query no replica can serve) reads from the primary. Freshness is
//! measured in time, against the primary's own WAL: a probe every
//! [`PROBE_EVERY`] samples how far the primary has flushed it, then asks
//! each replica how far it has replayed. A replica that has replayed what the
//! primary had written at time `t` holds every commit made before `t`, so
//! its staleness is `now - t` for the latest such sample. Replay paused,
//! the network cut, the replica flooded: the samples move on, the replica
//! does not, and past `--replica-max-lag` it is skipped. An idle primary
//! keeps its position, which the replica then matches: idle is fresh.
//!
//! A write's response carries the primary's position after it, as an
//! opaque token; a read that sends it back is served by a replica only if
//! that one has replayed that far (asked again if the last probe found it
//! short, once for every reader waiting), otherwise by the primary.
//!
//! A replica's failure never fails a read: its statements that fail go to
//! the primary (`Connections`' fallback), it is taken out at once, and the
//! probes put it back when it answers again.

mod position;
mod replica;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sea_orm::{ConnectOptions, DbErr};
use tokio::sync::watch;

pub use position::{Freshness, Position};
pub use replica::Health;

use self::position::AfterWrites;
use self::replica::Replica;
use super::{Connections, Pool, PoolSettings, Resend, StatementCounter};

/// How often the primary's position is sampled and the replicas probed.
pub const PROBE_EVERY: Duration = Duration::from_millis(100);

pub const HEALTHY: &str = "agentgraph_replica_healthy";
pub const LAG: &str = "agentgraph_replica_lag_seconds";
pub const READS: &str = "agentgraph_replica_reads_total";

/// What `/ready` and `/metrics` say of a replica.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaState {
    pub name: String,
    pub healthy: bool,
    /// Seconds behind the primary; `None` when unknown.
    pub lag_seconds: Option<f64>,
    /// How far it has replayed the primary's WAL.
    pub replayed: Option<String>,
}

pub struct Replicas {
    replicas: Vec<Replica>,
    /// The primary's readers, where reads go when no replica will do.
    primary: Connections,
    /// The probes' turn on the primary, outside the statement count.
    primary_probe: Connections,
    max_lag: Duration,
    next: AtomicUsize,
    /// The primary's positions, oldest first, as far back as a lag worth
    /// measuring.
    samples: Mutex<VecDeque<(Instant, Position)>>,
    after_writes: AfterWrites,
}

impl Replicas {
    /// Pools for each replica (opened lazily: a replica down at start is
    /// only out until it answers) and one first probe of each.
    pub async fn connect(
        urls: &[String],
        max_lag: Duration,
        primary: Connections,
        settings: PoolSettings,
        statements: &StatementCounter,
    ) -> Result<Arc<Self>, DbErr> {
        let primary_probe = primary.sibling(1, StatementCounter::default());
        let mut replicas = Vec::with_capacity(urls.len());
        for url in urls {
            let health = Health::new(display_name(url));
            let mut options: ConnectOptions = super::postgres_options(url, settings);
            options
                .connect_lazy(true)
                .min_connections(0)
                // A replica that does not answer is not waited for long:
                // the read goes to the primary. (Statements take turns
                // before the pool, one connection each, so a wait here is
                // for a connection being opened, not for a free one.)
                .connect_timeout(Duration::from_secs(1))
                .acquire_timeout(Duration::from_secs(1));
            let pool = Pool::new(
                super::connect_counted(options, statements).await?,
                "replica",
            )
            .behind_pooler(settings.pooler == super::Pooler::Transaction, statements);
            let reads = Connections::new(
                pool,
                super::POSTGRES_CONNECTIONS as usize,
                true,
                Resend::Lost,
                statements.clone(),
            )
            .pooled(super::pooled_statements(url, settings.pooler));
            // The probes' turn, outside the statement count (tests count
            // the server's own).
            let probe = reads.sibling(1, StatementCounter::default());
            // A statement held longer than the lag bound is worth no more
            // than data older than it: the primary answers it instead.
            let patience = max_lag.max(Duration::from_secs(1));
            let reads = reads.falling_back(primary.clone(), health.clone(), patience);
            replicas.push(Replica::new(health, reads, probe));
        }
        let replicas = Arc::new(Self {
            replicas,
            primary,
            primary_probe,
            max_lag,
            next: AtomicUsize::new(0),
            samples: Mutex::new(VecDeque::new()),
            after_writes: AfterWrites::new(),
        });
        replicas.probe_all().await;
        Ok(replicas)
    }

    /// Where a query reads, given the freshness its request asks for.
    pub async fn for_query(&self, freshness: Freshness) -> Connections {
        let now = Instant::now();
        let count = self.replicas.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let consistency = if freshness == Freshness::Any {
            "none"
        } else {
            "token"
        };
        for offset in 0..count {
            let replica = &self.replicas[(start + offset) % count];
            if !replica.health.is_up() || replica.lag(now).is_none_or(|lag| lag > self.max_lag) {
                continue;
            }
            let serves = match freshness {
                Freshness::Any => true,
                Freshness::Unreadable => false,
                Freshness::AtLeast(wanted) => replica.has_replayed(wanted, || self.samples()).await,
            };
            if serves {
                ::metrics::counter!(READS, "served_by" => "replica", "consistency" => consistency)
                    .increment(1);
                return replica.reads.clone();
            }
        }
        ::metrics::counter!(READS, "served_by" => "primary", "consistency" => consistency)
            .increment(1);
        self.primary.clone()
    }

    /// The token for a response to an operation that wrote: the primary's
    /// position once its writes committed.
    pub async fn after_write(&self) -> Result<Position, DbErr> {
        self.after_writes.position(&self.primary).await
    }

    /// Probes every [`PROBE_EVERY`] until `stop` turns true.
    pub fn spawn_probes(self: &Arc<Self>, mut stop: watch::Receiver<bool>) {
        let replicas = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(PROBE_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = every.tick() => replicas.probe_all().await,
                    () = async {
                        let _ = stop.wait_for(|stop| *stop).await;
                    } => return,
                }
            }
        });
    }

    async fn probe_all(&self) {
        let now = Instant::now();
        match tokio::time::timeout(
            Duration::from_secs(1),
            position::primary_now(&self.primary_probe),
        )
        .await
        {
            Ok(Ok(position)) => {
                let mut samples = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
                samples.push_back((now, position));
                // Kept long enough to measure any lag that matters (3 ×
                // the bound), not longer: past them the lag is "unknown",
                // which is out.
                let keep = (self.max_lag * 3).max(Duration::from_secs(3));
                while samples
                    .front()
                    .is_some_and(|(at, _)| now.duration_since(*at) > keep)
                {
                    samples.pop_front();
                }
            }
            // Without the primary's position no lag is measured: the
            // replicas' freshness ages until it answers again.
            Ok(Err(err)) => tracing::debug!(error = %err, "sampling the primary's WAL position"),
            Err(_) => tracing::debug!("sampling the primary's WAL position timed out"),
        }
        let samples = self.samples();
        for replica in &self.replicas {
            let _ = replica.probe(&samples).await;
        }
        for state in self.states() {
            let name = state.name.clone();
            ::metrics::gauge!(HEALTHY, "replica" => name.clone()).set(if state.healthy {
                1.0
            } else {
                0.0
            });
            if let Some(lag) = state.lag_seconds {
                ::metrics::gauge!(LAG, "replica" => name).set(lag);
            }
        }
    }

    fn samples(&self) -> Vec<(Instant, Position)> {
        let samples = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        samples.iter().copied().collect()
    }

    /// Each replica as the last probe found it.
    pub fn states(&self) -> Vec<ReplicaState> {
        let now = Instant::now();
        self.replicas
            .iter()
            .map(|replica| {
                let found = replica.found();
                ReplicaState {
                    name: replica.health.name.clone(),
                    healthy: replica.health.is_up()
                        && replica.lag(now).is_some_and(|lag| lag <= self.max_lag),
                    lag_seconds: replica.lag(now).map(|lag| lag.as_secs_f64()),
                    replayed: found.map(|found| found.replayed.to_string()),
                }
            })
            .collect()
    }

    /// Closes the replicas' pools and lets the primary's go: the caller
    /// closes that one (its close waits for every connection, the probe's
    /// too).
    pub async fn close(&self) {
        self.primary_probe.let_go();
        for replica in &self.replicas {
            replica.close().await;
        }
    }
}

/// `host:port/database` of a PostgreSQL URL: what logs, `/ready` and
/// metrics call a replica, its credentials left out.
fn display_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, rest)| rest);
    rest.split('?').next().unwrap_or(rest).to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_replica_is_named_without_its_credentials() {
        assert_eq!(
            super::display_name(
                "postgres://reader:s3cret@10.0.0.2:5433/agentgraph?sslmode=require"
            ),
            "10.0.0.2:5433/agentgraph"
        );
        assert_eq!(
            super::display_name("postgres://127.0.0.1:5433/db"),
            "127.0.0.1:5433/db"
        );
    }
}
