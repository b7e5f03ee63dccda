//! A tenant's objects to aim at, seeded through the API by a WRITE caller
//! of that tenant, and one call of every mutation naming them: valid for
//! that caller, so whatever refuses it refuses for who is asking, not for
//! what is asked.

use serde_json::{Value, json};

use super::Client;

pub struct Targets {
    pub agent: String,
    pub goal: String,
    /// ACTIVE, with `task` PENDING in it and the leased tasks.
    pub plan: String,
    pub task: String,
    /// (task, token) held by `agent`: for heartbeat, complete, fail, release.
    pub leases: Vec<(String, String)>,
    /// An agent, a goal, a DRAFT plan and a task of it, each for a delete.
    pub doomed_agent: String,
    pub doomed_goal: String,
    pub doomed_plan: String,
    pub doomed_task: String,
}

impl Targets {
    /// Seeds the objects under `agent` (an agent of `writer`'s tenant); the
    /// leases are claimed for `agent`, so it holds them.
    pub async fn seed(writer: &Client, agent: &str, label: &str) -> Self {
        let goal = writer
            .create(
                "createGoal",
                json!({ "agentId": agent, "description": format!("{label} goal") }),
            )
            .await;
        let tasks: Vec<Value> = (0..5)
            .map(|i| json!({ "description": format!("{label} task {i}") }))
            .collect();
        let plan = writer
            .gql_ok(
                "mutation($input: CreatePlanInput!) { createPlan(input: $input) { id tasks { nodes { id } } } }",
                json!({ "input": { "goalId": goal, "description": format!("{label} plan"),
                                   "status": "ACTIVE", "tasks": tasks } }),
            )
            .await["createPlan"]
            .clone();
        let leases = writer
            .gql_ok(
                "mutation($input: ClaimTasksInput!) { claimTasks(input: $input) { token task { id } } }",
                json!({ "input": { "agentId": agent, "planId": plan["id"], "limit": 4 } }),
            )
            .await["claimTasks"]
            .as_array()
            .expect("leases")
            .iter()
            .map(|lease| (string(&lease["task"]["id"]), string(&lease["token"])))
            .collect::<Vec<_>>();
        assert_eq!(leases.len(), 4, "four leases for {label}");
        let task = plan["tasks"]["nodes"]
            .as_array()
            .expect("tasks")
            .iter()
            .map(|node| string(&node["id"]))
            .find(|id| leases.iter().all(|(leased, _)| leased != id))
            .expect("one task left unclaimed");
        let doomed_agent = writer
            .create("createAgent", json!({ "name": format!("{label} doomed") }))
            .await;
        let doomed_goal = writer
            .create(
                "createGoal",
                json!({ "agentId": agent, "description": "doomed" }),
            )
            .await;
        let doomed_plan = writer
            .create(
                "createPlan",
                json!({ "goalId": goal, "description": "doomed" }),
            )
            .await;
        let doomed_task = writer
            .create(
                "createTask",
                json!({ "planId": doomed_plan, "description": "doomed" }),
            )
            .await;
        Self {
            agent: agent.to_owned(),
            goal,
            plan: string(&plan["id"]),
            task,
            leases,
            doomed_agent,
            doomed_goal,
            doomed_plan,
            doomed_task,
        }
    }

    /// Every id seeded.
    pub fn ids(&self) -> Vec<String> {
        let mut ids = vec![
            self.agent.clone(),
            self.goal.clone(),
            self.plan.clone(),
            self.task.clone(),
            self.doomed_agent.clone(),
            self.doomed_goal.clone(),
            self.doomed_plan.clone(),
            self.doomed_task.clone(),
        ];
        ids.extend(self.leases.iter().map(|(task, _)| task.clone()));
        ids
    }
}

pub fn string(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("a string, got {value}"))
        .to_owned()
}

/// One mutation call: the root field it exercises, a label for messages,
/// and the document with its variables.
pub struct Call {
    pub field: &'static str,
    pub label: &'static str,
    pub document: String,
    pub variables: Value,
}

fn input_call(field: &'static str, label: &'static str, input: Value) -> Call {
    let input_type = match field {
        "claimTasks" => "ClaimTasksInput".to_owned(),
        other => format!("{}Input", super::client::capitalised(other)),
    };
    Call {
        field,
        label,
        document: format!(
            "mutation($input: {input_type}!) {{ {field}(input: $input) {{ __typename }} }}"
        ),
        variables: json!({ "input": input }),
    }
}

fn update_call(field: &'static str, input_type: &str, id: &str, input: Value) -> Call {
    Call {
        field,
        label: field,
        document: format!(
            "mutation($id: UUID!, $input: {input_type}!) {{ {field}(id: $id, input: $input) {{ id version }} }}"
        ),
        variables: json!({ "id": id, "input": input }),
    }
}

fn id_call(field: &'static str, id: &str, arguments: &str) -> Call {
    Call {
        field,
        label: field,
        document: format!("mutation($id: UUID!) {{ {field}(id: $id{arguments}) }}"),
        variables: json!({ "id": id }),
    }
}

fn lease_call(field: &'static str, (task, token): &(String, String), arguments: &str) -> Call {
    Call {
        field,
        label: field,
        document: format!(
            "mutation($id: UUID!, $token: String!) {{ {field}(id: $id, token: $token{arguments}) {{ __typename }} }}"
        ),
        variables: json!({ "id": task, "token": token }),
    }
}

/// One call of every mutation, naming `t`'s objects, each valid for a
/// WRITE caller of `t`'s tenant: creates, then updates, claims, the lease
/// calls, and the deletes last.
pub fn catalogue(t: &Targets) -> Vec<Call> {
    vec![
        input_call(
            "createAgent",
            "createAgent",
            json!({ "name": "made", "did": format!("did:made:{}", t.agent) }),
        ),
        input_call(
            "createGoal",
            "createGoal",
            json!({ "agentId": t.agent, "description": "made" }),
        ),
        input_call(
            "createGoal",
            "createGoal with a tree",
            json!({ "agentId": t.agent, "description": "made",
                    "plans": [{ "description": "made", "tasks": [{ "description": "made" }] }] }),
        ),
        input_call(
            "createPlan",
            "createPlan",
            json!({ "goalId": t.goal, "description": "made" }),
        ),
        input_call(
            "createPlan",
            "createPlan with tasks",
            json!({ "goalId": t.goal, "description": "made", "tasks": [{ "description": "made" }] }),
        ),
        input_call(
            "createTask",
            "createTask",
            json!({ "planId": t.plan, "description": "made" }),
        ),
        input_call(
            "createTask",
            "createTask depending on a task",
            json!({ "planId": t.plan, "description": "made", "dependsOn": [t.task] }),
        ),
        update_call(
            "updateAgent",
            "UpdateAgentInput",
            &t.agent,
            json!({ "name": "changed" }),
        ),
        update_call(
            "updateGoal",
            "UpdateGoalInput",
            &t.goal,
            json!({ "description": "changed" }),
        ),
        update_call(
            "updatePlan",
            "UpdatePlanInput",
            &t.plan,
            json!({ "description": "changed" }),
        ),
        update_call(
            "updateTask",
            "UpdateTaskInput",
            &t.task,
            json!({ "description": "changed" }),
        ),
        input_call("claimTasks", "claimTasks", json!({ "agentId": t.agent })),
        input_call(
            "claimTasks",
            "claimTasks of a plan",
            json!({ "agentId": t.agent, "planId": t.plan }),
        ),
        lease_call("heartbeatTask", &t.leases[0], ""),
        lease_call("completeTask", &t.leases[1], ""),
        lease_call("failTask", &t.leases[2], r#", error: "e""#),
        lease_call("releaseTask", &t.leases[3], ""),
        id_call("deleteTask", &t.doomed_task, ""),
        id_call("deletePlan", &t.doomed_plan, ", cascade: true"),
        id_call("deleteGoal", &t.doomed_goal, ", cascade: true"),
        id_call("deleteAgent", &t.doomed_agent, ", cascade: true"),
    ]
}

/// Everything a tenant holds, as its own WRITE (or READ) caller lists it:
/// what a refused call must leave exactly as it was, versions, leases and
/// timestamps included.
pub async fn snapshot(caller: &Client) -> Value {
    caller
        .gql_ok(
            "{
              agents(first: 100) { totalCount nodes { id did name status version updatedAt } }
              goals(first: 100) { totalCount nodes { id agentId description status priority version updatedAt } }
              plans(first: 100) { totalCount nodes { id goalId description status version updatedAt } }
              tasks(first: 100) { totalCount nodes { id planId agentId description status version updatedAt
                                                     attempts runAt leaseExpiresAt error dependsOn { id } } }
            }",
            json!({}),
        )
        .await
}

/// What changed between two [`snapshot`]s, object by object.
pub fn diff(before: &Value, after: &Value) -> String {
    let mut changes = Vec::new();
    for list in ["agents", "goals", "plans", "tasks"] {
        let nodes = |snapshot: &Value| -> Vec<Value> {
            snapshot[list]["nodes"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        };
        let (old, new) = (nodes(before), nodes(after));
        let find = |nodes: &[Value], id: &Value| nodes.iter().find(|n| n["id"] == *id).cloned();
        for node in &new {
            match find(&old, &node["id"]) {
                None => changes.push(format!("{list}: {} added", node["id"])),
                Some(was) if was != *node => {
                    let fields: Vec<String> = node
                        .as_object()
                        .into_iter()
                        .flatten()
                        .filter(|(key, value)| was[key.as_str()] != **value)
                        .map(|(key, value)| format!("{key} {} -> {value}", was[key.as_str()]))
                        .collect();
                    changes.push(format!("{list}: {} {}", node["id"], fields.join(", ")));
                }
                Some(_) => {}
            }
        }
        for node in &old {
            if find(&new, &node["id"]).is_none() {
                changes.push(format!("{list}: {} removed", node["id"]));
            }
        }
    }
    changes.join("; ")
}
