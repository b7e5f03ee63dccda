// agentgraph as an Apollo Federation v2 subgraph behind Hive Gateway, on
// real components (issue 30): agentgraph `serve --federation` (the binary
// CI builds), a second subgraph (graphql-yoga + @apollo/subgraph) that
// extends `Task` with `cost`, a supergraph composed by
// @theguild/federation-composition from both SDLs, served by Hive Gateway's
// runtime on 127.0.0.1. Queries cross both subgraphs in both directions with
// an API key the gateway passes on; everything stops at the end.
//
//   cd tests/federation && npm ci && npm test   (after `cargo build`; the binary is
//   $AGENTGRAPH_BIN, else $CARGO_TARGET_DIR/debug/agentgraph, else target/debug/agentgraph)
//
// Between the gateway and agentgraph sits a recording proxy: it shows the
// requests the gateway makes of agentgraph (one `_entities` request for 100
// tasks, with the caller's key). That such a request is one SQL statement is
// the Rust test tests/api/federation/entities.rs.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

import { buildSubgraphSchema } from '@apollo/subgraph';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN =
  process.env.AGENTGRAPH_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'debug', 'agentgraph');
const HOST = '127.0.0.1';
const TASKS = 100;
/** What Hive Gateway asks agentgraph for the reverse query below; the Rust
 * test `the_gateways_entities_query_for_100_tasks_is_one_statement` runs
 * this very document against both backends and counts one statement. */
const GATEWAY_ENTITIES =
  'query($representations:[_Any!]!){_entities(representations:$representations){__typename ...on Task{description status}}}';

const cleanups = [];
const dir = mkdtempSync(join(tmpdir(), 'agentgraph-federation-'));
cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));

/** Listens on an ephemeral port of 127.0.0.1; the server's URL. */
async function listen(server, path = '') {
  await new Promise((resolve) => server.listen(0, HOST, resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  server.closeAllConnections && cleanups.push(async () => server.closeAllConnections());
  return `http://${HOST}:${server.address().port}${path}`;
}

async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, HOST, resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A key of `tenant` for the keys list, made by `agentgraph keygen`. */
function keygen(tenant) {
  const out = execFileSync(BIN, ['keygen', '--name', `gateway-${tenant}`, '--role', 'write', '--tenant', tenant]);
  const [key, line] = out.toString().trim().split('\n');
  return { key, line };
}

/** agentgraph serve --federation on a fresh SQLite file; its base URL. */
async function startAgentgraph(keys) {
  const port = await freePort();
  const child = spawn(
    BIN,
    ['serve', '--federation', '--listen', `${HOST}:${port}`, '--api-keys', keys.map((k) => k.line).join(',')],
    {
      env: { ...process.env, DATABASE_URL: `sqlite://${join(dir, 'federation.db')}?mode=rwc`, RUST_LOG: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const { code, signal } = await exited;
    assert.equal(code, 0, `agentgraph exits 0 on SIGTERM (got ${code ?? signal})`);
  });
  const base = `http://${HOST}:${port}`;
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`agentgraph exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/ready`)).ok) return base;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('agentgraph did not become ready');
}

/** A proxy to `target` that records each GraphQL request it forwards. */
async function recordingProxy(target) {
  const seen = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      try {
        seen.push({ headers: req.headers, body: JSON.parse(body.toString()) });
      } catch {}
      const forward = httpRequest(
        `${target}${req.url}`,
        { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
        (upstream) => {
          res.writeHead(upstream.statusCode, upstream.headers);
          upstream.pipe(res);
        },
      );
      forward.on('error', (err) => res.destroy(err));
      forward.end(body);
    });
  });
  return { url: await listen(server, '/graphql'), seen };
}

/** The second subgraph: a task's cost, kept in memory by task id. */
const COSTS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])

  scalar UUID

  "A task as agentgraph keys it (a subgraph extending Task declares id: UUID!)."
  type Task @key(fields: "id") {
    id: UUID!
    "What running the task cost, when known."
    cost: Float
  }

  type Query {
    "The tasks that cost the most, costliest first."
    costliestTasks(first: Int!): [Task]!
  }
`;

async function startCosts(costs) {
  const schema = buildSubgraphSchema({
    typeDefs: parse(COSTS_SDL),
    resolvers: {
      Task: {
        __resolveReference: ({ id }) => ({ id, cost: costs.get(id) ?? null }),
      },
      Query: {
        costliestTasks: (_, { first }) =>
          [...costs.entries()]
            .sort((a, b) => b[1] - a[1])
            .slice(0, first)
            .map(([id, cost]) => ({ id, cost })),
      },
    },
  });
  const yoga = createYoga({ schema, logging: false, graphqlEndpoint: '/graphql' });
  return listen(createServer(yoga), '/graphql');
}

/** A supergraph of agentgraph's `schema --federation` and the costs subgraph. */
function compose(agentgraphUrl, costsUrl) {
  const sdl = execFileSync(BIN, ['schema', '--federation']).toString();
  const result = composeServices([
    { name: 'agentgraph', typeDefs: parse(sdl), url: agentgraphUrl },
    { name: 'costs', typeDefs: parse(COSTS_SDL), url: costsUrl },
  ]);
  if (result.errors?.length) {
    throw new Error(`composition failed:\n${result.errors.map((e) => e.message).join('\n')}`);
  }
  return result.supergraphSdl;
}

/** Hive Gateway over `supergraph`, passing the caller's X-API-Key (and
 * Authorization) on to the subgraphs; its GraphQL endpoint. */
async function startGateway(supergraph) {
  const gateway = createGatewayRuntime({
    supergraph,
    logging: false,
    maskedErrors: false,
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => ({
        'x-api-key': request.headers.get('x-api-key'),
        authorization: request.headers.get('authorization'),
      }),
    },
  });
  cleanups.push(() => gateway.dispose());
  return listen(createServer(gateway), '/graphql');
}

async function gql(url, key, query, variables = {}) {
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  if (key) headers['x-api-key'] = key;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return response.json();
}

async function gqlOk(url, key, query, variables) {
  const body = await gql(url, key, query, variables);
  assert.equal(body.errors, undefined, `no errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function main() {
  const alpha = keygen('alpha');
  const beta = keygen('beta');
  const agentgraph = await startAgentgraph([alpha, beta]);
  const proxy = await recordingProxy(agentgraph);
  const costs = new Map();
  const costsUrl = await startCosts(costs);
  const gateway = await startGateway(compose(proxy.url, costsUrl));
  console.log(`gateway ${gateway}: agentgraph ${agentgraph} (via ${proxy.url}), costs ${costsUrl}`);

  // Writes go through the gateway too: a goal with a plan of 100 tasks.
  const { createAgent } = await gqlOk(gateway, alpha.key, 'mutation { createAgent(input: { name: "federated" }) { id } }');
  const tasks = Array.from({ length: TASKS }, (_, i) => ({ description: `task ${i}` }));
  const { createGoal } = await gqlOk(
    gateway,
    alpha.key,
    `mutation($input: CreateGoalInput!) {
      createGoal(input: $input) { plans { nodes { id tasks(first: 100) { nodes { id description } } } } }
    }`,
    { input: { agentId: createAgent.id, description: 'a goal', plans: [{ description: 'a plan', tasks }] } },
  );
  const created = createGoal.plans.nodes[0].tasks.nodes;
  assert.equal(created.length, TASKS);
  created.forEach((task, i) => costs.set(task.id, i + 0.5));

  // agentgraph's tasks with the costs subgraph's field.
  proxy.seen.length = 0;
  const { tasks: page } = await gqlOk(
    gateway,
    alpha.key,
    '{ tasks(first: 100) { totalCount nodes { id description cost } } }',
  );
  assert.equal(page.totalCount, TASKS);
  page.nodes.forEach((task, i) => {
    assert.equal(task.description, `task ${i}`);
    assert.equal(task.cost, i + 0.5, `task ${i}'s cost from the costs subgraph`);
  });
  assert.equal(proxy.seen.length, 1, 'one request to agentgraph');
  assert.equal(proxy.seen[0].headers['x-api-key'], alpha.key, 'the caller\'s key reaches agentgraph');
  console.log(`ok: tasks(first: 100) from agentgraph, each with its cost from the costs subgraph`);

  // The reverse: the costs subgraph's tasks, with agentgraph's fields
  // fetched through `_entities` for all 100 at once.
  proxy.seen.length = 0;
  const { costliestTasks } = await gqlOk(
    gateway,
    alpha.key,
    '{ costliestTasks(first: 100) { id cost description status } }',
  );
  assert.equal(costliestTasks.length, TASKS);
  costliestTasks.forEach((task, rank) => {
    const i = TASKS - 1 - rank;
    assert.deepEqual(task, { id: created[i].id, cost: i + 0.5, description: `task ${i}`, status: 'PENDING' });
  });
  assert.equal(proxy.seen.length, 1, `one request to agentgraph for ${TASKS} tasks, got ${proxy.seen.length}`);
  const [entities] = proxy.seen;
  assert.equal(
    entities.body.query,
    GATEWAY_ENTITIES,
    'the gateway\'s document is the one tests/api/federation/entities.rs counts statements of',
  );
  const representations = entities.body.variables?.representations ?? [];
  assert.equal(representations.length, TASKS, 'all 100 representations in one _entities');
  assert.ok(representations.every((r) => r.__typename === 'Task' && typeof r.id === 'string'));
  assert.equal(entities.headers['x-api-key'], alpha.key, 'the caller\'s key reaches agentgraph');
  console.log(`ok: costliestTasks(first: 100) from the costs subgraph, agentgraph's fields by one _entities request`);

  // Another tenant's key, passed on by the gateway, sees nothing of alpha's.
  const { tasks: none } = await gqlOk(gateway, beta.key, '{ tasks { totalCount } }');
  assert.equal(none.totalCount, 0);
  const foreign = await gql(gateway, beta.key, '{ costliestTasks(first: 3) { id description } }');
  assert.deepEqual(
    foreign.data?.costliestTasks,
    [null, null, null],
    `tenant beta resolves none of alpha's tasks: ${JSON.stringify(foreign)}`,
  );
  // And no key is no key: agentgraph refuses, the gateway reports it.
  const anonymous = await gql(gateway, null, '{ tasks { totalCount } }');
  assert.deepEqual(
    anonymous.errors?.map((e) => e.extensions?.code),
    ['UNAUTHENTICATED'],
    `no key through the gateway is refused: ${JSON.stringify(anonymous)}`,
  );
  assert.equal(anonymous.data?.tasks ?? null, null);
  console.log('ok: the gateway passes each caller\'s key on; tenant beta sees none of alpha\'s tasks');
}

let failed = false;
try {
  await main();
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (err) {
      failed = true;
      console.error(err);
    }
  }
}
console.log(failed ? 'federation check: FAILED' : 'federation check: passed');
process.exit(failed ? 1 : 0);
