use clap::Parser;

// Large responses allocate and free many small objects across threads;
// glibc malloc spent a third of a nested query's time in malloc/free and
// consolidation (perf), mimalloc a fraction of that.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use agentgraph::config::{Cli, Command, ServeConfig};
use agentgraph::startup::{Application, connect_and_migrate};
use agentgraph::{auth, graphql, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Schema => {
            print!("{}", graphql::sdl());
        }
        Command::Keygen { name, role } => {
            let (key, line) = auth::generate(&name, role)?;
            println!("{key}");
            println!("{line}");
        }
        Command::Migrate => {
            telemetry::init(cli.log_format);
            let db = connect_and_migrate(&cli.database_url, Default::default()).await?;
            db.close().await;
            tracing::info!("migrations applied");
        }
        Command::Serve(serve) => {
            telemetry::init(cli.log_format);
            let config = ServeConfig {
                database_url: cli.database_url,
                serve: *serve,
            };
            let app = Application::build(&config).await?;
            let address = app.local_addr()?;
            tracing::info!(
                "agentgraph listening on http://{address} (GraphiQL at http://{address}/graphql)"
            );
            if let Some(metrics) = app.metrics_addr() {
                tracing::info!("metrics on http://{metrics}/metrics");
            }
            app.run_with_shutdown(shutdown_signal()).await?;
            tracing::info!("agentgraph stopped");
        }
    }
    Ok(())
}

/// SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
