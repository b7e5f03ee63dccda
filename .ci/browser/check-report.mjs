// Opens load-test HTML reports (`loadtest --html-report`) in headless
// Chromium and checks what a person would see: each chart laid out as an
// SVG with a line through all its data points, the operations table with a
// row per operation, the run's settings and a verdict. Any request the page
// makes is refused and fails the check: the report must stand alone.
// Saves a full-page screenshot of each report.
//
//   node check-report.mjs REPORT.html SCREENSHOT.png [REPORT.html SCREENSHOT.png ...]
//
// CHROMIUM names the browser (default /usr/bin/chromium, Debian's).

import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { chromium } from 'playwright-core';

const OPERATIONS = [
  'list agents', 'list goals', 'create goal', 'create task',
  'get agent', 'update agent', 'delete agent', 'create agent',
];
const SETTINGS = ['target', 'started', 'users', 'spawn rate', 'think time', 'duration', 'thresholds', 'verdict'];
const CHARTS = ['chart-rps', 'chart-latency', 'chart-failures'];

const pairs = process.argv.slice(2);
if (pairs.length === 0 || pairs.length % 2 !== 0) {
  console.error('usage: node check-report.mjs REPORT.html SCREENSHOT.png [...]');
  process.exit(2);
}

// What the page shows, measured in the page after layout.
function inspect({ charts }) {
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const chartInfo = charts.map((id) => {
    const figure = document.getElementById(id);
    const svg = figure?.querySelector('svg');
    const expected = Number(figure?.dataset.points ?? NaN);
    // Legend keys are short polylines too; the data line is the one with a
    // point per interval.
    const lines = [...(svg?.querySelectorAll('polyline') ?? [])].map((line) => {
      const box = line.getBBox();
      return { points: line.points.numberOfItems, width: box.width, height: box.height };
    });
    return {
      id,
      found: Boolean(svg),
      shown: Boolean(svg) && visible(svg),
      size: svg ? [Math.round(svg.getBoundingClientRect().width), Math.round(svg.getBoundingClientRect().height)] : null,
      expected,
      dataLines: lines.filter((l) => l.points === expected && (expected < 2 || l.width > 0)).length,
      texts: svg ? svg.querySelectorAll('text').length : 0,
    };
  });
  const rows = [...document.querySelectorAll('#operations tbody tr')].map((tr) => ({
    cells: [...tr.cells].map((td) => td.textContent.trim()),
    shown: visible(tr),
  }));
  return {
    verdict: document.getElementById('verdict')?.textContent.trim(),
    settings: [...document.querySelectorAll('#settings dt')].map((dt) => dt.textContent.trim()),
    charts: chartInfo,
    rows,
    failures: document.getElementById('failures') ? 'table' : document.getElementById('no-failures') ? 'none' : null,
  };
}

function problems(seen) {
  const out = [];
  if (!['PASS', 'FAIL'].includes(seen.verdict)) out.push(`no verdict (got ${seen.verdict})`);
  for (const name of SETTINGS) if (!seen.settings.includes(name)) out.push(`setting "${name}" missing`);
  for (const chart of seen.charts) {
    if (!chart.found) out.push(`${chart.id}: no SVG`);
    else if (!chart.shown) out.push(`${chart.id}: the SVG has no size on the page`);
    else if (!(chart.expected >= 2)) out.push(`${chart.id}: ${chart.expected} data points, 2 or more expected`);
    else if (chart.dataLines < 1) out.push(`${chart.id}: no drawn line through its ${chart.expected} points`);
    else if (chart.texts < 5) out.push(`${chart.id}: ${chart.texts} texts, axis labels missing`);
  }
  const names = seen.rows.map((row) => row.cells[0]);
  for (const name of [...OPERATIONS, 'operations total', 'all requests']) {
    if (!names.includes(name)) out.push(`table: no row "${name}"`);
  }
  for (const row of seen.rows) {
    if (row.cells.length !== 10) out.push(`table: row "${row.cells[0]}" has ${row.cells.length} cells`);
    else if (!row.shown) out.push(`table: row "${row.cells[0]}" is not shown`);
    else if (!/^\d+$/.test(row.cells[1])) out.push(`table: row "${row.cells[0]}" requests "${row.cells[1]}"`);
  }
  if (!seen.failures) out.push('neither a failures table nor "No request failed."');
  return out;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  // CI runs as root, where Chromium's sandbox cannot start; the others keep
  // it from calling out on a machine with no network.
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
let failed = false;
try {
  for (let i = 0; i < pairs.length; i += 2) {
    const [report, screenshot] = [path.resolve(pairs[i]), path.resolve(pairs[i + 1])];
    const url = pathToFileURL(report).href;
    const page = await browser.newPage({ viewport: { width: 1150, height: 900 } });
    const outside = [];
    const errors = [];
    page.on('request', (request) => request.url() !== url && outside.push(request.url()));
    await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
    const response = await page.goto(url, { waitUntil: 'load' });
    const seen = await page.evaluate(inspect, { charts: CHARTS });
    await page.screenshot({ path: screenshot, fullPage: true });
    await page.close();

    const found = problems(seen);
    if (!response) found.push('the page did not load');
    for (const request of outside) found.push(`the page requested ${request}`);
    for (const error of errors) found.push(`browser error: ${error}`);
    const charts = seen.charts.map((c) => `${c.id} ${c.size?.join('x')} px, ${c.expected} points`).join('; ');
    if (found.length > 0) {
      failed = true;
      console.error(`browser: ${report}: FAILED\n  ${found.join('\n  ')}`);
    } else {
      console.log(`browser: ${report}: ${seen.verdict}; ${charts}; ${seen.rows.length} table rows`);
    }
    console.log(`browser: screenshot ${screenshot}`);
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
