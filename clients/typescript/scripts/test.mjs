// npm test: the committed generated code must be what codegen makes now
// (drift fails), everything must type-check under --strict, and, when
// AGENTGRAPH_URL names a server, the example must run against it.
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
} else {
  console.log('== example skipped: set AGENTGRAPH_URL to run it against a server');
}
