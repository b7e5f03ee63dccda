// The typed client end to end against AGENTGRAPH_URL: who the server takes
// us to be, an agent, a goal created together with its plans and tasks, the
// tree read back nested, an update that applies only to the version read, the
// tasks counted (a plan's progress, the queue by status), and a change
// received over graphql-ws and over graphql-sse.
//
// AGENTGRAPH_SEND=text|documentId|apq picks how documents are sent (see
// SendMode); documentId needs a server started with this package's manifest.
import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createClient, documentIdOf, GraphQLRequestError, type SendMode } from './client.js';
import {
  CreateAgentDocument,
  CreateGoalDocument,
  GetGoalDocument,
  HistoryDocument,
  PlanProgressDocument,
  TaskChangedDocument,
  TaskStatsDocument,
  UpdateGoalDocument,
  UpdateTaskDocument,
  ViewerDocument,
} from './gql/graphql.js';

const url = process.env.AGENTGRAPH_URL ?? 'http://127.0.0.1:8000/graphql';
const apiKey = process.env.AGENTGRAPH_API_KEY;
const send = (process.env.AGENTGRAPH_SEND ?? 'text') as SendMode;
if (!['text', 'documentId', 'apq'].includes(send)) throw new Error(`unknown AGENTGRAPH_SEND ${send}`);
const client = createClient({ url, apiKey, send });

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`example failed: ${what}`);
}

const { viewer } = await client.execute(ViewerDocument, {});
const actingAs = viewer.agent ? `, acting as agent ${viewer.agent.name} (${viewer.agent.id})` : '';
console.log(`viewer: ${viewer.role} of tenant ${viewer.tenant}, ${viewer.name ?? 'no credential name'}${actingAs}`);

const { createAgent: agent } = await client.execute(CreateAgentDocument, {
  input: { name: 'ts-quickstart', configuration: { max_tokens: 1000 }, idempotencyKey: randomUUID() },
});
console.log(`agent ${agent.id} (${agent.status}), sending documents as ${send}`);

// One mutation, one transaction: the goal, two plans, three tasks.
const { createGoal: goal } = await client.execute(CreateGoalDocument, {
  input: {
    agentId: agent.id,
    description: 'Survey vector databases',
    priority: 8,
    idempotencyKey: randomUUID(),
    plans: [
      { description: 'Read the docs', tasks: [{ description: 'Qdrant' }, { description: 'Milvus', agentId: agent.id }] },
      { description: 'Benchmark', status: 'ACTIVE', tasks: [{ description: '1M vectors', taskType: 'bench' }] },
    ],
  },
});

const { goal: tree } = await client.execute(GetGoalDocument, { id: goal.id });
check(tree !== null, 'the goal just created is there');
console.log(`${tree.description} (priority ${tree.priority}):`);
for (const plan of tree.plans.nodes) {
  console.log(`  plan ${plan.description} [${plan.status}]`);
  for (const task of plan.tasks.nodes) console.log(`    task ${task.description} [${task.status}]`);
}
const taskCount = tree.plans.nodes.reduce((n, plan) => n + plan.tasks.nodes.length, 0);
check(tree.plans.nodes.length === 2 && taskCount === 3, 'two plans and three tasks read back');

// Optimistic concurrency: the update applies only to the version read.
const { updateGoal: updated } = await client.execute(UpdateGoalDocument, {
  id: goal.id,
  input: { priority: 9, status: 'ACTIVE', expectedVersion: tree.version },
});
console.log(`goal updated: priority ${updated.priority}, ${updated.status}, version ${updated.version}`);
try {
  await client.execute(UpdateGoalDocument, { id: goal.id, input: { priority: 3, expectedVersion: tree.version } });
  throw new Error('example failed: a stale expectedVersion was accepted');
} catch (err) {
  check(err instanceof GraphQLRequestError && err.code === 'CONFLICT', `CONFLICT for a stale version, got ${err}`);
  console.log('a second update with the old version is refused: CONFLICT');
}

const firstPlan = tree.plans.nodes[0];
const firstTask = firstPlan?.tasks.nodes[0];
check(firstPlan !== undefined && firstTask !== undefined, 'the first plan has a task');
const running = () =>
  client.execute(UpdateTaskDocument, {
    id: firstTask.id,
    input: { status: 'RUNNING', expectedVersion: firstTask.version },
  });

// Live changes: the same subscription over graphql-ws (WebSocket) and
// graphql-sse (Server-Sent Events). Each is live once the server has read
// it, so the task is changed (its description, any number of times) until
// the change arrives.
type TaskChange = { data?: { taskChanged?: { id?: string; kind?: string } | null } | null };
// With documentId only the hash goes (a server may run only its manifest).
const subscription = {
  query: send === 'documentId' ? '' : print(TaskChangedDocument),
  variables: { planId: firstPlan.id },
  ...(send === 'documentId' ? { documentId: documentIdOf(TaskChangedDocument) } : {}),
};
const watchedId = firstTask.id;
let pokes = 0;
async function untilHeard(subscribe: (sink: (value: TaskChange) => void) => () => void, via: string) {
  let heard: TaskChange | undefined;
  const stop = subscribe((value) => { heard ??= value; });
  for (let i = 0; i < 50 && heard === undefined; i += 1) {
    pokes += 1;
    await client.execute(UpdateTaskDocument, { id: watchedId, input: { description: `watched ${pokes}` } });
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  stop();
  check(heard !== undefined, `a change over ${via}`);
  check(heard.data?.taskChanged?.id === watchedId, `the change of task ${watchedId} over ${via}, got ${JSON.stringify(heard)}`);
  console.log(`received over ${via}: ${heard.data?.taskChanged?.kind} of task ${watchedId}`);
}

const { updateTask } = await running();
console.log(`task ${firstTask.description} is ${updateTask.status}`);

// Counted by the server, not by paging through the tasks.
const { plan: progress } = await client.execute(PlanProgressDocument, { id: firstPlan.id });
check(progress !== null, 'the plan just created is there');
const counts = progress.taskCounts;
console.log(
  `plan ${progress.description}: ${counts.completed}/${counts.total} completed, ${counts.running} running, ` +
    `${counts.pending} pending, ${counts.blocked} blocked, ${counts.failed} failed, ${counts.cancelled} cancelled`,
);
const goalCounts = progress.goal.taskCounts;
console.log(`its goal: ${goalCounts.completed}/${goalCounts.total} completed, ${goalCounts.running} running`);
check(
  counts.total === 2 && counts.running === 1 && goalCounts.total === 3,
  `the plan's and the goal's counts, got ${JSON.stringify(progress)}`,
);

// The whole queue's shape (every task the caller sees), by status.
const { taskStats } = await client.execute(TaskStatsDocument, { groupBy: ['STATUS'] });
console.log('tasks by status:');
for (const group of taskStats) {
  console.log(`  ${group.status}: ${group.count}, the oldest created ${group.oldestCreatedAt}`);
}
check(taskStats.reduce((n, group) => n + group.count, 0) >= 3, "the stats count at least this goal's tasks");

// What happened to the task: its changes, who made them, what changed.
const { history } = await client.execute(HistoryDocument, { id: firstTask.id });
console.log(`task ${firstTask.description}'s history:`);
for (const entry of history.nodes) {
  console.log(`  v${entry.version} ${entry.kind} at ${entry.at} by ${entry.actor ?? '-'} changed ${entry.changedFields.join(', ')}`);
}
check(
  history.nodes[0]?.kind === 'CREATED' && history.nodes.some((entry) => entry.changedFields.includes('startedAt')),
  `the task's history holds its creation and its start, got ${JSON.stringify(history)}`,
);

const ws = createWsClient({
  url: url.replace(/^http/, 'ws'),
  webSocketImpl: WebSocket,
  connectionParams: apiKey ? { 'x-api-key': apiKey } : {},
});
await untilHeard((sink) => ws.subscribe(subscription, {
  next: (value) => sink(value as TaskChange),
  error: (err) => { throw err instanceof Error ? err : new Error(JSON.stringify(err)); },
  complete: () => {},
}), 'graphql-ws');
await ws.dispose();

const sse = createSseClient({ url, headers: apiKey ? { 'x-api-key': apiKey } : {} });
await untilHeard((sink) => sse.subscribe(subscription, {
  next: (value) => sink(value as TaskChange),
  error: (err) => { throw err instanceof Error ? err : new Error(JSON.stringify(err)); },
  complete: () => {},
}), 'graphql-sse');
sse.dispose();
console.log('example: ok');
