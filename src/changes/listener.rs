//! PostgreSQL: how instances wake each other. Each holds one connection
//! that LISTENs, and one that NOTIFYs after its own mutations end.
//!
//! The NOTIFY is sent after the writing transaction, not inside it:
//! PostgreSQL serialises the commits of notifying transactions behind one
//! lock, which would cap every instance's write rate. A notification says
//! only "look"; the change log is what is read, so nothing is lost with a
//! notification. If an instance dies between its commit and its NOTIFY, the
//! others read that change at the next notification, and an instance
//! announces itself when it starts.
//!
//! LISTEN is bound to its session, so its connection goes to PostgreSQL
//! directly (`--listen-database-url`); the NOTIFY is a transaction of its
//! own and crosses a transaction-mode pooler.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::postgres::{PgConnection, PgListener};
use sea_orm::sqlx::{Connection, Executor};
use tokio::sync::watch;

use super::Hub;

pub(crate) const CHANNEL: &str = "agentgraph_changes";
/// The notification need not wait for its commit to reach disk. `SET
/// LOCAL`, not a session setting: through a transaction-mode pooler the
/// session is a server connection other clients share. One message, so
/// one round trip, as the NOTIFY alone was.
const NOTIFY: &str = "BEGIN; SET LOCAL synchronous_commit = off; NOTIFY agentgraph_changes; COMMIT";
const RETRY_FIRST: Duration = Duration::from_millis(50);
/// Least time between two notifications from one instance. Under a write
/// load every NOTIFY is a transaction of its own; spacing them makes one
/// cover the commits of a millisecond, at the price of that millisecond of
/// delay for the other instances.
const NOTIFY_SPACING: Duration = Duration::from_millis(1);
const RETRY_MAX: Duration = Duration::from_secs(2);

/// Listens from `first` (connected at start-up, so the server is ready
/// from its first request), reconnecting whenever it drops.
pub(crate) fn spawn(
    hub: Arc<Hub>,
    listen_url: String,
    notify_url: String,
    first: PgListener,
    stop: watch::Receiver<bool>,
) {
    tokio::spawn(listen(hub.clone(), listen_url, Some(first), stop.clone()));
    tokio::spawn(notify(hub, notify_url, stop));
}

async fn listen(
    hub: Arc<Hub>,
    url: String,
    mut first: Option<PgListener>,
    mut stop: watch::Receiver<bool>,
) {
    let mut retry = RETRY_FIRST;
    loop {
        let connected = match first.take() {
            Some(listener) => Ok(listener),
            None => connect(&url).await,
        };
        match connected {
            Ok(mut listener) => {
                retry = RETRY_FIRST;
                hub.set_listening(true);
                // Whatever committed while nobody listened is read now.
                hub.wake();
                loop {
                    tokio::select! {
                        received = listener.try_recv() => match received {
                            Ok(Some(_)) => hub.wake(),
                            Ok(None) => break,
                            Err(err) => {
                                tracing::warn!(error = %err, "change listener lost its connection");
                                break;
                            }
                        },
                        _ = stop.wait_for(|stopped| *stopped) => return,
                    }
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, "change listener cannot connect; retrying");
            }
        }
        hub.set_listening(false);
        tokio::select! {
            () = tokio::time::sleep(retry) => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        retry = (retry * 2).min(RETRY_MAX);
    }
}

pub(crate) async fn connect(url: &str) -> Result<PgListener, sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    // Reconnection is ours, so that a reconnect always rereads the log.
    listener.eager_reconnect(false);
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

async fn notify(hub: Arc<Hub>, url: String, mut stop: watch::Receiver<bool>) {
    let mut connection: Option<PgConnection> = None;
    // Announce the start: changes an earlier run committed but did not
    // announce (it died in between) reach the other instances now.
    hub.announce.notify_one();
    loop {
        tokio::select! {
            () = hub.announce.notified() => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        let sent = async {
            if connection.is_none() {
                connection = Some(PgConnection::connect(&url).await?);
            }
            if let Some(conn) = connection.as_mut() {
                conn.execute(NOTIFY).await?;
            }
            Ok::<_, sea_orm::sqlx::Error>(())
        }
        .await;
        if sent.is_ok() {
            tokio::select! {
                () = tokio::time::sleep(NOTIFY_SPACING) => {}
                _ = stop.wait_for(|stopped| *stopped) => return,
            }
        }
        if let Err(err) = sent {
            tracing::warn!(error = %err, "announcing changes failed; retrying");
            connection = None;
            hub.announce.notify_one();
            tokio::select! {
                () = tokio::time::sleep(RETRY_FIRST) => {}
                _ = stop.wait_for(|stopped| *stopped) => return,
            }
        }
    }
}
