// npm test: the committed generated code must be what codegen makes now
// (drift fails), everything must type-check under --strict, and, when
// AGENTGRAPH_URL names a server, the example and the worker (on tasks it
// seeds, until it is idle) must run against it.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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

if (process.env.AGENTGRAPH_URL) {
  console.log(`== example against ${process.env.AGENTGRAPH_URL}`);
  run(bin('tsc'), ['-p', 'tsconfig.build.json']);
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
