//! Read replicas with session consistency (issue 30). Every PostgreSQL run
//! checks the rules a replica's absence or failure must keep (reads go to
//! the primary, `/ready` stays 200, writes carry a token). With
//! `TEST_REPLICA_URL` (`postgres://postgres@127.0.0.1:15433`, a streaming
//! replica of TEST_DATABASE_URL's server, started by `.ci/replica-up`)
//! one test drives a real replica, pausing its replay: it runs alone, in a
//! process of its own, for a paused replay holds back every test's
//! replica.

use std::time::{Duration, Instant};

use agentgraph::config::ServeConfig;
use agentgraph::startup::Application;
use serde_json::{Value, json};

use crate::helpers::{TestApp, fresh_database_url, is_postgres, spawn_app_on};

const TOKEN: &str = "x-consistency-token";
const CREATE: &str = "mutation($name: String!) { createAgent(input: { name: $name }) { id } }";
const READ: &str = "query($id: UUID!) { agent(id: $id) { name } }";

/// A replica server's URL for the database `primary_url` names.
fn on_replica(replica: &str, primary_url: &str) -> String {
    let database = primary_url.rsplit_once('/').map_or("", |(_, db)| db);
    format!("{}/{database}", replica.trim_end_matches('/'))
}

fn replica_base() -> Option<String> {
    std::env::var("TEST_REPLICA_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// Creates an agent; its id and the response's consistency token.
async fn create(app: &TestApp, name: &str) -> (String, Option<String>) {
    let response = app
        .post_raw()
        .json(json!({ "query": CREATE, "variables": { "name": name } }))
        .send()
        .await;
    let body = response.json();
    let id = body["data"]["createAgent"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("created: {body}"))
        .to_owned();
    (id, response.header(TOKEN).map(str::to_owned))
}

/// Reads an agent's name (`None`: not there), sending `token` if given.
async fn read(app: &TestApp, id: &str, token: Option<&str>) -> Option<String> {
    let mut request = app
        .post_raw()
        .json(json!({ "query": READ, "variables": { "id": id } }));
    if let Some(token) = token {
        request = request.header(TOKEN, token);
    }
    let body = request.send().await.json();
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["agent"]["name"].as_str().map(str::to_owned)
}

async fn ready(app: &TestApp) -> (u16, Value) {
    let response = app.get_path("/ready").send().await;
    (response.status.as_u16(), response.json())
}

/// A server on a fresh database whose one replica never answers: nothing
/// listens on port 1, so every connection is refused.
async fn spawn_with_a_dead_replica() -> TestApp {
    let primary = fresh_database_url().await;
    let dead = on_replica("postgres://postgres@127.0.0.1:1", &primary);
    spawn_app_on(primary, |config| config.serve.replica_urls = vec![dead]).await
}

#[tokio::test]
async fn a_replica_that_never_answers_fails_no_read_and_ready_stays_200() {
    if !is_postgres() {
        return;
    }
    let app = spawn_with_a_dead_replica().await;
    let (id, token) = create(&app, "primary only").await;
    let token = token.expect("a write with replicas configured carries a consistency token");
    assert!(token.contains('/'), "a WAL position: {token}");
    assert_eq!(
        read(&app, &id, Some(&token)).await.as_deref(),
        Some("primary only")
    );
    assert_eq!(read(&app, &id, None).await.as_deref(), Some("primary only"));
    // A token that is not one the server made is honoured the only safe
    // way: from the primary.
    assert_eq!(
        read(&app, &id, Some("not a token")).await.as_deref(),
        Some("primary only")
    );
    let lists = app
        .gql_ok("{ agents { totalCount nodes { name } } }", json!({}))
        .await;
    assert_eq!(lists["agents"]["totalCount"], 1, "{lists}");

    let (status, body) = ready(&app).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ready", "{body}");
    let replica = &body["replicas"][0];
    // Named without its credentials.
    let name = replica["name"].as_str().unwrap_or_default();
    assert!(name.starts_with("127.0.0.1:1/agentgraph_test_"), "{body}");
    assert_eq!(replica["healthy"], false, "{body}");
}

#[tokio::test]
async fn a_query_is_not_a_write_and_carries_no_token() {
    if !is_postgres() {
        return;
    }
    let app = spawn_with_a_dead_replica().await;
    let response = app.post("{ agents { totalCount } }").send().await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header(TOKEN), None);
}

#[tokio::test]
async fn without_replicas_no_response_carries_a_token() {
    let app = crate::helpers::spawn_app().await;
    let (_, token) = create(&app, "no replicas").await;
    assert_eq!(token, None);
}

#[tokio::test]
async fn sqlite_refuses_a_replica_url_with_a_clear_message() {
    if is_postgres() {
        return;
    }
    let mut config = ServeConfig::new(
        "127.0.0.1:0".parse().expect("address"),
        fresh_database_url().await,
    );
    config.serve.replica_urls = vec!["postgres://postgres@127.0.0.1:5433/db".to_owned()];
    let refused = match Application::build(&config).await {
        Ok(_) => panic!("a SQLite server with a replica started"),
        Err(err) => err.to_string(),
    };
    assert!(
        refused.contains("--replica-url") && refused.contains("SQLite"),
        "{refused}"
    );
}

/// Runs SQL on the replica's own `postgres` database.
fn on_replica_server(sql: &str) {
    let url = on_replica(&replica_base().unwrap_or_default(), "/postgres");
    let status = std::process::Command::new("psql")
        .args([url.as_str(), "-qAtc", sql])
        .status()
        .expect("run psql");
    assert!(status.success(), "psql {sql} on the replica");
}

/// Replay resumes however the test ends.
struct ResumeReplay;

impl Drop for ResumeReplay {
    fn drop(&mut self) {
        on_replica_server("SELECT pg_wal_replay_resume()");
    }
}

fn replica_reads(metrics: &str) -> f64 {
    metrics
        .lines()
        .filter(|line| {
            line.starts_with("agentgraph_replica_reads_total{")
                && line.contains("served_by=\"replica\"")
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

async fn wait_until_healthy(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, body) = ready(app).await;
        if body["replicas"][0]["healthy"] == true {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the replica never came in: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn reads_follow_a_real_replica_s_replay() {
    if replica_base().is_none() || !is_postgres() {
        return;
    }
    crate::helpers::run_alone("replicas::alone::reads_follow_a_real_replica_s_replay");
}

mod alone {
    use super::*;

    #[tokio::test]
    #[ignore = "run alone by replicas::reads_follow_a_real_replica_s_replay"]
    async fn reads_follow_a_real_replica_s_replay() {
        let replica = replica_base().expect("TEST_REPLICA_URL");
        let _resume = ResumeReplay;
        on_replica_server("SELECT pg_wal_replay_resume()");
        let max_lag = Duration::from_secs(3);
        let primary = fresh_database_url().await;
        let replica_url = on_replica(&replica, &primary);
        let app = spawn_app_on(primary, |config| {
            config.serve.replica_urls = vec![replica_url];
            config.serve.replica_max_lag = max_lag;
        })
        .await;
        // Its database's creation has to be replayed first.
        wait_until_healthy(&app).await;
        let metrics = || async { app.get_path("/metrics").send().await.text };
        let served_before = replica_reads(&metrics().await);

        // Read your writes: a read sent with its write's token sees it,
        // every time, wherever it is served.
        for round in 0..30 {
            let (id, token) = create(&app, &format!("write {round}")).await;
            let token = token.expect("a token");
            assert_eq!(
                read(&app, &id, Some(&token)).await,
                Some(format!("write {round}")),
                "round {round}: a read with its write's token saw older data"
            );
        }
        let served = replica_reads(&metrics().await) - served_before;
        assert!(served > 0.0, "no read was served by the replica");

        // Replay paused: the replica falls behind from here.
        on_replica_server("SELECT pg_wal_replay_pause()");
        tokio::time::sleep(Duration::from_millis(300)).await;
        let paused_at = Instant::now();
        let (id, token) = create(&app, "while paused").await;
        let token = token.expect("a token");
        // With the token: the replica has not replayed it, the primary answers.
        assert_eq!(
            read(&app, &id, Some(&token)).await.as_deref(),
            Some("while paused")
        );
        // Without: the replica is within its lag bound and answers, from
        // before the write.
        assert_eq!(
            read(&app, &id, None).await,
            None,
            "not served by the paused replica"
        );
        // Past the bound, reads leave it.
        let seen_at = loop {
            if read(&app, &id, None).await.is_some() {
                break paused_at.elapsed();
            }
            assert!(
                paused_at.elapsed() < max_lag + Duration::from_secs(5),
                "reads without a token stayed on a replica past its lag bound"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        // The replica's data dates from before the pause (other tests'
        // writes move the primary's WAL meanwhile, and a loaded replica
        // replays late), so reads may leave it a little before `max_lag`
        // after the write; not at once.
        assert!(
            seen_at >= max_lag / 2,
            "reads left the replica after {seen_at:?}, well before the {max_lag:?} bound"
        );
        let (status, body) = ready(&app).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["replicas"][0]["healthy"], false, "{body}");
        assert!(
            body["replicas"][0]["lagSeconds"].as_f64() > Some(3.0),
            "{body}"
        );
        let exported = metrics().await;
        assert!(
            exported
                .lines()
                .any(|line| line.starts_with("agentgraph_replica_healthy{") && line.ends_with(" 0")),
            "{exported}"
        );
        assert!(
            exported
                .lines()
                .any(|line| line.starts_with("agentgraph_replica_lag_seconds{replica=\"127.0.0.1:")),
            "{exported}"
        );

        // Resumed: it catches up and serves again, fresh.
        on_replica_server("SELECT pg_wal_replay_resume()");
        wait_until_healthy(&app).await;
        let served_before = replica_reads(&metrics().await);
        assert_eq!(read(&app, &id, None).await.as_deref(), Some("while paused"));
        assert_eq!(
            read(&app, &id, Some(&token)).await.as_deref(),
            Some("while paused")
        );
        assert!(
            replica_reads(&metrics().await) > served_before,
            "the replica did not come back"
        );
    }
}
