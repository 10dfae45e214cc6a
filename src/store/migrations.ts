import type { Dialect } from './dialect.js';
import { measuresAt, type MeasureColumn } from './measure-columns.js';
import { measureSelect } from './measures.js';
import { ROLLUPS, type RollupDef } from './rollup.js';
import { MIGRATIONS_TABLE, RECORDS_TABLE, RECORD_COLUMNS, recordColumnsAt, sqlType } from './schema.js';

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
        // The columns as version 1 made them: later columns are added by their own migration.
        ...recordColumnsAt(1).map((col) => `${col.column} ${sqlType(col.kind, d.name)}`),
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
    statements: (d) => ROLLUPS.flatMap((def) => [createRollup(def, d, measuresAt(2)), backfillRollup(def, d, measuresAt(2))]),
  },
  // Version 3 belongs to the collector's tenant-scoped record identity (merged separately).
  {
    version: 4,
    name: 'billed dimensions beyond input/output: service tier, 1-hour cache writes, audio/image tokens, web searches, cache savings, price version',
    statements: (d) => [
      ...RECORD_COLUMNS.filter((col) => col.since === 4).map((col) => `ALTER TABLE ${RECORDS_TABLE} ADD COLUMN ${col.column} ${sqlType(col.kind, d.name)}`),
      // Existing records hold 0 / NULL in the new columns, so the rollups' new sums start at 0 too.
      ...ROLLUPS.flatMap((def) => addedMeasures(4).map((m) => `ALTER TABLE ${def.table} ADD COLUMN ${measureColumnSql(m, d)}`)),
      // No trace_id index: random trace ids would add random page writes to every insert, like
      // the id key already does (bench/store-schema-v4.mjs measures it); docs/schema.md shows
      // how to add one where runs are looked up often.
    ],
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

export function migrationsTableSql(d: Dialect): string {
  const pg = d.name === 'postgres';
  return `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version ${pg ? 'integer' : 'INTEGER'} PRIMARY KEY, name ${pg ? 'text' : 'TEXT'} NOT NULL, applied_at ${pg ? 'timestamptz' : 'TEXT'} NOT NULL)`;
}

function addedMeasures(version: number): MeasureColumn[] {
  return measuresAt(version).filter((m) => m.since === version);
}

function measureColumnSql(m: MeasureColumn, d: Dialect): string {
  const pg = d.name === 'postgres';
  return `${m.column} ${m.real ? (pg ? 'double precision' : 'REAL') : pg ? 'bigint' : 'INTEGER'} NOT NULL DEFAULT 0`;
}

function createRollup(def: RollupDef, d: Dialect, measures: readonly MeasureColumn[]): string {
  const pg = d.name === 'postgres';
  const text = pg ? 'text COLLATE "C" NOT NULL' : 'TEXT NOT NULL';
  const keyCols = [
    `bucket_start ${pg ? 'timestamptz' : 'TEXT'} NOT NULL`,
    ...def.dims.map((dim) => `${dim} ${dim === 'success' ? (pg ? 'boolean NOT NULL' : 'INTEGER NOT NULL') : text}`),
  ];
  const measureCols = measures.map((m) => measureColumnSql(m, d));
  return (
    `CREATE TABLE ${def.table} (\n  ${[...keyCols, ...measureCols].join(',\n  ')},\n  PRIMARY KEY (${rollupKeyColumns(def).join(', ')})\n)` +
    (pg ? '' : ' WITHOUT ROWID')
  );
}

/** Rebuilds a rollup from the raw rows: the same sums the insert path maintains. */
function backfillRollup(def: RollupDef, d: Dialect, measures: readonly MeasureColumn[]): string {
  const dims = def.dims.map((dim) => (dim === 'success' ? 'success' : `COALESCE(${dim}, '')`));
  return (
    `INSERT INTO ${def.table} (${[...rollupKeyColumns(def), ...measures.map((m) => m.column)].join(', ')}) ` +
    `SELECT ${d.bucketStart(def.grain, 'recorded_at')}, ${dims.join(', ')}, ${measureSelect('raw', d, measures)} FROM ${RECORDS_TABLE} ` +
    `GROUP BY ${[0, ...dims].map((_, i) => i + 1).join(', ')}`
  );
}

export function rollupKeyColumns(def: RollupDef): string[] {
  return ['bucket_start', ...def.dims];
}
