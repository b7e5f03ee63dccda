//! The contract's names (`../shared/API.md`): every type with its fields,
//! every enum with its values, the input objects.

/// Object and input types of the contract: `Type` then its fields as
/// `name: Type` or `name(arg: Type, ...): Type`, separated by `;`.
pub(super) const CONTRACT_TYPES: &[(&str, &str)] = &[
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

pub(super) const CONTRACT_ENUMS: &[(&str, &[&str])] = &[
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
pub(super) const INPUT_OBJECTS: &[&str] = &[
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
