import { EQUALITY_COLUMNS, type NormalizedFilter } from '../filter.js';
import { chooseRollup, ROLLUPS, type RollupDef } from '../rollup.js';
import { DIMENSION_COLUMNS } from '../measures.js';
import { RECORD_COLUMNS, rowToRecord } from '../schema.js';
import type { GroupByDimension, TimeBucket } from '../usage-store.js';
import type { UsageRecord } from '../../usage/usage-record.js';
import { TAG_ROLLUP, tagCondition } from './clickhouse-schema.js';
import { sqlNumber, type SqlValues } from './literal.js';

/** Where an aggregate reads: the raw records (deduplicated with FINAL), a rollup, or the tag rollup. */
export type ChSource = { kind: 'raw' } | { kind: 'rollup'; def: RollupDef } | { kind: 'tag'; key: string; value: string };

/**
 * The smallest table that answers exactly: the shared rollup choice, plus the daily tag rollup
 * for one tag filter on what the daily rollup could answer without it.
 */
export function chooseSource(f: NormalizedFilter, groupBy: readonly GroupByDimension[], bucket: TimeBucket | undefined): ChSource {
  if (f.tags.length === 0) {
    const def = chooseRollup(f, groupBy, bucket);
    return def ? { kind: 'rollup', def } : { kind: 'raw' };
  }
  if (f.tags.length === 1 && chooseRollup({ ...f, tags: [] }, groupBy, bucket) === ROLLUPS[0]) {
    const [key, value] = f.tags[0] as [string, string];
    return { kind: 'tag', key, value };
  }
  return { kind: 'raw' };
}

export function sourceTable(source: ChSource, records: string, tableOf: (name: string) => string): string {
  if (source.kind === 'raw') return `${records} FINAL`;
  return tableOf(source.kind === 'tag' ? TAG_ROLLUP.table : source.def.table);
}

/**
 * The WHERE clause (with `WHERE`, or '') for a filter. Every value goes through `values`
 * (literal.ts): literals, or query parameters the statement must then be sent with.
 */
export function whereClause(f: NormalizedFilter, values: SqlValues, source: ChSource = { kind: 'raw' }, keyword: 'WHERE' | 'PREWHERE' = 'WHERE'): string {
  const conditions: string[] = [];
  for (const key of Object.keys(EQUALITY_COLUMNS) as Array<keyof typeof EQUALITY_COLUMNS>) {
    const value = f[key];
    if (value !== undefined) conditions.push(`${EQUALITY_COLUMNS[key]} = ${values.string(value)}`);
  }
  if (f.model !== undefined) {
    const model = values.string(f.model);
    conditions.push(`(request_model = ${model} OR response_model = ${model})`);
  }
  if (f.success !== undefined) conditions.push(`success = ${values.value(f.success)}`);
  if (source.kind === 'raw') {
    // The DateTime bound lets the partition and sort key prune; the millisecond one is exact.
    if (f.from) conditions.push(`recorded_at >= toDateTime(${sqlNumber(Math.floor(f.from.getTime() / 1000))})`, `recorded_at_ms >= ${values.value(f.from)}`);
    if (f.to) conditions.push(`recorded_at <= toDateTime(${sqlNumber(Math.floor((f.to.getTime() - 1) / 1000))})`, `recorded_at_ms < ${values.value(f.to)}`);
    for (const [key, value] of f.tags) conditions.push(tagCondition(key, value, values));
  } else {
    // Rollups are only chosen for bounds aligned to their grain (chooseRollup).
    if (f.from) conditions.push(`bucket_start >= toDateTime(${sqlNumber(f.from.getTime() / 1000)})`);
    if (f.to) conditions.push(`bucket_start < toDateTime(${sqlNumber(f.to.getTime() / 1000)})`);
    if (source.kind === 'tag') conditions.push(`tag_key = ${values.string(source.key)}`, `tag_value = ${values.string(source.value)}`);
  }
  // 18.16 reading a Distributed table with FINAL and no WHERE sends the shards a column list
  // without the sort key ("Cannot find column … in source stream"); any WHERE avoids it.
  if (conditions.length === 0) return source.kind === 'raw' ? `${keyword} 1` : '';
  return `${keyword} ${conditions.join(' AND ')}`;
}

/** The value a dimension groups on; '' is "not set" in every ClickHouse table, so it becomes NULL. */
export function dimension(dim: GroupByDimension): string {
  const col = (name: string): string => `nullIf(${name}, '')`;
  if (dim === 'model') return `coalesce(${col('request_model')}, ${col('response_model')})`;
  // The first agent of the hand-off chain (`Triage > Billing` → `Triage`), else the agent.
  if (dim === 'rootAgent') return `if(position(handoff_chain, ' > ') > 0, substring(handoff_chain, 1, position(handoff_chain, ' > ') - 1), coalesce(${col('handoff_chain')}, ${col('agent_name')}))`;
  return col(DIMENSION_COLUMNS[dim]);
}

/** SELECT list of the record columns, in the names rowToChRecord reads. */
export const RECORD_SELECT = RECORD_COLUMNS.map((col) =>
  col.kind === 'time' ? `${col.column}_ms` : col.kind === 'json' ? `${col.column}.key, ${col.column}.value` : col.column,
).join(', ');

type Row = Record<string, unknown>;

/** A ClickHouse row back to a UsageRecord through the shared rowToRecord. */
export function rowToChRecord(row: Row): UsageRecord {
  const shaped: Row = {};
  for (const col of RECORD_COLUMNS) {
    if (col.kind === 'time') shaped[col.column] = new Date(Number(row[`${col.column}_ms`]));
    else if (col.kind === 'json') {
      const keys = (row[`${col.column}.key`] ?? []) as string[];
      const values = (row[`${col.column}.value`] ?? []) as string[];
      shaped[col.column] = Object.fromEntries(keys.map((k, i) => [k, values[i] ?? '']));
    } else if (col.kind === 'text') shaped[col.column] = row[col.column] === '' ? null : row[col.column];
    else shaped[col.column] = row[col.column];
  }
  return rowToRecord(shaped);
}

/** ClickHouse returns 64-bit integers and DateTimes as text: bucket keys become ISO-8601. */
export function bucketIso(value: unknown): string {
  return new Date(Number(value) * 1000).toISOString();
}
