//! Connects, migrates and builds the one `Router` that both `main` and the
//! tests serve.

use std::future::Future;
use std::net::SocketAddr;

use migration::{Migrator, MigratorTrait};
use tokio::net::TcpListener;

use crate::config::ServeConfig;
use crate::db::Db;
pub use crate::db::StatementCounter;
use crate::graphql::build_schema;
use crate::http;
use crate::state::AppState;

pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Connects to the database, applies pending migrations and binds the
    /// listening socket (port 0 picks a free one).
    pub async fn build(config: &ServeConfig) -> anyhow::Result<Self> {
        let db = connect_and_migrate(&config.database_url).await?;
        let schema = build_schema(db.clone());
        let listener = TcpListener::bind(config.listen).await?;
        Ok(Self {
            listener,
            state: AppState { db, schema },
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn port(&self) -> u16 {
        self.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The count of SQL statements this server has run.
    pub fn statement_counter(&self) -> StatementCounter {
        self.state.db.statements.clone()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_with_shutdown(std::future::pending()).await
    }

    /// Serves until `shutdown` completes, lets requests in flight finish, then
    /// closes the database pools.
    pub async fn run_with_shutdown(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let db = self.state.db.clone();
        let router = http::router(self.state);
        let served = axum::serve(self.listener, router)
            .with_graceful_shutdown(shutdown)
            .await;
        db.close().await;
        served
    }
}

pub async fn connect_and_migrate(database_url: &str) -> anyhow::Result<Db> {
    let db = Db::connect(database_url).await?;
    Migrator::up(&db.writer, None).await?;
    Ok(db)
}
