// Loading for the 100M-record query runs: through `store.insert` ClickHouse takes ~7,000
// records/s (10,000-record inserts, each a new part in the records table and in every rollup):
// 4 hours for 100M. Here the same benchRecord rows go, in one pass, to both engines:
// - ClickHouse: the store's own TabSeparated lines (`recordsToTsv`, what `store.insert` sends),
//   POSTed to the records table 500,000 rows per INSERT; the materialized rollups run as for any
//   insert. The store's "already stored?" check is skipped (every id is new).
// - DuckDB: the same records as CSV into an on-disk database (`read_csv`, typed columns), with the
//   values `loadDuckDB`'s appender writes (see store-duckdb.mjs).
// The next chunk is generated while the engines load the previous one.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { RECORD_TSV_COLUMNS, recordsToTsv } from '../dist/store/clickhouse/record-tsv.js';
import { RECORD_COLUMNS } from '../dist/store/schema.js';
import { DUCK_TYPES, duckValue } from './store-duckdb.mjs';
import { benchRecord } from './store-data.mjs';

const requireFromBench = createRequire(new URL('./package.json', import.meta.url));
const TABLE = 'genai_usage_records';
const CHUNK = 500_000;

const csvText = (s) => `"${s.replaceAll('"', '""')}"`;

/** One record as a CSV line: the values loadDuckDB's appender writes (duckValue), NULL as an empty field. */
function csvLine(record) {
  const out = RECORD_COLUMNS.map((col) => {
    const v = duckValue(col.kind, record[col.field]);
    if (v === null) return '';
    if (v instanceof Date) return v.toISOString().replace('T', ' ').replace('Z', '');
    // Quoted, so '' stays an empty string (read with allow_quoted_nulls = false).
    return typeof v === 'string' ? csvText(v) : String(v);
  });
  out.push(''); // tenant
  return out.join(',');
}

/**
 * Records 0..n-1 into the ClickHouse database `chDatabase` (its schema already migrated) at
 * `chOrigin`, and into a new DuckDB file `duckPath`. Returns { duck: { connection, close }, chMs, duckMs, totalMs }.
 */
export async function bulkLoad({ n, chOrigin, chDatabase, chAuth, duckPath, workDir }) {
  const { DuckDBInstance } = requireFromBench('@duckdb/node-api');
  rmSync(duckPath, { force: true });
  rmSync(`${duckPath}.wal`, { force: true });
  mkdirSync(workDir, { recursive: true });
  const instance = await DuckDBInstance.create(duckPath, { threads: '2', memory_limit: '6GB' });
  const connection = await instance.connect();
  await connection.run(`CREATE TABLE ${TABLE} (${RECORD_COLUMNS.map((c) => `${c.column} ${DUCK_TYPES[c.kind]}`).join(', ')}, tenant VARCHAR)`);
  const csvColumns = `{${[...RECORD_COLUMNS.map((c) => `'${c.column}': '${DUCK_TYPES[c.kind]}'`), `'tenant': 'VARCHAR'`].join(', ')}}`;
  const insertSql = `INSERT INTO ${TABLE} (${RECORD_TSV_COLUMNS.join(', ')}) FORMAT TabSeparated`;
  const chUrl = `${chOrigin}/?database=${encodeURIComponent(chDatabase)}&query=${encodeURIComponent(insertSql)}`;
  let chMs = 0;
  let duckMs = 0;

  const toClickHouse = async (tsv) => {
    const t0 = performance.now();
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(chUrl, { method: 'POST', body: tsv, headers: chAuth });
      if (res.ok) break;
      const text = await res.text();
      // Merges behind the inserts ("Too many parts"): wait for them, the insert was refused whole.
      if (attempt < 60 && /too many parts/i.test(text)) {
        await sleep(5000);
        continue;
      }
      throw new Error(`ClickHouse insert failed (${res.status}): ${text.slice(0, 500)}`);
    }
    chMs += performance.now() - t0;
  };
  const toDuckDB = async (csv, k) => {
    const file = join(workDir, `chunk-${k % 2}.csv`);
    writeFileSync(file, csv);
    const t0 = performance.now();
    await connection.run(
      `INSERT INTO ${TABLE} SELECT * FROM read_csv('${file}', columns = ${csvColumns}, header = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, auto_detect = false)`,
    );
    duckMs += performance.now() - t0;
    rmSync(file, { force: true });
  };

  const t0 = performance.now();
  let pending = Promise.resolve();
  for (let i = 0, k = 0; i < n; i += CHUNK, k++) {
    const records = [];
    for (let j = i; j < Math.min(n, i + CHUNK); j++) records.push(benchRecord(j, n));
    const tsv = recordsToTsv(records, null);
    const csv = `${records.map(csvLine).join('\n')}\n`;
    await pending;
    pending = Promise.all([toClickHouse(tsv), toDuckDB(csv, k)]);
    process.stdout.write(`\r  bulk loading ${Math.min(n, i + CHUNK).toLocaleString('en-US')} of ${n.toLocaleString('en-US')} (${Math.round((performance.now() - t0) / 1000)} s)`);
  }
  await pending;
  process.stdout.write('\n');
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    connection.closeSync();
    instance.closeSync();
  };
  return { duck: { connection, close }, chMs, duckMs, totalMs: performance.now() - t0 };
}
