//! Plain GraphQL over HTTP, the contract's queue documents, and timings.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use hdrhistogram::Histogram;
use serde_json::{Value, json};

const CLAIM: &str =
    "mutation Claim($input: ClaimTasksInput!) { claimTasks(input: $input) { token task { id } } }";
const COMPLETE: &str = "mutation Complete($id: UUID!, $token: String!) { completeTask(id: $id, token: $token) { id } }";
pub(crate) const READ: &str = "query Read($id: UUID!) { task(id: $id) { id status } }";
pub(crate) const CREATE_TASK: &str =
    "mutation CreateTask($input: CreateTaskInput!) { createTask(input: $input) { id } }";

/// Plain GraphQL over HTTP: the documents below name the contract's fields
/// directly, so this runs against any build that has them, without the
/// typed client's regeneration.
#[derive(Clone)]
pub(crate) struct Gql {
    http: reqwest::Client,
    url: Arc<str>,
}

impl Gql {
    pub(crate) fn new(url: &str, timeout_secs: u64) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(timeout_secs))
            .pool_max_idle_per_host(usize::MAX)
            .build()?;
        Ok(Self {
            http,
            url: url.into(),
        })
    }

    /// The `data` of a response without errors.
    pub(crate) async fn run(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        let mut response: Value = self
            .http
            .post(&*self.url)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await?
            .json()
            .await?;
        if let Some(errors) = response.get("errors") {
            bail!("{errors}");
        }
        Ok(response
            .get_mut("data")
            .map(Value::take)
            .unwrap_or_default())
    }
}

pub(crate) fn id(value: &Value) -> anyhow::Result<String> {
    value
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .with_context(|| format!("no id in {value}"))
}

/// An ACTIVE agent and a goal of its, to hang plans from.
pub(crate) async fn agent_and_goal(gql: &Gql) -> anyhow::Result<(String, String)> {
    let agent = gql
        .run(
            "mutation($input: CreateAgentInput!) { createAgent(input: $input) { id } }",
            json!({ "input": { "name": "queue bench" } }),
        )
        .await
        .context("create the agent")?;
    let agent = id(&agent["createAgent"])?;
    let goal = gql
        .run(
            "mutation($input: CreateGoalInput!) { createGoal(input: $input) { id } }",
            json!({ "input": { "agentId": agent, "description": "drain the queue" } }),
        )
        .await
        .context("create the goal")?;
    Ok((agent, id(&goal["createGoal"])?))
}

/// An ACTIVE plan with `tasks` no-op tasks, all claimable at once.
pub(crate) async fn active_plan(gql: &Gql, goal: &str, tasks: usize) -> anyhow::Result<String> {
    let tasks: Vec<Value> = (0..tasks)
        .map(|i| json!({ "description": format!("no-op {i}") }))
        .collect();
    let plan = gql
        .run(
            "mutation($input: CreatePlanInput!) { createPlan(input: $input) { id } }",
            json!({ "input": { "goalId": goal, "description": "queue bench", "status": "ACTIVE", "tasks": tasks } }),
        )
        .await
        .context("create an ACTIVE plan")?;
    id(&plan["createPlan"])
}

pub(crate) struct Lease {
    pub(crate) id: String,
    pub(crate) token: String,
}

pub(crate) async fn claim(gql: &Gql, input: Value) -> anyhow::Result<Vec<Lease>> {
    let data = gql.run(CLAIM, json!({ "input": input })).await?;
    let leases = data["claimTasks"]
        .as_array()
        .context("no claimTasks list")?;
    leases
        .iter()
        .map(|lease| {
            Ok(Lease {
                id: id(&lease["task"])?,
                token: lease["token"].as_str().context("no token")?.to_owned(),
            })
        })
        .collect()
}

pub(crate) async fn complete(gql: &Gql, lease: &Lease) -> anyhow::Result<()> {
    gql.run(COMPLETE, json!({ "id": lease.id, "token": lease.token }))
        .await
        .map(drop)
}

pub(crate) fn histogram() -> anyhow::Result<Histogram<u64>> {
    Ok(Histogram::new(3)?)
}

pub(crate) fn record(histogram: &mut Histogram<u64>, elapsed: Duration) {
    let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
    let _ = histogram.record(micros.max(1));
}

/// p50, p99 and max in ms.
pub(crate) fn summary(histogram: &Histogram<u64>) -> Value {
    let ms = |micros: u64| micros as f64 / 1000.0;
    json!({
        "count": histogram.len(),
        "p50": ms(histogram.value_at_quantile(0.5)),
        "p99": ms(histogram.value_at_quantile(0.99)),
        "max": ms(histogram.max()),
    })
}
