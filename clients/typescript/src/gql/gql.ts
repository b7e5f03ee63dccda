/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation ClaimTasks($input: ClaimTasksInput!) {\n  claimTasks(input: $input) {\n    token\n    expiresAt\n    task {\n      id\n      planId\n      description\n      taskType\n      inputData\n      priority\n      attempts\n      maxAttempts\n    }\n  }\n}": typeof types.ClaimTasksDocument,
    "mutation CompleteTask($id: UUID!, $token: String!, $outputData: JSON) {\n  completeTask(id: $id, token: $token, outputData: $outputData) {\n    id\n    status\n    attempts\n    version\n    completedAt\n  }\n}": typeof types.CompleteTaskDocument,
    "mutation CreateAgent($input: CreateAgentInput!) {\n  createAgent(input: $input) {\n    id\n    name\n    status\n    configuration\n    version\n  }\n}": typeof types.CreateAgentDocument,
    "mutation CreateGoal($input: CreateGoalInput!) {\n  createGoal(input: $input) {\n    id\n    agentId\n    description\n    priority\n    status\n  }\n}": typeof types.CreateGoalDocument,
    "mutation CreatePlan($input: CreatePlanInput!) {\n  createPlan(input: $input) {\n    id\n    goalId\n    status\n  }\n}": typeof types.CreatePlanDocument,
    "mutation CreateTask($input: CreateTaskInput!) {\n  createTask(input: $input) {\n    id\n    planId\n    agentId\n    taskType\n    status\n  }\n}": typeof types.CreateTaskDocument,
    "mutation DeleteAgent($id: UUID!) {\n  deleteAgent(id: $id)\n}": typeof types.DeleteAgentDocument,
    "mutation DeleteGoal($id: UUID!, $cascade: Boolean) {\n  deleteGoal(id: $id, cascade: $cascade)\n}": typeof types.DeleteGoalDocument,
    "mutation DeletePlan($id: UUID!, $cascade: Boolean) {\n  deletePlan(id: $id, cascade: $cascade)\n}": typeof types.DeletePlanDocument,
    "mutation DeleteTask($id: UUID!) {\n  deleteTask(id: $id)\n}": typeof types.DeleteTaskDocument,
    "mutation FailTask($id: UUID!, $token: String!, $error: String!, $retry: Boolean!) {\n  failTask(id: $id, token: $token, error: $error, retry: $retry) {\n    id\n    status\n    attempts\n    maxAttempts\n    error\n    runAt\n    version\n  }\n}": typeof types.FailTaskDocument,
    "query GetAgent($id: UUID!) {\n  agent(id: $id) {\n    id\n    did\n    name\n    status\n    configuration\n    version\n    updatedAt\n  }\n}": typeof types.GetAgentDocument,
    "query GetGoal($id: UUID!) {\n  goal(id: $id) {\n    id\n    agentId\n    description\n    priority\n    status\n    version\n    plans(first: 100) {\n      totalCount\n      nodes {\n        id\n        description\n        status\n        version\n        tasks(first: 100) {\n          totalCount\n          nodes {\n            id\n            description\n            taskType\n            status\n            agentId\n            version\n          }\n        }\n      }\n    }\n  }\n}": typeof types.GetGoalDocument,
    "query GetPlan($id: UUID!) {\n  plan(id: $id) {\n    id\n    goalId\n    description\n    status\n    version\n    updatedAt\n  }\n}": typeof types.GetPlanDocument,
    "query GetTask($id: UUID!) {\n  task(id: $id) {\n    id\n    planId\n    agentId\n    description\n    taskType\n    status\n    inputData\n    outputData\n    error\n    version\n    startedAt\n    completedAt\n  }\n}": typeof types.GetTaskDocument,
    "mutation HeartbeatTask($id: UUID!, $token: String!, $leaseSeconds: Int) {\n  heartbeatTask(id: $id, token: $token, leaseSeconds: $leaseSeconds) {\n    token\n    expiresAt\n  }\n}": typeof types.HeartbeatTaskDocument,
    "query History($id: UUID!, $first: Int, $after: String) {\n  history(id: $id, first: $first, after: $after) {\n    nodes {\n      cursor\n      kind\n      version\n      at\n      actor\n      changedFields\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.HistoryDocument,
    "query ListAgents($first: Int!) {\n  agents(first: $first) {\n    nodes {\n      id\n      name\n      status\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.ListAgentsDocument,
    "query ListGoals($agentId: UUID!, $first: Int!) {\n  goals(first: $first, filter: {agentId: $agentId}) {\n    nodes {\n      id\n      agentId\n      description\n      priority\n      status\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.ListGoalsDocument,
    "query ListPlans($first: Int, $after: String, $filter: PlanFilter, $orderBy: PlanOrder) {\n  plans(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n    totalCount\n    nodes {\n      id\n      goalId\n      description\n      status\n      version\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.ListPlansDocument,
    "query ListTasks($first: Int, $after: String, $filter: TaskFilter, $orderBy: TaskOrder) {\n  tasks(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n    totalCount\n    nodes {\n      id\n      planId\n      agentId\n      description\n      taskType\n      status\n      version\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.ListTasksDocument,
    "query PlanProgress($id: UUID!) {\n  plan(id: $id) {\n    id\n    description\n    status\n    taskCounts {\n      total\n      blocked\n      pending\n      running\n      completed\n      failed\n      cancelled\n    }\n    goal {\n      id\n      description\n      taskCounts {\n        total\n        blocked\n        pending\n        running\n        completed\n        failed\n        cancelled\n      }\n    }\n  }\n}": typeof types.PlanProgressDocument,
    "mutation ReleaseTask($id: UUID!, $token: String!) {\n  releaseTask(id: $id, token: $token) {\n    id\n    status\n    attempts\n    version\n  }\n}": typeof types.ReleaseTaskDocument,
    "subscription TaskChanged($planId: UUID) {\n  taskChanged(planId: $planId) {\n    cursor\n    kind\n    id\n    version\n    task {\n      id\n      status\n    }\n  }\n}": typeof types.TaskChangedDocument,
    "query TaskStats($filter: TaskFilter, $groupBy: [TaskGroupBy!]!) {\n  taskStats(filter: $filter, groupBy: $groupBy) {\n    status\n    agentId\n    taskType\n    planId\n    count\n    oldestCreatedAt\n  }\n}": typeof types.TaskStatsDocument,
    "mutation UpdateAgent($id: UUID!, $input: UpdateAgentInput!) {\n  updateAgent(id: $id, input: $input) {\n    id\n    status\n    configuration\n    version\n  }\n}": typeof types.UpdateAgentDocument,
    "mutation UpdateGoal($id: UUID!, $input: UpdateGoalInput!) {\n  updateGoal(id: $id, input: $input) {\n    id\n    description\n    priority\n    status\n    version\n  }\n}": typeof types.UpdateGoalDocument,
    "mutation UpdatePlan($id: UUID!, $input: UpdatePlanInput!) {\n  updatePlan(id: $id, input: $input) {\n    id\n    description\n    status\n    version\n  }\n}": typeof types.UpdatePlanDocument,
    "mutation UpdateTask($id: UUID!, $input: UpdateTaskInput!) {\n  updateTask(id: $id, input: $input) {\n    id\n    agentId\n    description\n    status\n    outputData\n    error\n    version\n    startedAt\n    completedAt\n  }\n}": typeof types.UpdateTaskDocument,
    "query Viewer {\n  viewer {\n    role\n    tenant\n    name\n    agent {\n      id\n      name\n    }\n  }\n}": typeof types.ViewerDocument,
};
const documents: Documents = {
    "mutation ClaimTasks($input: ClaimTasksInput!) {\n  claimTasks(input: $input) {\n    token\n    expiresAt\n    task {\n      id\n      planId\n      description\n      taskType\n      inputData\n      priority\n      attempts\n      maxAttempts\n    }\n  }\n}": types.ClaimTasksDocument,
    "mutation CompleteTask($id: UUID!, $token: String!, $outputData: JSON) {\n  completeTask(id: $id, token: $token, outputData: $outputData) {\n    id\n    status\n    attempts\n    version\n    completedAt\n  }\n}": types.CompleteTaskDocument,
    "mutation CreateAgent($input: CreateAgentInput!) {\n  createAgent(input: $input) {\n    id\n    name\n    status\n    configuration\n    version\n  }\n}": types.CreateAgentDocument,
    "mutation CreateGoal($input: CreateGoalInput!) {\n  createGoal(input: $input) {\n    id\n    agentId\n    description\n    priority\n    status\n  }\n}": types.CreateGoalDocument,
    "mutation CreatePlan($input: CreatePlanInput!) {\n  createPlan(input: $input) {\n    id\n    goalId\n    status\n  }\n}": types.CreatePlanDocument,
    "mutation CreateTask($input: CreateTaskInput!) {\n  createTask(input: $input) {\n    id\n    planId\n    agentId\n    taskType\n    status\n  }\n}": types.CreateTaskDocument,
    "mutation DeleteAgent($id: UUID!) {\n  deleteAgent(id: $id)\n}": types.DeleteAgentDocument,
    "mutation DeleteGoal($id: UUID!, $cascade: Boolean) {\n  deleteGoal(id: $id, cascade: $cascade)\n}": types.DeleteGoalDocument,
    "mutation DeletePlan($id: UUID!, $cascade: Boolean) {\n  deletePlan(id: $id, cascade: $cascade)\n}": types.DeletePlanDocument,
    "mutation DeleteTask($id: UUID!) {\n  deleteTask(id: $id)\n}": types.DeleteTaskDocument,
    "mutation FailTask($id: UUID!, $token: String!, $error: String!, $retry: Boolean!) {\n  failTask(id: $id, token: $token, error: $error, retry: $retry) {\n    id\n    status\n    attempts\n    maxAttempts\n    error\n    runAt\n    version\n  }\n}": types.FailTaskDocument,
    "query GetAgent($id: UUID!) {\n  agent(id: $id) {\n    id\n    did\n    name\n    status\n    configuration\n    version\n    updatedAt\n  }\n}": types.GetAgentDocument,
    "query GetGoal($id: UUID!) {\n  goal(id: $id) {\n    id\n    agentId\n    description\n    priority\n    status\n    version\n    plans(first: 100) {\n      totalCount\n      nodes {\n        id\n        description\n        status\n        version\n        tasks(first: 100) {\n          totalCount\n          nodes {\n            id\n            description\n            taskType\n            status\n            agentId\n            version\n          }\n        }\n      }\n    }\n  }\n}": types.GetGoalDocument,
    "query GetPlan($id: UUID!) {\n  plan(id: $id) {\n    id\n    goalId\n    description\n    status\n    version\n    updatedAt\n  }\n}": types.GetPlanDocument,
    "query GetTask($id: UUID!) {\n  task(id: $id) {\n    id\n    planId\n    agentId\n    description\n    taskType\n    status\n    inputData\n    outputData\n    error\n    version\n    startedAt\n    completedAt\n  }\n}": types.GetTaskDocument,
    "mutation HeartbeatTask($id: UUID!, $token: String!, $leaseSeconds: Int) {\n  heartbeatTask(id: $id, token: $token, leaseSeconds: $leaseSeconds) {\n    token\n    expiresAt\n  }\n}": types.HeartbeatTaskDocument,
    "query History($id: UUID!, $first: Int, $after: String) {\n  history(id: $id, first: $first, after: $after) {\n    nodes {\n      cursor\n      kind\n      version\n      at\n      actor\n      changedFields\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.HistoryDocument,
    "query ListAgents($first: Int!) {\n  agents(first: $first) {\n    nodes {\n      id\n      name\n      status\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.ListAgentsDocument,
    "query ListGoals($agentId: UUID!, $first: Int!) {\n  goals(first: $first, filter: {agentId: $agentId}) {\n    nodes {\n      id\n      agentId\n      description\n      priority\n      status\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.ListGoalsDocument,
    "query ListPlans($first: Int, $after: String, $filter: PlanFilter, $orderBy: PlanOrder) {\n  plans(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n    totalCount\n    nodes {\n      id\n      goalId\n      description\n      status\n      version\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.ListPlansDocument,
    "query ListTasks($first: Int, $after: String, $filter: TaskFilter, $orderBy: TaskOrder) {\n  tasks(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n    totalCount\n    nodes {\n      id\n      planId\n      agentId\n      description\n      taskType\n      status\n      version\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.ListTasksDocument,
    "query PlanProgress($id: UUID!) {\n  plan(id: $id) {\n    id\n    description\n    status\n    taskCounts {\n      total\n      blocked\n      pending\n      running\n      completed\n      failed\n      cancelled\n    }\n    goal {\n      id\n      description\n      taskCounts {\n        total\n        blocked\n        pending\n        running\n        completed\n        failed\n        cancelled\n      }\n    }\n  }\n}": types.PlanProgressDocument,
    "mutation ReleaseTask($id: UUID!, $token: String!) {\n  releaseTask(id: $id, token: $token) {\n    id\n    status\n    attempts\n    version\n  }\n}": types.ReleaseTaskDocument,
    "subscription TaskChanged($planId: UUID) {\n  taskChanged(planId: $planId) {\n    cursor\n    kind\n    id\n    version\n    task {\n      id\n      status\n    }\n  }\n}": types.TaskChangedDocument,
    "query TaskStats($filter: TaskFilter, $groupBy: [TaskGroupBy!]!) {\n  taskStats(filter: $filter, groupBy: $groupBy) {\n    status\n    agentId\n    taskType\n    planId\n    count\n    oldestCreatedAt\n  }\n}": types.TaskStatsDocument,
    "mutation UpdateAgent($id: UUID!, $input: UpdateAgentInput!) {\n  updateAgent(id: $id, input: $input) {\n    id\n    status\n    configuration\n    version\n  }\n}": types.UpdateAgentDocument,
    "mutation UpdateGoal($id: UUID!, $input: UpdateGoalInput!) {\n  updateGoal(id: $id, input: $input) {\n    id\n    description\n    priority\n    status\n    version\n  }\n}": types.UpdateGoalDocument,
    "mutation UpdatePlan($id: UUID!, $input: UpdatePlanInput!) {\n  updatePlan(id: $id, input: $input) {\n    id\n    description\n    status\n    version\n  }\n}": types.UpdatePlanDocument,
    "mutation UpdateTask($id: UUID!, $input: UpdateTaskInput!) {\n  updateTask(id: $id, input: $input) {\n    id\n    agentId\n    description\n    status\n    outputData\n    error\n    version\n    startedAt\n    completedAt\n  }\n}": types.UpdateTaskDocument,
    "query Viewer {\n  viewer {\n    role\n    tenant\n    name\n    agent {\n      id\n      name\n    }\n  }\n}": types.ViewerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ClaimTasks($input: ClaimTasksInput!) {\n  claimTasks(input: $input) {\n    token\n    expiresAt\n    task {\n      id\n      planId\n      description\n      taskType\n      inputData\n      priority\n      attempts\n      maxAttempts\n    }\n  }\n}"): (typeof documents)["mutation ClaimTasks($input: ClaimTasksInput!) {\n  claimTasks(input: $input) {\n    token\n    expiresAt\n    task {\n      id\n      planId\n      description\n      taskType\n      inputData\n      priority\n      attempts\n      maxAttempts\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CompleteTask($id: UUID!, $token: String!, $outputData: JSON) {\n  completeTask(id: $id, token: $token, outputData: $outputData) {\n    id\n    status\n    attempts\n    version\n    completedAt\n  }\n}"): (typeof documents)["mutation CompleteTask($id: UUID!, $token: String!, $outputData: JSON) {\n  completeTask(id: $id, token: $token, outputData: $outputData) {\n    id\n    status\n    attempts\n    version\n    completedAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateAgent($input: CreateAgentInput!) {\n  createAgent(input: $input) {\n    id\n    name\n    status\n    configuration\n    version\n  }\n}"): (typeof documents)["mutation CreateAgent($input: CreateAgentInput!) {\n  createAgent(input: $input) {\n    id\n    name\n    status\n    configuration\n    version\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateGoal($input: CreateGoalInput!) {\n  createGoal(input: $input) {\n    id\n    agentId\n    description\n    priority\n    status\n  }\n}"): (typeof documents)["mutation CreateGoal($input: CreateGoalInput!) {\n  createGoal(input: $input) {\n    id\n    agentId\n    description\n    priority\n    status\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreatePlan($input: CreatePlanInput!) {\n  createPlan(input: $input) {\n    id\n    goalId\n    status\n  }\n}"): (typeof documents)["mutation CreatePlan($input: CreatePlanInput!) {\n  createPlan(input: $input) {\n    id\n    goalId\n    status\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateTask($input: CreateTaskInput!) {\n  createTask(input: $input) {\n    id\n    planId\n    agentId\n    taskType\n    status\n  }\n}"): (typeof documents)["mutation CreateTask($input: CreateTaskInput!) {\n  createTask(input: $input) {\n    id\n    planId\n    agentId\n    taskType\n    status\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation DeleteAgent($id: UUID!) {\n  deleteAgent(id: $id)\n}"): (typeof documents)["mutation DeleteAgent($id: UUID!) {\n  deleteAgent(id: $id)\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation DeleteGoal($id: UUID!, $cascade: Boolean) {\n  deleteGoal(id: $id, cascade: $cascade)\n}"): (typeof documents)["mutation DeleteGoal($id: UUID!, $cascade: Boolean) {\n  deleteGoal(id: $id, cascade: $cascade)\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation DeletePlan($id: UUID!, $cascade: Boolean) {\n  deletePlan(id: $id, cascade: $cascade)\n}"): (typeof documents)["mutation DeletePlan($id: UUID!, $cascade: Boolean) {\n  deletePlan(id: $id, cascade: $cascade)\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation DeleteTask($id: UUID!) {\n  deleteTask(id: $id)\n}"): (typeof documents)["mutation DeleteTask($id: UUID!) {\n  deleteTask(id: $id)\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation FailTask($id: UUID!, $token: String!, $error: String!, $retry: Boolean!) {\n  failTask(id: $id, token: $token, error: $error, retry: $retry) {\n    id\n    status\n    attempts\n    maxAttempts\n    error\n    runAt\n    version\n  }\n}"): (typeof documents)["mutation FailTask($id: UUID!, $token: String!, $error: String!, $retry: Boolean!) {\n  failTask(id: $id, token: $token, error: $error, retry: $retry) {\n    id\n    status\n    attempts\n    maxAttempts\n    error\n    runAt\n    version\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query GetAgent($id: UUID!) {\n  agent(id: $id) {\n    id\n    did\n    name\n    status\n    configuration\n    version\n    updatedAt\n  }\n}"): (typeof documents)["query GetAgent($id: UUID!) {\n  agent(id: $id) {\n    id\n    did\n    name\n    status\n    configuration\n    version\n    updatedAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query GetGoal($id: UUID!) {\n  goal(id: $id) {\n    id\n    agentId\n    description\n    priority\n    status\n    version\n    plans(first: 100) {\n      totalCount\n      nodes {\n        id\n        description\n        status\n        version\n        tasks(first: 100) {\n          totalCount\n          nodes {\n            id\n            description\n            taskType\n            status\n            agentId\n            version\n          }\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query GetGoal($id: UUID!) {\n  goal(id: $id) {\n    id\n    agentId\n    description\n    priority\n    status\n    version\n    plans(first: 100) {\n      totalCount\n      nodes {\n        id\n        description\n        status\n        version\n        tasks(first: 100) {\n          totalCount\n          nodes {\n            id\n            description\n            taskType\n            status\n            agentId\n            version\n          }\n        }\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query GetPlan($id: UUID!) {\n  plan(id: $id) {\n    id\n    goalId\n    description\n    status\n    version\n    updatedAt\n  }\n}"): (typeof documents)["query GetPlan($id: UUID!) {\n  plan(id: $id) {\n    id\n    goalId\n    description\n    status\n    version\n    updatedAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query GetTask($id: UUID!) {\n  task(id: $id) {\n    id\n    planId\n    agentId\n    description\n    taskType\n    status\n    inputData\n    outputData\n    error\n    version\n    startedAt\n    completedAt\n  }\n}"): (typeof documents)["query GetTask($id: UUID!) {\n  task(id: $id) {\n    id\n    planId\n    agentId\n    description\n    taskType\n    status\n    inputData\n    outputData\n    error\n    version\n    startedAt\n    completedAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation HeartbeatTask($id: UUID!, $token: String!, $leaseSeconds: Int) {\n  heartbeatTask(id: $id, token: $token, leaseSeconds: $leaseSeconds) {\n    token\n    expiresAt\n  }\n}"): (typeof documents)["mutation HeartbeatTask($id: UUID!, $token: String!, $leaseSeconds: Int) {\n  heartbeatTask(id: $id, token: $token, leaseSeconds: $leaseSeconds) {\n    token\n    expiresAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query History($id: UUID!, $first: Int, $after: String) {\n  history(id: $id, first: $first, after: $after) {\n    nodes {\n      cursor\n      kind\n      version\n      at\n      actor\n      changedFields\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query History($id: UUID!, $first: Int, $after: String) {\n  history(id: $id, first: $first, after: $after) {\n    nodes {\n      cursor\n      kind\n      version\n      at\n      actor\n      changedFields\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ListAgents($first: Int!) {\n  agents(first: $first) {\n    nodes {\n      id\n      name\n      status\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query ListAgents($first: Int!) {\n  agents(first: $first) {\n    nodes {\n      id\n      name\n      status\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ListGoals($agentId: UUID!, $first: Int!) {\n  goals(first: $first, filter: {agentId: $agentId}) {\n    nodes {\n      id\n      agentId\n      description\n      priority\n      status\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query ListGoals($agentId: UUID!, $first: Int!) {\n  goals(first: $first, filter: {agentId: $agentId}) {\n    nodes {\n      id\n      agentId\n      description\n      priority\n      status\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ListPlans($first: Int, $after: String, $filter: PlanFilter, $orderBy: PlanOrder) {\n  plans(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n    totalCount\n    nodes {\n      id\n      goalId\n      description\n      status\n      version\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query ListPlans($first: Int, $after: String, $filter: PlanFilter, $orderBy: PlanOrder) {\n  plans(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n    totalCount\n    nodes {\n      id\n      goalId\n      description\n      status\n      version\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ListTasks($first: Int, $after: String, $filter: TaskFilter, $orderBy: TaskOrder) {\n  tasks(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n    totalCount\n    nodes {\n      id\n      planId\n      agentId\n      description\n      taskType\n      status\n      version\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query ListTasks($first: Int, $after: String, $filter: TaskFilter, $orderBy: TaskOrder) {\n  tasks(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n    totalCount\n    nodes {\n      id\n      planId\n      agentId\n      description\n      taskType\n      status\n      version\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PlanProgress($id: UUID!) {\n  plan(id: $id) {\n    id\n    description\n    status\n    taskCounts {\n      total\n      blocked\n      pending\n      running\n      completed\n      failed\n      cancelled\n    }\n    goal {\n      id\n      description\n      taskCounts {\n        total\n        blocked\n        pending\n        running\n        completed\n        failed\n        cancelled\n      }\n    }\n  }\n}"): (typeof documents)["query PlanProgress($id: UUID!) {\n  plan(id: $id) {\n    id\n    description\n    status\n    taskCounts {\n      total\n      blocked\n      pending\n      running\n      completed\n      failed\n      cancelled\n    }\n    goal {\n      id\n      description\n      taskCounts {\n        total\n        blocked\n        pending\n        running\n        completed\n        failed\n        cancelled\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ReleaseTask($id: UUID!, $token: String!) {\n  releaseTask(id: $id, token: $token) {\n    id\n    status\n    attempts\n    version\n  }\n}"): (typeof documents)["mutation ReleaseTask($id: UUID!, $token: String!) {\n  releaseTask(id: $id, token: $token) {\n    id\n    status\n    attempts\n    version\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription TaskChanged($planId: UUID) {\n  taskChanged(planId: $planId) {\n    cursor\n    kind\n    id\n    version\n    task {\n      id\n      status\n    }\n  }\n}"): (typeof documents)["subscription TaskChanged($planId: UUID) {\n  taskChanged(planId: $planId) {\n    cursor\n    kind\n    id\n    version\n    task {\n      id\n      status\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query TaskStats($filter: TaskFilter, $groupBy: [TaskGroupBy!]!) {\n  taskStats(filter: $filter, groupBy: $groupBy) {\n    status\n    agentId\n    taskType\n    planId\n    count\n    oldestCreatedAt\n  }\n}"): (typeof documents)["query TaskStats($filter: TaskFilter, $groupBy: [TaskGroupBy!]!) {\n  taskStats(filter: $filter, groupBy: $groupBy) {\n    status\n    agentId\n    taskType\n    planId\n    count\n    oldestCreatedAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation UpdateAgent($id: UUID!, $input: UpdateAgentInput!) {\n  updateAgent(id: $id, input: $input) {\n    id\n    status\n    configuration\n    version\n  }\n}"): (typeof documents)["mutation UpdateAgent($id: UUID!, $input: UpdateAgentInput!) {\n  updateAgent(id: $id, input: $input) {\n    id\n    status\n    configuration\n    version\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation UpdateGoal($id: UUID!, $input: UpdateGoalInput!) {\n  updateGoal(id: $id, input: $input) {\n    id\n    description\n    priority\n    status\n    version\n  }\n}"): (typeof documents)["mutation UpdateGoal($id: UUID!, $input: UpdateGoalInput!) {\n  updateGoal(id: $id, input: $input) {\n    id\n    description\n    priority\n    status\n    version\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation UpdatePlan($id: UUID!, $input: UpdatePlanInput!) {\n  updatePlan(id: $id, input: $input) {\n    id\n    description\n    status\n    version\n  }\n}"): (typeof documents)["mutation UpdatePlan($id: UUID!, $input: UpdatePlanInput!) {\n  updatePlan(id: $id, input: $input) {\n    id\n    description\n    status\n    version\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation UpdateTask($id: UUID!, $input: UpdateTaskInput!) {\n  updateTask(id: $id, input: $input) {\n    id\n    agentId\n    description\n    status\n    outputData\n    error\n    version\n    startedAt\n    completedAt\n  }\n}"): (typeof documents)["mutation UpdateTask($id: UUID!, $input: UpdateTaskInput!) {\n  updateTask(id: $id, input: $input) {\n    id\n    agentId\n    description\n    status\n    outputData\n    error\n    version\n    startedAt\n    completedAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Viewer {\n  viewer {\n    role\n    tenant\n    name\n    agent {\n      id\n      name\n    }\n  }\n}"): (typeof documents)["query Viewer {\n  viewer {\n    role\n    tenant\n    name\n    agent {\n      id\n      name\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;