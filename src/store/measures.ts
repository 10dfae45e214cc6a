import type { Dialect } from './dialect.js';
import { HISTOGRAM_BUCKETS, estimateQuantile, histogramCountExprs } from './histogram.js';
import { MEASURE_COLUMNS } from './rollup.js';
import type { AggregateMeasures, GroupByDimension, TopMetric } from './usage-store.js';

/** Where a query reads from: the raw records or a rollup (whose '' means "not set"). */
export type Source = 'raw' | 'rollup';

/**
 * The measure columns (aliased as MEASURE_COLUMNS) summed over the raw records, in the same
 * shape the rollups store, so both sources go through one row parser.
 */
export function rawMeasureExprs(dialect: Dialect): string[] {
  const failed = `CASE WHEN ${dialect.isTrue('success')} THEN 0 ELSE 1 END`;
  return [
    'COUNT(*)',
    `SUM(${failed})`,
    'SUM(input_tokens)',
    'SUM(output_tokens)',
    'SUM(total_tokens)',
    'SUM(cache_read_tokens)',
    'SUM(cache_write_tokens)',
    'SUM(reasoning_tokens)',
    'COALESCE(SUM(cost_usd), 0)',
    'SUM(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END)',
    'SUM(duration_ms)',
    ...histogramCountExprs('duration_ms'),
  ];
}

/** `expr AS column` for every measure, from either source. */
export function measureSelect(source: Source, dialect: Dialect): string {
  const exprs = source === 'raw' ? rawMeasureExprs(dialect) : MEASURE_COLUMNS.map((col) => `SUM(${col})`);
  return exprs.map((expr, i) => `${expr} AS ${MEASURE_COLUMNS[i]}`).join(', ');
}

/**
 * The SQL value a groupBy dimension groups on. `model` is the request model, else the
 * response model: what the application asked for, stable across provider version bumps.
 */
export function dimensionExpr(dim: GroupByDimension, source: Source): string {
  const col = (name: string): string => (source === 'rollup' ? `NULLIF(${name}, '')` : name);
  switch (dim) {
    case 'user':
      return col('user_id');
    case 'agent':
      return col('agent_name');
    case 'group':
      return col('group_name');
    case 'model':
      return `COALESCE(${col('request_model')}, ${col('response_model')})`;
    case 'provider':
      return col('provider');
    case 'service':
      return col('service_name');
    case 'session':
      return col('session_id');
    case 'conversation':
      return col('conversation_id');
    case 'operation':
      return col('operation');
    case 'trace':
      return col('trace_id');
  }
}

/** The SQL ranking expression for `top()`; one of the summed measure columns. */
export function metricColumn(metric: TopMetric): string {
  switch (metric) {
    case 'costUsd':
      return 'cost_usd';
    case 'totalTokens':
      return 'total_tokens';
    case 'inputTokens':
      return 'input_tokens';
    case 'outputTokens':
      return 'output_tokens';
    case 'requests':
      return 'requests';
  }
}

/** Drivers return sums as numbers, bigint strings (pg) or null (no rows): always a number. */
function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

/** A result row's measure columns as AggregateMeasures. */
export function rowToMeasures(row: Record<string, unknown>): AggregateMeasures {
  const v = MEASURE_COLUMNS.map((col) => num(row[col]));
  const requests = v[0] as number;
  const unpriced = v[9] as number;
  const histogram = v.slice(v.length - HISTOGRAM_BUCKETS);
  return {
    requests,
    failures: v[1] as number,
    inputTokens: v[2] as number,
    outputTokens: v[3] as number,
    totalTokens: v[4] as number,
    cacheReadTokens: v[5] as number,
    cacheWriteTokens: v[6] as number,
    reasoningTokens: v[7] as number,
    costUsd: requests > unpriced ? (v[8] as number) : null,
    unpricedRequests: unpriced,
    avgDurationMs: requests > 0 ? (v[10] as number) / requests : null,
    p95DurationMs: estimateQuantile(histogram, 0.95),
  };
}

/** Bucket values as ISO-8601 strings from either driver (pg: Date, SQLite: text). */
export function bucketValue(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

/** Group keys: '' from a rollup and NULL from the raw table both mean "not set". */
export function keyValue(value: unknown): string | null {
  return value === null || value === undefined || value === '' ? null : String(value);
}
