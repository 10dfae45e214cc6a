// How fast the explorer's pages get their data from a large SQLite store: the `.json` of each
// page (every query the page runs, plus JSON encoding and HTTP on loopback) and the HTML page,
// against the cheapest raw-table read of the same time range in the same run (the floor for
// any page that did not read the rollups). Records: explorerRecord (bench/ui-store.mjs).
//   npx tsc -p tsconfig.json && node bench/explorer-pages.mjs [--records=1000000] [--full] [--db=<file>]
// --full: 10,000,000 records. The generated store is kept (default in the OS temp dir, or --db)
// and reused by later runs: building 10M takes tens of minutes. --no-raw skips the two pages
// that scan raw records by design (at 10M the tag filter alone takes minutes per run).
import { writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../dist/store/open-store.js';
import { Explorer } from '../dist/ui/explorer.js';
import { flag, time } from './store-data.mjs';
import { buildStore, explorerRecord } from './ui-store.mjs';

const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const N = flag('--full') ? 10_000_000 : Number(arg('records') ?? 1_000_000);
const file = arg('db') ?? join(tmpdir(), `genai-usage-bench-explorer-${N}.db`);
const RUNS = Number(arg('runs') ?? 5);
// The generated month is January 2025; "now" is its last day, so the ranges mean what they say.
const NOW = new Date('2025-01-31T12:00:00Z');

console.log(`explorer pages over ${N.toLocaleString('en-US')} records (${file})`);
await buildStore(file, N, (line) => console.log(line));

const budgets = join(tmpdir(), `genai-usage-bench-explorer-budgets.yaml`);
writeFileSync(budgets, 'budgets:\n  - { name: org-monthly, limit: { costUsd: 10000 }, period: monthly }\n  - { name: per-user-daily, limit: { costUsd: 1 }, period: daily, scope: { user: each } }\n  - { name: per-agent-weekly, limit: { requests: 500000 }, period: weekly, scope: { agent: each } }\n');
const explorer = new Explorer({ openStore: () => openStore(`sqlite:${file}`, { readOnly: true }), storeLabel: file, budgetsFile: budgets, now: () => NOW, log: (m) => console.error(m) });
const server = createServer((req, res) => void explorer.handle(req, res));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const sample = explorerRecord(Math.floor(N * 0.9), N);
const PAGES = {
  'overview (30 days)': '/overview',
  'overview (7 days)': '/overview?range=7d',
  'overview (all time)': '/overview?range=all',
  'overview, one user': `/overview?user=${sample.userId}`,
  users: '/users',
  'users, sorted by calls, page 3': '/users?sort=requests&offset=100',
  agents: '/agents',
  models: '/models',
  providers: '/providers',
  sessions: '/sessions',
  'sessions (7 days)': '/sessions?range=7d',
  traces: '/traces',
  'traces (7 days)': '/traces?range=7d',
  'traces, sorted by calls, page 3': '/traces?sort=requests&offset=100',
  'user detail': `/users/${sample.userId}`,
  'agent detail': `/agents/${sample.agentName}`,
  'model detail': `/models/${sample.requestModel}`,
  'provider detail': `/providers/${sample.provider}`,
  'session detail': `/sessions/${sample.sessionId}`,
  'trace detail': `/traces/${sample.traceId}`,
  budgets: '/budgets',
};
/** Not rollup-backed by design (documented): reported, not part of the goal. */
const RAW = {
  'overview, tag filter (raw scan)': '/overview?tag=feature%3Dchat&range=7d',
  'overview, agent filter (users panel raw)': '/overview?agent=Triage&range=7d',
};

async function measure(path) {
  const [pathname, query] = path.split('?');
  const jsonUrl = `${base}${pathname}.json${query ? `?${query}` : ''}`;
  const htmlUrl = `${base}${path}`;
  const get = async (url) => {
    const res = await fetch(url);
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${(await res.text()).slice(0, 200)}`);
    await res.arrayBuffer();
  };
  await get(jsonUrl);
  const json = [];
  const html = [];
  for (let r = 0; r < RUNS; r++) {
    json.push(await time(() => get(jsonUrl)));
    html.push(await time(() => get(htmlUrl)));
  }
  const stats = (runs) => {
    const s = [...runs].sort((a, b) => a - b);
    return { medianMs: +s[Math.floor(s.length / 2)].toFixed(1), minMs: +s[0].toFixed(1), maxMs: +s[s.length - 1].toFixed(1) };
  };
  return { path, data: stats(json), html: stats(html) };
}

/** The floor without rollups: one pass over the raw records of the range (30 days: the whole table). */
function rawScan(db, from) {
  const stmt = db.prepare('SELECT COUNT(*) AS n, SUM(cost_usd) AS c FROM genai_usage_records WHERE recorded_at >= ?');
  const runs = [];
  stmt.get(from);
  for (let r = 0; r < RUNS; r++) {
    const start = process.hrtime.bigint();
    stmt.get(from);
    runs.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  runs.sort((a, b) => a - b);
  return +runs[Math.floor(runs.length / 2)].toFixed(1);
}

const results = { records: N, runs: RUNS, goalMs: 200, loadAverage1m: +loadavg()[0].toFixed(2), pages: {}, raw: {} };
for (const [name, path] of Object.entries(PAGES)) {
  results.pages[name] = await measure(path);
  const r = results.pages[name];
  console.log(`${name.padEnd(34)} data ${String(r.data.medianMs).padStart(7)} ms (max ${r.data.maxMs})   html ${String(r.html.medianMs).padStart(7)} ms`);
}
for (const [name, path] of flag('--no-raw') ? [] : Object.entries(RAW)) {
  results.raw[name] = await measure(path);
  console.log(`${name.padEnd(34)} data ${String(results.raw[name].data.medianMs).padStart(7)} ms`);
}
const db = new Database(file, { readonly: true });
results.baseline = {
  what: 'SELECT COUNT(*), SUM(cost_usd) over the raw records of the range: what any page reading the records instead of the rollups pays at least',
  rawScan30dMs: rawScan(db, '2025-01-02T00:00:00.000Z'),
  rawScan7dMs: rawScan(db, '2025-01-25T00:00:00.000Z'),
};
db.close();
console.log(`baseline raw scan: 30 days ${results.baseline.rawScan30dMs} ms, 7 days ${results.baseline.rawScan7dMs} ms`);
const worst = Object.entries(results.pages).sort((a, b) => b[1].data.medianMs - a[1].data.medianMs)[0];
results.worst = { page: worst[0], medianMs: worst[1].data.medianMs, ratioToRawScan30d: +(worst[1].data.medianMs / results.baseline.rawScan30dMs).toFixed(3) };
console.log(`slowest page: ${worst[0]} ${worst[1].data.medianMs} ms = ${results.worst.ratioToRawScan30d}× one raw scan of 30 days`);
server.close();
await explorer.close();
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const out = new URL('./results/explorer.json', import.meta.url);
writeFileSync(out, `${JSON.stringify({ ...results, at: new Date().toISOString(), command: `node bench/explorer-pages.mjs ${process.argv.slice(2).join(' ')}`.trim() }, null, 2)}\n`);
console.log('results: bench/results/explorer.json');
