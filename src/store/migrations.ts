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
    statements: (d) => ROLLUPS.flatMap((def) => [createRollup(def, d), backfillRollup(def, d)]),
  },
  {
    version: 3,
    name: 'record identity includes the tenant: key (recorded_at, id, tenant), tenant NOT NULL',
    statements: (d) => (d.name === 'postgres' ? tenantKeyPostgres() : tenantKeySqlite()),
  },
];

/**
 * The records table's columns as of version 2, which version 3 copies. Frozen here so that
 * columns added to RECORD_COLUMNS by later migrations never change what this one does.
 */
const V2_COLUMNS = [
  'id', 'trace_id', 'span_id', 'recorded_at', 'duration_ms', 'service_name', 'provider', 'operation', 'request_model',
  'response_model', 'user_id', 'agent_name', 'handoff_chain', 'group_name', 'session_id', 'conversation_id', 'input_tokens',
  'output_tokens', 'total_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_usd', 'cost_source',
  'usage_estimated', 'success', 'error_type', 'finish_reason', 'streaming', 'time_to_first_token_ms', 'tags',
] as const;

/**
 * Version 3 on SQLite: a table's primary key cannot be altered, so the table is rebuilt.
 * The key starts with the time: new rows land at the end of the index instead of on a random
 * page, which is what made inserts slow (docs/schema.md, "Indexes"); it also serves time
 * ranges and export paging, replacing the separate (recorded_at, id) index.
 */
function tenantKeySqlite(): string[] {
  const columns = V2_COLUMNS.map((name) => {
    const col = RECORD_COLUMNS.find((c) => c.column === name);
    if (!col) throw new Error(`migration 3: column ${name} is missing from RECORD_COLUMNS`);
    return `${name} ${sqlType(col.kind === 'id' ? 'required-text' : col.kind, 'sqlite')}`;
  });
  const next = `${RECORDS_TABLE}_v3`;
  return [
    `CREATE TABLE ${next} (\n  ${[...columns, `tenant TEXT NOT NULL DEFAULT ''`, 'PRIMARY KEY (recorded_at, id, tenant)'].join(',\n  ')}\n)`,
    `INSERT INTO ${next} (${V2_COLUMNS.join(', ')}, tenant) SELECT ${V2_COLUMNS.join(', ')}, COALESCE(tenant, '') FROM ${RECORDS_TABLE} ORDER BY recorded_at, id`,
    `DROP TABLE ${RECORDS_TABLE}`,
    `ALTER TABLE ${next} RENAME TO ${RECORDS_TABLE}`,
    ...SECONDARY_INDEXES,
  ];
}

function tenantKeyPostgres(): string[] {
  return [
    `UPDATE ${RECORDS_TABLE} SET tenant = '' WHERE tenant IS NULL`,
    `ALTER TABLE ${RECORDS_TABLE} ALTER COLUMN tenant SET DEFAULT '', ALTER COLUMN tenant SET NOT NULL`,
    `ALTER TABLE ${RECORDS_TABLE} DROP CONSTRAINT ${RECORDS_TABLE}_pkey`,
    `ALTER TABLE ${RECORDS_TABLE} ADD PRIMARY KEY (recorded_at, id, tenant)`,
    `DROP INDEX genai_usage_records_time`,
  ];
}

/** The high-cardinality filters no rollup answers. */
const SECONDARY_INDEXES = [
  `CREATE INDEX genai_usage_records_user ON ${RECORDS_TABLE} (user_id, recorded_at)`,
  `CREATE INDEX genai_usage_records_session ON ${RECORDS_TABLE} (session_id)`,
  `CREATE INDEX genai_usage_records_conversation ON ${RECORDS_TABLE} (conversation_id)`,
];

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
