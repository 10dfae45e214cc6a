// Builds (or reuses) a SQLite usage store of n generated records (explorerRecord) for the explorer benchmark.
// Fast path: the records table at schema version 1 is filled by the raw driver in large
// transactions, then openStore() applies the later migrations, whose rollup backfill is the
// same SQL a real upgrade runs. The file is kept, so a 10M store is built once.
import { existsSync, renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { sqliteDialect } from '../dist/store/dialect.js';
import { MIGRATIONS, migrationsTableSql } from '../dist/store/migrations.js';
import { openStore } from '../dist/store/open-store.js';
import { recordColumnsAt, recordToValues } from '../dist/store/schema.js';
import { benchRecord } from './store-data.mjs';

const CHUNK = 50_000;

function hash(i, salt) {
  let x = (i * 0x9e3779b1 + salt * 0x85ebca6b) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return ((x ^ (x >>> 16)) >>> 0) / 4294967296;
}

/**
 * benchRecord(i) shaped the way the explorer's pages group it: a session (20 consecutive
 * calls) belongs to one user, a trace is 4 consecutive calls of a session with an agent
 * hand-off, streamed calls have a time to first token.
 */
export function explorerRecord(i, n) {
  const r = benchRecord(i, n);
  const session = Math.floor(i / 20);
  const user = Math.floor(hash(session, 31) * 1000);
  const trace = Math.floor(i / 4);
  const hex8 = (salt) => Math.floor(hash(trace, salt) * 4294967296).toString(16).padStart(8, '0');
  const traceId = `${hex8(32)}${hex8(33)}${trace.toString(16).padStart(16, '0')}`;
  return {
    ...r,
    id: `${traceId}-${r.spanId}`,
    traceId,
    userId: `user-${user}`,
    group: `team-${user % 10}`,
    handoffChain: i % 4 === 0 ? undefined : `Triage > ${r.agentName}`,
    timeToFirstTokenMs: r.streaming ? Math.round(r.durationMs * 0.2) : undefined,
  };
}

/** Resolves to the file once it holds n records (built at `${file}.building` and renamed, so a killed build is never reused). */
export async function buildStore(file, n, log = (line) => process.stderr.write(`${line}\n`)) {
  if (existsSync(file)) {
    const db = new Database(file, { readonly: true });
    const count = db.prepare('SELECT COUNT(*) AS c FROM genai_usage_records').get().c;
    db.close();
    if (count === n) return file;
    throw new Error(`${file} holds ${count} records, not ${n}: remove it or pass another --db`);
  }
  const tmp = `${file}.building`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${tmp}${suffix}`, { force: true });
  const db = new Database(tmp);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  db.exec(migrationsTableSql(sqliteDialect));
  const first = MIGRATIONS[0];
  for (const statement of first.statements(sqliteDialect)) db.exec(statement);
  db.prepare('INSERT INTO genai_usage_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(first.version, first.name, new Date().toISOString());
  // The columns version 1 had; later migrations add the rest (as they would on a real upgrade).
  const v1 = recordColumnsAt(1);
  const columns = [...v1.map((c) => c.column), 'tenant'];
  const insert = db.prepare(`INSERT INTO genai_usage_records (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
  const tx = db.transaction((from, to) => {
    for (let i = from; i < to; i++) insert.run([...recordToValues(explorerRecord(i, n), sqliteDialect, null).slice(0, v1.length), null]);
  });
  const started = Date.now();
  for (let i = 0; i < n; i += CHUNK) {
    tx(i, Math.min(n, i + CHUNK));
    if (i % 1_000_000 === 0) log(`  ${i.toLocaleString('en-US')} records (${Math.round((Date.now() - started) / 1000)} s)`);
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  log(`  records loaded in ${Math.round((Date.now() - started) / 1000)} s; applying the later migrations (rollup backfill)`);
  await (await openStore(`sqlite:${tmp}`)).close();
  const fin = new Database(tmp);
  fin.pragma('wal_checkpoint(TRUNCATE)');
  fin.close();
  for (const suffix of ['-wal', '-shm']) rmSync(`${tmp}${suffix}`, { force: true });
  renameSync(tmp, file);
  log(`  built ${file} in ${Math.round((Date.now() - started) / 1000)} s`);
  return file;
}
