// Query speed over 1M records (and 10M with --full) in SQLite and PostgreSQL, against DuckDB
// loaded with the same generated records in the same run (store-duckdb.mjs), plus RSS during a
// full export of the largest SQLite store.
//   npx tsc -p tsconfig.json && node bench/store-query.mjs [--full] [--records=1000000]
// PostgreSQL runs when GENAI_USAGE_BENCH_POSTGRES_URL or GENAI_USAGE_TEST_POSTGRES_URL is set.
// --no-duckdb skips the reference. Results are merged into bench/results/store.json under "query".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openStore } from '../dist/store/open-store.js';
import { saveResults } from './store-results.mjs';
import { benchRecord, flag, time } from './store-data.mjs';
import { DUCKDB_MINIMAL, DUCKDB_QUERIES, loadDuckDB, runDuckDBQueries } from './store-duckdb.mjs';

const N = Number(process.argv.find((a) => a.startsWith('--records='))?.split('=')[1] ?? 1_000_000);
const sizes = flag('--full') ? [N, 10_000_000] : [N];
const pgUrl = process.env.GENAI_USAGE_BENCH_POSTGRES_URL ?? process.env.GENAI_USAGE_TEST_POSTGRES_URL;
const dir = mkdtempSync(join(tmpdir(), 'genai-usage-bench-q-'));
const withDuckDB = !flag('--no-duckdb');
const largest = Math.max(...sizes);

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

/** ours / DuckDB per query (same n, same run); > 1 means DuckDB was faster. */
function ratios(result, duck) {
  if (!duck) return undefined;
  const out = {};
  for (const [name, q] of Object.entries(result.queries)) {
    const d = duck.queries[name]?.medianMs;
    const m = duck.minimalQueries[name]?.medianMs;
    out[name] = { vsSameQuery: d ? +(q.medianMs / d).toFixed(2) : null, vsMinimal: m ? +(q.medianMs / m).toFixed(2) : null };
  }
  return out;
}

function print(label, result, duck) {
  console.log(`  ${label}: load ${result.loadRecordsPerSecond.toLocaleString('en-US')} records/s`);
  for (const [name, q] of Object.entries(result.queries)) {
    const d = duck?.queries[name];
    const ref = d ? `  DuckDB ${d.medianMs} ms, ratio ${result.ratioToDuckDB[name].vsSameQuery}` : '';
    console.log(`    ${name.padEnd(30)} ${String(q.medianMs).padStart(8)} ms${ref}`);
  }
  if (result.plainSqlFullScanByModelMs) console.log(`    ${'plain SQL full scan by model'.padEnd(30)} ${String(result.plainSqlFullScanByModelMs).padStart(8)} ms (no rollup)`);
  if (result.export) console.log(`    export jsonl: ${result.export.recordsPerSecond.toLocaleString('en-US')} records/s, RSS ${result.export.rssStartMB} -> max ${result.export.rssMaxMB} MB`);
}

/** The reference: the same n records in an in-memory DuckDB, the same queries, medians of 5. */
async function duckdbReference(n) {
  console.log(`DuckDB (in-memory), ${n.toLocaleString('en-US')} records`);
  const db = await loadDuckDB(n);
  try {
    const result = { loadRecordsPerSecond: db.loadRecordsPerSecond, queries: await runDuckDBQueries(db.connection, DUCKDB_QUERIES) };
    result.minimalQueries = await runDuckDBQueries(db.connection, DUCKDB_MINIMAL);
    console.log(`  duckdb: load ${result.loadRecordsPerSecond.toLocaleString('en-US')} records/s (appender)`);
    for (const [name, q] of Object.entries(result.queries)) {
      const m = result.minimalQueries[name];
      console.log(`    ${name.padEnd(30)} ${String(q.medianMs).padStart(8)} ms${m ? `  (3-measure form ${m.medianMs} ms)` : ''}`);
    }
    return result;
  } finally {
    db.close();
  }
}

const results = { sqlite: {}, postgres: {}, duckdb: {} };
try {
  // DuckDB first, per size, while the machine is at its quietest for this run; freed before our stores load.
  if (withDuckDB) {
    for (const n of sizes) {
      try {
        results.duckdb[n] = await duckdbReference(n);
      } catch (error) {
        console.log(`DuckDB: skipped (${error.message}; run npm install --prefix bench)`);
        break;
      }
    }
  }
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
    if (n === largest) result.export = await exportMemory(store, n);
    await store.close();
    rmSync(file, { force: true });
    result.ratioToDuckDB = ratios(result, results.duckdb[n]);
    results.sqlite[n] = result;
    print('sqlite', result, results.duckdb[n]);
  }
  if (pgUrl) for (const n of sizes) await postgresRun(n);
  else console.log('PostgreSQL: skipped (set GENAI_USAGE_BENCH_POSTGRES_URL or GENAI_USAGE_TEST_POSTGRES_URL)');
  saveResults('query', { records: N, sizes, full: flag('--full'), ...results });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function postgresRun(n) {
  const schema = `bench_query_${process.pid}`;
  console.log(`PostgreSQL, ${n.toLocaleString('en-US')} records`);
  const store = await openStore(`${pgUrl}${pgUrl.includes('?') ? '&' : '?'}schema=${schema}`);
  try {
    const result = { loadRecordsPerSecond: await load(store, n) };
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`ANALYZE ${schema}.genai_usage_records`);
    result.queries = await runQueries(store);
    if (n === largest) result.export = await exportMemory(store, n);
    await admin.end();
    result.ratioToDuckDB = ratios(result, results.duckdb[n]);
    results.postgres[n] = result;
    print('postgres', result, results.duckdb[n]);
  } finally {
    await store.close();
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}
