//! A typed GraphQL client for agentgraph, generated from `schema.graphql`.
//!
//! Every operation is written as GraphQL, one per file, in
//! `clients/operations/*.graphql`, the files the TypeScript client is
//! generated from too. The `#[derive(GraphQLQuery)]`s of [`operations`]
//! check each against the server's committed schema at compile time and
//! generate a module named after it in snake case (`CreateAgent` ->
//! [`create_agent`]) with a `Variables` type for its arguments and a
//! `ResponseData` type for exactly the fields it selects. An operation that
//! no longer fits the schema is a build error, not a failure at run time.
//! [`Client`] has a typed method for each (`client.create_agent(input)`),
//! and [`Client::execute`] runs any of them, or one of your own.
//!
//! Against a server with PostgreSQL read replicas (`--replica-url`), queries
//! may be answered by a replica a little behind the primary. The server
//! answers each mutation with an `X-Consistency-Token` header; [`Client`]
//! keeps the last one and sends it on every later request, which the server
//! answers from data at least that fresh, so a client reads its own writes.
//! [`Client::consistency_token`] and [`Client::with_consistency_token`] hand
//! that guarantee to another client or process.
//!
//! One operation per document: graphql_client sends the whole document with
//! `operationName`, so a file of several operations would make the server
//! parse and validate all of them on every request.
//!
//! ```no_run
//! # async fn example() -> Result<(), agentgraph_client::Error> {
//! use agentgraph_client::{Client, create_agent};
//!
//! let client = Client::new("http://127.0.0.1:8000/graphql", None)?;
//! let agent = client
//!     .create_agent(create_agent::CreateAgentInput {
//!         name: "scout".into(),
//!         did: None,
//!         status: None,
//!         configuration: Some(serde_json::json!({ "max_tokens": 500 })),
//!         metadata: None,
//!         idempotency_key: None,
//!     })
//!     .await?;
//! println!("created {} ({:?})", agent.id, agent.status);
//! # Ok(())
//! # }
//! ```

mod api;
mod client;
mod error;
pub mod operations;
mod queue;

pub use client::{CONSISTENCY_TOKEN_HEADER, Client, new_key};
pub use error::Error;
pub use operations::*;
