import type { Dialect } from '../dialect.js';
import { rawMeasureExprs } from '../measures.js';
import { MEASURES } from '../measure-columns.js';
import { MEASURE_COLUMNS, ROLLUPS, type RollupDef } from '../rollup.js';
import { MIGRATIONS_TABLE, RECORDS_TABLE, RECORD_COLUMNS, isTextKind } from '../schema.js';
import { LITERALS, sqlIdentifier, type SqlValues } from './literal.js';

/**
 * The ClickHouse schema, derived from RECORD_COLUMNS and ROLLUPS like the other engines'
 * (docs/schema.md, "ClickHouse"). Text columns hold '' for "not set" (sort keys cannot be
 * Nullable and '' is how the rollups already spell it); times are kept twice, exact epoch
 * milliseconds for filters and ordering and a DateTime (seconds, UTC) for partitions, sort
 * keys and buckets; tags are a Nested(key, value) pair of arrays.
 */

/** Per-record id ledger: (tenant, hour, id), sorted so the insert path's "already stored?" check reads a few granules. */
export const IDS_TABLE = 'genai_usage_ids';
/** Daily rollup by one tag (key, value) × the daily dimensions: tag-filtered aggregates read it instead of raw rows. */
export const TAG_ROLLUP: RollupDef & { tagDims: readonly ['tag_key', 'tag_value'] } = {
  table: 'genai_usage_rollup_daily_tag',
  grain: 'day',
  dims: (ROLLUPS[0] as RollupDef).dims,
  tagDims: ['tag_key', 'tag_value'],
};

/** The minimal Dialect the shared measure expressions need (booleans are UInt8). */
export const clickhouseDialect: Dialect = {
  name: 'clickhouse',
  placeholder: () => {
    throw new Error('ClickHouse values go through literal.ts (SqlValues), not the shared placeholders');
  },
  bool: (value) => (value ? 1 : 0),
  tagMatch: (_params, key, value) => tagCondition(key, value),
  bucketStart: (bucket, column) => bucketExpr(bucket, column),
  isTrue: (column) => `${column} = 1`,
};

export function tagCondition(key: string, value: string, values: SqlValues = LITERALS): string {
  return `arrayExists((k, v) -> k = ${values.string(key)} AND v = ${values.string(value)}, tags.key, tags.value)`;
}

/** Start of the UTC bucket of a DateTime expression, as a DateTime (the server runs in UTC; see docs). */
export function bucketExpr(bucket: 'hour' | 'day' | 'week' | 'month', column: string): string {
  switch (bucket) {
    case 'hour':
      return `toStartOfHour(${column}, 'UTC')`;
    case 'day':
      return `toDateTime(toDate(${column}, 'UTC'), 'UTC')`;
    case 'week':
      return `toDateTime(toMonday(toDate(${column}, 'UTC')), 'UTC')`;
    case 'month':
      return `toDateTime(toStartOfMonth(toDate(${column}, 'UTC')), 'UTC')`;
  }
}

/** How a store lays out its tables: one server, or local tables on every shard of a cluster behind Distributed ones. */
export interface Layout {
  readonly database: string;
  /** `remote_servers` cluster name; undefined for a single server. */
  readonly cluster: string | undefined;
}

/** The name queries use (the Distributed table in a cluster). */
export function table(layout: Layout, name: string): string {
  return `${sqlIdentifier(layout.database)}.${sqlIdentifier(name)}`;
}

/** The table that holds the rows on each server. */
export function localTable(layout: Layout, name: string): string {
  return layout.cluster ? `${sqlIdentifier(layout.database)}.${sqlIdentifier(`${name}_local`)}` : table(layout, name);
}

function onCluster(layout: Layout): string {
  return layout.cluster ? ` ON CLUSTER ${sqlIdentifier(layout.cluster)}` : '';
}


/** Column definitions of the records table, from RECORD_COLUMNS. */
export function recordColumnDefs(): string[] {
  const defs: string[] = [];
  for (const col of RECORD_COLUMNS) defs.push(...columnDefs(col.column, col.kind));
  defs.push('tenant String', 'cost_unknown UInt8');
  return defs;
}

/**
 * The shared raw measure expressions (measures.ts), except "requests without a known cost":
 * ClickHouse resolves a column name to a SELECT alias of the same name anywhere in the query,
 * so `SUM(… cost_usd IS NULL …)` beside `… AS cost_usd` would nest aggregates. The records
 * table stores that flag as its own column, `cost_unknown`, written with each row.
 */
export function chMeasureExprs(): string[] {
  const exprs = rawMeasureExprs(clickhouseDialect);
  const unpriced = MEASURE_COLUMNS.indexOf('unpriced_requests');
  if (!/cost_usd IS NULL/.test(exprs[unpriced] ?? '')) throw new Error('ClickHouse: the unpriced measure changed in measures.ts');
  exprs[unpriced] = 'SUM(cost_unknown)';
  return exprs;
}

/** The cast a rollup column's sum needs: 18.16 does not convert a view's result to the target's types. */
export function castTo(measure: number): 'toFloat64' | 'toInt64' {
  return MEASURES[measure]?.real ? 'toFloat64' : 'toInt64';
}

/** `expr AS column` for every measure: raw (records FINAL) or a rollup's sums. */
export function chMeasureSelect(source: 'raw' | 'rollup'): string {
  const exprs = source === 'raw' ? chMeasureExprs() : MEASURE_COLUMNS.map((col) => `SUM(${col})`);
  return exprs.map((expr, i) => `${expr} AS ${MEASURE_COLUMNS[i]}`).join(', ');
}

function columnDefs(column: string, kind: (typeof RECORD_COLUMNS)[number]['kind']): string[] {
  if (isTextKind(kind)) return [`${column} String`];
  switch (kind) {
    case 'integer':
      return [`${column} Int64`];
    case 'real':
      return [`${column} Nullable(Float64)`];
    case 'required-real':
      return [`${column} Float64`];
    case 'boolean':
      return [`${column} UInt8`];
    case 'time':
      return [`${column}_ms Int64`, `${column} DateTime('UTC')`];
    case 'json':
      return [`${column} Nested(key String, value String)`];
    default:
      throw new Error(`no ClickHouse type for column kind ${kind}`);
  }
}

/** Statements creating a MergeTree-family table, local (and Distributed over it in a cluster). */
function createTable(layout: Layout, name: string, columns: readonly string[], engine: string, shardingKey: string): string[] {
  const local = localTable(layout, name);
  const statements = [`CREATE TABLE IF NOT EXISTS ${local}${onCluster(layout)} (\n  ${columns.join(',\n  ')}\n) ENGINE = ${engine}`];
  if (layout.cluster) {
    statements.push(
      `CREATE TABLE IF NOT EXISTS ${table(layout, name)}${onCluster(layout)} AS ${local} ` +
        `ENGINE = Distributed(${sqlIdentifier(layout.cluster)}, ${sqlIdentifier(layout.database)}, ${sqlIdentifier(`${name}_local`)}, ${shardingKey})`,
    );
  }
  return statements;
}

/** A materialized view on each server's local records table feeding a local target. */
function createView(layout: Layout, name: string, target: string, select: string): string {
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${localTable(layout, name)}${onCluster(layout)} TO ${localTable(layout, target)} AS ${select}`;
}

/** Rows land on the shard of their (tenant, id): every copy of a record meets on one server, where ReplacingMergeTree folds it. */
export const RECORDS_SHARDING_KEY = 'cityHash64(tenant, id)';
export const RECORDS_ORDER_BY = '(tenant, toDate(recorded_at), service_name, provider, request_model, user_id, id)';

const RECORDS_ENGINE = `ReplacingMergeTree PARTITION BY toYYYYMM(recorded_at) ORDER BY ${RECORDS_ORDER_BY}`;

function rollupColumns(def: RollupDef, extraDims: readonly string[] = []): string[] {
  return [
    `bucket_start DateTime('UTC')`,
    ...[...def.dims.slice(0, 1), ...extraDims, ...def.dims.slice(1)].map((dim) => `${dim} ${dim === 'success' ? 'UInt8' : 'String'}`),
    ...MEASURES.map((m) => `${m.column} ${m.real ? 'Float64' : 'Int64'}`),
  ];
}

/** Key order: tenant, then time, then the dimensions (tag rollup: its tag first). */
function rollupOrderBy(def: RollupDef, extraDims: readonly string[] = []): string {
  return `(${[def.dims[0], ...extraDims, 'bucket_start', ...def.dims.slice(1)].join(', ')})`;
}

/** The MV select: the shared raw measure expressions, cast to the rollup's column types (18.16 does not convert). */
function rollupSelect(layout: Layout, def: RollupDef, extraDims: readonly string[] = [], arrayJoin = ''): string {
  const dims = [...def.dims.slice(0, 1), ...extraDims, ...def.dims.slice(1)];
  const measures = chMeasureExprs().map((expr, i) => `${castTo(i)}(${expr}) AS ${MEASURE_COLUMNS[i]}`);
  return (
    `SELECT ${bucketExpr(def.grain, 'recorded_at')} AS bucket_start, ${dims.join(', ')}, ${measures.join(', ')} ` +
    `FROM ${localTable(layout, RECORDS_TABLE)}${arrayJoin} GROUP BY bucket_start, ${dims.join(', ')}`
  );
}

/** One migration: idempotent statements (IF NOT EXISTS), so two processes opening one database at once are harmless. */
export interface ClickHouseMigration {
  version: number;
  name: string;
  statements(layout: Layout): string[];
}

export const CLICKHOUSE_MIGRATIONS: readonly ClickHouseMigration[] = [
  {
    version: 1,
    name: 'records (ReplacingMergeTree), id ledger, rollups and tag rollup (SummingMergeTree materialized views)',
    statements: (layout) => [
      ...createTable(layout, RECORDS_TABLE, recordColumnDefs(), RECORDS_ENGINE, RECORDS_SHARDING_KEY),
      ...createTable(
        layout,
        IDS_TABLE,
        [`tenant String`, `hour DateTime('UTC')`, `id String`],
        'MergeTree PARTITION BY toYYYYMM(hour) ORDER BY (tenant, hour, id) SETTINGS index_granularity = 1024',
        RECORDS_SHARDING_KEY,
      ),
      createView(layout, `${IDS_TABLE}_mv`, IDS_TABLE, `SELECT tenant, toStartOfHour(recorded_at, 'UTC') AS hour, id FROM ${localTable(layout, RECORDS_TABLE)}`),
      ...ROLLUPS.flatMap((def) => [
        ...createTable(layout, def.table, rollupColumns(def), `SummingMergeTree PARTITION BY toYYYYMM(bucket_start) ORDER BY ${rollupOrderBy(def)}`, 'rand()'),
        createView(layout, `${def.table}_mv`, def.table, rollupSelect(layout, def)),
      ]),
      ...createTable(
        layout,
        TAG_ROLLUP.table,
        rollupColumns(TAG_ROLLUP, TAG_ROLLUP.tagDims),
        `SummingMergeTree PARTITION BY toYYYYMM(bucket_start) ORDER BY ${rollupOrderBy(TAG_ROLLUP, TAG_ROLLUP.tagDims)}`,
        'rand()',
      ),
      createView(layout, `${TAG_ROLLUP.table}_mv`, TAG_ROLLUP.table, rollupSelect(layout, TAG_ROLLUP, TAG_ROLLUP.tagDims, ' ARRAY JOIN tags.key AS tag_key, tags.value AS tag_value')),
    ],
  },
];

export const CLICKHOUSE_LATEST_VERSION = CLICKHOUSE_MIGRATIONS[CLICKHOUSE_MIGRATIONS.length - 1]?.version ?? 0;

export function migrationsTableStatements(layout: Layout): string[] {
  return createTable(
    layout,
    MIGRATIONS_TABLE,
    ['version UInt32', 'name String', `applied_at DateTime('UTC')`],
    'ReplacingMergeTree ORDER BY version',
    'version',
  );
}

/** Every table and view the schema creates, views first (dropping a source under a view fails). */
export function allObjects(): string[] {
  const rollups = [...ROLLUPS.map((def) => def.table), TAG_ROLLUP.table];
  return [...[IDS_TABLE, ...rollups].map((t) => `${t}_mv`), RECORDS_TABLE, IDS_TABLE, ...rollups, MIGRATIONS_TABLE];
}

/** Columns of RECORD_COLUMNS the records table lacks (added after a release): `ALTER TABLE … ADD COLUMN` for each. */
export function missingColumnStatements(layout: Layout, existing: ReadonlySet<string>): string[] {
  const statements: string[] = [];
  for (const col of RECORD_COLUMNS) {
    for (const def of columnDefs(col.column, col.kind)) {
      const name = def.split(' ')[0] as string;
      if (existing.has(name) || existing.has(`${name}.key`)) continue;
      for (const target of layout.cluster ? [localTable(layout, RECORDS_TABLE), table(layout, RECORDS_TABLE)] : [table(layout, RECORDS_TABLE)]) {
        statements.push(`ALTER TABLE ${target}${onCluster(layout)} ADD COLUMN ${def}`);
      }
    }
  }
  return statements;
}
