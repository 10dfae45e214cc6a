// DuckDB reference for the query benchmark: the same generated records (store-data.mjs),
// bulk-loaded into an in-memory DuckDB with the appender, queried with SQL equivalent to what
// our stores answer — the same ~43 measures (counts, token and cost sums, the duration
// histogram) computed by a full scan of the raw rows (DuckDB has no rollups; scanning is
// what a user who picked it would do). Used by store-query.mjs; not a scenario on its own.
import { createRequire } from 'node:module';
import { rawMeasureExprs } from '../dist/store/measures.js';
import { MEASURE_COLUMNS } from '../dist/store/rollup.js';
import { RECORD_COLUMNS, RECORD_COLUMN_NAMES } from '../dist/store/schema.js';
import { benchRecord, time } from './store-data.mjs';

const requireFromBench = createRequire(new URL('./package.json', import.meta.url));
const TABLE = 'genai_usage_records';

export const DUCK_TYPES = {
  id: 'VARCHAR',
  text: 'VARCHAR',
  'required-text': 'VARCHAR',
  integer: 'BIGINT',
  real: 'DOUBLE',
  'required-real': 'DOUBLE',
  boolean: 'BOOLEAN',
  time: 'TIMESTAMP', // UTC instants; TIMESTAMP keeps date_trunc independent of the session time zone
  json: 'VARCHAR',
};

/** Our raw-path measure expressions, taken from the store itself (DuckDB reads booleans as PostgreSQL does). */
function measures() {
  return rawMeasureExprs({ isTrue: (column) => column })
    .map((e, i) => `${e} AS ${MEASURE_COLUMNS[i]}`)
    .join(', ');
}

const M = measures();
const MODEL = 'COALESCE(request_model, response_model)';

/** Same names as store-query.mjs' QUERIES; each the SQL our raw path would run, plus ORDER BY. */
export const DUCKDB_QUERIES = {
  aggregateByModel: `SELECT ${MODEL} AS g0, ${M} FROM ${TABLE} GROUP BY 1 ORDER BY 1`,
  // Two phases like our rollup path (rank on cost, then every measure for the ten winners):
  // the faster of the two ways to write it in DuckDB (~3x over summing every measure per user).
  top10UsersByCost:
    `WITH top AS (SELECT user_id FROM ${TABLE} GROUP BY 1 ORDER BY SUM(cost_usd) DESC, user_id ASC NULLS LAST LIMIT 10) ` +
    `SELECT user_id AS g0, ${M} FROM ${TABLE} WHERE user_id IN (SELECT user_id FROM top) GROUP BY 1 ORDER BY cost_usd DESC, g0 ASC NULLS LAST`,
  dailyBuckets: `SELECT date_trunc('day', recorded_at) AS bucket, ${M} FROM ${TABLE} GROUP BY 1 ORDER BY 1`,
  byAgentAndProviderLast7Days:
    `SELECT agent_name AS g0, provider AS g1, ${M} FROM ${TABLE} ` +
    `WHERE recorded_at >= TIMESTAMP '2025-01-24 00:00:00' AND recorded_at < TIMESTAMP '2025-01-31 00:00:00' GROUP BY 1, 2 ORDER BY 1, 2`,
  rawFallbackByModelWithTag: `SELECT ${MODEL} AS g0, ${M} FROM ${TABLE} WHERE json_extract_string(tags, '$.feature') = 'chat' GROUP BY 1 ORDER BY 1`,
  userRecordsLatest100: `SELECT ${RECORD_COLUMN_NAMES.join(', ')} FROM ${TABLE} WHERE user_id = 'user-7' ORDER BY recorded_at DESC, id DESC LIMIT 100`,
};

/** The short form most DuckDB comparisons quote (3 measures): shows what the 43-measure shape costs. */
export const DUCKDB_MINIMAL = {
  aggregateByModel: `SELECT ${MODEL}, COUNT(*), SUM(total_tokens), SUM(cost_usd) FROM ${TABLE} GROUP BY 1`,
  top10UsersByCost: `SELECT user_id, SUM(cost_usd) AS c FROM ${TABLE} GROUP BY 1 ORDER BY c DESC LIMIT 10`,
  dailyBuckets: `SELECT date_trunc('day', recorded_at), COUNT(*), SUM(total_tokens), SUM(cost_usd) FROM ${TABLE} GROUP BY 1`,
};

/**
 * A record field as the value its DuckDB column holds: null for NULL; integers as BigInt,
 * reals as numbers, times as Dates, tags as JSON text. Empty values follow our stores (0, false,
 * '{}', '' for the columns that are never NULL). The appender and bulk-load.mjs's CSV both use it.
 */
export function duckValue(kind, value) {
  if (value === undefined || value === null || value === '') {
    if (kind === 'integer') return 0n;
    if (kind === 'required-real') return 0;
    if (kind === 'boolean') return false;
    if (kind === 'json') return '{}';
    if (kind === 'required-text') return '';
    return null;
  }
  switch (kind) {
    case 'integer':
      return BigInt(Math.round(value));
    case 'real':
    case 'required-real':
      return value;
    case 'boolean':
      return value === true;
    case 'time':
      return value;
    case 'json':
      return JSON.stringify(value);
    default:
      return String(value);
  }
}

function appendValue(appender, kind, value, timestampValue) {
  const v = duckValue(kind, value);
  if (v === null) appender.appendNull();
  else if (typeof v === 'bigint') appender.appendBigInt(v);
  else if (typeof v === 'number') appender.appendDouble(v);
  else if (typeof v === 'boolean') appender.appendBoolean(v);
  else if (v instanceof Date) appender.appendTimestamp(timestampValue(BigInt(v.getTime()) * 1000n));
  else appender.appendVarchar(v);
}

/** An in-memory DuckDB holding records 0..n-1; returns { connection, loadRecordsPerSecond, close }. */
export async function loadDuckDB(n) {
  const { DuckDBInstance, timestampValue } = requireFromBench('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const columns = RECORD_COLUMNS.map((c) => `${c.column} ${DUCK_TYPES[c.kind]}`);
  await connection.run(`CREATE TABLE ${TABLE} (${columns.join(', ')}, tenant VARCHAR)`);
  const ms = await time(async () => {
    const appender = await connection.createAppender(TABLE);
    for (let i = 0; i < n; i++) {
      const record = benchRecord(i, n);
      for (const col of RECORD_COLUMNS) appendValue(appender, col.kind, record[col.field], timestampValue);
      appender.appendNull(); // tenant
      appender.endRow();
      if (n > 1_000_000 && i % 1_000_000 === 0) process.stdout.write(`\r  loading duckdb ${i.toLocaleString('en-US')}`);
    }
    appender.closeSync();
  });
  if (n > 1_000_000) process.stdout.write('\n');
  return {
    connection,
    loadRecordsPerSecond: Math.round(n / (ms / 1000)),
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Median and max of `runs` executions of each query (rows fully materialised, as our stores return them). */
export async function runDuckDBQueries(connection, queries, runs = 5) {
  const out = {};
  for (const [name, sql] of Object.entries(queries)) {
    const samples = [];
    for (let r = 0; r < runs; r++) samples.push(await time(async () => (await connection.runAndReadAll(sql)).getRowObjects()));
    samples.sort((a, b) => a - b);
    out[name] = { medianMs: +samples[Math.floor(runs / 2)].toFixed(1), maxMs: +samples[runs - 1].toFixed(1) };
  }
  return out;
}
