/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** What an agent is doing; an agent may move between any two statuses. */
export type AgentStatus =
  /** Working on its goals. */
  | 'ACTIVE'
  /** Switched off. */
  | 'INACTIVE'
  /** Temporarily holding its work. */
  | 'PAUSED';

/** What happened to the object. */
export type ChangeKind =
  | 'CREATED'
  | 'DELETED'
  | 'UPDATED';

/** What an agent asks the queue for. */
export type ClaimTasksInput = {
  /**
   * The claimant: an existing agent (NOT_FOUND) that is ACTIVE
   * (BAD_USER_INPUT). Each claimed task is assigned to it.
   */
  agentId: string;
  /** The lease of each claimed task, 5 to 3600 seconds. */
  leaseSeconds?: number | null | undefined;
  /** How many tasks at most, 1 to 100. */
  limit?: number | null | undefined;
  /** Only tasks of this plan (NOT_FOUND when there is none). */
  planId?: string | null | undefined;
  /** Only tasks of these types (1 to 20 of them); any type when absent. */
  taskTypes?: Array<string> | null | undefined;
  /**
   * When nothing is claimable: how long to wait for a task to become
   * claimable (0 to 30 seconds), answering as soon as one does.
   */
  waitSeconds?: number | null | undefined;
};

/** A new agent. The server generates its id. */
export type CreateAgentInput = {
  /** A JSON object; defaults to `{}`. */
  configuration?: unknown;
  /** Unique; defaults to `did:agent:<id>`. */
  did?: string | null | undefined;
  /**
   * 1 to 200 characters: a retry with the same key and input returns the
   * agent the first attempt created instead of creating another.
   */
  idempotencyKey?: string | null | undefined;
  /** A JSON object; defaults to `{}`. */
  metadata?: unknown;
  /** 1 to 200 characters. */
  name: string;
  /** Defaults to ACTIVE. */
  status?: AgentStatus | null | undefined;
};

/**
 * A new goal of an existing agent, with its plans and their tasks if
 * given, all created in one transaction. The server generates every id.
 */
export type CreateGoalInput = {
  /** The agent that pursues the goal (NOT_FOUND when there is none). */
  agentId: string;
  /** 1 to 10,000 characters. */
  description: string;
  /**
   * 1 to 200 characters: a retry with the same key and input returns the
   * goal the first attempt created instead of creating another.
   */
  idempotencyKey?: string | null | undefined;
  /** Plans created with the goal, in this order; at most 1,000 objects in all. */
  plans?: Array<NewPlanInput> | null | undefined;
  /** 1 to 10; defaults to 5. */
  priority?: number | null | undefined;
  /** At most 100 entries; defaults to `[]`. */
  successCriteria?: Array<string> | null | undefined;
};

/**
 * A new plan for an existing goal, with its tasks if given, all created
 * in one transaction. The server generates every id.
 */
export type CreatePlanInput = {
  /** 1 to 10,000 characters. */
  description: string;
  /** The goal the plan breaks down (NOT_FOUND when there is none). */
  goalId: string;
  /**
   * 1 to 200 characters: a retry with the same key and input returns the
   * plan the first attempt created instead of creating another.
   */
  idempotencyKey?: string | null | undefined;
  /** Defaults to DRAFT. */
  status?: PlanStatus | null | undefined;
  /** Tasks created with the plan, in this order. */
  tasks?: Array<NewTaskInput> | null | undefined;
};

/** A new task for an existing plan. The server generates its id. */
export type CreateTaskInput = {
  /** The assignee, if any (NOT_FOUND when there is no such agent). */
  agentId?: string | null | undefined;
  /**
   * Tasks of the same plan it waits for (at most 100, none twice): it is
   * BLOCKED until all of them are COMPLETED.
   */
  dependsOn?: Array<string> | null | undefined;
  /** 1 to 10,000 characters. */
  description: string;
  /**
   * 1 to 200 characters: a retry with the same key and input returns the
   * task the first attempt created instead of creating another.
   */
  idempotencyKey?: string | null | undefined;
  /** A JSON object; defaults to `{}`. */
  inputData?: unknown;
  /** 1 to 100 (default 3). */
  maxAttempts?: number | null | undefined;
  /** The plan the task carries out (NOT_FOUND when there is none). */
  planId: string;
  /** 0 to 100 (default 50): claims take the highest first. */
  priority?: number | null | undefined;
  /** The earliest time it may be claimed (default: now; the past is allowed). */
  runAt?: string | null | undefined;
  /** 1 to 100 characters; defaults to `generic`. */
  taskType?: string | null | undefined;
};

/**
 * Where a goal stands. PENDING -> ACTIVE | CANCELLED; ACTIVE -> COMPLETED |
 * FAILED | CANCELLED.
 */
export type GoalStatus =
  /** Being pursued. */
  | 'ACTIVE'
  /** No longer wanted. */
  | 'CANCELLED'
  /** Reached. */
  | 'COMPLETED'
  /** Given up as unreachable. */
  | 'FAILED'
  /** Not started (the initial status). */
  | 'PENDING';

/** A plan created together with its goal (in `createGoal`). */
export type NewPlanInput = {
  /** 1 to 10,000 characters. */
  description: string;
  /** Defaults to DRAFT. */
  status?: PlanStatus | null | undefined;
  /** Tasks created with the plan, in this order. */
  tasks?: Array<NewTaskInput> | null | undefined;
};

/** A task created together with its plan (in `createPlan` or `createGoal`). */
export type NewTaskInput = {
  /**
   * The assignee, if any (NOT_FOUND when there is no such agent, and then
   * nothing of the tree is created).
   */
  agentId?: string | null | undefined;
  /**
   * The earlier tasks of the same list it waits for, by index (at most
   * 100, none twice): it is BLOCKED until all of them are COMPLETED.
   */
  dependsOn?: Array<number> | null | undefined;
  /** 1 to 10,000 characters. */
  description: string;
  /** A JSON object; defaults to `{}`. */
  inputData?: unknown;
  /** 1 to 100 (default 3). */
  maxAttempts?: number | null | undefined;
  /** 0 to 100 (default 50): claims take the highest first. */
  priority?: number | null | undefined;
  /** The earliest time it may be claimed (default: now; the past is allowed). */
  runAt?: string | null | undefined;
  /** 1 to 100 characters; defaults to `generic`. */
  taskType?: string | null | undefined;
};

/** Which way an ordering runs; equal keys are ordered by id the same way. */
export type OrderDirection =
  /** Smallest, earliest or first in the alphabet first. */
  | 'ASC'
  /** Largest, latest or last in the alphabet first. */
  | 'DESC';

/** Narrows a list of plans; all given conditions must hold. */
export type PlanFilter = {
  /** Only plans created after this time (exclusive). */
  createdAfter?: string | null | undefined;
  /** Only plans created before this time (exclusive). */
  createdBefore?: string | null | undefined;
  /** Only plans of this goal. */
  goalId?: string | null | undefined;
  /** Only plans in this status. */
  status?: PlanStatus | null | undefined;
  /** Only plans in one of these statuses (1 to 10 of them). */
  statusIn?: Array<PlanStatus> | null | undefined;
  /** Only plans changed after this time (exclusive). */
  updatedAfter?: string | null | undefined;
};

/** An ordering of a list: a field, then the id, both in one direction. */
export type PlanOrder = {
  /** ASC when not given. */
  direction?: OrderDirection | null | undefined;
  /** What to order by; objects with equal values are ordered by id. */
  field: PlanOrderField;
};

/** What a list of plans can be ordered by. */
export type PlanOrderField =
  /** When it was created. */
  | 'CREATED_AT'
  /** When it last changed. */
  | 'UPDATED_AT';

/**
 * Where a plan stands. DRAFT -> ACTIVE | CANCELLED; ACTIVE -> COMPLETED |
 * FAILED | CANCELLED.
 */
export type PlanStatus =
  /** Being carried out. */
  | 'ACTIVE'
  /** Abandoned. */
  | 'CANCELLED'
  /** Carried out. */
  | 'COMPLETED'
  /** Being written (the default). */
  | 'DRAFT'
  /** Could not be carried out. */
  | 'FAILED';

/** What a caller may do. */
export type Role =
  /**
   * Acts as one agent of its tenant: reads the tenant, works its own
   * goals and tasks.
   */
  | 'AGENT'
  /** Queries and subscriptions. */
  | 'READ'
  /** Everything in its tenant. */
  | 'WRITE';

/** Narrows a list of tasks; all given conditions must hold. */
export type TaskFilter = {
  /** Only tasks assigned to this agent. */
  agentId?: string | null | undefined;
  /** Only tasks created after this time (exclusive). */
  createdAfter?: string | null | undefined;
  /** Only tasks created before this time (exclusive). */
  createdBefore?: string | null | undefined;
  /** Only tasks of this plan. */
  planId?: string | null | undefined;
  /** Only tasks in this status. */
  status?: TaskStatus | null | undefined;
  /** Only tasks in one of these statuses (1 to 10 of them). */
  statusIn?: Array<TaskStatus> | null | undefined;
  /** Only tasks of exactly this type. */
  taskType?: string | null | undefined;
  /** true: only tasks with no assignee; false: only tasks with one. Not with `agentId`. */
  unassigned?: boolean | null | undefined;
  /** Only tasks changed after this time (exclusive). */
  updatedAfter?: string | null | undefined;
};

/** A key `taskStats` groups tasks by. */
export type TaskGroupBy =
  /** The assignee (`null` for the unassigned tasks). */
  | 'AGENT'
  /** The plan the task belongs to. */
  | 'PLAN'
  /** The task's status. */
  | 'STATUS'
  /** The task's type. */
  | 'TASK_TYPE';

/** An ordering of a list: a field, then the id, both in one direction. */
export type TaskOrder = {
  /** ASC when not given. */
  direction?: OrderDirection | null | undefined;
  /** What to order by; objects with equal values are ordered by id. */
  field: TaskOrderField;
};

/** What a list of tasks can be ordered by. */
export type TaskOrderField =
  /** When it was created. */
  | 'CREATED_AT'
  /** When it last changed. */
  | 'UPDATED_AT';

/**
 * Where a task stands. BLOCKED -> PENDING | CANCELLED; PENDING -> RUNNING |
 * CANCELLED; RUNNING -> COMPLETED | FAILED | CANCELLED | PENDING; FAILED ->
 * PENDING (a retry).
 */
export type TaskStatus =
  /** Waiting for its dependencies; never set by hand. */
  | 'BLOCKED'
  /** Will not run. */
  | 'CANCELLED'
  /** Done; `completedAt` says when. */
  | 'COMPLETED'
  /** Ended in failure; may be retried by setting PENDING. */
  | 'FAILED'
  /** Waiting to run (the initial status, and the status of a retry). */
  | 'PENDING'
  /** Running; `startedAt` says since when. */
  | 'RUNNING';

/**
 * Changes to an agent: only the fields given change; a JSON field given
 * replaces the whole object.
 */
export type UpdateAgentInput = {
  /** A JSON object; replaces the current one. */
  configuration?: unknown;
  /** When given, the update applies only if the agent is still at this version (else CONFLICT). */
  expectedVersion?: number | null | undefined;
  /** A JSON object; replaces the current one. */
  metadata?: unknown;
  /** 1 to 200 characters. */
  name?: string | null | undefined;
  status?: AgentStatus | null | undefined;
};

/** Changes to a goal: only the fields given change. */
export type UpdateGoalInput = {
  /** 1 to 10,000 characters. */
  description?: string | null | undefined;
  /** When given, the update applies only if the goal is still at this version (else CONFLICT). */
  expectedVersion?: number | null | undefined;
  /** 1 to 10. */
  priority?: number | null | undefined;
  /** Must follow the goal transitions (else BAD_USER_INPUT). */
  status?: GoalStatus | null | undefined;
  /** At most 100 entries; replaces the current list. */
  successCriteria?: Array<string> | null | undefined;
};

/** Changes to a plan: only the fields given change. */
export type UpdatePlanInput = {
  /** 1 to 10,000 characters. */
  description?: string | null | undefined;
  /** When given, the update applies only if the plan is still at this version (else CONFLICT). */
  expectedVersion?: number | null | undefined;
  /** Must follow the plan transitions (else BAD_USER_INPUT). */
  status?: PlanStatus | null | undefined;
};

/**
 * Changes to a task: only the fields given change; `null` clears
 * `agentId`, `outputData` and `error`.
 */
export type UpdateTaskInput = {
  /** The new assignee, or null to unassign. */
  agentId?: string | null | undefined;
  /** 1 to 10,000 characters. */
  description?: string | null | undefined;
  /** What went wrong, or null to clear it. */
  error?: string | null | undefined;
  /** When given, the update applies only if the task is still at this version (else CONFLICT). */
  expectedVersion?: number | null | undefined;
  /** 1 to 100. */
  maxAttempts?: number | null | undefined;
  /** A JSON object, or null to clear it. */
  outputData?: unknown;
  /** 0 to 100. */
  priority?: number | null | undefined;
  /** The earliest time it may be claimed. */
  runAt?: string | null | undefined;
  /** Must follow the task transitions (else BAD_USER_INPUT). */
  status?: TaskStatus | null | undefined;
};

export type ClaimTasksMutationVariables = Exact<{
  input: ClaimTasksInput;
}>;


export type ClaimTasksMutation = { claimTasks: Array<{ token: string, expiresAt: string, task: { id: string, planId: string, description: string, taskType: string, inputData: unknown, priority: number, attempts: number, maxAttempts: number } }> };

export type CompleteTaskMutationVariables = Exact<{
  id: string;
  token: string;
  outputData?: unknown;
}>;


export type CompleteTaskMutation = { completeTask: { id: string, status: TaskStatus, attempts: number, version: number, completedAt: string | null } };

export type CreateAgentMutationVariables = Exact<{
  input: CreateAgentInput;
}>;


export type CreateAgentMutation = { createAgent: { id: string, name: string, status: AgentStatus, configuration: unknown, version: number } };

export type CreateGoalMutationVariables = Exact<{
  input: CreateGoalInput;
}>;


export type CreateGoalMutation = { createGoal: { id: string, agentId: string, description: string, priority: number, status: GoalStatus } };

export type CreatePlanMutationVariables = Exact<{
  input: CreatePlanInput;
}>;


export type CreatePlanMutation = { createPlan: { id: string, goalId: string, status: PlanStatus } };

export type CreateTaskMutationVariables = Exact<{
  input: CreateTaskInput;
}>;


export type CreateTaskMutation = { createTask: { id: string, planId: string, agentId: string | null, taskType: string, status: TaskStatus } };

export type DeleteAgentMutationVariables = Exact<{
  id: string;
}>;


export type DeleteAgentMutation = { deleteAgent: string };

export type DeleteGoalMutationVariables = Exact<{
  id: string;
  cascade?: boolean | null | undefined;
}>;


export type DeleteGoalMutation = { deleteGoal: string };

export type DeletePlanMutationVariables = Exact<{
  id: string;
  cascade?: boolean | null | undefined;
}>;


export type DeletePlanMutation = { deletePlan: string };

export type DeleteTaskMutationVariables = Exact<{
  id: string;
}>;


export type DeleteTaskMutation = { deleteTask: string };

export type FailTaskMutationVariables = Exact<{
  id: string;
  token: string;
  error: string;
  retry: boolean;
}>;


export type FailTaskMutation = { failTask: { id: string, status: TaskStatus, attempts: number, maxAttempts: number, error: string | null, runAt: string, version: number } };

export type GetAgentQueryVariables = Exact<{
  id: string;
}>;


export type GetAgentQuery = { agent: { id: string, did: string, name: string, status: AgentStatus, configuration: unknown, version: number, updatedAt: string } | null };

export type GetGoalQueryVariables = Exact<{
  id: string;
}>;


export type GetGoalQuery = { goal: { id: string, agentId: string, description: string, priority: number, status: GoalStatus, version: number, plans: { totalCount: number, nodes: Array<{ id: string, description: string, status: PlanStatus, version: number, tasks: { totalCount: number, nodes: Array<{ id: string, description: string, taskType: string, status: TaskStatus, agentId: string | null, version: number }> } }> } } | null };

export type GetPlanQueryVariables = Exact<{
  id: string;
}>;


export type GetPlanQuery = { plan: { id: string, goalId: string, description: string, status: PlanStatus, version: number, updatedAt: string } | null };

export type GetTaskQueryVariables = Exact<{
  id: string;
}>;


export type GetTaskQuery = { task: { id: string, planId: string, agentId: string | null, description: string, taskType: string, status: TaskStatus, inputData: unknown, outputData: unknown, error: string | null, version: number, startedAt: string | null, completedAt: string | null } | null };

export type HeartbeatTaskMutationVariables = Exact<{
  id: string;
  token: string;
  leaseSeconds?: number | null | undefined;
}>;


export type HeartbeatTaskMutation = { heartbeatTask: { token: string, expiresAt: string } };

export type HistoryQueryVariables = Exact<{
  id: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type HistoryQuery = { history: { nodes: Array<{ cursor: string, kind: ChangeKind, version: number, at: string, actor: string | null, changedFields: Array<string> }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ListAgentsQueryVariables = Exact<{
  first: number;
}>;


export type ListAgentsQuery = { agents: { nodes: Array<{ id: string, name: string, status: AgentStatus }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ListGoalsQueryVariables = Exact<{
  agentId: string;
  first: number;
}>;


export type ListGoalsQuery = { goals: { nodes: Array<{ id: string, agentId: string, description: string, priority: number, status: GoalStatus }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ListPlansQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: PlanFilter | null | undefined;
  orderBy?: PlanOrder | null | undefined;
}>;


export type ListPlansQuery = { plans: { totalCount: number, nodes: Array<{ id: string, goalId: string, description: string, status: PlanStatus, version: number }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ListTasksQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: TaskFilter | null | undefined;
  orderBy?: TaskOrder | null | undefined;
}>;


export type ListTasksQuery = { tasks: { totalCount: number, nodes: Array<{ id: string, planId: string, agentId: string | null, description: string, taskType: string, status: TaskStatus, version: number }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type PlanProgressQueryVariables = Exact<{
  id: string;
}>;


export type PlanProgressQuery = { plan: { id: string, description: string, status: PlanStatus, taskCounts: { total: number, blocked: number, pending: number, running: number, completed: number, failed: number, cancelled: number }, goal: { id: string, description: string, taskCounts: { total: number, blocked: number, pending: number, running: number, completed: number, failed: number, cancelled: number } } } | null };

export type ReleaseTaskMutationVariables = Exact<{
  id: string;
  token: string;
}>;


export type ReleaseTaskMutation = { releaseTask: { id: string, status: TaskStatus, attempts: number, version: number } };

export type TaskChangedSubscriptionVariables = Exact<{
  planId?: string | null | undefined;
}>;


export type TaskChangedSubscription = { taskChanged: { cursor: string, kind: ChangeKind, id: string, version: number, task: { id: string, status: TaskStatus } | null } };

export type TaskStatsQueryVariables = Exact<{
  filter?: TaskFilter | null | undefined;
  groupBy: Array<TaskGroupBy> | TaskGroupBy;
}>;


export type TaskStatsQuery = { taskStats: Array<{ status: TaskStatus | null, agentId: string | null, taskType: string | null, planId: string | null, count: number, oldestCreatedAt: string }> };

export type UpdateAgentMutationVariables = Exact<{
  id: string;
  input: UpdateAgentInput;
}>;


export type UpdateAgentMutation = { updateAgent: { id: string, status: AgentStatus, configuration: unknown, version: number } };

export type UpdateGoalMutationVariables = Exact<{
  id: string;
  input: UpdateGoalInput;
}>;


export type UpdateGoalMutation = { updateGoal: { id: string, description: string, priority: number, status: GoalStatus, version: number } };

export type UpdatePlanMutationVariables = Exact<{
  id: string;
  input: UpdatePlanInput;
}>;


export type UpdatePlanMutation = { updatePlan: { id: string, description: string, status: PlanStatus, version: number } };

export type UpdateTaskMutationVariables = Exact<{
  id: string;
  input: UpdateTaskInput;
}>;


export type UpdateTaskMutation = { updateTask: { id: string, agentId: string | null, description: string, status: TaskStatus, outputData: unknown, error: string | null, version: number, startedAt: string | null, completedAt: string | null } };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { role: Role, tenant: string, name: string | null, agent: { id: string, name: string } | null } };


export const ClaimTasksDocument = {"__meta__":{"hash":"sha256:4990f318bd1580357d20c1995d3848e2b737ba43777055e28ca265047b4af530"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ClaimTasks"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ClaimTasksInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"claimTasks"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"token"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"task"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"planId"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"taskType"}},{"kind":"Field","name":{"kind":"Name","value":"inputData"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"}},{"kind":"Field","name":{"kind":"Name","value":"maxAttempts"}}]}}]}}]}}]} as unknown as DocumentNode<ClaimTasksMutation, ClaimTasksMutationVariables>;
export const CompleteTaskDocument = {"__meta__":{"hash":"sha256:6c35bcd22f98ffeab43233200224d24e54d4b41e0002f1e6d13ad88f5a1d63e2"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CompleteTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"token"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"outputData"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"JSON"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completeTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"token"},"value":{"kind":"Variable","name":{"kind":"Name","value":"token"}}},{"kind":"Argument","name":{"kind":"Name","value":"outputData"},"value":{"kind":"Variable","name":{"kind":"Name","value":"outputData"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"completedAt"}}]}}]}}]} as unknown as DocumentNode<CompleteTaskMutation, CompleteTaskMutationVariables>;
export const CreateAgentDocument = {"__meta__":{"hash":"sha256:34c502834d1e1d5fb28c3d2c6d45138d6d71a19f4c3ac9bc55818d6d6dccaf0a"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateAgent"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateAgentInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createAgent"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"configuration"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]} as unknown as DocumentNode<CreateAgentMutation, CreateAgentMutationVariables>;
export const CreateGoalDocument = {"__meta__":{"hash":"sha256:2d4573182cc99f1b8d9d23e26af01d51df994c9171f83a1b0da0b5bda60da952"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateGoal"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateGoalInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createGoal"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"agentId"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<CreateGoalMutation, CreateGoalMutationVariables>;
export const CreatePlanDocument = {"__meta__":{"hash":"sha256:460298be06655224789021bad61857f353d6415d5f8f5c66b2a7d9233aab775e"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreatePlan"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreatePlanInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createPlan"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"goalId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<CreatePlanMutation, CreatePlanMutationVariables>;
export const CreateTaskDocument = {"__meta__":{"hash":"sha256:a6a8f5be84f283fa4c600065d79c49017efefe88fc0876e906ac2b870538e310"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateTaskInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"planId"}},{"kind":"Field","name":{"kind":"Name","value":"agentId"}},{"kind":"Field","name":{"kind":"Name","value":"taskType"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<CreateTaskMutation, CreateTaskMutationVariables>;
export const DeleteAgentDocument = {"__meta__":{"hash":"sha256:77c92945fa2d5350e3228ec2f0692944432478bd5d34d1aa878168a1c54f007a"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteAgent"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteAgent"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}]}}]} as unknown as DocumentNode<DeleteAgentMutation, DeleteAgentMutationVariables>;
export const DeleteGoalDocument = {"__meta__":{"hash":"sha256:5a2f6c314f5e10774729dfcad7189b190e8de4aaadcf758d40a222e0f5bc61cb"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteGoal"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"cascade"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteGoal"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"cascade"},"value":{"kind":"Variable","name":{"kind":"Name","value":"cascade"}}}]}]}}]} as unknown as DocumentNode<DeleteGoalMutation, DeleteGoalMutationVariables>;
export const DeletePlanDocument = {"__meta__":{"hash":"sha256:49affc2835fa485768879c2a9adf9569571d668eefde57052bc8132da1787150"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeletePlan"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"cascade"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deletePlan"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"cascade"},"value":{"kind":"Variable","name":{"kind":"Name","value":"cascade"}}}]}]}}]} as unknown as DocumentNode<DeletePlanMutation, DeletePlanMutationVariables>;
export const DeleteTaskDocument = {"__meta__":{"hash":"sha256:518de1c787194f6643592bdadcea3d8b402af718c36074db124ebb1f3490fc37"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}]}}]} as unknown as DocumentNode<DeleteTaskMutation, DeleteTaskMutationVariables>;
export const FailTaskDocument = {"__meta__":{"hash":"sha256:c9d41c6f081e85def35914572efdba2469d88b96a4413a6f2bbf429305b2248f"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"FailTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"token"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"error"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"retry"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"failTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"token"},"value":{"kind":"Variable","name":{"kind":"Name","value":"token"}}},{"kind":"Argument","name":{"kind":"Name","value":"error"},"value":{"kind":"Variable","name":{"kind":"Name","value":"error"}}},{"kind":"Argument","name":{"kind":"Name","value":"retry"},"value":{"kind":"Variable","name":{"kind":"Name","value":"retry"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"}},{"kind":"Field","name":{"kind":"Name","value":"maxAttempts"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"runAt"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]} as unknown as DocumentNode<FailTaskMutation, FailTaskMutationVariables>;
export const GetAgentDocument = {"__meta__":{"hash":"sha256:e785a53ed13b0c83687cf271f49e973eef933a3659b4c644fc02aaf05d3a7097"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"GetAgent"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agent"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"did"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"configuration"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]} as unknown as DocumentNode<GetAgentQuery, GetAgentQueryVariables>;
export const GetGoalDocument = {"__meta__":{"hash":"sha256:9ca3274b06a4d02631cc456d551f208fb6e966942e7c515c10e61486e8ee18ad"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"GetGoal"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"goal"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"agentId"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"plans"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"tasks"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"taskType"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"agentId"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<GetGoalQuery, GetGoalQueryVariables>;
export const GetPlanDocument = {"__meta__":{"hash":"sha256:bd9960d699418dfa835585f5419cebef2ed0945f138ce384eb7c0c0a41a384b3"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"GetPlan"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"plan"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"goalId"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]} as unknown as DocumentNode<GetPlanQuery, GetPlanQueryVariables>;
export const GetTaskDocument = {"__meta__":{"hash":"sha256:2a585c31918bd29e704a00b80fae5f708ecc70e3afd1e99eba84da6ee7f3a3cc"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"GetTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"task"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"planId"}},{"kind":"Field","name":{"kind":"Name","value":"agentId"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"taskType"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"inputData"}},{"kind":"Field","name":{"kind":"Name","value":"outputData"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"completedAt"}}]}}]}}]} as unknown as DocumentNode<GetTaskQuery, GetTaskQueryVariables>;
export const HeartbeatTaskDocument = {"__meta__":{"hash":"sha256:a1df5a8ccdaff0f4ad0dbcae951106c08dcc2685ccb7ae1618fe6ac25dafe16a"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"HeartbeatTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"token"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"leaseSeconds"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"heartbeatTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"token"},"value":{"kind":"Variable","name":{"kind":"Name","value":"token"}}},{"kind":"Argument","name":{"kind":"Name","value":"leaseSeconds"},"value":{"kind":"Variable","name":{"kind":"Name","value":"leaseSeconds"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"token"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]}}]} as unknown as DocumentNode<HeartbeatTaskMutation, HeartbeatTaskMutationVariables>;
export const HistoryDocument = {"__meta__":{"hash":"sha256:5308155f96ba087600d77dd23bbc4c1f14458dcfe237eff3c54cf658068fd2a6"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"History"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"history"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}},{"kind":"Field","name":{"kind":"Name","value":"changedFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<HistoryQuery, HistoryQueryVariables>;
export const ListAgentsDocument = {"__meta__":{"hash":"sha256:8150b497ad9619d24487bb7824369eb214bb62a02caaf59c2b0763f3062761c6"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ListAgents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<ListAgentsQuery, ListAgentsQueryVariables>;
export const ListGoalsDocument = {"__meta__":{"hash":"sha256:efb5b6eaff841770581e79b4f1b1e7b922c60d460552da73834645623fd9a10d"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ListGoals"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"agentId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"goals"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"agentId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"agentId"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"agentId"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<ListGoalsQuery, ListGoalsQueryVariables>;
export const ListPlansDocument = {"__meta__":{"hash":"sha256:b0b0dc09c27f446f8dd1ef374221e963a066ba61cd720566fe1525dca85e5e3c"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ListPlans"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"PlanFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"PlanOrder"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"plans"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"goalId"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<ListPlansQuery, ListPlansQueryVariables>;
export const ListTasksDocument = {"__meta__":{"hash":"sha256:98d7d2ead3e5f80d72b89407f1d4020e8441338defb92d58e51caee263470504"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ListTasks"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"TaskFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"TaskOrder"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tasks"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"planId"}},{"kind":"Field","name":{"kind":"Name","value":"agentId"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"taskType"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<ListTasksQuery, ListTasksQueryVariables>;
export const PlanProgressDocument = {"__meta__":{"hash":"sha256:ffbc226d83a62287f7c122963a5d2808fe96b7ffb8496175324150f36f5caa68"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PlanProgress"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"plan"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"taskCounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"blocked"}},{"kind":"Field","name":{"kind":"Name","value":"pending"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"completed"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}},{"kind":"Field","name":{"kind":"Name","value":"cancelled"}}]}},{"kind":"Field","name":{"kind":"Name","value":"goal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"taskCounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"blocked"}},{"kind":"Field","name":{"kind":"Name","value":"pending"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"completed"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}},{"kind":"Field","name":{"kind":"Name","value":"cancelled"}}]}}]}}]}}]}}]} as unknown as DocumentNode<PlanProgressQuery, PlanProgressQueryVariables>;
export const ReleaseTaskDocument = {"__meta__":{"hash":"sha256:66c11432264e7bcea65a69a095af848dee3cd144a4f4c3085c7aafc592c685a4"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ReleaseTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"token"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"releaseTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"token"},"value":{"kind":"Variable","name":{"kind":"Name","value":"token"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]} as unknown as DocumentNode<ReleaseTaskMutation, ReleaseTaskMutationVariables>;
export const TaskChangedDocument = {"__meta__":{"hash":"sha256:f5b7573ae79e9883ff74c11772b36f6b387dbc423d53d3e96990c3fe0f7f241c"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"TaskChanged"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"planId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"taskChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"planId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"planId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"task"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}}]} as unknown as DocumentNode<TaskChangedSubscription, TaskChangedSubscriptionVariables>;
export const TaskStatsDocument = {"__meta__":{"hash":"sha256:cdc17f454b82363018991f039686478c5276161f336150663af7aa810bc4ef9f"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TaskStats"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"TaskFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"groupBy"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TaskGroupBy"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"taskStats"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"groupBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"groupBy"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"agentId"}},{"kind":"Field","name":{"kind":"Name","value":"taskType"}},{"kind":"Field","name":{"kind":"Name","value":"planId"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"oldestCreatedAt"}}]}}]}}]} as unknown as DocumentNode<TaskStatsQuery, TaskStatsQueryVariables>;
export const UpdateAgentDocument = {"__meta__":{"hash":"sha256:1392cc6ca945eb12922fde6c1ea0178a6347ccdb421719a944b02762cd27ce24"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateAgent"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateAgentInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateAgent"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"configuration"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]} as unknown as DocumentNode<UpdateAgentMutation, UpdateAgentMutationVariables>;
export const UpdateGoalDocument = {"__meta__":{"hash":"sha256:03d20b02fb423b4ff8f20c9d668aa4c562fc48083eef438f81f19192b63a0cea"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateGoal"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateGoalInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateGoal"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]} as unknown as DocumentNode<UpdateGoalMutation, UpdateGoalMutationVariables>;
export const UpdatePlanDocument = {"__meta__":{"hash":"sha256:810b1739f89e4edf91603ba23f3142b6ad44cd3db07ae32761bfd21775386d8b"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdatePlan"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdatePlanInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updatePlan"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]} as unknown as DocumentNode<UpdatePlanMutation, UpdatePlanMutationVariables>;
export const UpdateTaskDocument = {"__meta__":{"hash":"sha256:d39f13f21fe093eabe42112e25a92f6d7e6f7af62346df618fdef7997547db1d"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateTaskInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"agentId"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"outputData"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"completedAt"}}]}}]}}]} as unknown as DocumentNode<UpdateTaskMutation, UpdateTaskMutationVariables>;
export const ViewerDocument = {"__meta__":{"hash":"sha256:397dbcb511e53397ae14d0432cce7a3d914e5d1c806e7aaa8115f10dc7372754"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"tenant"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"agent"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<ViewerQuery, ViewerQueryVariables>;