//! A bare axum + sqlx handler for agentgraph's benchmarks: the same request
//! bodies as M1 (createTask) and Q1 (agent by id), answered with the same
//! JSON, by one INSERT or one SELECT and nothing else: no GraphQL, no
//! validation beyond JSON, no idempotency keys. What agentgraph does over
//! PostgreSQL is measured against it (bench/run.sh, part `bare`).
//!
//! Usage: bare-handler <postgres URL of an agentgraph database> <listen address>

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use sea_orm::sqlx::postgres::PgPoolOptions;
use sea_orm::sqlx::{self, PgPool, Row};
use serde_json::{Value, json};
use uuid::Uuid;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .ok_or("usage: bare-handler <postgres URL> <listen address>")?;
    let listen = args.next().unwrap_or_else(|| "127.0.0.1:8310".into());
    // agentgraph's pool: 16 connections, no ping on checkout.
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .test_before_acquire(false)
        .connect(&url)
        .await?;
    let app = Router::new()
        .route("/graphql", post(handle))
        .with_state(pool);
    axum::serve(tokio::net::TcpListener::bind(&listen).await?, app).await?;
    Ok(())
}

async fn handle(State(pool): State<PgPool>, Json(body): Json<Value>) -> Json<Value> {
    let variables = &body["variables"];
    let answer = match (variables["p"].as_str(), variables["id"].as_str()) {
        (Some(plan), _) => create_task(&pool, plan).await,
        (None, Some(agent)) => agent_by_id(&pool, agent).await,
        (None, None) => Err("expected variables p (M1) or id (Q1)".into()),
    };
    Json(answer.unwrap_or_else(|err| json!({ "errors": [{ "message": err.to_string() }] })))
}

type Answer = Result<Value, Box<dyn std::error::Error + Send + Sync>>;

async fn create_task(pool: &PgPool, plan: &str) -> Answer {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO tasks (id, plan_id, description, task_type, status, input_data, version, created_at, updated_at) \
         VALUES ($1, $2, 'benchmark task', 'generic', 'PENDING', $3, 1, now(), now())",
    )
    .bind(id)
    .bind(Uuid::parse_str(plan)?)
    .bind(json!({ "n": 1 }))
    .execute(pool)
    .await?;
    Ok(json!({ "data": { "createTask": { "id": id } } }))
}

async fn agent_by_id(pool: &PgPool, id: &str) -> Answer {
    let row = sqlx::query("SELECT id, name, status, configuration FROM agents WHERE id = $1")
        .bind(Uuid::parse_str(id)?)
        .fetch_optional(pool)
        .await?;
    let agent = match row {
        Some(row) => json!({
            "id": row.try_get::<Uuid, _>("id")?,
            "name": row.try_get::<String, _>("name")?,
            "status": row.try_get::<String, _>("status")?,
            "configuration": row.try_get::<Value, _>("configuration")?,
        }),
        None => Value::Null,
    };
    Ok(json!({ "data": { "agent": agent } }))
}
