// The typed client end to end against AGENTGRAPH_URL: an agent, a goal
// created together with its plans and tasks, the tree read back nested, an
// update that applies only to the version read, and a change received over
// graphql-ws (skipped, saying so, while the schema has no Subscription).
//
// AGENTGRAPH_SEND=text|documentId|apq picks how documents are sent (see
// SendMode); documentId needs a server started with this package's manifest.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createClient, GraphQLRequestError, type SendMode } from './client.js';
import {
  CreateAgentDocument,
  CreateGoalDocument,
  GetGoalDocument,
  UpdateGoalDocument,
  UpdateTaskDocument,
} from './gql/graphql.js';

const url = process.env.AGENTGRAPH_URL ?? 'http://127.0.0.1:8000/graphql';
const apiKey = process.env.AGENTGRAPH_API_KEY;
const send = (process.env.AGENTGRAPH_SEND ?? 'text') as SendMode;
if (!['text', 'documentId', 'apq'].includes(send)) throw new Error(`unknown AGENTGRAPH_SEND ${send}`);
const client = createClient({ url, apiKey, send });

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`example failed: ${what}`);
}

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

// Live changes over graphql-ws, once the server has them (issue 11).
const schema = new URL('../../../schema.graphql', import.meta.url);
const hasSubscriptions = existsSync(schema) && /^type Subscription\b/m.test(readFileSync(schema, 'utf8'));
if (!hasSubscriptions) {
  const { updateTask } = await running();
  console.log(`task ${firstTask.description} is ${updateTask.status}`);
  console.log('subscription step skipped: schema.graphql has no Subscription type yet');
} else if (send === 'documentId') {
  await running();
  console.log('subscription step skipped: operations/subscriptions.graphql.pending is not in the manifest yet');
} else {
  const operation = new URL('../operations/subscriptions.graphql.pending', import.meta.url);
  const query = readFileSync(existsSync(operation) ? operation : new URL('../operations/subscriptions.graphql', import.meta.url), 'utf8');
  const ws = createWsClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: apiKey ? { 'x-api-key': apiKey } : {},
  });
  const change = new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no change arrived within 10 s')), 10_000);
    ws.subscribe(
      { query, variables: { planId: firstPlan.id } },
      {
        next: (value) => { clearTimeout(timer); resolve(value); },
        error: (err) => { clearTimeout(timer); reject(err instanceof Error ? err : new Error(JSON.stringify(err))); },
        complete: () => {},
      },
    );
  });
  // The subscription must be in place before the change it should see.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await running();
  const received = (await change) as { data?: { taskChanged?: { id?: string; kind?: string } } };
  check(received.data?.taskChanged?.id === firstTask.id, `the change of task ${firstTask.id}, got ${JSON.stringify(received)}`);
  console.log(`received over graphql-ws: ${received.data?.taskChanged?.kind} of task ${firstTask.id}`);
  await ws.dispose();
}
console.log('example: ok');
