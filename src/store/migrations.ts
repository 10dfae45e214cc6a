import type { Dialect } from './dialect.js';
import { measureSelect } from './measures.js';
import { MEASURE_COLUMNS, ROLLUPS, type RollupDef } from './rollup.js';
import { MIGRATIONS_TABLE, RECORDS_TABLE, RECORD_COLUMNS, sqlType } from './schema.js';

/**
 * Versioned schema changes, applied in order on open inside one transaction; each applied
 * version is a row in `genai_usage_migrations`. Never edit a released migration: add one.
 */
export interface Migration {
  version: number;
  name: string;
  statements(dialect: Dialect): string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'records table and filter indexes',
    statements: (d) => [
      `CREATE TABLE ${RECORDS_TABLE} (\n  ${[
        ...RECORD_COLUMNS.map((col) => `${col.column} ${sqlType(col.kind, d.name)}`),
        `tenant ${sqlType('text', d.name)}`,
      ].join(',\n  ')}\n)`,
      // (recorded_at, id) serves time ranges, ordering and export paging; the others the
      // high-cardinality filters that no rollup answers.
      `CREATE INDEX genai_usage_records_time ON ${RECORDS_TABLE} (recorded_at, id)`,
      `CREATE INDEX genai_usage_records_user ON ${RECORDS_TABLE} (user_id, recorded_at)`,
      `CREATE INDEX genai_usage_records_session ON ${RECORDS_TABLE} (session_id)`,
      `CREATE INDEX genai_usage_records_conversation ON ${RECORDS_TABLE} (conversation_id)`,
    ],
  },
  {
    version: 2,
    name: 'rollup tables (daily and hourly by dimensions, daily by user), backfilled',
    statements: (d) => rollupsNamed(['genai_usage_rollup_daily', 'genai_usage_rollup_daily_user', 'genai_usage_rollup_hourly']).flatMap((def) => [createRollup(def, d), backfillRollup(def, d)]),
  },
  {
    version: 3,
    name: 'daily rollups by session and by trace, backfilled; trace index',
    statements: (d) => [
      ...rollupsNamed(['genai_usage_rollup_daily_session', 'genai_usage_rollup_daily_trace']).flatMap((def) => [createRollup(def, d), backfillRollup(def, d)]),
      // One trace's calls (the explorer's trace page) without a scan.
      `CREATE INDEX genai_usage_records_trace ON ${RECORDS_TABLE} (trace_id)`,
    ],
  },
];

/** A migration names its rollups: one added later must not change what an older migration creates. */
function rollupsNamed(tables: readonly string[]): RollupDef[] {
  return tables.map((table) => {
    const def = ROLLUPS.find((r) => r.table === table);
    if (!def) throw new Error(`no rollup ${table}`);
    return def;
  });
}

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

export function migrationsTableSql(d: Dialect): string {
  const pg = d.name === 'postgres';
  return `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version ${pg ? 'integer' : 'INTEGER'} PRIMARY KEY, name ${pg ? 'text' : 'TEXT'} NOT NULL, applied_at ${pg ? 'timestamptz' : 'TEXT'} NOT NULL)`;
}

function createRollup(def: RollupDef, d: Dialect): string {
  const pg = d.name === 'postgres';
  const text = pg ? 'text COLLATE "C" NOT NULL' : 'TEXT NOT NULL';
  const keyCols = [
    `bucket_start ${pg ? 'timestamptz' : 'TEXT'} NOT NULL`,
    ...def.dims.map((dim) => `${dim} ${dim === 'success' ? (pg ? 'boolean NOT NULL' : 'INTEGER NOT NULL') : text}`),
  ];
  const measureCols = MEASURE_COLUMNS.map((col) => {
    const real = col === 'cost_usd' || col === 'duration_ms_sum';
    return `${col} ${real ? (pg ? 'double precision' : 'REAL') : pg ? 'bigint' : 'INTEGER'} NOT NULL DEFAULT 0`;
  });
  return (
    `CREATE TABLE ${def.table} (\n  ${[...keyCols, ...measureCols].join(',\n  ')},\n  PRIMARY KEY (${rollupKeyColumns(def).join(', ')})\n)` +
    (pg ? '' : ' WITHOUT ROWID')
  );
}

/** Rebuilds a rollup from the raw rows: the same sums the insert path maintains. */
function backfillRollup(def: RollupDef, d: Dialect): string {
  const dims = def.dims.map((dim) => (dim === 'success' ? 'success' : `COALESCE(${dim}, '')`));
  return (
    `INSERT INTO ${def.table} (${[...rollupKeyColumns(def), ...MEASURE_COLUMNS].join(', ')}) ` +
    `SELECT ${d.bucketStart(def.grain, 'recorded_at')}, ${dims.join(', ')}, ${measureSelect('raw', d)} FROM ${RECORDS_TABLE} ` +
    `GROUP BY ${[0, ...dims].map((_, i) => i + 1).join(', ')}`
  );
}

export function rollupKeyColumns(def: RollupDef): string[] {
  return ['bucket_start', ...def.dims];
}
