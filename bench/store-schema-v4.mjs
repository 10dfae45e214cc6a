// What migration 4 costs SQLite inserts: the same records into the records table as version 3
// left it, as version 4 leaves it (10 more columns and a trace_id index), and version 4
// without that index (random trace ids: every insert touches a random index page).
// Same process, fresh files, the order rotated every run; ratios per run against version 3,
// median with a bootstrap interval over runs.
//   npx tsc -p tsconfig.json && node bench/store-schema-v4.mjs [--records=100000] [--runs=5]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sqliteDialect } from '../dist/store/dialect.js';
import { MIGRATIONS } from '../dist/store/migrations.js';
import { RECORDS_TABLE, recordColumnsAt, recordToValues } from '../dist/store/schema.js';
import { formatInterval, median, pairedDifference } from './stats.mjs';
import { benchRecord } from './store-data.mjs';

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const N = arg('records', 100_000);
const RUNS = arg('runs', 5);
const CHUNK = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'genai-usage-bench-v4-'));

/** The records as this release writes them: the version-4 fields set the way a priced call sets them. */
const records = Array.from({ length: N }, (_, i) => ({
  ...benchRecord(i, N),
  serviceTier: i % 10 === 0 ? 'flex' : 'default',
  cacheReadSavingsUsd: (i % 97) / 1e6,
  cacheWritePremiumUsd: 0,
  priceVersion: 'genai-prices@0.1.8',
}));

/** The DDL of the given migrations, applied in order, as a store migrating through them runs it. */
function ddl(versions) {
  const applied = new Set();
  const out = [];
  for (const m of [...MIGRATIONS].sort((a, b) => a.version - b.version)) {
    if (!versions.includes(m.version)) continue;
    out.push(...m.statements(sqliteDialect, new Set(applied)));
    applied.add(m.version);
  }
  return out;
}
const isTraceIndex = (sql) => sql.startsWith('CREATE INDEX genai_usage_records_trace ');
const VARIANTS = {
  'version 3': { ddl: ddl([1, 2, 3]), columns: recordColumnsAt(3) },
  'version 4 without trace index': { ddl: ddl([1, 2, 3, 4]).filter((sql) => !isTraceIndex(sql)), columns: recordColumnsAt(4) },
  'version 4': { ddl: ddl([1, 2, 3, 4]), columns: recordColumnsAt(4) },
};
if (!ddl([4]).some(isTraceIndex)) throw new Error('migration 4 no longer creates the trace index: update this benchmark');

function insertAll(name, run) {
  const { ddl, columns } = VARIANTS[name];
  const file = join(dir, `${run}-${name.replace(/\W+/g, '-')}.db`);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 10000');
  db.pragma('cache_size = -32768');
  for (const statement of ddl) db.exec(statement);
  const names = [...columns.map((c) => c.column), 'tenant'];
  const insert = db.prepare(`INSERT OR IGNORE INTO ${RECORDS_TABLE} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`);
  const width = columns.length;
  const chunk = db.transaction((rows) => {
    for (const r of rows) {
      const values = recordToValues(r, sqliteDialect, '');
      insert.run(...values.slice(0, width), values[values.length - 1]);
    }
  });
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i += CHUNK) chunk(records.slice(i, i + CHUNK));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  db.close();
  rmSync(file, { force: true });
  return N / (ms / 1000);
}

const names = Object.keys(VARIANTS);
const rates = Object.fromEntries(names.map((n) => [n, []]));
for (let run = 0; run < RUNS; run++) {
  const order = names.map((_, k) => names[(k + run) % names.length]);
  for (const name of order) rates[name].push(insertAll(name, run));
}
rmSync(dir, { recursive: true, force: true });

console.log(`SQLite insert of ${N.toLocaleString('en-US')} records, ${RUNS} runs (records/s, median [min, max]); change vs version 3 in % with a 95 % interval over runs`);
const base = rates['version 3'];
for (const name of names) {
  const r = rates[name];
  const line = `  ${name.padEnd(31)} ${Math.round(median(r)).toLocaleString('en-US').padStart(10)} [${Math.round(Math.min(...r))}, ${Math.round(Math.max(...r))}]`;
  if (name === 'version 3') console.log(line);
  else console.log(`${line}  ${formatInterval(pairedDifference(r.map((x, i) => (100 * x) / base[i]), base.map(() => 100)))} %`);
}
