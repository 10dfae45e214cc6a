// Query speed over 1M records (and 10M on SQLite with --full), plus RSS during a full export.
//   npx tsc -p tsconfig.json && node bench/store-query.mjs [--full] [--records=1000000]
// PostgreSQL runs when GENAI_USAGE_BENCH_POSTGRES_URL or GENAI_USAGE_TEST_POSTGRES_URL is set.
// Results are merged into bench/results/store.json under "query".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openStore } from '../dist/store/open-store.js';
import { saveResults } from './store-results.mjs';
import { benchRecord, flag, time } from './store-data.mjs';

const N = Number(process.argv.find((a) => a.startsWith('--records='))?.split('=')[1] ?? 1_000_000);
const sizes = flag('--full') ? [N, 10_000_000] : [N];
const pgUrl = process.env.GENAI_USAGE_BENCH_POSTGRES_URL ?? process.env.GENAI_USAGE_TEST_POSTGRES_URL;
const dir = mkdtempSync(join(tmpdir(), 'genai-usage-bench-q-'));
// DuckDB on this machine, same 1M-row queries (docs: FACTS): the goal is at most 2x these.
const DUCKDB_MS = { aggregateByModel: 4, top10UsersByCost: 17, dailyBuckets: 12 };

const QUERIES = {
  aggregateByModel: (s) => s.aggregate({ groupBy: 'model' }),
  top10UsersByCost: (s) => s.top({ by: 'user', metric: 'costUsd', limit: 10 }),
  dailyBuckets: (s) => s.aggregate({ bucket: 'day' }),
  byAgentAndProviderLast7Days: (s) => s.aggregate({ groupBy: ['agent', 'provider'], from: new Date(Date.UTC(2025, 0, 24)), to: new Date(Date.UTC(2025, 0, 31)) }),
  // Not answerable from a rollup (tag filter / session grouping): the raw-table fallback.
  rawFallbackByModelWithTag: (s) => s.aggregate({ groupBy: 'model', tags: { feature: 'chat' } }),
  userRecordsLatest100: (s) => s.records({ userId: 'user-7', limit: 100 }),
};

async function load(store, n) {
  const ms = await time(async () => {
    for (let i = 0; i < n; i += 10_000) {
      const batch = [];
      for (let j = i; j < Math.min(n, i + 10_000); j++) batch.push(benchRecord(j, n));
      await store.insert(batch);
      if (n > 1_000_000 && i % 1_000_000 === 0) process.stdout.write(`\r  loading ${i.toLocaleString('en-US')}`);
    }
  });
  if (n > 1_000_000) process.stdout.write('\n');
  return Math.round(n / (ms / 1000));
}

async function runQueries(store) {
  const out = {};
  for (const [name, query] of Object.entries(QUERIES)) {
    const runs = [];
    for (let r = 0; r < 5; r++) runs.push(await time(() => query(store)));
    runs.sort((a, b) => a - b);
    out[name] = { medianMs: +runs[2].toFixed(1), maxMs: +runs[4].toFixed(1) };
  }
  return out;
}

/** Streams the whole table as JSONL into nothing, sampling RSS: memory must stay flat. */
async function exportMemory(store, n) {
  const samples = [];
  const timer = setInterval(() => samples.push(process.memoryUsage().rss), 50);
  const rssStart = process.memoryUsage().rss;
  let bytes = 0;
  const ms = await time(async () => {
    for await (const chunk of store.export('jsonl')) bytes += chunk.length;
  });
  clearInterval(timer);
  const mb = (v) => +(v / 1048576).toFixed(1);
  return { records: n, ms: Math.round(ms), recordsPerSecond: Math.round(n / (ms / 1000)), outputMB: mb(bytes), rssStartMB: mb(rssStart), rssMaxMB: mb(Math.max(rssStart, ...samples)) };
}

function print(label, result) {
  console.log(`  ${label}: load ${result.loadRecordsPerSecond.toLocaleString('en-US')} records/s`);
  for (const [name, q] of Object.entries(result.queries)) {
    const goal = DUCKDB_MS[name] ? `  (DuckDB ${DUCKDB_MS[name]} ms, goal <= ${2 * DUCKDB_MS[name]} ms)` : '';
    console.log(`    ${name.padEnd(30)} ${String(q.medianMs).padStart(8)} ms${goal}`);
  }
  if (result.plainSqlFullScanByModelMs) console.log(`    ${'plain SQL full scan by model'.padEnd(30)} ${String(result.plainSqlFullScanByModelMs).padStart(8)} ms (no rollup)`);
  if (result.export) console.log(`    export jsonl: ${result.export.recordsPerSecond.toLocaleString('en-US')} records/s, RSS ${result.export.rssStartMB} -> max ${result.export.rssMaxMB} MB`);
}

const results = { sqlite: {}, postgres: {} };
try {
  for (const n of sizes) {
    console.log(`SQLite, ${n.toLocaleString('en-US')} records`);
    const file = join(dir, `q-${n}.db`);
    const store = await openStore(`sqlite:${file}`);
    const result = { loadRecordsPerSecond: await load(store, n) };
    result.queries = await runQueries(store);
    const db = new Database(file, { readonly: true });
    result.plainSqlFullScanByModelMs = +(await time(() =>
      db.prepare('SELECT COALESCE(request_model, response_model) AS m, COUNT(*), SUM(total_tokens), SUM(cost_usd) FROM genai_usage_records GROUP BY 1').all(),
    )).toFixed(1);
    db.close();
    if (n === N) result.export = await exportMemory(store, n);
    await store.close();
    rmSync(file, { force: true });
    results.sqlite[n] = result;
    print('sqlite', result);
  }
  if (pgUrl) {
    const schema = `bench_query_${process.pid}`;
    console.log(`PostgreSQL, ${N.toLocaleString('en-US')} records`);
    const store = await openStore(`${pgUrl}${pgUrl.includes('?') ? '&' : '?'}schema=${schema}`);
    try {
      const result = { loadRecordsPerSecond: await load(store, N) };
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`ANALYZE ${schema}.genai_usage_records`);
      result.queries = await runQueries(store);
      result.export = await exportMemory(store, N);
      await admin.end();
      results.postgres[N] = result;
      print('postgres', result);
    } finally {
      await store.close();
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  } else console.log('PostgreSQL: skipped (set GENAI_USAGE_BENCH_POSTGRES_URL or GENAI_USAGE_TEST_POSTGRES_URL)');
  saveResults('query', { records: N, full: flag('--full'), duckdbReferenceMs: DUCKDB_MS, ...results });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
