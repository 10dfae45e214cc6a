// ClickHouse store: the query scenarios of store-query.mjs at 1M (and 10M with --full, or any
// --records=) against DuckDB loaded with the same records in the same run, and writes:
// UsageSpanExporter → ClickHouse vs a raw @clickhouse/client insert of the same rows.
//   npx tsc -p tsconfig.json && GENAI_USAGE_BENCH_CLICKHOUSE_URL=clickhouse://default@127.0.0.1:18123/default \
//     node bench/store-clickhouse.mjs [--full] [--records=1000000] [--write-records=1000000] [--write-rounds=3] [--no-duckdb] [--writes-only]
// 100M records: --bulk loads both engines from generated files instead (bulk-load.mjs; DuckDB on
// disk), --query-runs=3 times each query 3 times, --no-raw skips the raw-row (FINAL) queries:
//   node bench/store-clickhouse.mjs --records=100000000 --bulk --query-runs=3 --no-raw --write-rounds=0
// (falls back to GENAI_USAGE_TEST_CLICKHOUSE_URL). Each part uses its own database, dropped
// after. Results are merged into bench/results/store.json under "clickhouse".
import { createClient } from '@clickhouse/client';
import { setTimeout as sleep, setImmediate as yieldNow } from 'node:timers/promises';
import { UsageSpanExporter } from '../dist/exporter/usage-span-exporter.js';
import { parseClickHouseUrl } from '../dist/store/clickhouse/clickhouse-connection.js';
import { RECORD_TSV_COLUMNS } from '../dist/store/clickhouse/record-tsv.js';
import { openStore } from '../dist/store/open-store.js';
import { loadResults, saveResults } from './store-results.mjs';
import { benchRecord, benchSpan, flag, time } from './store-data.mjs';
import { DUCKDB_QUERIES, loadDuckDB, runDuckDBQueries } from './store-duckdb.mjs';
import { bulkLoad } from './bulk-load.mjs';
import { rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const base = process.env.GENAI_USAGE_BENCH_CLICKHOUSE_URL ?? process.env.GENAI_USAGE_TEST_CLICKHOUSE_URL;
if (!base) {
  console.log('ClickHouse: skipped (set GENAI_USAGE_BENCH_CLICKHOUSE_URL or GENAI_USAGE_TEST_CLICKHOUSE_URL)');
  process.exit(0);
}
const N = Number(process.argv.find((a) => a.startsWith('--records='))?.split('=')[1] ?? 1_000_000);
const sizes = flag('--writes-only') ? [] : flag('--full') ? [N, 10_000_000] : [N];
const WRITE_N = Number(process.argv.find((a) => a.startsWith('--write-records='))?.split('=')[1] ?? 200_000);
const WRITE_ROUNDS = Number(process.argv.find((a) => a.startsWith('--write-rounds='))?.split('=')[1] ?? 3);
const CHUNK = 10_000;
const BULK = flag('--bulk');
const QUERY_RUNS = Number(process.argv.find((a) => a.startsWith('--query-runs='))?.split('=')[1] ?? 5);
const BULK_DIR = process.env.GENAI_USAGE_BENCH_BULK_DIR ?? new URL('../.tmp/bulk/', import.meta.url).pathname;
const SPAN_BATCH = 512;

// The same names and calls as store-query.mjs' QUERIES (DuckDB runs the same-named SQL).
const QUERIES = {
  aggregateByModel: (s) => s.aggregate({ groupBy: 'model' }),
  top10UsersByCost: (s) => s.top({ by: 'user', metric: 'costUsd', limit: 10 }),
  dailyBuckets: (s) => s.aggregate({ bucket: 'day' }),
  byAgentAndProviderLast7Days: (s) => s.aggregate({ groupBy: ['agent', 'provider'], from: new Date(Date.UTC(2025, 0, 24)), to: new Date(Date.UTC(2025, 0, 31)) }),
  rawFallbackByModelWithTag: (s) => s.aggregate({ groupBy: 'model', tags: { feature: 'chat' } }),
  userRecordsLatest100: (s) => s.records({ userId: 'user-7', limit: 100 }),
};
// Not answered by a rollup on ClickHouse either: two tags, and a session group-by (raw rows, FINAL).
const RAW_QUERIES = {
  twoTagsByModel: (s) => s.aggregate({ groupBy: 'model', tags: { feature: 'chat', tier: 'pro' } }),
  topSessionsByCost: (s) => s.top({ by: 'session', metric: 'costUsd', limit: 10 }),
};

const dbUrl = (name) => base.replace(/^(clickhouse(?:\+https?)?:\/\/[^/?]+)(\/[^?]*)?/, `$1/${name}`);
const admin = (() => {
  const parsed = parseClickHouseUrl(base);
  return createClient({ url: parsed.origin, username: parsed.username, password: parsed.password, request_timeout: 600_000 });
})();
const drop = (name) => admin.command({ query: `DROP DATABASE IF EXISTS ${name}` });

async function runQueries(store, queries) {
  const out = {};
  for (const [name, query] of Object.entries(queries)) {
    const runs = [];
    for (let r = 0; r < QUERY_RUNS; r++) runs.push(await time(() => query(store)));
    runs.sort((a, b) => a - b);
    out[name] = { medianMs: +runs[Math.floor(QUERY_RUNS / 2)].toFixed(1), minMs: +runs[0].toFixed(1), maxMs: +runs[QUERY_RUNS - 1].toFixed(1) };
  }
  return out;
}

async function queryRun(n, duck) {
  const name = `bench_ch_query_${process.pid}`;
  console.log(`ClickHouse, ${n.toLocaleString('en-US')} records`);
  const store = await openStore(dbUrl(name));
  try {
    const loadMs = await time(async () => {
      for (let i = 0; i < n; i += CHUNK) {
        const batch = [];
        for (let j = i; j < Math.min(n, i + CHUNK); j++) batch.push(benchRecord(j, n));
        await store.insert(batch);
        if (n > 1_000_000 && i % 1_000_000 === 0) process.stdout.write(`\r  loading ${i.toLocaleString('en-US')}`);
      }
    });
    if (n > 1_000_000) process.stdout.write('\n');
    return await chQueries(store, { loadRecordsPerSecond: Math.round(n / (loadMs / 1000)), at: new Date().toISOString() }, duck);
  } finally {
    await store.close();
    await drop(name);
  }
}

/** The query scenarios on a loaded store, with their ratio to DuckDB's medians. */
async function chQueries(store, result, duck) {
  {
    Object.assign(result, { queries: await runQueries(store, QUERIES), rawQueries: flag('--no-raw') ? {} : await runQueries(store, RAW_QUERIES) });
    result.ratioToDuckDB = {};
    for (const [q, r] of Object.entries(result.queries)) {
      const d = duck?.queries[q]?.medianMs;
      result.ratioToDuckDB[q] = d ? +(r.medianMs / d).toFixed(2) : null;
      console.log(`    ${q.padEnd(30)} ${String(r.medianMs).padStart(8)} ms${d ? `  DuckDB ${d} ms, ratio ${result.ratioToDuckDB[q]}` : ''}`);
    }
    for (const [q, r] of Object.entries(result.rawQueries)) console.log(`    ${q.padEnd(30)} ${String(r.medianMs).padStart(8)} ms  (raw rows, FINAL)`);
    if (result.loadRecordsPerSecond) console.log(`  load through store.insert: ${result.loadRecordsPerSecond.toLocaleString('en-US')} records/s`);
    return result;
  }
}

/**
 * --bulk: both engines loaded in one pass from generated files (bulk-load.mjs); DuckDB on disk.
 * DuckDB's queries run once the server's merges are done, then ClickHouse's, so neither shares
 * the cores with the other's work.
 */
async function bulkQueryRun(n) {
  const name = `bench_ch_query_${process.pid}`;
  console.log(`ClickHouse and DuckDB, ${n.toLocaleString('en-US')} records, bulk-loaded`);
  const store = await openStore(dbUrl(name));
  const parsed = parseClickHouseUrl(dbUrl(name));
  const chAuth = { authorization: `Basic ${Buffer.from(`${parsed.username ?? 'default'}:${parsed.password ?? ''}`).toString('base64')}` };
  const duckPath = `${BULK_DIR}duck-${n}.db`;
  let loaded;
  try {
    loaded = await bulkLoad({ n, chOrigin: parsed.origin, chDatabase: name, chAuth, duckPath, workDir: BULK_DIR });
    console.log(`  loaded in ${Math.round(loaded.totalMs / 1000)} s (ClickHouse inserts ${Math.round(loaded.chMs / 1000)} s, DuckDB ${Math.round(loaded.duckMs / 1000)} s)`);
    await mergesSettled(name);
    const chLoadSeconds = Math.round(loaded.chMs / 1000);
    const duck = { bulkLoadSeconds: Math.round(loaded.duckMs / 1000), queries: await runDuckDBQueries(loaded.duck.connection, DUCKDB_QUERIES, QUERY_RUNS) };
    loaded.duck.close();
    const ch = await chQueries(store, { bulkLoadSeconds: chLoadSeconds, bulk: true, queryRuns: QUERY_RUNS, at: new Date().toISOString() }, duck);
    return { duck, ch };
  } finally {
    loaded?.duck.close();
    await store.close();
    await drop(name);
    rmSync(duckPath, { force: true });
  }
}

/** Waits (up to 30 minutes) until the server runs no merge in `database`. */
async function mergesSettled(database) {
  const t0 = performance.now();
  for (;;) {
    const rows = await (await admin.query({ query: `SELECT count() AS c FROM system.merges WHERE database = '${database}'`, format: 'JSONEachRow' })).json();
    if (Number(rows[0]?.c ?? 0) === 0 || performance.now() - t0 > 30 * 60_000) break;
    await sleep(5000);
  }
  console.log(`  merges settled after ${Math.round((performance.now() - t0) / 1000)} s`);
}

/** A records-table row as a user writing their own insert would build it: one object literal per record. */
const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const chRow = (r) => ({
  id: r.id, trace_id: r.traceId, span_id: r.spanId, recorded_at_ms: r.recordedAt.getTime(), recorded_at: Math.floor(r.recordedAt.getTime() / 1000),
  duration_ms: r.durationMs, service_name: r.serviceName ?? '', provider: r.provider, operation: r.operation, request_model: r.requestModel ?? '',
  response_model: r.responseModel ?? '', user_id: r.userId ?? '', agent_name: r.agentName ?? '', handoff_chain: r.handoffChain ?? '', group_name: r.group ?? '',
  session_id: r.sessionId ?? '', conversation_id: r.conversationId ?? '', input_tokens: r.inputTokens, output_tokens: r.outputTokens, total_tokens: r.totalTokens,
  cache_read_tokens: r.cacheReadTokens ?? 0, cache_write_tokens: r.cacheWriteTokens ?? 0, reasoning_tokens: r.reasoningTokens ?? 0, cost_usd: num(r.costUsd),
  cost_source: r.costSource, usage_estimated: r.usageEstimated ? 1 : 0, success: r.success ? 1 : 0, error_type: r.errorType ?? '', finish_reason: r.finishReason ?? '',
  streaming: r.streaming ? 1 : 0, time_to_first_token_ms: num(r.timeToFirstTokenMs), 'tags.key': Object.keys(r.tags ?? {}), 'tags.value': Object.values(r.tags ?? {}).map(String),
  service_tier: r.serviceTier ?? '', cache_write_1h_tokens: r.cacheWrite1hTokens ?? 0, audio_input_tokens: r.audioInputTokens ?? 0, audio_output_tokens: r.audioOutputTokens ?? 0,
  image_input_tokens: r.imageInputTokens ?? 0, image_output_tokens: r.imageOutputTokens ?? 0, web_search_requests: r.webSearchRequests ?? 0,
  cache_read_savings_usd: num(r.cacheReadSavingsUsd), cache_write_premium_usd: num(r.cacheWritePremiumUsd), price_version: r.priceVersion ?? '',
  tenant: '', cost_unknown: num(r.costUsd) === null ? 1 : 0,
});
// The literal above must name every column the store writes.
const missing = RECORD_TSV_COLUMNS.filter((c) => !(c in chRow({ recordedAt: new Date(0) })));
if (missing.length) throw new Error(`bench chRow lacks columns: ${missing.join(', ')}`);

/** The raw client inserting the same rows the store writes (JSONEachRow, 10k per insert, no "already stored?" check). */
async function rawInsert() {
  const name = `bench_ch_raw_${process.pid}`;
  await (await openStore(dbUrl(name))).close();
  const parsed = parseClickHouseUrl(dbUrl(name));
  const client = createClient({ url: parsed.origin, username: parsed.username, password: parsed.password, database: name, compression: { request: false, response: true } });
  try {
    const ms = await time(async () => {
      for (let i = 0; i < WRITE_N; i += CHUNK) {
        const rows = [];
        for (let j = i; j < Math.min(WRITE_N, i + CHUNK); j++) rows.push(chRow(benchRecord(j, WRITE_N)));
        await client.insert({ table: 'genai_usage_records', values: rows, format: 'JSONEachRow' });
      }
    });
    return { ms: Math.round(ms), recordsPerSecond: Math.round(WRITE_N / (ms / 1000)) };
  } finally {
    await client.close();
    await drop(name);
  }
}

/** Spans through UsageSpanExporter, as a BatchSpanProcessor would feed it. */
async function throughExporter() {
  const name = `bench_ch_exporter_${process.pid}`;
  const exporter = new UsageSpanExporter({ store: dbUrl(name) });
  // How long the app's event loop was held while the exporter wrote: what an app's requests wait.
  const delay = monitorEventLoopDelay({ resolution: 1 });
  try {
    delay.enable();
    const ms = await time(async () => {
      for (let i = 0; i < WRITE_N; i += SPAN_BATCH) {
        const spans = [];
        for (let j = i; j < Math.min(WRITE_N, i + SPAN_BATCH); j++) spans.push(benchSpan(j, WRITE_N));
        exporter.export(spans, () => undefined);
        await yieldNow();
        // Below the writer's ClickHouse queue (20,000) so nothing is dropped, above its batch (10,000) so batches fill.
        while (exporter.writer.stats().queueDepth > 16_000) await sleep(1);
      }
      await exporter.forceFlush();
    });
    delay.disable();
    const stats = exporter.writer.stats();
    const delayMs = (q) => +(q / 1e6).toFixed(1);
    return { ms: Math.round(ms), recordsPerSecond: Math.round(WRITE_N / (ms / 1000)), written: stats.written, dropped: stats.dropped, eventLoopDelayMs: { p50: delayMs(delay.percentile(50)), p99: delayMs(delay.percentile(99)), max: delayMs(delay.max) } };
  } finally {
    delay.disable();
    await exporter.shutdown();
    await drop(name);
  }
}

const results = { url: base.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@'), query: {}, duckdb: {}, write: { records: WRITE_N } };
try {
  const version = await (await admin.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })).json();
  results.serverVersion = version[0]?.v;
  console.log(`ClickHouse ${results.serverVersion}; write benchmark: ${WRITE_N.toLocaleString('en-US')} records`);
  // Writes first: rounds of raw and exporter back to back, the order alternating, so both see
  // the same machine load (the server's background merges of the previous round included);
  // the ratio of each round, and their median.
  // --write-rounds=0 keeps the write results of an earlier run.
  if (WRITE_ROUNDS > 0) {
    const rounds = [];
    for (let r = 0; r < WRITE_ROUNDS; r++) {
      const round = {};
      for (const path of r % 2 === 0 ? ['raw', 'exporter'] : ['exporter', 'raw']) round[path] = path === 'raw' ? await rawInsert() : await throughExporter();
      round.ratio = +(round.exporter.recordsPerSecond / round.raw.recordsPerSecond).toFixed(2);
      rounds.push(round);
      console.log(`  round ${r + 1}/${WRITE_ROUNDS}: raw @clickhouse/client (JSONEachRow, 10k rows) ${round.raw.recordsPerSecond.toLocaleString('en-US')} records/s, UsageSpanExporter ${round.exporter.recordsPerSecond.toLocaleString('en-US')} records/s: ratio ${round.ratio}, dropped ${round.exporter.dropped}; the app's event loop held p99 ${round.exporter.eventLoopDelayMs.p99} ms, max ${round.exporter.eventLoopDelayMs.max} ms`);
    }
    const median = rounds.toSorted((a, b) => a.ratio - b.ratio)[Math.floor(rounds.length / 2)];
    Object.assign(results.write, { at: new Date().toISOString(), rounds, raw: median.raw, exporter: { ...median.exporter, dropped: Math.max(...rounds.map((r) => r.exporter.dropped)) }, ratio: median.ratio, ratioRange: [Math.min(...rounds.map((r) => r.ratio)), Math.max(...rounds.map((r) => r.ratio))] });
    console.log(`  exporter ÷ raw: median ${results.write.ratio} of ${WRITE_ROUNDS} rounds (${results.write.ratioRange.join('–')})`);
  } else {
    // When they were measured goes with them (results before this field: the run's own time).
    const previous = loadResults('clickhouse');
    results.write = previous?.write ? { ...previous.write, at: previous.write.at ?? previous.at } : results.write;
  }
  for (const n of sizes) {
    if (BULK) {
      const { duck, ch } = await bulkQueryRun(n);
      results.duckdb[n] = duck;
      results.query[n] = ch;
      continue;
    }
    let duck;
    if (!flag('--no-duckdb')) {
      try {
        const db = await loadDuckDB(n);
        try {
          duck = { loadRecordsPerSecond: db.loadRecordsPerSecond, queries: await runDuckDBQueries(db.connection, DUCKDB_QUERIES) };
        } finally {
          db.close();
        }
        results.duckdb[n] = duck;
      } catch (error) {
        console.log(`DuckDB: skipped (${error.message}; run npm install --prefix bench)`);
      }
    }
    results.query[n] = await queryRun(n, duck);
  }
  // Sizes not run this time (--writes-only, or a --bulk run of one size) keep an earlier run's results.
  const previous = loadResults('clickhouse');
  results.query = { ...previous?.query, ...results.query };
  results.duckdb = { ...previous?.duckdb, ...results.duckdb };
  saveResults('clickhouse', results);
} finally {
  await admin.close();
}
