import { sqliteDialect, type Dialect } from './dialect.js';
import { StoreError } from './errors.js';
import { measuresAt, type MeasureColumn } from './measure-columns.js';
import { measureSelect } from './measures.js';
import { DAILY_TRACE, type RollupDef } from './rollup.js';
import { MAINTAINED_ROLLUPS, partialCallsIndexStatements, runTotalsStatements } from './run-totals.js';
import { MIGRATIONS_TABLE, RECORDS_TABLE, RECORD_COLUMNS, recordColumnsAt, sqlType } from './schema.js';

/**
 * Versioned schema changes, applied in order on open inside one transaction; each applied
 * version is a row in `genai_usage_migrations`. Never edit a released migration: add one.
 */
export interface Migration {
  version: number;
  name: string;
  /**
   * `applied`: the versions already applied when this one runs (a store may have skipped one,
   * see {@link pendingMigrations}); default: every version below this one.
   */
  statements(dialect: Dialect, applied?: ReadonlySet<number>): string[];
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
    statements: (d) => rollupsNamed(FIRST_ROLLUPS).flatMap((def) => [createRollup(def, d, measuresAt(2)), backfillRollup(def, d, measuresAt(2))]),
  },
  {
    version: 3,
    name: 'record identity includes the tenant: key (recorded_at, id, tenant), tenant NOT NULL',
    statements: (d, applied = new Set([1, 2])) => (d.name === 'postgres' ? tenantKeyPostgres() : tenantKeySqlite(applied)),
  },
  {
    version: 4,
    name: 'billed dimensions beyond input/output: service tier, 1-hour cache writes, audio/image tokens, web searches, cache savings, price version',
    statements: (d) => [
      ...RECORD_COLUMNS.filter((col) => col.since === 4).map((col) => `ALTER TABLE ${RECORDS_TABLE} ADD COLUMN ${col.column} ${sqlType(col.kind, d.name)}`),
      // Existing records hold 0 / NULL in the new columns, so the rollups' new sums start at 0 too.
      ...rollupsNamed(FIRST_ROLLUPS).flatMap((def) => addedMeasures(4).map((m) => `ALTER TABLE ${def.table} ADD COLUMN ${measureColumnSql(m, d)}`)),
      // "What did this agent run cost": one trace's records without a scan. Its insert cost
      // (random trace ids) is measured by bench/store-schema-v4.mjs.
      `CREATE INDEX genai_usage_records_trace ON ${RECORDS_TABLE} (trace_id)`,
    ],
  },
  {
    version: 5,
    name: 'daily rollups by session and by trace (ranking sessions and agent runs), backfilled',
    statements: (d) => rollupsNamed(['genai_usage_rollup_daily_session', 'genai_usage_rollup_daily_trace']).flatMap((def) => [createRollup(def, d, measuresAt(5)), backfillRollup(def, d, measuresAt(5))]),
  },
  {
    version: 6,
    name: 'run totals (each session and trace over its life, ranked by cost and calls) and the daily session and trace rollups indexed by key, backfilled',
    statements: (d) => runTotalsStatements(d),
  },
  {
    version: 7,
    name: 'daily rollup by provider, models, agent and success (the overview and model/provider/agent pages), backfilled from the daily rollup',
    statements: (d) => {
      const def = rollupsNamed(['genai_usage_rollup_daily_model'])[0] as RollupDef;
      const columns = [...rollupKeyColumns(def), ...measuresAt(7).map((m) => m.column)];
      // Summed from the daily rollup (same sums, fewer key columns): a fraction of a records scan.
      const sums = measuresAt(7).map((m) => `SUM(${m.column})`);
      return [
        createRollup(def, d, measuresAt(7)),
        `INSERT INTO ${def.table} (${columns.join(', ')}) SELECT ${rollupKeyColumns(def).join(', ')}, ${sums.join(', ')} FROM genai_usage_rollup_daily GROUP BY ${rollupKeyColumns(def).join(', ')}`,
      ];
    },
  },
  {
    version: 8,
    name: 'daily rollup by user, provider, models, agent and success (one user\'s overview and detail), backfilled; both user rollups indexed by user',
    statements: (d) =>
      rollupsNamed(['genai_usage_rollup_daily_user_model']).flatMap((def) => [
        createRollup(def, d, measuresAt(8)),
        backfillRollup(def, d, measuresAt(8)),
        // Its queries always name one user: find that user's rows, not every row of the range.
        `CREATE INDEX ${def.table}_user ON ${def.table} (user_id, tenant, bucket_start)`,
      ]).concat(`CREATE INDEX genai_usage_rollup_daily_user_user ON genai_usage_rollup_daily_user (user_id, tenant, bucket_start)`),
  },
  {
    version: 9,
    name: 'drop the daily trace rollup: traces rank from their run totals and are summed from their records',
    // Nearly one row per record (a trace is mostly one call), ~50 columns wide, keyed by random
    // trace ids: it cost more per insert than the record itself (docs/schema.md, "Write cost").
    statements: () => [`DROP TABLE ${DAILY_TRACE.table}`],
  },
  {
    version: 10,
    name: 'run totals: the calls ranking index holds only runs of more than one call',
    statements: () => partialCallsIndexStatements(),
  },
];

/**
 * Version 3 on SQLite: a table's primary key cannot be altered, so the table is rebuilt with
 * the columns and indexes the applied migrations made (version 4 may have run first on a
 * store created between their releases). The key starts with the time: new rows land at the
 * end of the index instead of on a random page, which is what made inserts slow
 * (docs/schema.md, "Indexes"); it also serves time ranges and export paging, replacing the
 * separate (recorded_at, id) index.
 */
function tenantKeySqlite(applied: ReadonlySet<number>): string[] {
  const present = RECORD_COLUMNS.filter((col) => applied.has(col.since ?? 1));
  const columns = present.map((col) => `${col.column} ${sqlType(col.kind === 'id' ? 'required-text' : col.kind, 'sqlite')}`);
  const names = present.map((col) => col.column).join(', ');
  const next = `${RECORDS_TABLE}_v3`;
  // Every index an applied migration made on the records table, except the time index the key replaces.
  const indexes = MIGRATIONS.filter((m) => m.version !== 3 && applied.has(m.version))
    .flatMap((m) => m.statements(sqliteDialect, applied))
    .filter((sql) => new RegExp(`^CREATE INDEX \\w+ ON ${RECORDS_TABLE} `).test(sql) && !sql.includes('genai_usage_records_time'));
  return [
    `CREATE TABLE ${next} (\n  ${[...columns, `tenant TEXT NOT NULL DEFAULT ''`, 'PRIMARY KEY (recorded_at, id, tenant)'].join(',\n  ')}\n)`,
    `INSERT INTO ${next} (${names}, tenant) SELECT ${names}, COALESCE(tenant, '') FROM ${RECORDS_TABLE} ORDER BY recorded_at, id`,
    `DROP TABLE ${RECORDS_TABLE}`,
    `ALTER TABLE ${next} RENAME TO ${RECORDS_TABLE}`,
    ...indexes,
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

export const LATEST_VERSION = Math.max(0, ...MIGRATIONS.map((m) => m.version));

/**
 * The migrations a store still needs, in version order: every version not applied yet, not
 * only those above its highest (version 3 was released after 4, so a store can have 1, 2, 4).
 * @throws StoreError when the store has a version this release does not know (a newer genai-usage).
 */
export function pendingMigrations(applied: ReadonlySet<number>): Migration[] {
  const newest = Math.max(0, ...applied);
  if (newest > LATEST_VERSION || [...applied].some((v) => !MIGRATIONS.some((m) => m.version === v))) {
    throw new StoreError(`the database schema is version ${newest}, newer than this genai-usage supports (${LATEST_VERSION}); upgrade genai-usage`);
  }
  return MIGRATIONS.filter((m) => !applied.has(m.version)).sort((a, b) => a.version - b.version);
}

/** The rollups migration 2 created (and migration 4 extended); later ones are added by their own migration. */
const FIRST_ROLLUPS = ['genai_usage_rollup_daily', 'genai_usage_rollup_daily_user', 'genai_usage_rollup_hourly'];

/** A migration names its rollups: one added later must not change what an older migration does. */
function rollupsNamed(tables: readonly string[]): RollupDef[] {
  return tables.map((table) => {
    const def = MAINTAINED_ROLLUPS.find((r) => r.table === table);
    if (!def) throw new Error(`no rollup ${table}`);
    return def;
  });
}

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
