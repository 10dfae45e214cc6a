import type { UsageRecord } from '../usage/usage-record.js';
import type { Dialect } from './dialect.js';
import { HISTOGRAM_COLUMNS, histogramCountExprs, histogramIndex } from './histogram.js';

/**
 * The summed columns every rollup holds, in one list: how each is summed over raw records
 * (SQL) and what one record adds (the insert path). Both must agree: what the records table
 * stores is what the rollup sums.
 */
export interface MeasureColumn {
  readonly column: string;
  /** A USD or millisecond sum (float); counts are integers. */
  readonly real: boolean;
  /** The migration that added the column; undefined for the columns of migration 2. */
  readonly since?: number;
  /** The sum over raw records, as SQL. */
  raw(dialect: Dialect): string;
}

const sum = (column: string, since?: number): MeasureColumn => ({
  column,
  real: false,
  ...(since === undefined ? {} : { since }),
  raw: () => `SUM(${column})`,
});
const realSum = (column: string, since?: number): MeasureColumn => ({
  column,
  real: true,
  ...(since === undefined ? {} : { since }),
  // Unknown amounts are NULL in the records; the rollup sums the known ones.
  raw: () => `COALESCE(SUM(${column}), 0)`,
});
const histogramExprs = histogramCountExprs('duration_ms');

/** In the order of the `values` arrays of rollup deltas. */
export const MEASURES: readonly MeasureColumn[] = [
  { column: 'requests', real: false, raw: () => 'COUNT(*)' },
  { column: 'failures', real: false, raw: (d) => `SUM(CASE WHEN ${d.isTrue('success')} THEN 0 ELSE 1 END)` },
  sum('input_tokens'),
  sum('output_tokens'),
  sum('total_tokens'),
  sum('cache_read_tokens'),
  sum('cache_write_tokens'),
  sum('reasoning_tokens'),
  realSum('cost_usd'),
  { column: 'unpriced_requests', real: false, raw: () => 'SUM(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END)' },
  { column: 'duration_ms_sum', real: true, raw: () => 'SUM(duration_ms)' },
  ...HISTOGRAM_COLUMNS.map((column, i): MeasureColumn => ({ column, real: false, raw: () => histogramExprs[i] as string })),
  // Migration 4: billed dimensions beyond input/output, and what caching saved.
  sum('cache_write_1h_tokens', 4),
  sum('audio_input_tokens', 4),
  sum('audio_output_tokens', 4),
  sum('image_input_tokens', 4),
  sum('image_output_tokens', 4),
  sum('web_search_requests', 4),
  realSum('cache_read_savings_usd', 4),
  realSum('cache_write_premium_usd', 4),
];

export const MEASURE_COLUMNS: readonly string[] = MEASURES.map((m) => m.column);

/** The measure columns as a migration left them. */
export function measuresAt(version: number): readonly MeasureColumn[] {
  return MEASURES.filter((m) => (m.since ?? 2) <= version);
}

const index = (column: string): number => MEASURE_COLUMNS.indexOf(column);
const HISTOGRAM_START = index('d00');
const SCALARS: ReadonlyArray<[number, (r: UsageRecord) => number]> = [
  [index('input_tokens'), (r) => int(r.inputTokens)],
  [index('output_tokens'), (r) => int(r.outputTokens)],
  [index('total_tokens'), (r) => int(r.totalTokens)],
  [index('cache_read_tokens'), (r) => int(r.cacheReadTokens)],
  [index('cache_write_tokens'), (r) => int(r.cacheWriteTokens)],
  [index('reasoning_tokens'), (r) => int(r.reasoningTokens)],
  [index('cache_write_1h_tokens'), (r) => int(r.cacheWrite1hTokens)],
  [index('audio_input_tokens'), (r) => int(r.audioInputTokens)],
  [index('audio_output_tokens'), (r) => int(r.audioOutputTokens)],
  [index('image_input_tokens'), (r) => int(r.imageInputTokens)],
  [index('image_output_tokens'), (r) => int(r.imageOutputTokens)],
  [index('web_search_requests'), (r) => int(r.webSearchRequests)],
  [index('cache_read_savings_usd'), (r) => usd(r.cacheReadSavingsUsd)],
  [index('cache_write_premium_usd'), (r) => usd(r.cacheWritePremiumUsd)],
];
const REQUESTS = index('requests');
const FAILURES = index('failures');
const COST = index('cost_usd');
const UNPRICED = index('unpriced_requests');
const DURATION = index('duration_ms_sum');

/** Adds one record to a rollup row's values (MEASURE_COLUMNS order). */
export function addRecordMeasures(values: number[], record: UsageRecord): void {
  const known = typeof record.costUsd === 'number' && Number.isFinite(record.costUsd);
  const duration = Number.isFinite(record.durationMs) ? record.durationMs : 0;
  values[REQUESTS]! += 1;
  values[FAILURES]! += record.success ? 0 : 1;
  values[COST]! += known ? (record.costUsd as number) : 0;
  values[UNPRICED]! += known ? 0 : 1;
  values[DURATION]! += duration;
  values[HISTOGRAM_START + histogramIndex(duration)]! += 1;
  for (const [i, of] of SCALARS) values[i]! += of(record);
}

// Mirrors recordToValues: what the records table stores is what the rollup sums.
function int(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : 0;
}

function usd(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

if (SCALARS.some(([i]) => i < 0) || MEASURES.length !== 11 + HISTOGRAM_COLUMNS.length + 8) throw new Error('rollup measure columns out of sync');
