//! A typed GraphQL client for agentgraph, generated from `schema.graphql`.
//!
//! Every operation is written as GraphQL, one per file, in
//! `graphql/*.graphql`. The `#[derive(GraphQLQuery)]` below checks it against
//! the server's committed schema at compile time and generates a module named
//! after the struct in snake case (`CreateAgent` -> `create_agent`) with a
//! `Variables` type for its arguments and a `ResponseData` type for exactly
//! the fields it selects. An operation that no longer fits the schema is a
//! build error, not a failure at run time.
//!
//! One operation per document: graphql_client sends the whole document with
//! `operationName`, so a file of several operations would make the server
//! parse and validate all of them on every request.
//!
//! ```no_run
//! # async fn example() -> Result<(), loadtest::client::Error> {
//! use loadtest::client::{Client, create_agent};
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

use std::fmt;
use std::time::Duration;

use graphql_client::{GraphQLQuery, Response};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue};
use uuid::Uuid;

// The schema's custom scalars, as the Rust types the generated code uses.
#[allow(clippy::upper_case_acronyms)]
type UUID = Uuid;
#[allow(clippy::upper_case_acronyms)]
type JSON = serde_json::Value;
/// RFC 3339, UTC.
type DateTime = String;

// One struct per operation, named as the operation in its document.
// `skip_serializing_none` leaves unset input fields out of the
// request rather than sending them as null.

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/list_agents.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct ListAgents;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/get_agent.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct GetAgent;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/create_agent.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct CreateAgent;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/update_agent.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct UpdateAgent;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/delete_agent.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct DeleteAgent;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/list_goals.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct ListGoals;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/create_goal.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct CreateGoal;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/create_plan.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct CreatePlan;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/create_task.graphql",
    variables_derives = "Debug, Clone",
    response_derives = "Debug, Clone, PartialEq",
    skip_serializing_none
)]
pub struct CreateTask;

/// Why a request did not produce the data its operation asked for.
#[derive(Debug)]
pub enum Error {
    /// The request could not be sent or its response not read.
    Transport(String),
    /// The server answered with a status other than 200.
    Status { status: StatusCode, message: String },
    /// The response carried GraphQL errors; the first one's code and message.
    GraphQL { code: String, message: String },
    /// The body was not a GraphQL response fitting the operation (a field
    /// missing, null where the schema says non-null, of the wrong type...).
    Decode(String),
    /// Neither `data` nor `errors` in the response.
    NoData,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(message) => write!(f, "request failed: {message}"),
            Self::Status { status, message } => write!(f, "HTTP {status}: {message}"),
            Self::GraphQL { code, message } => write!(f, "GraphQL error {code}: {message}"),
            Self::Decode(message) => write!(f, "unexpected response: {message}"),
            Self::NoData => write!(f, "unexpected response: no data and no errors"),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// Whether the request may be sent again as it is: the server was not
    /// reached or did not answer, or said it could not serve it now. A
    /// create is safe to resend only with its idempotency key.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport(_) => true,
            Self::Status { status, .. } => *status == StatusCode::SERVICE_UNAVAILABLE,
            Self::GraphQL { code, .. } => code == "SERVICE_UNAVAILABLE",
            Self::Decode(_) | Self::NoData => false,
        }
    }

    fn transport(err: &reqwest::Error) -> Self {
        if err.is_timeout() {
            return Self::Transport("timed out".into());
        }
        // The innermost causes say what went wrong ("Connection refused"); the
        // URL is left out so that equal failures read alike.
        let mut message = err.to_string();
        if let Some(url) = err.url() {
            message = message.replace(&format!(" for url ({url})"), "");
        }
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        Self::Transport(message)
    }

    fn decode(err: &serde_json::Error) -> Self {
        // Drop " at line 1 column 87" so that equal failures read alike.
        let message = err.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message);
        Self::Decode(message.to_owned())
    }
}

/// How often a create is sent before its failure is final, and the pauses
/// between (doubling, at most [`MAX_PAUSE`]): about 20 s in all, enough for a
/// server restart.
const ATTEMPTS: u32 = 14;
const FIRST_PAUSE: Duration = Duration::from_millis(50);
const MAX_PAUSE: Duration = Duration::from_secs(2);

/// A GraphQL-over-HTTP client for one endpoint.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    url: String,
    retries: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Client {
    /// A client for the endpoint at `url`, sending `api_key` (if any) as
    /// `X-API-Key`.
    pub fn new(url: &str, api_key: Option<&str>) -> Result<Self, Error> {
        Self::with_timeout(url, api_key, Duration::from_secs(30))
    }

    pub fn with_timeout(
        url: &str,
        api_key: Option<&str>,
        timeout: Duration,
    ) -> Result<Self, Error> {
        let mut headers = HeaderMap::new();
        // The GraphQL-over-HTTP media type first: request errors then come
        // back as 4xx rather than 200.
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/graphql-response+json, application/json;q=0.9"),
        );
        if let Some(key) = api_key {
            let mut value = HeaderValue::from_str(key)
                .map_err(|_| Error::Transport("the API key is not a valid header value".into()))?;
            value.set_sensitive(true);
            headers.insert("x-api-key", value);
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(timeout)
            .tcp_nodelay(true)
            .build()
            .map_err(|err| Error::transport(&err))?;
        Ok(Self {
            http,
            url: url.to_owned(),
            retries: Default::default(),
        })
    }

    /// Runs operation `Q` and returns its data, or why there is none: any
    /// status but 200, any GraphQL error, or a body not fitting `Q`.
    pub async fn execute<Q: GraphQLQuery>(
        &self,
        variables: Q::Variables,
    ) -> Result<Q::ResponseData, Error> {
        let body = Q::build_query(variables);
        let response = self
            .http
            .post(&self.url)
            .json(&body)
            .send()
            .await
            .map_err(|err| Error::transport(&err))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|err| Error::transport(&err))?;
        if status != StatusCode::OK {
            let message = serde_json::from_slice::<Response<serde_json::Value>>(&bytes)
                .ok()
                .and_then(|r| r.errors)
                .and_then(|errors| errors.into_iter().next())
                .map_or_else(
                    || String::from_utf8_lossy(&bytes).chars().take(200).collect(),
                    |e| e.message,
                );
            return Err(Error::Status { status, message });
        }
        let response: Response<Q::ResponseData> =
            serde_json::from_slice(&bytes).map_err(|err| Error::decode(&err))?;
        if let Some(error) = response.errors.and_then(|errors| errors.into_iter().next()) {
            let code = error
                .extensions
                .as_ref()
                .and_then(|ext| ext.get("code"))
                .and_then(|code| code.as_str())
                .unwrap_or("(no code)")
                .to_owned();
            return Err(Error::GraphQL {
                code,
                message: error.message,
            });
        }
        response.data.ok_or(Error::NoData)
    }

    /// Runs operation `Q` like [`Self::execute`], sending it again while it
    /// fails in a way [`Error::is_retryable`] allows.
    pub async fn execute_retrying<Q: GraphQLQuery>(
        &self,
        variables: Q::Variables,
    ) -> Result<Q::ResponseData, Error>
    where
        Q::Variables: Clone,
    {
        let mut pause = FIRST_PAUSE;
        for _ in 1..ATTEMPTS {
            match self.execute::<Q>(variables.clone()).await {
                Err(err) if err.is_retryable() => {
                    self.retries
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(MAX_PAUSE);
                }
                done => return done,
            }
        }
        self.execute::<Q>(variables).await
    }

    /// The endpoint this client talks to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How many requests were sent again after a retryable failure.
    pub fn retries(&self) -> u64 {
        self.retries.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The first `first` agents, oldest first.
    pub async fn list_agents(&self, first: i64) -> Result<list_agents::ListAgentsAgents, Error> {
        let data = self
            .execute::<ListAgents>(list_agents::Variables { first })
            .await?;
        Ok(data.agents)
    }

    /// The agent with this id, or `None` when there is none.
    pub async fn get_agent(&self, id: Uuid) -> Result<Option<get_agent::GetAgentAgent>, Error> {
        let data = self
            .execute::<GetAgent>(get_agent::Variables { id })
            .await?;
        Ok(data.agent)
    }

    /// Creates with an idempotency key (a new one unless the input has
    /// one), retried as [`Self::execute_retrying`] allows: a retry never
    /// creates twice.
    pub async fn create_agent(
        &self,
        mut input: create_agent::CreateAgentInput,
    ) -> Result<create_agent::CreateAgentCreateAgent, Error> {
        input.idempotency_key.get_or_insert_with(new_key);
        let data = self
            .execute_retrying::<CreateAgent>(create_agent::Variables { input })
            .await?;
        Ok(data.create_agent)
    }

    pub async fn update_agent(
        &self,
        id: Uuid,
        input: update_agent::UpdateAgentInput,
    ) -> Result<update_agent::UpdateAgentUpdateAgent, Error> {
        let data = self
            .execute::<UpdateAgent>(update_agent::Variables { id, input })
            .await?;
        Ok(data.update_agent)
    }

    /// Deletes an agent that owns no goals; returns the deleted id.
    pub async fn delete_agent(&self, id: Uuid) -> Result<Uuid, Error> {
        let data = self
            .execute::<DeleteAgent>(delete_agent::Variables { id })
            .await?;
        Ok(data.delete_agent)
    }

    /// The first `first` goals of an agent, oldest first.
    pub async fn list_goals(
        &self,
        agent_id: Uuid,
        first: i64,
    ) -> Result<list_goals::ListGoalsGoals, Error> {
        let data = self
            .execute::<ListGoals>(list_goals::Variables { agent_id, first })
            .await?;
        Ok(data.goals)
    }

    /// Creates with an idempotency key (a new one unless the input has
    /// one), retried as [`Self::execute_retrying`] allows: a retry never
    /// creates twice.
    pub async fn create_goal(
        &self,
        mut input: create_goal::CreateGoalInput,
    ) -> Result<create_goal::CreateGoalCreateGoal, Error> {
        input.idempotency_key.get_or_insert_with(new_key);
        let data = self
            .execute_retrying::<CreateGoal>(create_goal::Variables { input })
            .await?;
        Ok(data.create_goal)
    }

    /// Creates with an idempotency key (a new one unless the input has
    /// one), retried as [`Self::execute_retrying`] allows: a retry never
    /// creates twice.
    pub async fn create_plan(
        &self,
        mut input: create_plan::CreatePlanInput,
    ) -> Result<create_plan::CreatePlanCreatePlan, Error> {
        input.idempotency_key.get_or_insert_with(new_key);
        let data = self
            .execute_retrying::<CreatePlan>(create_plan::Variables { input })
            .await?;
        Ok(data.create_plan)
    }

    /// Creates with an idempotency key (a new one unless the input has
    /// one), retried as [`Self::execute_retrying`] allows: a retry never
    /// creates twice.
    pub async fn create_task(
        &self,
        mut input: create_task::CreateTaskInput,
    ) -> Result<create_task::CreateTaskCreateTask, Error> {
        input.idempotency_key.get_or_insert_with(new_key);
        let data = self
            .execute_retrying::<CreateTask>(create_task::Variables { input })
            .await?;
        Ok(data.create_task)
    }
}

/// A fresh idempotency key.
pub fn new_key() -> String {
    Uuid::now_v7().to_string()
}
