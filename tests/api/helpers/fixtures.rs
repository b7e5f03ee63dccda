//! Seeding and reading back through the API: creates one at a time or many
//! per request, counts, and walks through statuses.

use serde_json::{Value, json};

use super::TestApp;

impl TestApp {
    /// Runs `createX(input:)` (`mutation_field` e.g. `createAgent`) and
    /// returns the created id.
    async fn create_one(&self, mutation_field: &str, input_type: &str, input: Value) -> String {
        let document = format!(
            "mutation($input: {input_type}!) {{ {mutation_field}(input: $input) {{ id }} }}"
        );
        let data = self.gql_ok(&document, json!({ "input": input })).await;
        data[mutation_field]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{mutation_field} returns an id: {data}"))
            .to_owned()
    }

    /// Creates an agent with the given name and returns its id.
    pub async fn create_agent(&self, name: &str) -> String {
        self.create_one("createAgent", "CreateAgentInput", json!({ "name": name }))
            .await
    }

    pub async fn create_goal(&self, agent_id: &str, description: &str) -> String {
        let input = json!({ "agentId": agent_id, "description": description });
        self.create_one("createGoal", "CreateGoalInput", input)
            .await
    }

    pub async fn create_plan(&self, goal_id: &str, description: &str) -> String {
        let input = json!({ "goalId": goal_id, "description": description });
        self.create_one("createPlan", "CreatePlanInput", input)
            .await
    }

    pub async fn create_task(&self, plan_id: &str, description: &str) -> String {
        let input = json!({ "planId": plan_id, "description": description });
        self.create_one("createTask", "CreateTaskInput", input)
            .await
    }
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

    /// 540 goals, 90 under each of 6 agents: more parents than SQLite's
    /// 500 arms of one compound SELECT. Their ids, in creation order.
    pub async fn create_540_goals(&self) -> Vec<String> {
        let agents = self
            .create_many(
                "createAgent",
                "CreateAgentInput",
                &(0..6)
                    .map(|i| json!({ "name": format!("agent {i}") }))
                    .collect::<Vec<_>>(),
            )
            .await;
        let goals: Vec<Value> = agents
            .iter()
            .flat_map(|agent| {
                (0..90)
                    .map(move |i| json!({ "agentId": agent, "description": format!("goal {i}") }))
            })
            .collect();
        self.create_many("createGoal", "CreateGoalInput", &goals)
            .await
    }
}
