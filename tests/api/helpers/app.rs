//! Starting a real agentgraph server on an ephemeral port over a fresh
//! database (SQLite, or PostgreSQL with `TEST_DATABASE_URL`).

use std::sync::OnceLock;

use agentgraph::config::ServeConfig;
use agentgraph::startup::{Application, StatementCounter};

/// A running server on its own fresh database.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub statements: StatementCounter,
    /// The fresh database this server runs on.
    pub database_url: String,
    /// The server's own connections, for tests that break the database on purpose.
    pub db: agentgraph::db::Db,
    /// The server's operation slots, for tests that make it busy on purpose.
    pub executions: std::sync::Arc<tokio::sync::Semaphore>,
    /// The server's create queues, whose counts show creates written together.
    pub creates: agentgraph::testing::Creates,
    stop: std::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    server: std::sync::Mutex<
        Option<tokio::task::JoinHandle<std::io::Result<agentgraph::startup::Stopped>>>,
    >,
}

/// The backend a test runs against: `TEST_DATABASE_URL` (a `postgres://` URL
/// whose database is used to create one fresh database per test), or SQLite
/// when unset.
fn base_database_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// `TEST_POOLER=transaction`: every server on PostgreSQL runs with
/// `--pooler transaction`, through TEST_PGBOUNCER_URL's PgBouncer when set
/// (`.ci/run` runs the whole suite so once), its LISTEN on the direct URL.
fn every_server_pooled() -> bool {
    std::env::var("TEST_POOLER").is_ok_and(|pooler| pooler.trim() == "transaction")
}

/// Whether every server runs through a real PgBouncer.
pub fn through_pgbouncer() -> bool {
    every_server_pooled()
        && std::env::var("TEST_PGBOUNCER_URL").is_ok_and(|url| !url.trim().is_empty())
}

/// `direct` with its host and port those of TEST_PGBOUNCER_URL, when set.
pub fn through_pooler(direct: &str) -> String {
    let Some(pooler) = std::env::var("TEST_PGBOUNCER_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
    else {
        return direct.to_owned();
    };
    let database = direct.rsplit_once('/').map_or("", |(_, db)| db);
    format!("{}/{database}", pooler.trim_end_matches('/'))
}

static TEMP_ROOT: OnceLock<std::path::PathBuf> = OnceLock::new();

pub async fn fresh_database_url() -> String {
    let unique = uuid::Uuid::now_v7().simple().to_string();
    match base_database_url() {
        Some(base) if base.starts_with("postgres") => {
            let name = format!("agentgraph_test_{unique}");
            let admin = sea_orm::Database::connect(base.as_str())
                .await
                .expect("connect to TEST_DATABASE_URL");
            use sea_orm::ConnectionTrait;
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create test database");
            admin.close().await.ok();
            replace_database_name(&base, &name)
        }
        Some(other) => panic!("TEST_DATABASE_URL must be a postgres:// URL, got {other}"),
        None => {
            let root = TEMP_ROOT.get_or_init(|| {
                let dir = std::env::temp_dir().join("agentgraph-tests");
                std::fs::create_dir_all(&dir).expect("create test directory");
                dir
            });
            format!("sqlite://{}/{unique}.db?mode=rwc", root.display())
        }
    }
}

/// `postgres://user@host:5432/db?x=y` with `db` replaced by `name`.
fn replace_database_name(url: &str, name: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((head, query)) => (head, Some(query)),
        None => (url, None),
    };
    let scheme_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match head[scheme_end..].find('/') {
        Some(slash) => &head[..scheme_end + slash],
        None => head,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

pub fn is_postgres() -> bool {
    base_database_url().is_some()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A server whose configuration `configure` adjusts first (keys, limits…).
pub async fn spawn_app_with(configure: impl FnOnce(&mut ServeConfig)) -> TestApp {
    spawn_app_on(fresh_database_url().await, configure).await
}

/// A second server over this one's database, as another instance would be.
pub async fn spawn_instance(app: &TestApp) -> TestApp {
    spawn_app_on(app.database_url.clone(), |_| {}).await
}

/// A server over `database_url` (a fresh one, or one another server uses).
pub async fn spawn_app_on(
    database_url: String,
    configure: impl FnOnce(&mut ServeConfig),
) -> TestApp {
    let direct = database_url.clone();
    let pooled = every_server_pooled() && database_url.starts_with("postgres");
    let served_url = if pooled {
        through_pooler(&database_url)
    } else {
        database_url
    };
    let mut config = ServeConfig::new("127.0.0.1:0".parse().expect("listen address"), served_url);
    if pooled {
        config.serve.pooler = agentgraph::config::Pooler::Transaction;
        config.serve.listen_database_url = Some(direct.clone());
    }
    // The lease sweep is a statement a second on every server: tests that
    // count statements would count it too. Queue tests that need it ask.
    config.serve.lease_sweep_interval = std::time::Duration::from_secs(3600);
    configure(&mut config);
    // Where the test's own connections and a second instance go.
    let database_url = if pooled && config.serve.pooler == agentgraph::config::Pooler::Transaction {
        direct
    } else {
        config.database_url.clone()
    };
    let mut app = Application::build(&config)
        .await
        .expect("build application");
    let housekeeping_started = app.housekeeping_started();
    let address = format!("http://127.0.0.1:{}", app.port());
    let statements = app.statement_counter();
    let db = app.db();
    let executions = app.executions();
    let creates = app.creates();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_with_shutdown(async move {
        let _ = stopped.await;
    }));
    // Its statements would otherwise be counted as the test's.
    tokio::time::timeout(std::time::Duration::from_secs(60), housekeeping_started)
        .await
        .expect("the housekeeping a server runs at start is over within a minute");
    TestApp {
        address,
        client: reqwest::Client::new(),
        statements,
        database_url,
        db,
        executions,
        creates,
        stop: std::sync::Mutex::new(Some(stop)),
        server: std::sync::Mutex::new(Some(server)),
    }
}

impl TestApp {
    /// How the server has grouped creates into statements so far.
    pub fn create_batches(&self) -> agentgraph::testing::BatchCounts {
        self.creates.counts()
    }

    /// Signals a graceful shutdown and returns the server task to await.
    pub fn shut_down(
        &self,
    ) -> tokio::task::JoinHandle<std::io::Result<agentgraph::startup::Stopped>> {
        if let Some(stop) = self.stop.lock().expect("stop lock").take() {
            let _ = stop.send(());
        }
        self.server
            .lock()
            .expect("server lock")
            .take()
            .expect("the server was already shut down")
    }
}
