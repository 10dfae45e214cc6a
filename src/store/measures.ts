import type { Dialect } from './dialect.js';
import { HISTOGRAM_COLUMNS, estimateQuantile } from './histogram.js';
import { MEASURES, type MeasureColumn } from './measure-columns.js';
import type { AggregateMeasures, GroupByDimension, TopMetric } from './usage-store.js';

/** Where a query reads from: the raw records or a rollup (whose '' means "not set"). */
export type Source = 'raw' | 'rollup';

/**
 * The measure columns (aliased as MEASURE_COLUMNS) summed over the raw records, in the same
 * shape the rollups store, so both sources go through one row parser.
 */
export function rawMeasureExprs(dialect: Pick<Dialect, 'isTrue'>, measures: readonly MeasureColumn[] = MEASURES): string[] {
  return measures.map((m) => m.raw(dialect as Dialect));
}

/** `expr AS column` for every measure (or the given ones, for a migration), from either source. */
export function measureSelect(source: Source, dialect: Dialect, measures: readonly MeasureColumn[] = MEASURES): string {
  return measures.map((m) => `${source === 'raw' ? m.raw(dialect) : `SUM(${m.column})`} AS ${m.column}`).join(', ');
}

/**
 * The SQL value a groupBy dimension groups on. `model` is the request model, else the
 * response model: what the application asked for, stable across provider version bumps.
 */
export function dimensionExpr(dim: GroupByDimension, source: Source, dialect: Pick<Dialect, 'name'>): string {
  const col = (name: string): string => (source === 'rollup' ? `NULLIF(${name}, '')` : name);
  if (dim === 'model') return `COALESCE(${col('request_model')}, ${col('response_model')})`;
  if (dim === 'rootAgent') return rootAgentExpr(dialect);
  return col(DIMENSION_COLUMNS[dim]);
}

/** The column each one-column groupBy dimension reads, on every engine. */
export const DIMENSION_COLUMNS: Record<Exclude<GroupByDimension, 'model' | 'rootAgent'>, string> = {
  user: 'user_id',
  agent: 'agent_name',
  group: 'group_name',
  provider: 'provider',
  service: 'service_name',
  session: 'session_id',
  conversation: 'conversation_id',
  operation: 'operation',
  trace: 'trace_id',
  tier: 'service_tier',
};

/** The first agent of `handoff_chain` (`Triage > Billing` → `Triage`), else `agent_name`. Records only. */
function rootAgentExpr(dialect: Pick<Dialect, 'name'>): string {
  if (dialect.name === 'postgres') return `COALESCE(split_part(handoff_chain, ' > ', 1), agent_name)`;
  return `CASE WHEN instr(handoff_chain, ' > ') > 0 THEN substr(handoff_chain, 1, instr(handoff_chain, ' > ') - 1) ELSE COALESCE(handoff_chain, agent_name) END`;
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
  const v = (column: string): number => num(row[column]);
  const requests = v('requests');
  const unpriced = v('unpriced_requests');
  return {
    requests,
    failures: v('failures'),
    inputTokens: v('input_tokens'),
    outputTokens: v('output_tokens'),
    totalTokens: v('total_tokens'),
    cacheReadTokens: v('cache_read_tokens'),
    cacheWriteTokens: v('cache_write_tokens'),
    reasoningTokens: v('reasoning_tokens'),
    cacheWrite1hTokens: v('cache_write_1h_tokens'),
    audioInputTokens: v('audio_input_tokens'),
    audioOutputTokens: v('audio_output_tokens'),
    imageInputTokens: v('image_input_tokens'),
    imageOutputTokens: v('image_output_tokens'),
    webSearchRequests: v('web_search_requests'),
    costUsd: requests > unpriced ? v('cost_usd') : null,
    unpricedRequests: unpriced,
    cacheReadSavingsUsd: v('cache_read_savings_usd'),
    cacheWritePremiumUsd: v('cache_write_premium_usd'),
    avgDurationMs: requests > 0 ? v('duration_ms_sum') / requests : null,
    p95DurationMs: estimateQuantile(HISTOGRAM_COLUMNS.map(v), 0.95),
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
