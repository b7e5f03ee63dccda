use clap::Parser;

// Large responses allocate and free many small objects across threads;
// glibc malloc spent a third of a nested query's time in malloc/free and
// consolidation (perf), mimalloc a fraction of that.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use agentgraph::config::{Cli, Command, ServeConfig};
use agentgraph::startup::{Application, CLOSE_GRACE, Stopped, connect_and_migrate};
use agentgraph::{auth, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Schema { federation } => {
            if federation {
                print!("{}", agentgraph::subgraph_sdl());
            } else {
                print!("{}", agentgraph::sdl());
            }
        }
        Command::Keygen {
            name,
            role,
            tenant,
            agent_id,
        } => {
            let (key, line) = auth::generate(&name, role, tenant.as_ref(), agent_id)?;
            println!("{key}");
            println!("{line}");
        }
        Command::Migrate => {
            telemetry::init(cli.log_format, None)?;
            let db = connect_and_migrate(&cli.database_url, Default::default()).await?;
            db.close().await;
            tracing::info!("migrations applied");
        }
        Command::Serve(serve) => {
            telemetry::init(cli.log_format, Some(&serve))?;
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
            let drain = config.serve.drain_timeout();
            let stopped = app
                .run_with_shutdown(async move {
                    shutdown_signal().await;
                    start_watchdog(drain + CLOSE_GRACE + WATCHDOG_MARGIN);
                })
                .await?;
            if stopped == Stopped::Abandoned {
                tracing::warn!("agentgraph stopped, abandoning work still in flight");
                // Nothing left to wait for: not the runtime's tasks, nor
                // the threads of connections still held.
                std::process::exit(ABANDONED_EXIT_CODE);
            }
            tracing::info!("agentgraph stopped");
        }
    }
    Ok(())
}

/// The exit status of a server that had to abandon requests or
/// connections to stop in time.
const ABANDONED_EXIT_CODE: i32 = 3;

/// How long past the drain timeout and the pools' grace the process may
/// take to stop before the watchdog ends it (issue 25: a server drained,
/// then waited twenty minutes on a connection that never came back).
const WATCHDOG_MARGIN: std::time::Duration = std::time::Duration::from_secs(5);

/// Ends the process after `limit`, whatever its runtime is doing: a thread
/// of its own, so that not even a blocked runtime can stop it.
fn start_watchdog(limit: std::time::Duration) {
    let started = std::thread::Builder::new()
        .name("shutdown-watchdog".into())
        .spawn(move || {
            std::thread::sleep(limit);
            tracing::error!(
                limit_secs = limit.as_secs(),
                "shutdown did not finish in time; exiting now"
            );
            std::process::exit(ABANDONED_EXIT_CODE);
        });
    if let Err(err) = started {
        tracing::warn!(error = %err, "could not start the shutdown watchdog");
    }
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
