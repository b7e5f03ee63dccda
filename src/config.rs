//! Command line and environment configuration.

use std::net::SocketAddr;

use clap::{Parser, Subcommand};

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

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations and serve GraphQL over HTTP.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "AGENTGRAPH_LISTEN", default_value = "127.0.0.1:8000")]
        listen: SocketAddr,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL) to stdout.
    Schema,
}

/// Everything a running server needs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    pub database_url: String,
}
