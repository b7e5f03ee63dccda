//! Command line and environment configuration.

mod serve;

use std::net::SocketAddr;

use clap::{Parser, Subcommand, ValueEnum};

use crate::auth::Role;
pub use crate::db::Pooler;
pub use serve::ServeArgs;

/// The SQLite file used when no database URL is given: created on first start
/// in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://agentgraph.db?mode=rwc";

/// agentgraph: a GraphQL API server for agents, goals, plans and tasks.
#[derive(Debug, Parser)]
#[command(name = "agentgraph", version, about)]
pub struct Cli {
    /// Database to use: `sqlite://FILE?mode=rwc` (the default, created when
    /// missing) or `postgres://USER@HOST:PORT/DB`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,

    /// Log format.
    #[arg(long, env = "AGENTGRAPH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

// Parsed once per process: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations and serve GraphQL over HTTP.
    Serve(Box<ServeArgs>),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL) to stdout.
    Schema {
        /// Print it as the Apollo Federation v2 subgraph `serve --federation` serves.
        #[arg(long)]
        federation: bool,
    },
    /// Print a fresh API key, then its line for the keys file.
    Keygen {
        /// Who the key is for (shown in logs).
        #[arg(long)]
        name: String,
        /// What the key may do.
        #[arg(long, value_enum, default_value_t = Role::Read)]
        role: Role,
        /// The tenant the key belongs to (default: `default`).
        #[arg(long, value_parser = crate::auth::Tenant::parse)]
        tenant: Option<crate::auth::Tenant>,
        /// The agent a `--role agent` key acts as.
        #[arg(long)]
        agent_id: Option<uuid::Uuid>,
    },
}

impl ServeConfig {
    /// Refuses a pooler the database cannot have, or one without a direct
    /// URL for the session-bound work.
    pub fn check_pooler(&self) -> anyhow::Result<()> {
        if self.serve.pooler == Pooler::None {
            return Ok(());
        }
        if self.database_url.starts_with("sqlite:") {
            anyhow::bail!(
                "--pooler transaction is for PostgreSQL behind a pooler such as PgBouncer; \
                 SQLite has no pooler: leave --pooler at none"
            );
        }
        if self.serve.listen_database_url.is_none() {
            anyhow::bail!(
                "--pooler transaction needs --listen-database-url (AGENTGRAPH_LISTEN_DATABASE_URL): \
                 PostgreSQL reached directly, not through the pooler, for LISTEN and migrations"
            );
        }
        Ok(())
    }

    /// Refuses replicas the database cannot have.
    pub fn check_replicas(&self) -> anyhow::Result<()> {
        if !self.serve.replica_urls.is_empty() && self.database_url.starts_with("sqlite:") {
            anyhow::bail!(
                "--replica-url (AGENTGRAPH_REPLICA_URLS) is for PostgreSQL streaming replicas; \
                 SQLite has no replicas: remove the flag, or serve from PostgreSQL"
            );
        }
        if let Some(url) = self
            .serve
            .replica_urls
            .iter()
            .find(|url| !url.starts_with("postgres://") && !url.starts_with("postgresql://"))
        {
            let scheme = url.split("://").next().unwrap_or(url);
            anyhow::bail!(
                "--replica-url must be a postgres:// URL of a streaming replica, not `{scheme}://…`"
            );
        }
        Ok(())
    }

    /// Where session-bound work (LISTEN, migrations) connects.
    pub fn direct_database_url(&self) -> &str {
        self.serve
            .listen_database_url
            .as_deref()
            .unwrap_or(&self.database_url)
    }
}

/// Everything a running server needs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub database_url: String,
    pub serve: ServeArgs,
}

impl ServeConfig {
    /// Defaults for everything but where to listen and which database.
    pub fn new(listen: SocketAddr, database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            serve: ServeArgs::with_listen(listen),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(database_url: &str, args: &[&str]) -> ServeConfig {
        #[derive(Parser)]
        struct Serve {
            #[command(flatten)]
            args: ServeArgs,
        }
        let args =
            Serve::parse_from(std::iter::once("agentgraph").chain(args.iter().copied())).args;
        ServeConfig {
            database_url: database_url.to_owned(),
            serve: args,
        }
    }

    #[test]
    fn a_transaction_pooler_needs_postgres_and_a_direct_url() {
        let pooled = "postgres://postgres@127.0.0.1:6432/db";
        let direct = "postgres://postgres@127.0.0.1:5432/db";
        let none = config(pooled, &[]);
        assert_eq!(none.serve.pooler, Pooler::None);
        assert!(none.check_pooler().is_ok());
        assert_eq!(none.direct_database_url(), pooled);

        let without = config(pooled, &["--pooler", "transaction"]);
        let refused = without.check_pooler().expect_err("refused").to_string();
        assert!(refused.contains("--listen-database-url"), "{refused}");

        let sqlite = config(
            "sqlite://x.db?mode=rwc",
            &["--pooler", "transaction", "--listen-database-url", direct],
        );
        let refused = sqlite.check_pooler().expect_err("refused").to_string();
        assert!(refused.contains("SQLite"), "{refused}");

        let with = config(
            pooled,
            &["--pooler", "transaction", "--listen-database-url", direct],
        );
        assert!(with.check_pooler().is_ok());
        assert_eq!(with.direct_database_url(), direct);
        assert_eq!(with.serve.pool_settings().pooler, Pooler::Transaction);
    }

    #[test]
    fn replicas_are_postgres_urls_of_a_postgres_server() {
        let primary = "postgres://postgres@127.0.0.1:5432/db";
        let replica = "postgres://postgres@127.0.0.1:5433/db";
        let two = config(
            primary,
            &[
                "--replica-url",
                replica,
                "--replica-url",
                replica,
                "--replica-max-lag",
                "250ms",
            ],
        );
        assert!(two.check_replicas().is_ok());
        assert_eq!(two.serve.replica_urls.len(), 2);
        assert_eq!(
            two.serve.replica_max_lag,
            std::time::Duration::from_millis(250)
        );
        assert_eq!(config(primary, &[]).serve.replica_max_lag.as_secs(), 1);

        let sqlite = config("sqlite://x.db?mode=rwc", &["--replica-url", replica]);
        let refused = sqlite.check_replicas().expect_err("refused").to_string();
        assert!(refused.contains("SQLite"), "{refused}");

        let mysql = config(primary, &["--replica-url", "mysql://127.0.0.1/db"]);
        let refused = mysql.check_replicas().expect_err("refused").to_string();
        assert!(refused.contains("postgres://"), "{refused}");
    }
}
