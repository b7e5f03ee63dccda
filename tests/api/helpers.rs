//! Starts a real agentgraph server on an ephemeral port over a fresh database
//! and talks to it the way a client does: HTTP and GraphQL documents.

use std::sync::OnceLock;

use agentgraph::config::ServeConfig;
use agentgraph::startup::{Application, StatementCounter};
use serde_json::{Value, json};

/// A running server on its own fresh database.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub statements: StatementCounter,
    /// The fresh database this server runs on.
    pub database_url: String,
    /// The server's own connections, for tests that break the database on purpose.
    pub db: agentgraph::db::Db,
    /// The server's operation slots, for tests that make it busy on purpose.
    pub executions: std::sync::Arc<tokio::sync::Semaphore>,
    /// The server's create queues, whose counts show creates written together.
    pub creates: agentgraph::service::group_commit::Creates,
    stop: std::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    server: std::sync::Mutex<
        Option<tokio::task::JoinHandle<std::io::Result<agentgraph::startup::Stopped>>>,
    >,
}

/// The backend a test runs against: `TEST_DATABASE_URL` (a `postgres://` URL
/// whose database is used to create one fresh database per test), or SQLite
/// when unset.
fn base_database_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
}

static TEMP_ROOT: OnceLock<std::path::PathBuf> = OnceLock::new();

pub async fn fresh_database_url() -> String {
    let unique = uuid::Uuid::now_v7().simple().to_string();
    match base_database_url() {
        Some(base) if base.starts_with("postgres") => {
            let name = format!("agentgraph_test_{unique}");
            let admin = sea_orm::Database::connect(base.as_str())
                .await
                .expect("connect to TEST_DATABASE_URL");
            use sea_orm::ConnectionTrait;
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create test database");
            admin.close().await.ok();
            replace_database_name(&base, &name)
        }
        Some(other) => panic!("TEST_DATABASE_URL must be a postgres:// URL, got {other}"),
        None => {
            let root = TEMP_ROOT.get_or_init(|| {
                let dir = std::env::temp_dir().join("agentgraph-tests");
                std::fs::create_dir_all(&dir).expect("create test directory");
                dir
            });
            format!("sqlite://{}/{unique}.db?mode=rwc", root.display())
        }
    }
}

/// `postgres://user@host:5432/db?x=y` with `db` replaced by `name`.
fn replace_database_name(url: &str, name: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((head, query)) => (head, Some(query)),
        None => (url, None),
    };
    let scheme_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match head[scheme_end..].find('/') {
        Some(slash) => &head[..scheme_end + slash],
        None => head,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

pub fn is_postgres() -> bool {
    base_database_url().is_some()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A server whose configuration `configure` adjusts first (keys, limits…).
pub async fn spawn_app_with(configure: impl FnOnce(&mut ServeConfig)) -> TestApp {
    spawn_app_on(fresh_database_url().await, configure).await
}

/// A second server over this one's database, as another instance would be.
pub async fn spawn_instance(app: &TestApp) -> TestApp {
    spawn_app_on(app.database_url.clone(), |_| {}).await
}

/// A server over `database_url` (a fresh one, or one another server uses).
pub async fn spawn_app_on(
    database_url: String,
    configure: impl FnOnce(&mut ServeConfig),
) -> TestApp {
    let mut config = ServeConfig::new("127.0.0.1:0".parse().expect("listen address"), database_url);
    configure(&mut config);
    let database_url = config.database_url.clone();
    let app = Application::build(&config)
        .await
        .expect("build application");
    let address = format!("http://127.0.0.1:{}", app.port());
    let statements = app.statement_counter();
    let db = app.db();
    let executions = app.executions();
    let creates = app.creates();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_with_shutdown(async move {
        let _ = stopped.await;
    }));
    TestApp {
        address,
        client: reqwest::Client::new(),
        statements,
        database_url,
        db,
        executions,
        creates,
        stop: std::sync::Mutex::new(Some(stop)),
        server: std::sync::Mutex::new(Some(server)),
    }
}

impl TestApp {
    /// How the server has grouped creates into statements so far.
    pub fn create_batches(&self) -> agentgraph::service::group_commit::BatchCounts {
        self.creates.counts()
    }

    /// Signals a graceful shutdown and returns the server task to await.
    pub fn shut_down(
        &self,
    ) -> tokio::task::JoinHandle<std::io::Result<agentgraph::startup::Stopped>> {
        if let Some(stop) = self.stop.lock().expect("stop lock").take() {
            let _ = stop.send(());
        }
        self.server
            .lock()
            .expect("server lock")
            .take()
            .expect("the server was already shut down")
    }

    /// POSTs a GraphQL document with this `Accept` and returns the status,
    /// the headers and the body, whatever the status.
    pub async fn post_accepting(
        &self,
        accept: &str,
        query: &str,
        variables: Value,
    ) -> (reqwest::StatusCode, reqwest::header::HeaderMap, Value) {
        let response = self
            .client
            .post(self.graphql_url())
            .header(reqwest::header::ACCEPT, accept)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("send request");
        let status = response.status();
        let headers = response.headers().clone();
        (status, headers, response.json().await.expect("JSON body"))
    }

    /// POSTs a GraphQL document and returns the whole response body.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        let response = self
            .client
            .post(format!("{}/graphql", self.address))
            // The legacy media type: every well-formed request is a 200, with
            // errors in the body (GraphQL-over-HTTP).
            .header(reqwest::header::ACCEPT, "application/json")
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("send request");
        assert!(
            response.status().is_success(),
            "unexpected HTTP status {}",
            response.status()
        );
        response.json().await.expect("JSON body")
    }

    /// POSTs a GraphQL document and returns `data`, failing the test on any error.
    pub async fn gql_ok(&self, query: &str, variables: Value) -> Value {
        let body = self.gql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// Creates an agent with the given name and returns its id.
    pub async fn create_agent(&self, name: &str) -> String {
        let data = self
            .gql_ok(
                "mutation($input: CreateAgentInput!) { createAgent(input: $input) { id } }",
                json!({ "input": { "name": name } }),
            )
            .await;
        data["createAgent"]["id"]
            .as_str()
            .expect("agent id")
            .to_owned()
    }

    pub async fn create_goal(&self, agent_id: &str, description: &str) -> String {
        let data = self
            .gql_ok(
                "mutation($input: CreateGoalInput!) { createGoal(input: $input) { id } }",
                json!({ "input": { "agentId": agent_id, "description": description } }),
            )
            .await;
        data["createGoal"]["id"]
            .as_str()
            .expect("goal id")
            .to_owned()
    }

    pub async fn create_plan(&self, goal_id: &str, description: &str) -> String {
        let data = self
            .gql_ok(
                "mutation($input: CreatePlanInput!) { createPlan(input: $input) { id } }",
                json!({ "input": { "goalId": goal_id, "description": description } }),
            )
            .await;
        data["createPlan"]["id"]
            .as_str()
            .expect("plan id")
            .to_owned()
    }

    pub async fn create_task(&self, plan_id: &str, description: &str) -> String {
        let data = self
            .gql_ok(
                "mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }",
                json!({ "input": { "planId": plan_id, "description": description } }),
            )
            .await;
        data["createTask"]["id"]
            .as_str()
            .expect("task id")
            .to_owned()
    }
}

/// The `extensions.code` of every error in a response body.
pub fn error_codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .unwrap_or("<none>")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The `extensions.field` of every error in a response body.
pub fn error_fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["extensions"]["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// How many aliased mutation fields go into one request when seeding.
const BATCH: usize = 50;

impl TestApp {
    /// Runs `mutation_field` (e.g. `createAgent`) once per input, many per
    /// request as aliased fields (mutations run serially, in order), and
    /// returns the created ids in the order of `inputs`.
    pub async fn create_many(
        &self,
        mutation_field: &str,
        input_type: &str,
        inputs: &[Value],
    ) -> Vec<String> {
        let mut ids = Vec::with_capacity(inputs.len());
        for chunk in inputs.chunks(BATCH) {
            let params: Vec<String> = (0..chunk.len())
                .map(|i| format!("$i{i}: {input_type}!"))
                .collect();
            let fields: Vec<String> = (0..chunk.len())
                .map(|i| format!("m{i}: {mutation_field}(input: $i{i}) {{ id }}"))
                .collect();
            let document = format!("mutation({}) {{ {} }}", params.join(", "), fields.join(" "));
            let variables: serde_json::Map<String, Value> = chunk
                .iter()
                .enumerate()
                .map(|(i, input)| (format!("i{i}"), input.clone()))
                .collect();
            let data = self.gql_ok(&document, Value::Object(variables)).await;
            for i in 0..chunk.len() {
                let id = data[format!("m{i}")]["id"]
                    .as_str()
                    .expect("created id")
                    .to_owned();
                ids.push(id);
            }
        }
        ids
    }

    /// Runs `mutation_field` (e.g. `updateTask`) on each `(id, input)`, many
    /// per request as aliased fields, in order.
    pub async fn update_many(
        &self,
        mutation_field: &str,
        input_type: &str,
        updates: &[(String, Value)],
    ) {
        for chunk in updates.chunks(BATCH) {
            let params: Vec<String> = (0..chunk.len())
                .map(|i| format!("$id{i}: UUID!, $i{i}: {input_type}!"))
                .collect();
            let fields: Vec<String> = (0..chunk.len())
                .map(|i| format!("m{i}: {mutation_field}(id: $id{i}, input: $i{i}) {{ id }}"))
                .collect();
            let document = format!("mutation({}) {{ {} }}", params.join(", "), fields.join(" "));
            let mut variables = serde_json::Map::new();
            for (i, (id, input)) in chunk.iter().enumerate() {
                variables.insert(format!("id{i}"), json!(id));
                variables.insert(format!("i{i}"), input.clone());
            }
            self.gql_ok(&document, Value::Object(variables)).await;
        }
    }

    /// `totalCount` of a top-level connection: `agents`, `goals`, `plans` or `tasks`.
    pub async fn total_count(&self, connection: &str) -> i64 {
        let data = self
            .gql_ok(&format!("{{ {connection} {{ totalCount }} }}"), json!({}))
            .await;
        data[connection]["totalCount"]
            .as_i64()
            .expect("totalCount is an integer")
    }

    /// The number of agents, goals, plans and tasks, in that order.
    pub async fn counts(&self) -> [i64; 4] {
        let data = self
            .gql_ok(
                "{ agents { totalCount } goals { totalCount } plans { totalCount } tasks { totalCount } }",
                json!({}),
            )
            .await;
        ["agents", "goals", "plans", "tasks"].map(|connection| {
            data[connection]["totalCount"]
                .as_i64()
                .expect("totalCount is an integer")
        })
    }

    /// Sends `update<resource>(id:, input: { status })` (`resource` is `Goal`,
    /// `Plan`, `Task` or `Agent`) and returns the whole response body.
    pub async fn update_status(&self, resource: &str, id: &str, status: &str) -> Value {
        let document = format!(
            "mutation($id: UUID!, $input: Update{resource}Input!) {{ \
             update{resource}(id: $id, input: $input) {{ id status version }} }}"
        );
        self.gql(
            &document,
            json!({ "id": id, "input": { "status": status } }),
        )
        .await
    }

    /// Moves an object through `path`, one status at a time, failing the test
    /// when any step is refused.
    pub async fn walk_statuses(&self, resource: &str, id: &str, path: &[&str]) {
        for status in path {
            let body = self.update_status(resource, id, status).await;
            assert!(
                body.get("errors").is_none(),
                "{resource} {id} could not become {status}: {body:#}"
            );
        }
    }

    /// A request to `/graphql` on this server.
    pub fn graphql_url(&self) -> String {
        format!("{}/graphql", self.address)
    }
}

/// Fails the test unless the body holds an error with this `extensions.code`
/// (and, for a failed root field, no data for it).
pub fn assert_error_code(body: &Value, code: &str) {
    let codes = error_codes(body);
    assert!(
        codes.iter().any(|c| c == code),
        "expected an error with code {code}, got codes {codes:?} in {body:#}"
    );
}

/// Fails the test unless the body holds a `BAD_USER_INPUT` error whose
/// `extensions.field` is `field`.
pub fn assert_bad_input(body: &Value, field: &str) {
    assert_error_code(body, "BAD_USER_INPUT");
    let fields = error_fields(body);
    assert!(
        fields.iter().any(|f| f == field),
        "expected a BAD_USER_INPUT error on {field}, got fields {fields:?} in {body:#}"
    );
}

/// Fails the test unless the body is a `BAD_USER_INPUT` error (whatever its
/// `field`) and carries no data for the root field.
pub fn assert_refused_as_bad_input(body: &Value) {
    assert_error_code(body, "BAD_USER_INPUT");
    let data = &body["data"];
    assert!(
        data.is_null()
            || data
                .as_object()
                .is_some_and(|o| o.values().all(Value::is_null)),
        "no data for a refused request: {body:#}"
    );
}

/// Parses a `DateTime` wire value, asserting it is RFC 3339 in UTC.
pub fn datetime(value: &Value) -> chrono::DateTime<chrono::Utc> {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("a DateTime string, got {value}"));
    let parsed = chrono::DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text:?} is not RFC 3339: {e}"));
    assert_eq!(
        parsed.offset().local_minus_utc(),
        0,
        "{text:?} is not in UTC"
    );
    parsed.with_timezone(&chrono::Utc)
}

/// The `id` strings of a connection's `nodes`.
pub fn node_ids(connection: &Value) -> Vec<String> {
    connection["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("a connection with nodes, got {connection}"))
        .iter()
        .map(|node| node["id"].as_str().expect("node id").to_owned())
        .collect()
}

/// A UUID that names nothing on the server.
pub fn unknown_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
