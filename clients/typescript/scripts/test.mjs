// npm test: the committed generated code must be what codegen makes now
// (drift fails), everything must type-check under --strict, the client must
// send back the last consistency token (against a stand-in server), and, when
// AGENTGRAPH_URL names a server, the example and the worker (on tasks it
// seeds, until it is idle) must run against it.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const generated = join(root, 'src', 'gql');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (cmd, args, env = {}) =>
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });

const snapshot = () =>
  Object.fromEntries(readdirSync(generated).map((f) => [f, readFileSync(join(generated, f), 'utf8')]));

console.log('== codegen drift');
const before = snapshot();
run(bin('graphql-codegen'), ['--config', 'codegen.yml', '--silent']);
const after = snapshot();
const drifted = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((f) => before[f] !== after[f]);
if (drifted.length > 0) {
  console.error(`generated code differs from what is committed: ${drifted.join(', ')}`);
  console.error('the regenerated files are in src/gql/: review `git diff` and commit them');
  process.exit(1);
}
console.log('src/gql is up to date');

console.log('== tsc --strict --noEmit');
run(bin('tsc'), ['--strict', '--noEmit', '-p', '.']);

run(bin('tsc'), ['-p', 'tsconfig.build.json']);

console.log('== consistency token round trip (a stand-in server on 127.0.0.1)');
{
  const { createClient, CreateAgentDocument, GetAgentDocument } = await import(join(root, '.build', 'index.js'));
  // Answers like a server with replicas: a token on every mutation, none on
  // a query; records the token each request carried.
  const seen = [];
  let writes = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push(req.headers['x-consistency-token']);
      const isWrite = /^\s*mutation\b/.test(JSON.parse(body).query);
      const headers = { 'content-type': 'application/json' };
      if (isWrite) headers['x-consistency-token'] = `0/16B37${++writes}0`;
      const agent = { id: '00000000-0000-0000-0000-000000000001', name: 'scout' };
      res.writeHead(200, headers).end(JSON.stringify({ data: isWrite ? { createAgent: agent } : { agent } }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/graphql`;
  const check = (ok, what) => {
    if (!ok) {
      console.error(`consistency token: ${what} (requests carried ${JSON.stringify(seen)})`);
      process.exit(1);
    }
  };
  try {
    const client = createClient({ url });
    const read = { id: '00000000-0000-0000-0000-000000000001' };
    await client.execute(GetAgentDocument, read);
    check(seen[0] === undefined && client.consistencyToken === undefined, 'sent before any write');
    await client.execute(CreateAgentDocument, { input: { name: 'scout' } });
    check(client.consistencyToken === '0/16B3710', 'the write\'s token not remembered');
    await client.execute(GetAgentDocument, read);
    await client.execute(GetAgentDocument, read);
    check(seen[2] === '0/16B3710' && seen[3] === '0/16B3710', 'not sent back, or lost on a read without one');
    await client.execute(CreateAgentDocument, { input: { name: 'scout' } });
    check(seen[4] === '0/16B3710' && client.consistencyToken === '0/16B3720', 'not replaced by the newer write\'s');
    const seeded = createClient({ url, consistencyToken: client.consistencyToken });
    await seeded.execute(GetAgentDocument, read);
    check(seen[5] === '0/16B3720', 'a seeded token not sent');
  } finally {
    server.close();
  }
  console.log('the last token goes back on every request');
}

if (process.env.AGENTGRAPH_URL) {
  console.log(`== example against ${process.env.AGENTGRAPH_URL}`);
  run(process.execPath, [join(root, '.build', 'example.js')]);
  console.log(`== worker against ${process.env.AGENTGRAPH_URL}`);
  // Short leases and polls keep it to seconds; the caller's AGENTGRAPH_WORKER_* win.
  const demo = {
    AGENTGRAPH_WORKER_SEED: '5',
    AGENTGRAPH_WORKER_EXIT_WHEN_IDLE: '1',
    AGENTGRAPH_WORKER_CONCURRENCY: '2',
    AGENTGRAPH_WORKER_LEASE_SECONDS: '6',
    AGENTGRAPH_WORKER_WAIT_SECONDS: '3',
  };
  const unset = Object.fromEntries(Object.entries(demo).filter(([name]) => !process.env[name]));
  run(process.execPath, [join(root, '.build', 'worker.js')], unset);
} else {
  console.log('== example and worker skipped: set AGENTGRAPH_URL to run them against a server');
}
