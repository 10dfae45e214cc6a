import type { UsageRecord } from '../usage/usage-record.js';
import { Params, type Dialect } from './dialect.js';
import { StoreQueryError, show } from './errors.js';
import { exportFooter, exportHeader, exportRecord } from './export-format.js';
import {
  buildWhere,
  hasCriteria,
  normalizeFilter,
  oneOf,
  parseBucket,
  parseDuration,
  parseGroupBy,
  parseInstant,
  parseMetric,
  type NormalizedFilter,
} from './filter.js';
import { bucketValue, dimensionExpr, keyValue, measureSelect, metricColumn, rowToMeasures, type Source } from './measures.js';
import { MEASURE_COLUMNS, RollupSums, SQL_ROLLUPS, chooseRollup, rollupDeltas, type RollupDef, type RollupDelta } from './rollup.js';
import { MAINTAINED_ROLLUPS, rankRuns, runTotalsBy } from './run-totals.js';
import { inSlices } from './in-slices.js';
import { RECORDS_TABLE, RECORD_COLUMN_NAMES, rowToRecord, storableRecord } from './schema.js';
import {
  DEFAULT_RECORDS_LIMIT,
  EXPORT_FORMATS,
  GROUP_BY_DIMENSIONS,
  type AggregateMeasures,
  type AggregateQuery,
  type AggregateRow,
  type ExportFormat,
  type ExportOptions,
  type Identity,
  type InsertOptions,
  type PruneOptions,
  type TopQuery,
  type UsageFilter,
  type UsageStore,
} from './usage-store.js';

type Row = Record<string, unknown>;

/** Records per page of an export: large enough to amortise a query, small enough to keep memory flat. */
const EXPORT_PAGE = 2000;

/**
 * The query side shared by both engines: SQL text is built once here with bound parameters;
 * engines run it and own inserts and transactions.
 */
export abstract class SqlUsageStore implements UsageStore {
  abstract readonly engine: 'sqlite' | 'postgres';
  protected abstract readonly dialect: Dialect;
  protected abstract all(sql: string, params: readonly unknown[]): Promise<Row[]>;
  protected abstract insertRecords(records: readonly UsageRecord[], tenant: string): Promise<number>;
  /** Deletes matching records and subtracts them from every rollup, atomically. */
  protected abstract deleteWhere(where: string, params: readonly unknown[]): Promise<number>;
  abstract close(): Promise<void>;

  async insert(records: readonly UsageRecord[], options: InsertOptions = {}): Promise<number> {
    if (records.length === 0) return 0;
    // '' is "no tenant": the tenant is part of a record's identity, and NULLs never conflict.
    const storable: UsageRecord[] = [];
    for await (const slice of inSlices(records)) for (const record of slice) storable.push(storableRecord(record));
    return this.insertRecords(storable, options.tenant ?? '');
  }

  async records(filter: UsageFilter = {}): Promise<UsageRecord[]> {
    const f = normalizeFilter(filter);
    const params = new Params(this.dialect);
    const where = buildWhere(f, this.dialect, params);
    const dir = f.order === 'asc' ? 'ASC' : 'DESC';
    const sql = `SELECT ${RECORD_COLUMN_NAMES.join(', ')} FROM ${RECORDS_TABLE} ${where} ORDER BY recorded_at ${dir}, id ${dir} LIMIT ${params.add(f.limit ?? DEFAULT_RECORDS_LIMIT)} OFFSET ${params.add(f.offset ?? 0)}`;
    return (await this.all(sql, params.values)).map(rowToRecord);
  }

  async aggregate(query: AggregateQuery = {}): Promise<AggregateRow[]> {
    const f = normalizeFilter(query, ['groupBy', 'bucket']);
    const groupBy = parseGroupBy(query.groupBy);
    const bucket = parseBucket(query.bucket);
    const rollup = chooseRollup(f, groupBy, bucket, SQL_ROLLUPS);
    const source: Source = rollup ? 'rollup' : 'raw';
    const timeColumn = rollup ? 'bucket_start' : 'recorded_at';
    const params = new Params(this.dialect);
    const keys = [
      ...(bucket ? [`${this.dialect.bucketStart(bucket, timeColumn)} AS bucket`] : []),
      ...groupBy.map((dim, i) => `${dimensionExpr(dim, source, this.dialect)} AS g${i}`),
    ];
    const where = buildWhere(f, this.dialect, params, timeColumn);
    const groupClause = keys.length ? `GROUP BY ${keys.map((_, i) => i + 1).join(', ')}` : '';
    const sql = `SELECT ${[...keys, measureSelect(source, this.dialect)].join(', ')} FROM ${rollup?.table ?? RECORDS_TABLE} ${where} ${groupClause}`;
    const rows = (await this.all(sql, params.values)).map((row) => {
      const out: AggregateRow = { ...(bucket ? { bucket: bucketValue(row['bucket']) } : {}), ...rowToMeasures(row) };
      groupBy.forEach((dim, i) => (out[dim] = keyValue(row[`g${i}`])));
      return out;
    });
    // Sorted here, not in SQL, so both engines order text identically.
    const sign = f.order === 'desc' ? -1 : 1;
    rows.sort((a, b) => sign * compareKeys(a.bucket, b.bucket) || groupBy.reduce((r, dim) => r || compareKeys(a[dim], b[dim]), 0));
    const start = f.offset ?? 0;
    return rows.slice(start, f.limit === undefined ? undefined : start + f.limit);
  }

  async top(query: TopQuery): Promise<AggregateRow[]> {
    const f = normalizeFilter(query, ['by', 'metric']);
    const by = oneOf('by', query?.by, GROUP_BY_DIMENSIONS);
    const metric = metricColumn(parseMetric(query.metric));
    const rollup = chooseRollup(f, [by], undefined, SQL_ROLLUPS);
    const source: Source = rollup ? 'rollup' : 'raw';
    const table = rollup?.table ?? RECORDS_TABLE;
    const timeColumn = rollup ? 'bucket_start' : 'recorded_at';
    const key = dimensionExpr(by, source, this.dialect);
    const params = new Params(this.dialect);
    const where = buildWhere(f, this.dialect, params, timeColumn);
    const order = `ORDER BY ${metric} DESC, g0 ASC NULLS LAST LIMIT ${params.add(f.limit ?? 10)} OFFSET ${params.add(f.offset ?? 0)}`;
    // Sessions and traces rank from their run totals (see run-totals.ts) when those can answer;
    // traces have no SQL rollup, so their winners' measures are summed from their records.
    const totals = runTotalsBy(by);
    const runs = totals ? await rankRuns((sql, values) => this.all(sql, values), this.dialect, totals, f, metric) : undefined;
    if (!rollup && !runs) {
      const sql = `SELECT ${key} AS g0, ${measureSelect(source, this.dialect)} FROM ${table} ${where} GROUP BY 1 ${order}`;
      return (await this.all(sql, params.values)).map((row) => ({ [by]: keyValue(row['g0']), ...rowToMeasures(row) }));
    }
    // Two phases: rank on the one metric column, then sum every measure only for the winners.
    // Summing all ~40 measure columns for every key is what made top() slow.
    const keys = runs
      ? runs.map((run) => run.key)
      : (await this.all(`SELECT ${key} AS g0, SUM(${metric}) AS ${metric} FROM ${table} ${where} GROUP BY 1 ${order}`, params.values)).map((row) => keyValue(row['g0']));
    if (keys.length === 0) return [];
    const detail = new Params(this.dialect);
    const detailWhere = buildWhere(f, this.dialect, detail, timeColumn);
    const named = keys.filter((k): k is string => k !== null).map((k) => detail.add(k));
    // The plain key column (not NULLIF(...)) so the key index finds the rows; a run key is
    // '' when unset, in a rollup and in the records' NOT NULL trace_id alike.
    const column = totals?.key ?? key;
    const match = [named.length ? `${column} IN (${named.join(', ')})` : '', keys.includes(null) ? (totals ? `${column} = ''` : `${key} IS NULL`) : ''].filter(Boolean).join(' OR ');
    const sql = `SELECT ${key} AS g0, ${measureSelect(source, this.dialect)} FROM ${table} ${detailWhere ? `${detailWhere} AND` : 'WHERE'} (${match}) GROUP BY 1`;
    const byKey = new Map((await this.all(sql, detail.values)).map((row) => [keyValue(row['g0']), rowToMeasures(row)]));
    return keys.map((k) => ({ [by]: k, ...(byKey.get(k) as AggregateMeasures) }));
  }

  async identities(filter: UsageFilter = {}): Promise<Identity[]> {
    const f = normalizeFilter(filter);
    const params = new Params(this.dialect);
    const where = buildWhere(f, this.dialect, params);
    const sql =
      `SELECT user_id, agent_name, session_id, COUNT(*) AS requests, MIN(recorded_at) AS first_seen, MAX(recorded_at) AS last_seen ` +
      `FROM ${RECORDS_TABLE} ${where} GROUP BY user_id, agent_name, session_id ` +
      `ORDER BY last_seen DESC, user_id ASC NULLS LAST, agent_name ASC NULLS LAST, session_id ASC NULLS LAST ` +
      `LIMIT ${params.add(f.limit ?? DEFAULT_RECORDS_LIMIT)} OFFSET ${params.add(f.offset ?? 0)}`;
    return (await this.all(sql, params.values)).map((row) => ({
      userId: keyValue(row['user_id']),
      agentName: keyValue(row['agent_name']),
      sessionId: keyValue(row['session_id']),
      requests: Number(row['requests']),
      firstSeen: new Date(bucketValue(row['first_seen'])),
      lastSeen: new Date(bucketValue(row['last_seen'])),
    }));
  }

  export(format: ExportFormat, filter: UsageFilter = {}, options: ExportOptions = {}): AsyncIterable<string> {
    // Validate now so a bad call fails at the call site, not at the first iteration.
    const fmt = oneOf('format', format, EXPORT_FORMATS);
    const f = normalizeFilter(filter);
    return this.exportPages(fmt, f, options);
  }

  /** Keyset pages on (recorded_at, id): no cursor is held open between pages, so writers are never blocked. */
  private async *exportPages(format: ExportFormat, f: NormalizedFilter, options: ExportOptions): AsyncGenerator<string> {
    const asc = f.order !== 'desc';
    let remaining = f.limit ?? Number.POSITIVE_INFINITY;
    let offset = f.offset ?? 0;
    let after: [unknown, string] | undefined;
    let count = 0;
    yield exportHeader(format);
    while (remaining > 0) {
      const params = new Params(this.dialect);
      let where = buildWhere(f, this.dialect, params);
      if (after) {
        const cond = `(recorded_at, id) ${asc ? '>' : '<'} (${params.add(after[0])}, ${params.add(after[1])})`;
        where = where ? `${where} AND ${cond}` : `WHERE ${cond}`;
      }
      const dir = asc ? 'ASC' : 'DESC';
      const pageSize = Math.min(EXPORT_PAGE, remaining);
      const sql = `SELECT ${RECORD_COLUMN_NAMES.join(', ')} FROM ${RECORDS_TABLE} ${where} ORDER BY recorded_at ${dir}, id ${dir} LIMIT ${params.add(pageSize)} OFFSET ${params.add(offset)}`;
      const rows = await this.all(sql, params.values);
      offset = 0;
      if (rows.length === 0) break;
      let chunk = '';
      for (const row of rows) chunk += exportRecord(format, rowToRecord(row), count++);
      const last = rows[rows.length - 1] as Row;
      after = [last['recorded_at'] instanceof Date ? (last['recorded_at'] as Date).toISOString() : last['recorded_at'], String(last['id'])];
      remaining -= rows.length;
      options.onProgress?.(count);
      yield chunk;
      if (rows.length < pageSize) break;
    }
    yield exportFooter(format, count);
  }

  async delete(filter: UsageFilter): Promise<number> {
    const f = normalizeFilter(filter);
    for (const key of ['limit', 'offset', 'order'] as const) {
      if (f[key] !== undefined) throw new StoreQueryError(`delete does not take ${key}`, key, f[key]);
    }
    if (!hasCriteria(f)) {
      throw new StoreQueryError('delete needs at least one filter criterion (use prune for retention)', 'filter', filter);
    }
    const params = new Params(this.dialect);
    return this.deleteWhere(buildWhere(f, this.dialect, params), params.values);
  }

  async prune(options: PruneOptions): Promise<number> {
    const { olderThan, ...rest } = (options ?? {}) as PruneOptions & Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) throw new StoreQueryError(`unknown prune option ${show(extra)}; valid: olderThan`, extra, rest[extra], ['olderThan']);
    const cutoff =
      typeof olderThan === 'string' && /^\d+[a-z]+$/.test(olderThan.trim())
        ? new Date(Date.now() - parseDuration('olderThan', olderThan))
        : parseInstant('olderThan', olderThan);
    return this.delete({ to: cutoff });
  }

  /** SQL summing, per rollup key, the raw records that `where` selects: what a delete must subtract. */
  protected rollupSubtractionSql(def: RollupDef, where: string): string {
    const dims = def.dims.map((dim) => (dim === 'success' ? 'success' : `COALESCE(${dim}, '')`));
    return (
      `SELECT ${this.dialect.bucketStart(def.grain, 'recorded_at')} AS bucket_start, ${dims.map((d, i) => `${d} AS k${i}`).join(', ')}, ` +
      `${measureSelect('raw', this.dialect)} FROM ${RECORDS_TABLE} ${where} GROUP BY ${[0, ...dims].map((_, i) => i + 1).join(', ')}`
    );
  }

  /** Rows of {@link rollupSubtractionSql} as negative deltas. */
  protected subtractions(def: RollupDef, rows: readonly Row[]): RollupDelta[] {
    return rows.map((row) => ({
      bucketStart: bucketValue(row['bucket_start']),
      key: def.dims.map((dim, i) => (dim === 'success' ? row[`k${i}`] === true || row[`k${i}`] === 1 : String(row[`k${i}`]))),
      values: MEASURE_COLUMNS.map((col) => -Number(row[col] ?? 0)),
    }));
  }

  /** Per maintained rollup (stored or only feeding run totals), the deltas `records` add. */
  protected deltasFor(records: readonly UsageRecord[], tenant: string | null): Array<[RollupDef, RollupDelta[]]> {
    return MAINTAINED_ROLLUPS.map((def) => [def, rollupDeltas(def, records, tenant)]);
  }

  /**
   * The same, summed a slice of records at a time with a turn of the event loop between slices,
   * for an engine that writes on the app's thread (PostgreSQL): summing 10,000 records into
   * every rollup at once took ~200 ms, all of it in one stretch.
   */
  protected async *deltasInSlices(records: readonly UsageRecord[], tenant: string | null): AsyncGenerator<[RollupDef, RollupDelta[]]> {
    for (const def of MAINTAINED_ROLLUPS) {
      const sums = new RollupSums(def, tenant);
      for await (const slice of inSlices(records)) sums.add(slice);
      yield [def, sums.deltas()];
    }
  }

  /** Whether a maintained rollup has a table to upsert (the trace deltas feed run totals only). */
  protected stored(def: RollupDef): boolean {
    return SQL_ROLLUPS.includes(def);
  }
}

/** Ascending, nulls last; plain code-unit comparison so both engines sort alike. */
function compareKeys(a: string | null | undefined, b: string | null | undefined): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  return a < b ? -1 : 1;
}
