//! The schema clients are generated from: the committed `schema.graphql`
//! matches the server, and the server has every name of the contract.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::helpers::spawn_app;

#[test]
fn the_committed_schema_graphql_matches_the_server_schema() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!("cannot read {path} ({e}): run `cargo run -- schema > schema.graphql`")
    });
    let current = agentgraph::sdl();

    // `cargo run -- schema > schema.graphql` may end the file with a newline
    // the SDL itself does not have.
    assert!(
        committed.trim_end() == current.trim_end(),
        "schema.graphql is out of date with the server's schema: \
         run `cargo run -- schema > schema.graphql` and commit the result"
    );
}

/// Object and input types of the contract: `Type` then its fields as
/// `name: Type` or `name(arg: Type, ...): Type`, separated by `;`.
const CONTRACT_TYPES: &[(&str, &str)] = &[
    (
        "Agent",
        "id: UUID!; did: String!; name: String!; status: AgentStatus!; configuration: JSON!; \
         metadata: JSON!; version: Int!; createdAt: DateTime!; updatedAt: DateTime!; \
         goals(first: Int, after: String, last: Int, before: String, filter: GoalFilter, orderBy: GoalOrder): GoalConnection!; \
         tasks(first: Int, after: String, last: Int, before: String, filter: TaskFilter, orderBy: TaskOrder): TaskConnection!",
    ),
    (
        "Goal",
        "id: UUID!; agentId: UUID!; agent: Agent!; description: String!; \
         successCriteria: [String!]!; priority: Int!; status: GoalStatus!; version: Int!; \
         createdAt: DateTime!; updatedAt: DateTime!; \
         plans(first: Int, after: String, last: Int, before: String, filter: PlanFilter, orderBy: PlanOrder): PlanConnection!",
    ),
    (
        "Plan",
        "id: UUID!; goalId: UUID!; goal: Goal!; description: String!; status: PlanStatus!; \
         version: Int!; createdAt: DateTime!; updatedAt: DateTime!; \
         tasks(first: Int, after: String, last: Int, before: String, filter: TaskFilter, orderBy: TaskOrder): TaskConnection!",
    ),
    (
        "Task",
        "id: UUID!; planId: UUID!; plan: Plan!; agentId: UUID; agent: Agent; \
         description: String!; taskType: String!; status: TaskStatus!; inputData: JSON!; \
         outputData: JSON; error: String; version: Int!; createdAt: DateTime!; \
         updatedAt: DateTime!; startedAt: DateTime; completedAt: DateTime; \
         priority: Int!; runAt: DateTime!; attempts: Int!; maxAttempts: Int!; \
         leaseExpiresAt: DateTime; dependsOn: [Task!]!; \
         dependents(first: Int, after: String, last: Int, before: String, filter: TaskFilter, orderBy: TaskOrder): TaskConnection!",
    ),
    (
        "TaskLease",
        "token: String!; expiresAt: DateTime!; task: Task!",
    ),
    (
        "AgentConnection",
        "edges: [AgentEdge!]!; nodes: [Agent!]!; pageInfo: PageInfo!; totalCount: Int!",
    ),
    (
        "GoalConnection",
        "edges: [GoalEdge!]!; nodes: [Goal!]!; pageInfo: PageInfo!; totalCount: Int!",
    ),
    (
        "PlanConnection",
        "edges: [PlanEdge!]!; nodes: [Plan!]!; pageInfo: PageInfo!; totalCount: Int!",
    ),
    (
        "TaskConnection",
        "edges: [TaskEdge!]!; nodes: [Task!]!; pageInfo: PageInfo!; totalCount: Int!",
    ),
    ("AgentEdge", "cursor: String!; node: Agent!"),
    ("GoalEdge", "cursor: String!; node: Goal!"),
    ("PlanEdge", "cursor: String!; node: Plan!"),
    ("TaskEdge", "cursor: String!; node: Task!"),
    (
        "PageInfo",
        "hasNextPage: Boolean!; hasPreviousPage: Boolean!; startCursor: String; endCursor: String",
    ),
    (
        "Query",
        "agent(id: UUID!): Agent; goal(id: UUID!): Goal; plan(id: UUID!): Plan; \
         task(id: UUID!): Task; \
         agents(first: Int, after: String, last: Int, before: String, filter: AgentFilter, orderBy: AgentOrder): AgentConnection!; \
         goals(first: Int, after: String, last: Int, before: String, filter: GoalFilter, orderBy: GoalOrder): GoalConnection!; \
         plans(first: Int, after: String, last: Int, before: String, filter: PlanFilter, orderBy: PlanOrder): PlanConnection!; \
         tasks(first: Int, after: String, last: Int, before: String, filter: TaskFilter, orderBy: TaskOrder): TaskConnection!; \
         history(id: UUID!, first: Int, after: String): HistoryConnection!",
    ),
    (
        "HistoryConnection",
        "edges: [HistoryEdge!]!; nodes: [HistoryEntry!]!; pageInfo: PageInfo!",
    ),
    ("HistoryEdge", "cursor: String!; node: HistoryEntry!"),
    (
        "HistoryEntry",
        "cursor: String!; kind: ChangeKind!; version: Int!; at: DateTime!; actor: String; \
         changedFields: [String!]!",
    ),
    (
        "Mutation",
        "createAgent(input: CreateAgentInput!): Agent!; \
         updateAgent(id: UUID!, input: UpdateAgentInput!): Agent!; \
         deleteAgent(id: UUID!, cascade: Boolean): UUID!; \
         createGoal(input: CreateGoalInput!): Goal!; \
         updateGoal(id: UUID!, input: UpdateGoalInput!): Goal!; \
         deleteGoal(id: UUID!, cascade: Boolean): UUID!; \
         createPlan(input: CreatePlanInput!): Plan!; \
         updatePlan(id: UUID!, input: UpdatePlanInput!): Plan!; \
         deletePlan(id: UUID!, cascade: Boolean): UUID!; \
         createTask(input: CreateTaskInput!): Task!; \
         updateTask(id: UUID!, input: UpdateTaskInput!): Task!; \
         deleteTask(id: UUID!): UUID!; \
         claimTasks(input: ClaimTasksInput!): [TaskLease!]!; \
         heartbeatTask(id: UUID!, token: String!, leaseSeconds: Int): TaskLease!; \
         completeTask(id: UUID!, token: String!, outputData: JSON): Task!; \
         failTask(id: UUID!, token: String!, error: String!, retry: Boolean): Task!; \
         releaseTask(id: UUID!, token: String!): Task!",
    ),
    (
        "AgentFilter",
        "status: AgentStatus; statusIn: [AgentStatus!]; nameContains: String; \
         createdAfter: DateTime; createdBefore: DateTime; updatedAfter: DateTime",
    ),
    (
        "GoalFilter",
        "agentId: UUID; status: GoalStatus; statusIn: [GoalStatus!]; minPriority: Int; \
         maxPriority: Int; createdAfter: DateTime; createdBefore: DateTime; updatedAfter: DateTime",
    ),
    (
        "PlanFilter",
        "goalId: UUID; status: PlanStatus; statusIn: [PlanStatus!]; \
         createdAfter: DateTime; createdBefore: DateTime; updatedAfter: DateTime",
    ),
    (
        "TaskFilter",
        "planId: UUID; agentId: UUID; unassigned: Boolean; status: TaskStatus; \
         statusIn: [TaskStatus!]; taskType: String; createdAfter: DateTime; createdBefore: DateTime; updatedAfter: DateTime",
    ),
    (
        "AgentOrder",
        "field: AgentOrderField!; direction: OrderDirection",
    ),
    (
        "GoalOrder",
        "field: GoalOrderField!; direction: OrderDirection",
    ),
    (
        "PlanOrder",
        "field: PlanOrderField!; direction: OrderDirection",
    ),
    (
        "TaskOrder",
        "field: TaskOrderField!; direction: OrderDirection",
    ),
    (
        "CreateAgentInput",
        "name: String!; did: String; status: AgentStatus; configuration: JSON; metadata: JSON; \
         idempotencyKey: String",
    ),
    (
        "UpdateAgentInput",
        "name: String; status: AgentStatus; configuration: JSON; metadata: JSON; \
         expectedVersion: Int",
    ),
    (
        "CreateGoalInput",
        "agentId: UUID!; description: String!; successCriteria: [String!]; priority: Int; \
         plans: [NewPlanInput!]; idempotencyKey: String",
    ),
    (
        "UpdateGoalInput",
        "description: String; successCriteria: [String!]; priority: Int; status: GoalStatus; \
         expectedVersion: Int",
    ),
    (
        "CreatePlanInput",
        "goalId: UUID!; description: String!; status: PlanStatus; tasks: [NewTaskInput!]; \
         idempotencyKey: String",
    ),
    (
        "UpdatePlanInput",
        "description: String; status: PlanStatus; expectedVersion: Int",
    ),
    (
        "CreateTaskInput",
        "planId: UUID!; agentId: UUID; description: String!; taskType: String; inputData: JSON; \
         idempotencyKey: String; priority: Int; runAt: DateTime; maxAttempts: Int; dependsOn: [UUID!]",
    ),
    (
        "ClaimTasksInput",
        "agentId: UUID!; taskTypes: [String!]; planId: UUID; limit: Int; leaseSeconds: Int; waitSeconds: Int",
    ),
    (
        "NewPlanInput",
        "description: String!; status: PlanStatus; tasks: [NewTaskInput!]",
    ),
    (
        "NewTaskInput",
        "agentId: UUID; description: String!; taskType: String; inputData: JSON; \
         priority: Int; runAt: DateTime; maxAttempts: Int; dependsOn: [Int!]",
    ),
    (
        "UpdateTaskInput",
        "agentId: UUID; description: String; status: TaskStatus; outputData: JSON; \
         error: String; expectedVersion: Int; priority: Int; runAt: DateTime; maxAttempts: Int",
    ),
];

const CONTRACT_ENUMS: &[(&str, &[&str])] = &[
    ("AgentStatus", &["ACTIVE", "INACTIVE", "PAUSED"]),
    (
        "GoalStatus",
        &["PENDING", "ACTIVE", "COMPLETED", "FAILED", "CANCELLED"],
    ),
    (
        "PlanStatus",
        &["DRAFT", "ACTIVE", "COMPLETED", "FAILED", "CANCELLED"],
    ),
    (
        "TaskStatus",
        &[
            "PENDING",
            "RUNNING",
            "COMPLETED",
            "FAILED",
            "CANCELLED",
            "BLOCKED",
        ],
    ),
    ("AgentOrderField", &["CREATED_AT", "UPDATED_AT", "NAME"]),
    ("GoalOrderField", &["CREATED_AT", "UPDATED_AT", "PRIORITY"]),
    ("PlanOrderField", &["CREATED_AT", "UPDATED_AT"]),
    ("TaskOrderField", &["CREATED_AT", "UPDATED_AT"]),
    ("OrderDirection", &["ASC", "DESC"]),
];

/// Input types whose fields sit in `inputFields` rather than `fields`.
const INPUT_OBJECTS: &[&str] = &[
    "AgentFilter",
    "GoalFilter",
    "PlanFilter",
    "TaskFilter",
    "AgentOrder",
    "GoalOrder",
    "PlanOrder",
    "TaskOrder",
    "CreateAgentInput",
    "UpdateAgentInput",
    "CreateGoalInput",
    "UpdateGoalInput",
    "CreatePlanInput",
    "UpdatePlanInput",
    "CreateTaskInput",
    "ClaimTasksInput",
    "NewPlanInput",
    "NewTaskInput",
    "UpdateTaskInput",
];

const INTROSPECTION: &str = "{
    __schema {
        queryType { name }
        mutationType { name }
        types {
            name kind
            fields { name type { ...TypeRef } args { name defaultValue type { ...TypeRef } } }
            inputFields { name type { ...TypeRef } }
            enumValues { name }
        }
    }
}
fragment TypeRef on __Type {
    kind name ofType { kind name ofType { kind name ofType { kind name } } }
}";

/// `[String!]!` from an introspection type reference.
fn render_type(type_ref: &Value) -> String {
    match type_ref["kind"].as_str() {
        Some("NON_NULL") => format!("{}!", render_type(&type_ref["ofType"])),
        Some("LIST") => format!("[{}]", render_type(&type_ref["ofType"])),
        _ => type_ref["name"].as_str().unwrap_or("?").to_owned(),
    }
}

/// A field as `name(arg: Type, ...): Type`, arguments sorted by name.
fn render_field(field: &Value) -> String {
    let mut args: Vec<String> = field["args"]
        .as_array()
        .map(|args| {
            args.iter()
                .map(|arg| {
                    format!(
                        "{}: {}",
                        arg["name"].as_str().unwrap_or("?"),
                        render_type(&arg["type"])
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    args.sort();
    let name = field["name"].as_str().unwrap_or("?");
    let type_ = render_type(&field["type"]);
    if args.is_empty() {
        format!("{name}: {type_}")
    } else {
        format!("{name}({}): {type_}", args.join(", "))
    }
}

/// A contract field spec normalised like [`render_field`].
fn normalise_spec(spec: &str) -> String {
    let spec = spec.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(open) = spec.find('(') else {
        return spec;
    };
    let close = spec.find(')').expect("closing parenthesis");
    let mut args: Vec<&str> = spec[open + 1..close].split(", ").collect();
    args.sort();
    format!(
        "{}({}){}",
        &spec[..open],
        args.join(", "),
        &spec[close + 1..]
    )
}

#[tokio::test]
async fn the_schema_has_every_type_field_and_argument_of_the_contract() {
    let app = spawn_app().await;
    let data = app.gql_ok(INTROSPECTION, json!({})).await;
    let schema = &data["__schema"];
    assert_eq!(schema["queryType"]["name"], json!("Query"));
    assert_eq!(schema["mutationType"]["name"], json!("Mutation"));
    let types: BTreeMap<&str, &Value> = schema["types"]
        .as_array()
        .expect("types")
        .iter()
        .map(|t| (t["name"].as_str().expect("type name"), t))
        .collect();

    let mut missing = Vec::new();
    for (type_name, specs) in CONTRACT_TYPES {
        let Some(type_) = types.get(type_name) else {
            missing.push(format!("type {type_name}"));
            continue;
        };
        let is_input = INPUT_OBJECTS.contains(type_name);
        let expected_kind = if is_input { "INPUT_OBJECT" } else { "OBJECT" };
        if type_["kind"] != json!(expected_kind) {
            missing.push(format!("{type_name} as {expected_kind}"));
        }
        let actual: BTreeSet<String> = type_[if is_input { "inputFields" } else { "fields" }]
            .as_array()
            .map(|fields| fields.iter().map(render_field).collect())
            .unwrap_or_default();
        for spec in specs.split(';') {
            let spec = normalise_spec(spec.trim());
            if !actual.contains(&spec) {
                missing.push(format!("{type_name}.{spec}"));
            }
        }
    }
    for (enum_name, values) in CONTRACT_ENUMS {
        let actual: BTreeSet<&str> = types
            .get(enum_name)
            .and_then(|t| t["enumValues"].as_array())
            .map(|values| values.iter().filter_map(|v| v["name"].as_str()).collect())
            .unwrap_or_default();
        let expected: BTreeSet<&str> = values.iter().copied().collect();
        if actual != expected {
            missing.push(format!("enum {enum_name} {expected:?} (found {actual:?})"));
        }
    }
    for scalar in ["UUID", "DateTime", "JSON"] {
        if types.get(scalar).map(|t| &t["kind"]) != Some(&json!("SCALAR")) {
            missing.push(format!("scalar {scalar}"));
        }
    }

    assert!(
        missing.is_empty(),
        "the schema differs from API.md in:\n  {}",
        missing.join("\n  ")
    );
}

#[tokio::test]
async fn delete_cascade_defaults_to_false_in_the_schema() {
    let app = spawn_app().await;
    let data = app
        .gql_ok(
            "{ __type(name: \"Mutation\") { fields { name args { name defaultValue } } } }",
            json!({}),
        )
        .await;
    let fields = data["__type"]["fields"].as_array().expect("fields");

    for mutation in ["deleteAgent", "deleteGoal", "deletePlan"] {
        let field = fields
            .iter()
            .find(|f| f["name"] == json!(mutation))
            .unwrap_or_else(|| panic!("{mutation} exists"));
        let cascade = field["args"]
            .as_array()
            .expect("args")
            .iter()
            .find(|a| a["name"] == json!("cascade"))
            .unwrap_or_else(|| panic!("{mutation} has a cascade argument"));
        assert_eq!(cascade["defaultValue"], json!("false"), "{mutation}");
    }
}
