import type { ClickHouseClient } from '@clickhouse/client';
import type { UsageRecord } from '../../usage/usage-record.js';
import { redact, StoreError, StoreQueryError, show } from '../errors.js';
import { exportFooter, exportHeader, exportRecord } from '../export-format.js';
import { hasCriteria, normalizeFilter, oneOf, parseBucket, parseDuration, parseGroupBy, parseInstant, parseMetric, type NormalizedFilter } from '../filter.js';
import { keyValue, metricColumn, rowToMeasures } from '../measures.js';
import { RECORDS_TABLE } from '../schema.js';
import { ROLLUPS, type RollupDef } from '../rollup.js';
import {
  DEFAULT_RECORDS_LIMIT,
  EXPORT_FORMATS,
  GROUP_BY_DIMENSIONS,
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
} from '../usage-store.js';
import { makeClient, migrate, parseClickHouseUrl, serverVersion, type ClickHouseStoreOptions } from './clickhouse-connection.js';
import { RECORD_SELECT, bucketIso, chooseSource, dimension, rowToChRecord, sourceTable, whereClause } from './clickhouse-query.js';
import { bucketExpr, chMeasureSelect, table, type Layout } from './clickhouse-schema.js';
import { deleteWhere, insertNew } from './clickhouse-writes.js';
import { LITERALS, SqlValues, sqlNumber, supportsQueryParameters } from './literal.js';

type Row = Record<string, unknown>;
const EXPORT_PAGE = 5000;
const DAY_MS = 864e5;
/** How far back records() looks, widening, before it reads every part (see records). */
const RECENT_WINDOW_DAYS = [1, 7, 31];
const HOURLY = ROLLUPS.find((def) => def.grain === 'hour') as RollupDef;
/** delete() leaves rollup rows that sum to zero until a merge removes them: they are not groups. */
const HAVING_ROWS = ' HAVING requests != 0';

/**
 * ClickHouse engine (`@clickhouse/client`, HTTP). Records live in a ReplacingMergeTree and are
 * read with FINAL, so a record is counted once however often it was sent; aggregates read
 * SummingMergeTree rollups that materialized views keep as rows arrive. With a cluster the
 * same SQL runs against Distributed tables over every shard. Schema: docs/schema.md.
 */
export class ClickHouseUsageStore implements UsageStore {
  readonly engine = 'clickhouse' as const;
  /** String values go to the server as query parameters (20.1+), not as literals in the SQL text. */
  readonly usesQueryParameters: boolean;
  private closed = false;

  private constructor(
    private readonly client: ClickHouseClient,
    private readonly layout: Layout,
    /** `SELECT version()` of the server the store talks to. */
    readonly serverVersion: string,
  ) {
    this.usesQueryParameters = supportsQueryParameters(serverVersion);
  }

  /** Connects, applies pending migrations and resolves to a ready store. */
  static async open(url: string, options: ClickHouseStoreOptions = {}): Promise<ClickHouseUsageStore> {
    const parsed = parseClickHouseUrl(url);
    const cluster = options.cluster ?? parsed.cluster;
    const layout: Layout = { database: parsed.database, cluster };
    let client: ClickHouseClient | undefined;
    try {
      await migrate(parsed, options, layout);
      client = makeClient(parsed, parsed.database, options, cluster);
      return new ClickHouseUsageStore(client, layout, await serverVersion(client));
    } catch (error) {
      await client?.close().catch(() => undefined);
      if (error instanceof StoreError) throw error;
      throw new StoreError(`cannot open ClickHouse store ${redact(url)}: ${(error as Error).message}`, { cause: error });
    }
  }

  async insert(records: readonly UsageRecord[], options: InsertOptions = {}): Promise<number> {
    if (records.length === 0) return 0;
    return insertNew(this.client, this.layout, records, options.tenant ?? null, () => this.values());
  }

  async records(filter: UsageFilter = {}): Promise<UsageRecord[]> {
    const f = normalizeFilter(filter);
    const dir = f.order === 'asc' ? 'ASC' : 'DESC';
    const limit = f.limit ?? DEFAULT_RECORDS_LIMIT;
    const offset = f.offset ?? 0;
    // Copies of a record are identical and on one shard (sharded by tenant and id): keeping the
    // first row of each (tenant, id) reads as FINAL does, without FINAL's merge of every part
    // it reads (one user's latest 100 calls: 2,649 ms at 1M records with FINAL on 18.16).
    const table = this.table(RECORDS_TABLE);
    // One set of values for every statement below: each is sent with all of them.
    const values = this.values();
    const read = (where: string, rows: number, skip: number): Promise<Row[]> =>
      this.all(`SELECT ${RECORD_SELECT} FROM ${table} ${where} ORDER BY recorded_at_ms ${dir}, id ${dir} LIMIT 1 BY tenant, id LIMIT ${sqlNumber(skip)}, ${sqlNumber(rows)}`, values);
    // One user's (or session's) rows lie in nearly every granule of a time range, so reading all
    // their columns reads the whole range. First only the matching rows' times (narrow columns)
    // say where the page ends; then all columns of the rows up to there, a few granules.
    // Undefined when the window holds fewer rows than the page needs (and `partial` is false).
    const page = async (window: NormalizedFilter, partial: boolean): Promise<Row[] | undefined> => {
      const where = whereClause(window, values);
      const [edge] = await this.all(`SELECT toString(recorded_at_ms) AS t FROM ${table} ${where} ORDER BY recorded_at_ms ${dir} LIMIT ${sqlNumber(offset + limit - 1)}, 1`, values);
      if (!edge) return partial ? read(where, limit, offset) : undefined;
      // PREWHERE with every condition: 18.16 moves only one of them there by itself, and neither
      // the filter nor the time bound alone is selective (4× faster measured at 7.5M records).
      const upTo = `${whereClause(window, values, { kind: 'raw' }, 'PREWHERE')} AND recorded_at_ms ${dir === 'DESC' ? '>=' : '<='} ${sqlNumber(Number(edge['t']))}`;
      const rows = await read(upTo, limit, offset);
      if (rows.length === limit) return rows;
      // Short: copies of a record not yet folded were counted; read the window whole.
      const whole = await read(where, limit, offset);
      return whole.length === limit || partial ? whole : undefined;
    };
    if (dir === 'DESC' && f.from === undefined) {
      // Newest first with no lower bound (a user's latest calls): the recent days hold the
      // answer. Read widening windows back from the newest record; once a window holds the
      // whole page, its newest rows are the newest overall.
      const newest = await this.newestRecordMs(f);
      if (newest === undefined) return [];
      for (const days of RECENT_WINDOW_DAYS) {
        const rows = await page({ ...f, from: new Date(newest - days * DAY_MS) }, false);
        if (rows) return rows.map(rowToChRecord);
      }
    }
    return ((await page(f, true)) ?? []).map(rowToChRecord);
  }

  /**
   * A bound on the newest record's time that the filter's tenant and upper bound allow: the end
   * of the newest hour with calls in the hourly rollup (a few rows per hour), capped at the
   * filter's upper bound. A max over the raw rows reads every record's time (~170 ms at 9M
   * records, growing with the store). Deleted calls leave hours summing to zero: skipped.
   */
  private async newestRecordMs(f: NormalizedFilter): Promise<number | undefined> {
    const bounds: NormalizedFilter = { tags: [], ...(f.tenant === undefined ? {} : { tenant: f.tenant }), ...(f.to === undefined ? {} : { to: f.to }) };
    const values = this.values();
    const [row] = await this.all(
      `SELECT toUInt64(bucket_start) AS hour, sum(requests) AS requests FROM ${this.table(HOURLY.table)} ${whereClause(bounds, values, { kind: 'rollup', def: HOURLY })} ` +
        `GROUP BY bucket_start${HAVING_ROWS} ORDER BY bucket_start DESC LIMIT 1`,
      values,
    );
    if (!row) return undefined;
    const end = (Number(row['hour']) + 3600) * 1000;
    return f.to === undefined ? end : Math.min(end, f.to.getTime());
  }

  async aggregate(query: AggregateQuery = {}): Promise<AggregateRow[]> {
    const f = normalizeFilter(query, ['groupBy', 'bucket']);
    const groupBy = parseGroupBy(query.groupBy);
    const bucket = parseBucket(query.bucket);
    const source = chooseSource(f, groupBy, bucket);
    const keys = [
      ...(bucket ? [`toUnixTimestamp(${bucketExpr(bucket, source.kind === 'raw' ? 'recorded_at' : 'bucket_start')}) AS bucket`] : []),
      ...groupBy.map((dim, i) => `${dimension(dim)} AS g${i}`),
    ];
    const aliases = [...(bucket ? ['bucket'] : []), ...groupBy.map((_, i) => `g${i}`)];
    const measures = chMeasureSelect(source.kind === 'raw' ? 'raw' : 'rollup');
    const values = this.values();
    const sql =
      `SELECT ${[...keys, measures].join(', ')} FROM ${sourceTable(source, this.table(RECORDS_TABLE), this.table)} ${whereClause(f, values, source)}` +
      (aliases.length ? ` GROUP BY ${aliases.join(', ')}${source.kind === 'raw' ? '' : HAVING_ROWS}` : '');
    const rows = (await this.all(sql, values)).map((row) => {
      const out: AggregateRow = { ...(bucket ? { bucket: bucketIso(row['bucket']) } : {}), ...rowToMeasures(row) };
      groupBy.forEach((dim, i) => (out[dim] = keyValue(row[`g${i}`])));
      return out;
    });
    // No GROUP BY over zero rows yields no row in ClickHouse; the other engines answer one row of zeros.
    if (aliases.length === 0 && rows.length === 0) rows.push({ ...rowToMeasures({}) });
    const sign = f.order === 'desc' ? -1 : 1;
    rows.sort((a, b) => sign * compareKeys(a.bucket, b.bucket) || groupBy.reduce((r, dim) => r || compareKeys(a[dim], b[dim]), 0));
    const start = f.offset ?? 0;
    return rows.slice(start, f.limit === undefined ? undefined : start + f.limit);
  }

  async top(query: TopQuery): Promise<AggregateRow[]> {
    const f = normalizeFilter(query, ['by', 'metric']);
    const by = oneOf('by', query?.by, GROUP_BY_DIMENSIONS);
    const metric = metricColumn(parseMetric(query.metric));
    const source = chooseSource(f, [by], undefined);
    const values = this.values();
    const sql =
      `SELECT ${dimension(by)} AS g0, ${chMeasureSelect(source.kind === 'raw' ? 'raw' : 'rollup')} ` +
      `FROM ${sourceTable(source, this.table(RECORDS_TABLE), this.table)} ${whereClause(f, values, source)} GROUP BY g0${source.kind === 'raw' ? '' : HAVING_ROWS} ` +
      `ORDER BY ${metric} DESC, g0 ASC NULLS LAST LIMIT ${sqlNumber(f.limit ?? 10)} OFFSET ${sqlNumber(f.offset ?? 0)}`;
    return (await this.all(sql, values)).map((row) => ({ [by]: keyValue(row['g0']), ...rowToMeasures(row) }));
  }

  async identities(filter: UsageFilter = {}): Promise<Identity[]> {
    const f = normalizeFilter(filter);
    const values = this.values();
    const sql =
      `SELECT user_id, agent_name, session_id, count() AS requests, min(recorded_at_ms) AS first_seen, max(recorded_at_ms) AS last_seen ` +
      `FROM ${this.recordsFinal} ${whereClause(f, values)} GROUP BY user_id, agent_name, session_id ` +
      `ORDER BY last_seen DESC, nullIf(user_id, '') ASC NULLS LAST, nullIf(agent_name, '') ASC NULLS LAST, nullIf(session_id, '') ASC NULLS LAST ` +
      `LIMIT ${sqlNumber(f.limit ?? DEFAULT_RECORDS_LIMIT)} OFFSET ${sqlNumber(f.offset ?? 0)}`;
    return (await this.all(sql, values)).map((row) => ({
      userId: keyValue(row['user_id']),
      agentName: keyValue(row['agent_name']),
      sessionId: keyValue(row['session_id']),
      requests: Number(row['requests']),
      firstSeen: new Date(Number(row['first_seen'])),
      lastSeen: new Date(Number(row['last_seen'])),
    }));
  }

  export(format: ExportFormat, filter: UsageFilter = {}, options: ExportOptions = {}): AsyncIterable<string> {
    const fmt = oneOf('format', format, EXPORT_FORMATS);
    return this.exportPages(fmt, normalizeFilter(filter), options);
  }

  /** Keyset pages on (recorded_at_ms, id), like the other engines. */
  private async *exportPages(format: ExportFormat, f: NormalizedFilter, options: ExportOptions): AsyncGenerator<string> {
    const asc = f.order !== 'desc';
    const dir = asc ? 'ASC' : 'DESC';
    let remaining = f.limit ?? Number.POSITIVE_INFINITY;
    let offset = f.offset ?? 0;
    let after: [number, string] | undefined;
    let count = 0;
    yield exportHeader(format);
    while (remaining > 0) {
      const values = this.values();
      let where = whereClause(f, values);
      if (after) {
        const op = asc ? '>' : '<';
        const cond = `(recorded_at_ms ${op} ${sqlNumber(after[0])} OR (recorded_at_ms = ${sqlNumber(after[0])} AND id ${op} ${values.string(after[1])}))`;
        where = where ? `${where} AND ${cond}` : `WHERE ${cond}`;
      }
      const pageSize = Math.min(EXPORT_PAGE, remaining);
      const rows = await this.all(
        `SELECT ${RECORD_SELECT} FROM ${this.recordsFinal} ${where} ORDER BY recorded_at_ms ${dir}, id ${dir} LIMIT ${sqlNumber(pageSize)} OFFSET ${sqlNumber(offset)}`,
        values,
      );
      offset = 0;
      if (rows.length === 0) break;
      let chunk = '';
      for (const row of rows) chunk += exportRecord(format, rowToChRecord(row), count++);
      const last = rows[rows.length - 1] as Row;
      after = [Number(last['recorded_at_ms']), String(last['id'])];
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
    if (!hasCriteria(f)) throw new StoreQueryError('delete needs at least one filter criterion (use prune for retention)', 'filter', filter);
    // A cluster's delete is an ON CLUSTER mutation: distributed DDL forwards only the SQL text, so its values are literals.
    const values = this.layout.cluster ? LITERALS : this.values();
    return deleteWhere(this.client, this.layout, whereClause(f, values), values);
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

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }

  private readonly table = (name: string): string => table(this.layout, name);

  private get recordsFinal(): string {
    return `${this.table(RECORDS_TABLE)} FINAL`;
  }

  /** A statement's values: query parameters when the server takes them, else literals. */
  private values(): SqlValues {
    return this.usesQueryParameters ? new SqlValues(true) : LITERALS;
  }

  private async all(query: string, values: SqlValues = LITERALS): Promise<Row[]> {
    return (await (await this.client.query({ query, format: 'JSONEachRow', query_params: values.params })).json()) as Row[];
  }
}

function compareKeys(a: string | null | undefined, b: string | null | undefined): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  return a < b ? -1 : 1;
}
