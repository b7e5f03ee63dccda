//! A property test of isolation: random sequences of creates, updates,
//! deletes and claims by the WRITE callers of three tenants, each naming
//! objects of any tenant, against an in-memory model in which a caller
//! sees only its own tenant's objects (another tenant's are NOT_FOUND, as
//! if deleted). After every step each tenant lists exactly what the model
//! says it holds: ids, versions, parents, statuses and assignees.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

mod state;

use self::state::Model;
use super::{Client, codes, key_line};
use crate::helpers::{TestApp, spawn_app_with};

const TENANTS: usize = 3;
const CASES: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Agent,
    Goal,
    Plan,
    Task,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Agent => "Agent",
            Self::Goal => "Goal",
            Self::Plan => "Plan",
            Self::Task => "Task",
        }
    }
}

/// `by` is the calling tenant; the other numbers pick an object of the
/// whole history (any tenant, deleted or not), modulo how many there are.
#[derive(Debug, Clone)]
enum Op {
    CreateAgent {
        by: usize,
    },
    CreateGoal {
        by: usize,
        agent: usize,
    },
    CreatePlan {
        by: usize,
        goal: usize,
    },
    CreateTask {
        by: usize,
        plan: usize,
        assignee: Option<usize>,
    },
    Update {
        by: usize,
        kind: Kind,
        pick: usize,
    },
    Delete {
        by: usize,
        kind: Kind,
        pick: usize,
    },
    /// Every claimable task of the tenant, for the picked agent.
    Claim {
        by: usize,
        agent: usize,
    },
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        Just(Kind::Agent),
        Just(Kind::Goal),
        Just(Kind::Plan),
        Just(Kind::Task)
    ]
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let by = 0..TENANTS;
    let pick = 0..1000usize;
    let op = prop_oneof![
        2 => by.clone().prop_map(|by| Op::CreateAgent { by }),
        3 => (by.clone(), pick.clone()).prop_map(|(by, agent)| Op::CreateGoal { by, agent }),
        3 => (by.clone(), pick.clone()).prop_map(|(by, goal)| Op::CreatePlan { by, goal }),
        4 => (by.clone(), pick.clone(), proptest::option::of(pick.clone()))
            .prop_map(|(by, plan, assignee)| Op::CreateTask { by, plan, assignee }),
        3 => (by.clone(), kind(), pick.clone()).prop_map(|(by, kind, pick)| Op::Update { by, kind, pick }),
        1 => (by.clone(), kind(), pick.clone()).prop_map(|(by, kind, pick)| Op::Delete { by, kind, pick }),
        2 => (by, pick).prop_map(|(by, agent)| Op::Claim { by, agent }),
    ];
    proptest::collection::vec(op, 1..22)
}

const LIST: &str = "{
  agents(first: 100) { totalCount nodes { id version } }
  goals(first: 100) { totalCount nodes { id version agentId } }
  plans(first: 100) { totalCount nodes { id version goalId } }
  tasks(first: 100) { totalCount nodes { id version planId status agentId } }
  taskStats(groupBy: [PLAN, STATUS]) { planId status count }
}";

async fn listed(caller: &Client) -> Value {
    let mut data = caller.gql_ok(LIST, json!({})).await;
    for list in ["agents", "goals", "plans", "tasks"] {
        if let Some(nodes) = data[list]["nodes"].as_array_mut() {
            nodes.sort_by_key(|node| node["id"].to_string());
        }
    }
    data
}

/// The created id, or the error codes.
fn outcome(body: &Value, field: &str) -> Result<String, Vec<String>> {
    match body["data"][field]["id"].as_str() {
        Some(id) if body.get("errors").is_none() => Ok(id.to_owned()),
        _ => Err(codes(body)),
    }
}

async fn step(model: &mut Model, callers: &[Client], op: &Op, context: &str) {
    let not_found = vec!["NOT_FOUND".to_owned()];
    match *op {
        Op::CreateAgent { by } => {
            let id = callers[by]
                .create("createAgent", json!({ "name": "m" }))
                .await;
            model.add(Kind::Agent, id, by, None, None);
        }
        Op::CreateGoal { by, agent: pick } | Op::CreatePlan { by, goal: pick } => {
            let (parent_kind, kind, field, input) = match *op {
                Op::CreateGoal { .. } => (Kind::Agent, Kind::Goal, "createGoal", "agentId"),
                _ => (Kind::Goal, Kind::Plan, "createPlan", "goalId"),
            };
            let Some((index, visible)) = model.pick(parent_kind, pick, by) else {
                return;
            };
            let parent = model.of(parent_kind)[index].id.clone();
            let mut fields = json!({ input: parent, "description": "m" });
            if kind == Kind::Plan {
                fields["status"] = json!("ACTIVE");
            }
            let document = format!(
                "mutation($input: Create{}Input!) {{ {field}(input: $input) {{ id }} }}",
                kind.name()
            );
            let body = callers[by].gql(&document, json!({ "input": fields })).await;
            match (outcome(&body, field), visible) {
                (Ok(id), true) => model.add(kind, id, by, Some(parent), None),
                (Err(codes), false) if codes == not_found => {}
                (got, _) => panic!("{context}: expected success {visible}, got {got:?}: {body}"),
            }
        }
        Op::CreateTask { by, plan, assignee } => {
            let Some((index, mut visible)) = model.pick(Kind::Plan, plan, by) else {
                return;
            };
            let plan = model.plans[index].id.clone();
            let mut input = json!({ "planId": plan, "description": "m" });
            let mut assigned = None;
            if let Some(pick) = assignee
                && let Some((agent, seen)) = model.pick(Kind::Agent, pick, by)
            {
                visible &= seen;
                assigned = Some(model.agents[agent].id.clone());
                input["agentId"] = json!(assigned);
            }
            let body = callers[by]
                .gql(
                    "mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }",
                    json!({ "input": input }),
                )
                .await;
            match (outcome(&body, "createTask"), visible) {
                (Ok(id), true) => model.add(Kind::Task, id, by, Some(plan), assigned),
                (Err(codes), false) if codes == not_found => {}
                (got, _) => panic!("{context}: expected success {visible}, got {got:?}: {body}"),
            }
        }
        Op::Update { by, kind, pick } => {
            let Some((index, visible)) = model.pick(kind, pick, by) else {
                return;
            };
            let id = model.of(kind)[index].id.clone();
            let change = if kind == Kind::Agent {
                "name"
            } else {
                "description"
            };
            let document = format!(
                "mutation($id: UUID!) {{ update{0}(id: $id, input: {{ {change}: \"u\" }}) {{ id }} }}",
                kind.name()
            );
            let body = callers[by].gql(&document, json!({ "id": id })).await;
            match (outcome(&body, &format!("update{}", kind.name())), visible) {
                (Ok(_), true) => model.of(kind)[index].version += 1,
                (Err(codes), false) if codes == not_found => {}
                (got, _) => panic!("{context}: expected success {visible}, got {got:?}: {body}"),
            }
        }
        Op::Delete { by, kind, pick } => {
            let Some((index, visible)) = model.pick(kind, pick, by) else {
                return;
            };
            let id = model.of(kind)[index].id.clone();
            let cascade = if kind == Kind::Task {
                ""
            } else {
                ", cascade: true"
            };
            let document = format!(
                "mutation($id: UUID!) {{ delete{}(id: $id{cascade}) }}",
                kind.name()
            );
            let body = callers[by].gql(&document, json!({ "id": id })).await;
            match (codes(&body), visible) {
                (codes, true) if codes.is_empty() => model.delete(kind, index),
                (codes, false) if codes == not_found => {}
                (got, _) => panic!("{context}: expected success {visible}, got {got:?}: {body}"),
            }
        }
        Op::Claim { by, agent } => {
            let Some((index, visible)) = model.pick(Kind::Agent, agent, by) else {
                return;
            };
            let agent = model.agents[index].id.clone();
            let body = callers[by]
                .gql(
                    "mutation($agent: UUID!) { claimTasks(input: { agentId: $agent, limit: 100 }) { task { id } } }",
                    json!({ "agent": agent }),
                )
                .await;
            if !visible {
                assert_eq!(codes(&body), not_found, "{context}: {body}");
                return;
            }
            assert!(body.get("errors").is_none(), "{context}: {body}");
            let mut taken: Vec<String> = body["data"]["claimTasks"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|lease| lease["task"]["id"].as_str().unwrap_or_default().to_owned())
                .collect();
            taken.sort();
            let mut claimable: Vec<String> = model
                .tasks
                .iter()
                .filter(|t| t.alive && t.tenant == by && t.status == "PENDING")
                .map(|t| t.id.clone())
                .collect();
            claimable.sort();
            assert_eq!(
                taken, claimable,
                "{context}: the tenant's claimable tasks, and only those"
            );
            for task in model.tasks.iter_mut().filter(|t| claimable.contains(&t.id)) {
                task.status = "RUNNING";
                task.assignee = Some(agent.clone());
                task.version += 1;
            }
        }
    }
}

async fn run(app: &TestApp, case: usize, ops: &[Op]) {
    let callers: Vec<Client> = (0..TENANTS)
        .map(|t| Client::new(app, &key(case, t)))
        .collect();
    let mut model = Model::default();
    for by in 0..TENANTS {
        step(&mut model, &callers, &Op::CreateAgent { by }, "seed").await;
    }
    for (i, op) in ops.iter().enumerate() {
        let context = format!("case {case}, step {i} {op:?} of {ops:?}");
        step(&mut model, &callers, op, &context).await;
        for (t, caller) in callers.iter().enumerate() {
            let got = listed(caller).await;
            assert_eq!(got, model.view(t), "tenant {t} after {context}");
        }
    }
}

fn key(case: usize, tenant: usize) -> String {
    format!("agk_model_{case}_{tenant}")
}

#[tokio::test]
async fn random_operations_of_three_tenants_each_see_only_their_own() {
    let keys: Vec<String> = (0..CASES)
        .flat_map(|case| {
            (0..TENANTS).map(move |t| {
                key_line(
                    "writer",
                    "write",
                    &key(case, t),
                    &format!("model-{case}-{t}"),
                    None,
                )
            })
        })
        .collect();
    let app = spawn_app_with(|config| config.serve.api_keys = Some(keys.join(","))).await;
    let mut runner = TestRunner::new(Config {
        cases: CASES as u32,
        ..Config::default()
    });
    let strategy = ops();
    for case in 0..CASES {
        let sequence = strategy.new_tree(&mut runner).expect("a case").current();
        run(&app, case, &sequence).await;
    }
}
