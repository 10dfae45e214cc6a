import { Params, type Dialect } from './dialect.js';
import type { NormalizedFilter } from './filter.js';
import { MEASURES } from './measure-columns.js';
import { DAILY_TRACE, MEASURE_COLUMNS, SQL_ROLLUPS, chooseRollup, type RollupDef, type RollupDelta } from './rollup.js';
import { RECORDS_TABLE } from './schema.js';

/**
 * Ranking sessions and traces ("top 50 by cost over 30 days") from the daily session and
 * trace rollups means summing every run's days and sorting them all: 2.5M traces in a 10M
 * record store, seconds per page. A run-totals table holds each run's totals over its whole
 * life with its first and last day, and an index by cost: a run that lies wholly inside the
 * range ranks by its totals straight from the index; the few runs crossing a range bound
 * (only runs spanning days can) are summed from the daily rollup. Exact, not an estimate.
 *
 * SQLite and PostgreSQL only: ClickHouse groups its daily rollups fast enough without it.
 * Maintained in the same transaction as the daily rollup, from the same deltas; a delete
 * subtracts too and leaves `first_day`/`last_day` as they were (wider than the records left,
 * which only makes the run count as crossing a bound and be summed from the daily rollup).
 * Traces have no daily rollup table since migration 9: their deltas are computed all the same,
 * and a trace crossing a bound is summed from its records through the trace index.
 */
export interface RunTotalsDef {
  readonly table: string;
  /** The groupBy dimension it ranks. */
  readonly dimension: 'session' | 'trace';
  /** The run's key column (as in the daily rollup). */
  readonly key: 'session_id' | 'trace_id';
  /** The daily rollup it totals (its deltas feed the totals; migration 6 backfilled from its table). */
  readonly daily: RollupDef;
  /** The daily rollup's table exists (else runs crossing a range bound are summed from the records). */
  readonly dailyStored: boolean;
}

export const RUN_TOTALS: readonly RunTotalsDef[] = [
  { table: 'genai_usage_run_totals_session', dimension: 'session', key: 'session_id', daily: SQL_ROLLUPS.find((def) => def.groupingKey === 'session_id') as RollupDef, dailyStored: true },
  { table: 'genai_usage_run_totals_trace', dimension: 'trace', key: 'trace_id', daily: DAILY_TRACE, dailyStored: false },
];

/** Every rollup whose deltas an insert or delete computes: those stored, and those only feeding run totals. */
export const MAINTAINED_ROLLUPS: readonly RollupDef[] = [...SQL_ROLLUPS, DAILY_TRACE];

/** The totals a groupBy dimension ranks from, if any. */
export function runTotalsBy(dimension: string): RunTotalsDef | undefined {
  return RUN_TOTALS.find((def) => def.dimension === dimension);
}

/** The measures a run is ranked by (TopMetric columns). */
export const RUN_METRICS = ['requests', 'input_tokens', 'output_tokens', 'total_tokens', 'cost_usd'] as const;
const METRIC_INDEX = RUN_METRICS.map((col) => MEASURE_COLUMNS.indexOf(col));

/** The index each metric ranks through; the others scan the (narrow) table. */
const INDEXED_METRICS: ReadonlySet<string> = new Set(['cost_usd', 'requests']);

/** Migration 10: the calls index only for runs of more than one call (see rankRuns). */
export function partialCallsIndexStatements(): string[] {
  return RUN_TOTALS.flatMap((def) => [
    `DROP INDEX ${def.table}_requests`,
    `CREATE INDEX ${def.table}_requests ON ${def.table} (tenant, requests DESC, ${def.key}, first_day, last_day) WHERE requests > 1`,
  ]);
}

export function runTotalsFor(rollupTable: string): RunTotalsDef | undefined {
  return RUN_TOTALS.find((def) => def.daily.table === rollupTable);
}

/** Migration statements: tables, backfill from the daily rollups, indexes. */
export function runTotalsStatements(d: Dialect): string[] {
  const pg = d.name === 'postgres';
  const text = pg ? 'text COLLATE "C" NOT NULL' : 'TEXT NOT NULL';
  const day = pg ? 'timestamptz NOT NULL' : 'TEXT NOT NULL';
  const metricType = (col: string): string => (col === 'cost_usd' ? (pg ? 'double precision' : 'REAL') : pg ? 'bigint' : 'INTEGER') + ' NOT NULL DEFAULT 0';
  return RUN_TOTALS.flatMap((def) => [
    `CREATE TABLE ${def.table} (\n  tenant ${text},\n  ${def.key} ${text},\n  first_day ${day},\n  last_day ${day},\n  ${RUN_METRICS.map((col) => `${col} ${metricType(col)}`).join(',\n  ')},\n  PRIMARY KEY (tenant, ${def.key})\n)` +
      (pg ? '' : ' WITHOUT ROWID'),
    `INSERT INTO ${def.table} (tenant, ${def.key}, first_day, last_day, ${RUN_METRICS.join(', ')}) ` +
      `SELECT tenant, ${def.key}, MIN(bucket_start), MAX(bucket_start), ${RUN_METRICS.map((col) => `SUM(${col})`).join(', ')} FROM ${def.daily.table} GROUP BY tenant, ${def.key}`,
    // Ranking: covering, so the wholly-inside test never reads the table.
    ...[...INDEXED_METRICS].map((col) => `CREATE INDEX ${def.table}_${col} ON ${def.table} (tenant, ${col} DESC, ${def.key}, first_day, last_day)`),
    // The runs that may cross a range bound: only those spanning more than one day.
    `CREATE INDEX ${def.table}_spanning ON ${def.table} (tenant, last_day, first_day) WHERE first_day <> last_day`,
    // A run's days in the daily rollup (its key leads; the rollup's key leads with the day).
    `CREATE INDEX ${def.daily.table}_key ON ${def.daily.table} (${def.key}, tenant, bucket_start)`,
  ]);
}

/**
 * The totals rows a batch of daily-rollup deltas adds, one per run (a batch may hold several
 * days of one run; PostgreSQL refuses to update a row twice in one statement), sorted so
 * concurrent writers lock rows in the same order: [tenant, key, first day, last day, ...RUN_METRICS].
 */
export function runTotalsRows(deltas: readonly RollupDelta[]): Array<[string, string, string, string, ...number[]]> {
  const byRun = new Map<string, [string, string, string, string, ...number[]]>();
  for (const delta of deltas) {
    const tenant = delta.key[0] as string;
    const key = delta.key[1] as string;
    const id = `${tenant}\u0000${key}`;
    const row = byRun.get(id);
    if (!row) {
      byRun.set(id, [tenant, key, delta.bucketStart, delta.bucketStart, ...METRIC_INDEX.map((i) => delta.values[i] as number)]);
      continue;
    }
    if (delta.bucketStart < row[2]) row[2] = delta.bucketStart;
    if (delta.bucketStart > row[3]) row[3] = delta.bucketStart;
    METRIC_INDEX.forEach((i, m) => ((row[4 + m] as number) += delta.values[i] as number));
  }
  return [...byRun.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

/** Upsert of one totals row (SQLite: `?` placeholders in the order of {@link runTotalsRows}). */
export function runTotalsUpsertSql(def: RunTotalsDef, d: Dialect, values: string): string {
  const pg = d.name === 'postgres';
  const least = pg ? 'LEAST' : 'MIN';
  const greatest = pg ? 'GREATEST' : 'MAX';
  return (
    `INSERT INTO ${def.table} AS t (tenant, ${def.key}, first_day, last_day, ${RUN_METRICS.join(', ')}) ${values} ` +
    `ON CONFLICT (tenant, ${def.key}) DO UPDATE SET first_day = ${least}(t.first_day, excluded.first_day), last_day = ${greatest}(t.last_day, excluded.last_day), ` +
    RUN_METRICS.map((col) => `${col} = t.${col} + excluded.${col}`).join(', ')
  );
}

export type RunQuery = (sql: string, params: readonly unknown[]) => Promise<Array<Record<string, unknown>>>;

/**
 * The keys of the top `offset + limit` runs by `metric` in the filter's range, ranked
 * (metric descending, key ascending, "no key" last), with the metric each has in the range;
 * undefined when the totals cannot answer (what the daily rollup could not, a filter on one
 * run, or several tenants mixed in one ranking), and the caller groups the rows instead.
 */
export async function rankRuns(
  query: RunQuery,
  d: Dialect,
  def: RunTotalsDef,
  filter: NormalizedFilter,
  metric: string,
): Promise<Array<{ key: string | null; value: number }> | undefined> {
  if (!(RUN_METRICS as readonly string[]).includes(metric)) return undefined;
  // The daily rollup's own rule (tenant and whole days only), whether or not its table is kept.
  if (!chooseRollup(filter, [def.dimension], undefined, [def.daily])) return undefined;
  if (filter.sessionId !== undefined || filter.traceId !== undefined) return undefined;
  let tenant = filter.tenant;
  if (tenant === undefined) {
    // Runs are ranked by key across tenants: exact from per-tenant totals only when there is one tenant.
    // Two subqueries: each is one index probe, where MIN and MAX in one SELECT scan the table.
    const [span] = await query(`SELECT (SELECT MIN(tenant) FROM ${def.table}) AS lo, (SELECT MAX(tenant) FROM ${def.table}) AS hi`, []);
    if (!span || span['lo'] === null || span['lo'] === undefined) return [];
    if (span['lo'] !== span['hi']) return undefined;
    tenant = String(span['lo']);
  }
  const from = filter.from?.toISOString();
  const to = filter.to?.toISOString();
  const wanted = (filter.offset ?? 0) + (filter.limit ?? 10);
  const key = def.key;

  // Runs wholly inside the range, ranked by their totals (the '' key, "no session", apart: it sorts last among equals).
  const insideRanked = async (extra: string | undefined, order: string, limit: number): Promise<Array<Record<string, unknown>>> => {
    const inside = new Params(d);
    const where = [`tenant = ${inside.add(tenant)}`, `${key} <> ''`, ...(extra ? [extra] : [])];
    if (from) where.push(`first_day >= ${inside.add(from)}`);
    if (to) where.push(`last_day < ${inside.add(to)}`);
    return query(`SELECT ${key} AS k, ${metric} AS v FROM ${def.table} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${inside.add(limit)}`, inside.values);
  };
  let insideRows: Array<Record<string, unknown>>;
  if (metric === 'requests') {
    // The calls index holds only runs of 2+ calls (migration 10): most traces are one call, and
    // indexing them cost a random B-tree insert per record. Ties at one call rank by key, which
    // is the table's own order.
    insideRows = await insideRanked('requests > 1', `requests DESC, ${key} ASC`, wanted);
    if (insideRows.length < wanted) insideRows = insideRows.concat(await insideRanked('requests = 1', `${key} ASC`, wanted - insideRows.length));
  } else {
    insideRows = await insideRanked(undefined, `${metric} DESC, ${key} ASC`, wanted);
  }
  const candidates = new Map<string, number>(insideRows.map((row) => [String(row['k']), Number(row['v'])]));

  // Runs crossing a bound, and the keyless run: their sums inside the range, from the daily rollup.
  const partial: string[] = [''];
  if (from || to) {
    const cross = new Params(d);
    const where = [`tenant = ${cross.add(tenant)}`, 'first_day <> last_day'];
    if (from) where.push(`last_day >= ${cross.add(from)}`);
    if (to) where.push(`first_day < ${cross.add(to)}`);
    const bounds = [from ? `first_day < ${cross.add(from)}` : '', to ? `last_day >= ${cross.add(to)}` : ''].filter(Boolean);
    where.push(`(${bounds.join(' OR ')})`);
    for (const row of await query(`SELECT ${key} AS k FROM ${def.table} WHERE ${where.join(' AND ')}`, cross.values)) {
      if (row['k'] !== '') partial.push(String(row['k']));
    }
  }
  // Day-aligned bounds: the daily rollup's buckets and the records' times select the same calls.
  const [table, time, sum, count] = def.dailyStored
    ? [def.daily.table, 'bucket_start', `SUM(${metric})`, 'SUM(requests)']
    : [RECORDS_TABLE, 'recorded_at', (MEASURES.find((m) => m.column === metric) as (typeof MEASURES)[number]).raw(d), 'COUNT(*)'];
  for (let i = 0; i < partial.length; i += 500) {
    const sums = new Params(d);
    const where = [`tenant = ${sums.add(tenant)}`, `${key} IN (${partial.slice(i, i + 500).map((k) => sums.add(k)).join(', ')})`];
    if (from) where.push(`${time} >= ${sums.add(from)}`);
    if (to) where.push(`${time} < ${sums.add(to)}`);
    for (const row of await query(`SELECT ${key} AS k, ${sum} AS v, ${count} AS n FROM ${table} WHERE ${where.join(' AND ')} GROUP BY ${key}`, sums.values)) {
      if (Number(row['n']) > 0) candidates.set(String(row['k']), Number(row['v']));
    }
  }
  return [...candidates.entries()]
    .map(([k, value]) => ({ key: k === '' ? null : k, value }))
    .sort((a, b) => b.value - a.value || (a.key === b.key ? 0 : a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : 1))
    .slice(filter.offset ?? 0, wanted);
}
