//! Connects, migrates and builds the one `Router` that both `main` and the
//! tests serve.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::ValidationMode;
use migration::{Migrator, MigratorTrait};
use tokio::net::TcpListener;

use crate::auth::Authenticator;
use crate::changes::Hub;
use crate::changes::waiters::Waiters;
use crate::config::ServeConfig;
pub use crate::db::StatementCounter;
use crate::db::{Db, PoolSettings};
use crate::engine::{DocumentCache, Engine, PersistedDocuments, RequestLimits};
use crate::graphql::queue::Queue;
use crate::graphql::subscription::ChangeRetention;
use crate::graphql::{SchemaLimits, build_schema};
use crate::http;
use crate::http::{AppState, SocketLimits};
use crate::service::queue::Backoff;
use crate::service::write::group_commit::Creates;

/// Distinct documents kept parsed; clients typically send a few dozen.
const DOCUMENT_CACHE_ENTRIES: usize = 1024;

pub struct Application {
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    state: AppState,
    config: ServeConfig,
    stop: tokio::sync::watch::Sender<bool>,
    change_listener: Option<sea_orm::sqlx::postgres::PgListener>,
    creates: Creates,
    first_pass: crate::housekeeping::FirstPass,
    first_passes_over: Option<tokio::sync::mpsc::Receiver<()>>,
}

impl Application {
    /// Loads keys, connects to the database, applies pending migrations and
    /// binds the listening sockets (port 0 picks a free one).
    pub async fn build(config: &ServeConfig) -> anyhow::Result<Self> {
        let serve = &config.serve;
        if serve.otlp_endpoint.is_some() {
            // `main` has done this already; a server built otherwise (the
            // tests) starts its exporter here.
            crate::telemetry::init(crate::config::LogFormat::Text, Some(serve))?;
        }
        config.check_pooler()?;
        config.check_replicas()?;
        let auth = Authenticator::new(&serve.auth_options())?;
        if auth.is_off() {
            if !serve.listen.ip().is_loopback() && !serve.insecure_no_auth {
                anyhow::bail!(
                    "refusing to serve {} without credentials: configure --api-keys-file \
                     (see `agentgraph keygen`), --jwt-secret-file or --jwks-file, or pass \
                     --insecure-no-auth",
                    serve.listen
                );
            }
            tracing::warn!("no API keys or JWT keys configured: authentication is off");
        } else {
            match auth.key_count() {
                Some(0) => tracing::warn!(
                    "the API keys file holds no keys yet: every API key is refused until it does"
                ),
                Some(keys) => tracing::info!(keys, "API keys loaded"),
                None => {}
            }
            if auth.takes_tokens() {
                tracing::info!("JWT bearer tokens accepted");
            }
        }
        let trusted = match &serve.persisted_documents {
            Some(path) => PersistedDocuments::load_manifest(path)?,
            None => Default::default(),
        };
        let persisted = PersistedDocuments::new(
            trusted,
            serve.only_persisted_documents,
            serve.max_registered_documents,
        );
        if serve.persisted_documents.is_some() {
            tracing::info!(
                documents = persisted.trusted_len(),
                only_trusted = persisted.only_trusted(),
                "persisted documents loaded"
            );
        }
        let db = connect_and_migrate_over(
            &config.database_url,
            config.direct_database_url(),
            serve.pool_settings(),
        )
        .await?
        .with_replicas(
            &serve.replica_urls,
            serve.replica_max_lag,
            serve.pool_settings(),
        )
        .await?;
        let hub = Hub::new(db.clone());
        // LISTEN is bound to its session: it goes to PostgreSQL directly.
        let change_listener = hub.connect_listener(config.direct_database_url()).await?;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let writers = if db.backend() == sea_orm::DbBackend::Sqlite {
            1
        } else {
            serve.write_concurrency as usize
        };
        let creates = Creates::start(db.writes.clone(), writers);
        let queue = Queue {
            backoff: Backoff {
                base: serve.retry_backoff,
                max: serve.retry_backoff_max,
            },
            waiters: Waiters::start(hub.clone(), stopped.clone()),
        };
        let schema_with = |validation| {
            build_schema(
                db.clone(),
                creates.clone(),
                hub.clone(),
                ChangeRetention(serve.change_retention),
                queue.clone(),
                SchemaLimits {
                    max_depth: serve.max_depth,
                    max_complexity: serve.max_complexity,
                    introspection: !serve.no_introspection,
                },
                validation,
                serve.federation,
            )
        };
        let schema = schema_with(ValidationMode::Strict);
        let validated_schema = schema_with(ValidationMode::Fast);
        let listener = TcpListener::bind(serve.listen).await?;
        let metrics_listener = match serve.metrics_listen {
            Some(address) => Some(TcpListener::bind(address).await?),
            None => None,
        };
        let engine = Engine {
            db,
            schema,
            validated_schema,
            limits: Arc::new(RequestLimits {
                max_fields: serve.max_fields,
                max_root_fields: serve.max_root_fields,
                timeout: serve.request_timeout(),
                introspection: !serve.no_introspection,
            }),
            documents: Arc::new(DocumentCache::new(DOCUMENT_CACHE_ENTRIES)),
            persisted: Arc::new(persisted),
            executions: Arc::new(tokio::sync::Semaphore::new(
                usize::try_from(serve.max_concurrent_operations).unwrap_or(1),
            )),
            hub,
            shared: Arc::default(),
        };
        let state = AppState {
            engine,
            auth: Arc::new(auth),
            metrics: crate::metrics::handle(),
            sockets: Arc::new(SocketLimits {
                max_operations: usize::try_from(serve.max_subscriptions_per_connection)
                    .unwrap_or(1),
                init_timeout: serve.connection_init_timeout,
                closing: stopped,
            }),
        };
        let (first_pass, first_passes_over) = crate::housekeeping::first_passes();
        Ok(Self {
            listener,
            metrics_listener,
            state,
            config: config.clone(),
            stop,
            change_listener,
            creates,
            first_pass,
            first_passes_over: Some(first_passes_over),
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn port(&self) -> u16 {
        self.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|l| l.local_addr().ok())
    }

    /// Resolves once the housekeeping a server runs at start (pruning, the
    /// lease sweep) is over, after [`Self::run_with_shutdown`] begins; tests
    /// that count statements wait for it. Only the first call hears it.
    pub fn housekeeping_started(&mut self) -> impl Future<Output = ()> + Send + 'static {
        let over = self.first_passes_over.take();
        async move {
            if let Some(mut over) = over {
                // Nothing is ever sent: the end comes when every holder lets go.
                while over.recv().await.is_some() {}
            }
        }
    }

    /// The count of SQL statements this server has run.
    pub fn statement_counter(&self) -> StatementCounter {
        self.state.engine.db.statements.clone()
    }

    /// The database this server uses (tests use it to break things on purpose).
    pub fn db(&self) -> Db {
        self.state.engine.db.clone()
    }

    /// The create queues (tests read how creates were grouped).
    pub fn creates(&self) -> Creates {
        self.creates.clone()
    }

    /// The operation slots (tests take them all to make the server busy).
    pub fn executions(&self) -> Arc<tokio::sync::Semaphore> {
        self.state.engine.executions.clone()
    }

    /// Serves until `shutdown` completes, then stops accepting, gives requests
    /// in flight up to the drain timeout to finish, and closes the pools
    /// within [`CLOSE_GRACE`]. Whatever still runs or holds a connection
    /// then is abandoned (and logged): the outcome says whether anything was.
    pub async fn run_with_shutdown(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<Stopped> {
        let serve = &self.config.serve;
        let drain = serve.drain_timeout();
        let db = self.state.engine.db.clone();
        let router = http::router(
            self.state.clone(),
            serve.max_body_bytes,
            &serve.cors_origins,
            self.metrics_listener.is_none(),
        );
        let stop_tx = self.stop;
        let stop_rx = stop_tx.subscribe();
        let mut background = tokio::task::JoinSet::new();
        self.state.engine.hub.start(
            self.config.direct_database_url(),
            &self.config.database_url,
            self.change_listener,
            stop_rx.clone(),
        );
        if let Some(replicas) = &self.state.engine.db.replicas {
            replicas.spawn_probes(stop_rx.clone());
        }
        crate::housekeeping::spawn_pruning(
            self.state.engine.db.clone(),
            serve.idempotency_retention,
            serve.change_retention,
            self.first_pass.clone(),
            stop_rx.clone(),
        );
        crate::housekeeping::spawn_lease_sweep(
            self.state.engine.db.clone(),
            self.state.engine.hub.clone(),
            serve.lease_sweep_interval,
            self.first_pass,
            stop_rx.clone(),
        );
        crate::housekeeping::spawn_hold_watch(
            self.state.engine.db.clone(),
            (serve.request_timeout() * 2).max(Duration::from_secs(60)),
            stop_rx.clone(),
        );
        if let Some(handle) = self.state.metrics.clone() {
            crate::metrics::spawn_upkeep(handle, stop_rx.clone());
        }
        self.state.auth.spawn_watchers(&stop_rx);
        if let Some(listener) = self.metrics_listener {
            let mut stop = stop_rx.clone();
            let metrics = http::metrics_router(self.state.clone());
            background.spawn(async move {
                let _ = axum::serve(listener, metrics)
                    .with_graceful_shutdown(async move {
                        let _ = stop.wait_for(|s| *s).await;
                    })
                    .await;
            });
        }
        let mut stopped = stop_rx;
        let server = axum::serve(self.listener, router).with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!(
                drain_secs = drain.as_secs(),
                "shutting down: draining requests in flight"
            );
            let _ = stop_tx.send(true);
        });
        let deadline = async move {
            let _ = stopped.wait_for(|s| *s).await;
            tokio::time::sleep(drain).await;
        };
        let mut outcome = Stopped::Clean;
        let served = tokio::select! {
            served = server => served,
            () = deadline => {
                tracing::warn!("drain timeout passed with requests still in flight; abandoning them");
                outcome = Stopped::Abandoned;
                Ok(())
            }
        };
        // The pools close once every connection is back; one held for good
        // (issue 25) must not hold the process with it.
        if tokio::time::timeout(CLOSE_GRACE, db.close_ref())
            .await
            .is_err()
        {
            tracing::warn!(
                writer = %db.writer.holds().describe(),
                reader = %db.reader.pool().holds().describe(),
                "connections still held {} s after the drain; abandoning them",
                CLOSE_GRACE.as_secs()
            );
            outcome = Stopped::Abandoned;
        }
        background.abort_all();
        crate::telemetry::flush().await;
        served.map(|()| outcome)
    }
}

/// How a server stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Every request finished and every connection came back.
    Clean,
    /// Requests still running after the drain timeout, or connections
    /// still held after [`CLOSE_GRACE`], were left behind.
    Abandoned,
}

/// How long the pools may take to close after the drain.
pub const CLOSE_GRACE: Duration = Duration::from_secs(3);

pub async fn connect_and_migrate(database_url: &str, settings: PoolSettings) -> anyhow::Result<Db> {
    connect_and_migrate_over(database_url, database_url, settings).await
}

/// As [`connect_and_migrate`], migrating over `direct`: PostgreSQL reached
/// without a pooler when `database_url` is a transaction-mode one, for the
/// migrations run under a session's advisory lock, and some of their
/// statements (sea-orm-migration's) outside any transaction.
pub async fn connect_and_migrate_over(
    database_url: &str,
    direct: &str,
    settings: PoolSettings,
) -> anyhow::Result<Db> {
    let db = Db::connect(database_url, settings).await?;
    if database_url.starts_with("sqlite:") {
        // SQLite's writer is one connection: migrations cannot overlap.
        Migrator::up(&*db.writer, None).await?;
        return Ok(db);
    }
    if direct != database_url {
        let migrations = sea_orm::Database::connect(direct).await?;
        let migrated = migrate_locked(&migrations, direct).await;
        let _ = migrations.close().await;
        migrated?;
        return Ok(db);
    }
    migrate_locked(&db.writer, database_url).await?;
    Ok(db)
}

async fn migrate_locked(
    migrations: &sea_orm::DatabaseConnection,
    database_url: &str,
) -> anyhow::Result<()> {
    // Instances started together over one new database would otherwise
    // create the same tables at once and all but one fail. An advisory lock
    // held on a connection of its own lets one migrate while the others
    // wait, then find nothing left to do.
    use sea_orm::sqlx::{Connection, Executor};
    let mut lock = sea_orm::sqlx::postgres::PgConnection::connect(database_url).await?;
    lock.execute(MIGRATION_LOCK).await?;
    let migrated = Migrator::up(migrations, None).await;
    let _ = lock.close().await;
    migrated?;
    Ok(())
}

/// One key for "migrating agentgraph" in this database (the arbitrary
/// number is ours; the lock is released when its connection closes).
const MIGRATION_LOCK: &str = "SELECT pg_advisory_lock(7261201)";
