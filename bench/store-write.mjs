// Write throughput: UsageSpanExporter → store vs the raw driver inserting the same rows.
//   npx tsc -p tsconfig.json && node bench/store-write.mjs [--records=1000000]
// PostgreSQL runs when GENAI_USAGE_BENCH_POSTGRES_URL or GENAI_USAGE_TEST_POSTGRES_URL is set.
// Results are merged into bench/results/store.json under "write".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep, setImmediate as yieldNow } from 'node:timers/promises';
import Database from 'better-sqlite3';
import pg from 'pg';
import { UsageSpanExporter } from '../dist/exporter/usage-span-exporter.js';
import { postgresDialect, sqliteDialect } from '../dist/store/dialect.js';
import { openStore } from '../dist/store/open-store.js';
import { RECORD_COLUMNS, RECORD_COLUMN_NAMES, recordToValues } from '../dist/store/schema.js';
import { saveResults } from './store-results.mjs';
import { benchRecord, benchSpan, time } from './store-data.mjs';

const N = Number(process.argv.find((a) => a.startsWith('--records='))?.split('=')[1] ?? 1_000_000);
const CHUNK = 10_000;
const SPAN_BATCH = 512; // BatchSpanProcessor's default maxExportBatchSize
const pgUrl = process.env.GENAI_USAGE_BENCH_POSTGRES_URL ?? process.env.GENAI_USAGE_TEST_POSTGRES_URL;
const dir = mkdtempSync(join(tmpdir(), 'genai-usage-bench-'));
const results = { records: N, sqlite: {}, postgres: {} };
const columns = [...RECORD_COLUMN_NAMES, 'tenant'];

function rate(ms) {
  return Math.round(N / (ms / 1000));
}

/** Feeds N spans through the exporter like a BatchSpanProcessor would, yielding between batches. */
async function throughExporter(url) {
  const exporter = new UsageSpanExporter({ store: url });
  const ms = await time(async () => {
    for (let i = 0; i < N; i += SPAN_BATCH) {
      const spans = [];
      for (let j = i; j < Math.min(N, i + SPAN_BATCH); j++) spans.push(benchSpan(j, N));
      exporter.export(spans, () => undefined);
      await yieldNow();
      // Measure what the writer sustains: a producer faster than the store would only fill
      // the bounded queue and drop (as designed), which says nothing about throughput.
      while (exporter.writer.stats().queueDepth > 8_000) await sleep(1);
    }
    await exporter.forceFlush();
  });
  const stats = exporter.writer.stats();
  await exporter.shutdown();
  return { ms: Math.round(ms), recordsPerSecond: rate(ms), written: stats.written, dropped: stats.dropped };
}

async function sqliteRaw(file) {
  await (await openStore(`sqlite:${file}`)).close(); // same schema and indexes, no rollups maintained
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const insert = db.prepare(`INSERT OR IGNORE INTO genai_usage_records (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
  const tx = db.transaction((rows) => {
    for (const row of rows) insert.run(row);
  });
  const ms = await time(async () => {
    for (let i = 0; i < N; i += CHUNK) {
      const rows = [];
      for (let j = i; j < Math.min(N, i + CHUNK); j++) rows.push(recordToValues(benchRecord(j, N), sqliteDialect, ''));
      tx(rows);
    }
  });
  db.close();
  return { ms: Math.round(ms), recordsPerSecond: rate(ms) };
}

const ARRAY = { id: 'text[]', text: 'text[]', 'required-text': 'text[]', integer: 'bigint[]', real: 'float8[]', 'required-real': 'float8[]', boolean: 'boolean[]', time: 'timestamptz[]', json: 'jsonb[]' };

async function postgresRaw(url) {
  await (await openStore(url)).close();
  const client = new pg.Client({ connectionString: url.replace(/[?&]schema=([a-z0-9_]+)/, ''), options: `-c search_path=${/schema=([a-z0-9_]+)/.exec(url)[1]}` });
  await client.connect();
  const types = [...RECORD_COLUMNS.map((c) => ARRAY[c.kind]), 'text[]'];
  const sql = `INSERT INTO genai_usage_records (${columns.join(', ')}) SELECT * FROM unnest(${types.map((t, n) => `$${n + 1}::${t}`).join(', ')}) ON CONFLICT (recorded_at, id, tenant) DO NOTHING`;
  const ms = await time(async () => {
    for (let i = 0; i < N; i += CHUNK) {
      const arrays = columns.map(() => []);
      for (let j = i; j < Math.min(N, i + CHUNK); j++) recordToValues(benchRecord(j, N), postgresDialect, '').forEach((v, c) => arrays[c].push(v));
      await client.query(sql, arrays);
    }
  });
  await client.end();
  return { ms: Math.round(ms), recordsPerSecond: rate(ms) };
}

try {
  console.log(`store write benchmark: ${N.toLocaleString('en-US')} records`);
  results.sqlite.raw = await sqliteRaw(join(dir, 'raw.db'));
  console.log(`  sqlite raw better-sqlite3 batched insert : ${results.sqlite.raw.recordsPerSecond.toLocaleString('en-US')} records/s`);
  results.sqlite.exporter = await throughExporter(`sqlite:${join(dir, 'exporter.db')}`);
  results.sqlite.ratio = +(results.sqlite.exporter.recordsPerSecond / results.sqlite.raw.recordsPerSecond).toFixed(2);
  console.log(`  sqlite UsageSpanExporter (+ rollups)     : ${results.sqlite.exporter.recordsPerSecond.toLocaleString('en-US')} records/s  ratio ${results.sqlite.ratio}  dropped ${results.sqlite.exporter.dropped}`);
  if (pgUrl) {
    const schema = (name) => `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}schema=bench_${name}_${process.pid}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    try {
      results.postgres.raw = await postgresRaw(schema('raw'));
      console.log(`  postgres raw pg unnest insert            : ${results.postgres.raw.recordsPerSecond.toLocaleString('en-US')} records/s`);
      results.postgres.exporter = await throughExporter(schema('exporter'));
      results.postgres.ratio = +(results.postgres.exporter.recordsPerSecond / results.postgres.raw.recordsPerSecond).toFixed(2);
      console.log(`  postgres UsageSpanExporter (+ rollups)   : ${results.postgres.exporter.recordsPerSecond.toLocaleString('en-US')} records/s  ratio ${results.postgres.ratio}  dropped ${results.postgres.exporter.dropped}`);
    } finally {
      for (const name of ['raw', 'exporter']) await admin.query(`DROP SCHEMA IF EXISTS bench_${name}_${process.pid} CASCADE`);
      await admin.end();
    }
  } else console.log('  postgres: skipped (set GENAI_USAGE_BENCH_POSTGRES_URL or GENAI_USAGE_TEST_POSTGRES_URL)');
  saveResults('write', results);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
