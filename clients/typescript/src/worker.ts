// A work-queue worker: an agent that claims tasks with a long poll, keeps each
// lease alive with heartbeats while it works, completes or fails each task,
// and on Ctrl-C gives back what it holds (API.md, "Work queue").
//
//   AGENTGRAPH_WORKER_SEED=5 AGENTGRAPH_WORKER_EXIT_WHEN_IDLE=1 npm run worker
//
// AGENTGRAPH_URL, AGENTGRAPH_API_KEY and AGENTGRAPH_SEND (text|documentId|apq)
// as in the example, and:
// - AGENTGRAPH_AGENT_ID: work as this agent (else a new one is created);
// - AGENTGRAPH_WORKER_TASK_TYPES: the types to claim, comma-separated (default demo);
// - AGENTGRAPH_WORKER_CONCURRENCY: tasks worked on at once (default 1);
// - AGENTGRAPH_WORKER_LEASE_SECONDS (default 15; a heartbeat every third of
//   it) and AGENTGRAPH_WORKER_WAIT_SECONDS, the long poll (default 10);
// - AGENTGRAPH_WORKER_SEED=N: first create N demo tasks of the first type in an
//   ACTIVE plan: one slow (it needs a heartbeat), some that fail once and
//   succeed on their retry, some that fail for good;
// - AGENTGRAPH_WORKER_EXIT_WHEN_IDLE=1: stop once a long poll returns nothing
//   while no task is held; with a seed, then check that each seeded task ended
//   as its kind says (exit status 1 if not).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, isLeaseLost, isRetryable, type SendMode } from './client.js';
import {
  ClaimTasksDocument,
  CompleteTaskDocument,
  CreateAgentDocument,
  CreateGoalDocument,
  FailTaskDocument,
  GetGoalDocument,
  HeartbeatTaskDocument,
  ReleaseTaskDocument,
  type ClaimTasksMutation,
} from './gql/graphql.js';

type Lease = ClaimTasksMutation['claimTasks'][number];
type Task = Lease['task'];

const config = readConfig();
const client = createClient({ url: config.url, apiKey: config.apiKey, send: config.send });

// Aborted by the first SIGINT (Ctrl-C) or SIGTERM (what `kill` and container
// runtimes send); a second one exits at once, the held leases then expiring
// by themselves and their tasks requeued.
const stop = new AbortController();
const stopping = new Promise<'stop'>((resolve) => stop.signal.addEventListener('abort', () => resolve('stop')));
let signals = 0;
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.on(name, () => {
    signals += 1;
    if (signals > 1) {
      console.error('second signal: exiting without releasing');
      process.exit(130);
    }
    console.error(
      `${name}: stopping: releasing held tasks, and what a claim in flight returns (up to ${config.waitSeconds} s); again to exit at once`,
    );
    stop.abort();
  });
}

/** Claims and works until a signal (returns true) or, with exitWhenIdle, until nothing is left (false). */
async function workLoop(agentId: string): Promise<boolean> {
  const held = new Set<Promise<void>>();
  let stopped = true;
  while (!stop.signal.aborted) {
    const free = config.concurrency - held.size;
    if (free === 0) {
      await Promise.race([...held, stopping]);
      continue;
    }
    // Not raced against the signal: a claim abandoned midway may still take
    // tasks whose tokens we would never see, and sit on them until their
    // leases expire. It ends within waitSeconds, and what it took is released
    // at once, since each workOn sees the stop first.
    let leases: Lease[];
    try {
      const input = {
        agentId,
        taskTypes: config.taskTypes,
        limit: free,
        leaseSeconds: config.leaseSeconds,
        waitSeconds: config.waitSeconds,
      };
      leases = (await client.execute(ClaimTasksDocument, { input })).claimTasks;
    } catch (err) {
      if (!isRetryable(err)) {
        await Promise.all(held); // the tasks already held are still finished properly
        throw err;
      }
      console.error(`claim failed (${err}); trying again in 1 s`);
      await Promise.race([sleep(1000), stopping]);
      continue;
    }
    if (leases.length === 0 && held.size === 0 && config.exitWhenIdle) {
      console.log(`nothing to claim for ${config.waitSeconds} s: exiting`);
      stopped = false;
      break;
    }
    for (const lease of leases) {
      const working: Promise<void> = workOn(lease).finally(() => held.delete(working));
      held.add(working);
    }
  }
  // On a signal each held task releases its lease.
  await Promise.all(held);
  return stopped;
}

/** Works on one claimed task while keeping its lease alive, then ends the lease: complete, fail, or (stopping) release. */
async function workOn({ token, task }: Lease): Promise<void> {
  const { id } = task;
  console.log(`${id}: claimed "${task.description}", attempt ${task.attempts} of ${task.maxAttempts}`);
  const over = new AbortController(); // ends the heartbeats and the work, whichever way this goes
  const outcome = await Promise.race([
    // First, so that a task claimed while stopping is released untouched.
    stopping,
    keepAlive(id, token, over.signal),
    // An unexpected error counts as transient: maxAttempts bounds its retries.
    work(task, over.signal).then(
      (output) => ({ output }),
      (err: unknown) => ({ failure: err instanceof Failure ? err : new Failure(String(err), true) }),
    ),
  ]);
  over.abort();
  if (outcome === 'lost') {
    // Someone else may be working on it already: stop, report nothing.
    console.log(`${id}: lease lost (a heartbeat was refused), dropping the task`);
    return;
  }
  // complete/fail/release resend the same token when an answer is lost
  // (network error, 503): a repeat of a call that succeeded gets the task as
  // it is, so a retry never fails a completed task.
  try {
    if (outcome === 'stop') {
      const { releaseTask: t } = await retrying(() => client.execute(ReleaseTaskDocument, { id, token }));
      console.log(`${id}: released: ${t.status}, attempts ${t.attempts}`);
    } else if ('output' in outcome) {
      const { completeTask: t } = await retrying(() =>
        client.execute(CompleteTaskDocument, { id, token, outputData: outcome.output }),
      );
      console.log(`${id}: ${t.status}`);
    } else {
      const { message, retry } = outcome.failure;
      const { failTask: t } = await retrying(() => client.execute(FailTaskDocument, { id, token, error: message, retry }));
      console.log(`${id}: ${t.status === 'PENDING' ? `failed (${message}), retried from ${t.runAt}` : `${t.status} (${message})`}`);
    }
  } catch (err) {
    // The lease expired (heartbeats lost) or the task was changed by hand:
    // the queue has taken it back, so there is nothing to undo.
    if (isLeaseLost(err)) console.log(`${id}: lease lost before it ended, dropping the task`);
    // Still failing after ~20 s of retries: the lease will expire and the
    // queue requeue the task (or fail it, attempts used up).
    else console.error(`${id}: ${err}; leaving it to its lease`);
  }
}

/**
 * Heartbeats every third of the lease; resolves 'lost' once the lease is lost
 * (and quietly stays pending once `over` is aborted). A heartbeat that fails
 * otherwise is left to the next one: the lease outlasts two missed ones.
 */
async function keepAlive(id: string, token: string, over: AbortSignal): Promise<'lost'> {
  const every = (config.leaseSeconds * 1000) / 3;
  for (;;) {
    try {
      await sleep(every, undefined, { signal: over });
    } catch {
      return new Promise<never>(() => {}); // the work is over; the race is decided
    }
    try {
      const { heartbeatTask } = await client.execute(HeartbeatTaskDocument, { id, token, leaseSeconds: config.leaseSeconds });
      console.log(`${id}: heartbeat, lease until ${heartbeatTask.expiresAt}`);
    } catch (err) {
      if (isLeaseLost(err)) return 'lost';
      console.error(`${id}: heartbeat failed (${err}); next in ${every} ms`);
    }
  }
}

/** Why a task failed, and whether another attempt could succeed. */
class Failure extends Error {
  constructor(message: string, readonly retry: boolean) {
    super(message);
  }
}

/** Stands in for real work: the seeded tasks' inputData say how long they take and how they go wrong. */
async function work(task: Task, over: AbortSignal): Promise<Record<string, unknown>> {
  const input = (task.inputData ?? {}) as { kind?: string; ms?: number };
  const ms = input.ms ?? 200;
  await sleep(ms, undefined, { signal: over });
  // Transient (a timeout, a busy upstream): worth another attempt.
  if (input.kind === 'flaky' && task.attempts === 1) throw new Failure('upstream timed out', true);
  // Permanent (input it cannot handle): retrying cannot help.
  if (input.kind === 'broken') throw new Failure('input cannot be processed', false);
  return { worker: 'typescript', tookMs: ms };
}

/** Sends a call again while its answer is lost (network error, 503), pausing 50 ms doubling to 2 s: about 20 s in all. */
async function retrying<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1, pause = 50; ; attempt += 1, pause = Math.min(pause * 2, 2000)) {
    try {
      return await call();
    } catch (err) {
      if (!isRetryable(err) || attempt >= 14) throw err;
      await sleep(pause);
    }
  }
}

async function newAgent(): Promise<string> {
  // status defaults to ACTIVE: only an ACTIVE agent may claim.
  const input = { name: 'ts-worker', idempotencyKey: randomUUID() };
  return (await retrying(() => client.execute(CreateAgentDocument, { input }))).createAgent.id;
}

/** Creates n demo tasks in a new goal's ACTIVE plan (a DRAFT plan's tasks are not claimable); returns the goal's id. */
async function seed(agentId: string, n: number): Promise<string> {
  const slowMs = (config.leaseSeconds * 1000) / 3 + 500; // outlasts a heartbeat interval
  const kindOf = (i: number) => (i === 0 ? 'slow' : ['fast', 'fast', 'flaky', 'broken'][i % 4] ?? 'fast');
  const tasks = Array.from({ length: n }, (_, i) => ({
    description: `demo ${i}: ${kindOf(i)}`,
    taskType: config.taskTypes[0],
    inputData: { kind: kindOf(i), ms: i === 0 ? slowMs : 200 },
  }));
  const input = {
    agentId,
    description: 'worker demo',
    idempotencyKey: randomUUID(), // makes the retry below safe
    plans: [{ description: 'demo tasks', status: 'ACTIVE' as const, tasks }],
  };
  const { createGoal } = await retrying(() => client.execute(CreateGoalDocument, { input }));
  console.log(`seeded ${n} demo tasks (goal ${createGoal.id})`);
  return createGoal.id;
}

/** Each seeded task must have ended as its kind says: "broken" FAILED, the others (the flaky ones on their retry) COMPLETED. */
async function checkSeeded(goalId: string): Promise<void> {
  const { goal } = await client.execute(GetGoalDocument, { id: goalId });
  const tasks = goal?.plans.nodes.flatMap((plan) => plan.tasks.nodes) ?? [];
  const wrong = tasks
    .filter((t) => t.status !== (t.description.endsWith('broken') ? 'FAILED' : 'COMPLETED'))
    .map((t) => `${t.description} is ${t.status}`);
  if (tasks.length === 0 || wrong.length > 0) {
    console.error(`seeded tasks not as expected: ${wrong.join(', ') || 'none found'}`);
    process.exit(1);
  }
  console.log(`worker: ok, all ${tasks.length} seeded tasks ended as expected`);
}

function readConfig() {
  const env = (name: string) => process.env[name] || undefined;
  const int = (name: string, fallback: number, min: number, max: number) => {
    const value = Number(env(name) ?? fallback);
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be ${min}..=${max}`);
    return value;
  };
  const send = (env('AGENTGRAPH_SEND') ?? 'text') as SendMode;
  if (!['text', 'documentId', 'apq'].includes(send)) throw new Error(`unknown AGENTGRAPH_SEND ${send}`);
  return {
    url: env('AGENTGRAPH_URL') ?? 'http://127.0.0.1:8000/graphql',
    apiKey: env('AGENTGRAPH_API_KEY'),
    send,
    taskTypes: (env('AGENTGRAPH_WORKER_TASK_TYPES') ?? 'demo').split(',').map((t) => t.trim()),
    // The server's bounds, checked here to fail with a clear message.
    concurrency: int('AGENTGRAPH_WORKER_CONCURRENCY', 1, 1, 100),
    leaseSeconds: int('AGENTGRAPH_WORKER_LEASE_SECONDS', 15, 5, 3600),
    waitSeconds: int('AGENTGRAPH_WORKER_WAIT_SECONDS', 10, 0, 30),
    seed: int('AGENTGRAPH_WORKER_SEED', 0, 0, 100),
    exitWhenIdle: env('AGENTGRAPH_WORKER_EXIT_WHEN_IDLE') === '1',
  };
}

// Last, once everything above is defined (a class is not hoisted).
const agentId = process.env.AGENTGRAPH_AGENT_ID || (await newAgent());
const goalId = config.seed > 0 ? await seed(agentId, config.seed) : undefined;
console.log(`agent ${agentId} claiming ${config.taskTypes.join(',')}, ${config.concurrency} at a time`);
const stopped = await workLoop(agentId);
if (goalId !== undefined && !stopped) await checkSeeded(goalId);
