// Runs a subscription in GraphiQL as a person would, in headless Chromium:
// opens the playground of instance A, runs
// `subscription { taskChanged(planId: …) { kind task { status } } }`,
// changes that task through instance B over plain HTTP, and waits for the
// event to show in GraphiQL's result pane. Nothing may be fetched from
// outside the server (the playground is self-hosted).
//
//   node check-graphiql.mjs http://127.0.0.1:PORT_A http://127.0.0.1:PORT_B SCREENSHOT.png
//
// CHROMIUM names the browser (default /usr/bin/chromium, Debian's).

import { chromium } from 'playwright-core';

const [a, b, screenshot] = process.argv.slice(2);
if (!a || !b || !screenshot) {
  console.error('usage: node check-graphiql.mjs URL_A URL_B SCREENSHOT.png');
  process.exit(2);
}

async function gql(base, query, variables = {}) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const created = await gql(b, `mutation {
  createAgent(input: { name: "graphiql check" }) { id }
}`);
const goal = await gql(b, `mutation($a: UUID!) {
  createGoal(input: { agentId: $a, description: "watched in GraphiQL",
    plans: [{ description: "plan", tasks: [{ description: "task" }] }] }) {
    plans { nodes { id tasks { nodes { id } } } }
  }
}`, { a: created.createAgent.id });
const plan = goal.createGoal.plans.nodes[0];
const task = plan.tasks.nodes[0].id;

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium' });
let failed = false;
try {
  const page = await browser.newPage();
  const outside = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(a)) outside.push(request.url());
  });
  await page.goto(`${a}/graphql`, { headers: { accept: 'text/html' } });
  await page.waitForSelector('.graphiql-query-editor .CodeMirror');
  const subscriptionText = `subscription { taskChanged(planId: "${plan.id}") { kind task { status } } }`;
  await page.evaluate((text) => {
    document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(text);
  }, subscriptionText);
  await page.click('.graphiql-execute-button');
  // The subscription is live once the socket is acknowledged; keep changing
  // the task until its event shows (each change is a new version).
  const statuses = ['RUNNING', 'FAILED', 'PENDING'];
  let shown = false;
  for (let i = 0; i < 30 && !shown; i += 1) {
    await gql(b, `mutation($id: UUID!, $s: TaskStatus!) { updateTask(id: $id, input: { status: $s }) { version } }`,
      { id: task, s: statuses[i % statuses.length] });
    try {
      await page.waitForFunction(() => {
        const result = document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror?.getValue() ?? '';
        return result.includes('"UPDATED"') && result.includes('"status"');
      }, null, { timeout: 500 });
      shown = true;
    } catch {
      // not yet
    }
  }
  await page.screenshot({ path: screenshot, fullPage: true });
  const result = await page.evaluate(() => document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror?.getValue() ?? '');
  if (!shown) {
    console.error(`GraphiQL never showed the change; the result pane holds:\n${result}`);
    failed = true;
  }
  if (outside.length > 0) {
    console.error(`the playground fetched from elsewhere: ${outside.join(', ')}`);
    failed = true;
  }
  if (!failed) console.log(`GraphiQL on ${a} showed a change made through ${b}:\n${result}`);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
