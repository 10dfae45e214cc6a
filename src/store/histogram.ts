/**
 * Call durations are summarised as a fixed histogram so that p95 can be answered from the
 * rollup tables without reading raw rows. Bounds (upper, inclusive, in ms) are the GenAI
 * semconv `gen_ai.client.operation.duration` boundaries (10 ms × 2^k) plus a midpoint 1.5×
 * between each pair, extended to 5.5 min: the estimate is within ~±25% of the true value,
 * and the same estimate comes out whichever table answers a query.
 */
export const DURATION_BOUNDS_MS: readonly number[] = (() => {
  const bounds: number[] = [];
  for (let base = 10; base <= 327_680; base *= 2) {
    bounds.push(base);
    if (base < 327_680) bounds.push(base * 1.5);
  }
  return bounds;
})();

/** Number of histogram buckets: one per bound plus the overflow bucket. */
export const HISTOGRAM_BUCKETS = DURATION_BOUNDS_MS.length + 1;

/** Column names of the histogram, `d00` … `d31`. */
export const HISTOGRAM_COLUMNS: readonly string[] = Array.from({ length: HISTOGRAM_BUCKETS }, (_, i) => `d${String(i).padStart(2, '0')}`);

/** Index of the bucket a duration falls in: the first bound >= the duration. */
export function histogramIndex(durationMs: number): number {
  let lo = 0;
  let hi = DURATION_BOUNDS_MS.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (durationMs <= (DURATION_BOUNDS_MS[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * SQL expressions counting rows per bucket, in bucket order. Bounds are constants of this
 * module (never user input), so they are written into the SQL text.
 */
export function histogramCountExprs(column: string): string[] {
  return HISTOGRAM_COLUMNS.map((_, i) => {
    const upper = DURATION_BOUNDS_MS[i];
    const lower = i === 0 ? undefined : DURATION_BOUNDS_MS[i - 1];
    const conds = [lower === undefined ? undefined : `${column} > ${lower}`, upper === undefined ? undefined : `${column} <= ${upper}`].filter(
      (c): c is string => c !== undefined,
    );
    return `SUM(CASE WHEN ${conds.join(' AND ')} THEN 1 ELSE 0 END)`;
  });
}

/**
 * Quantile `q` from bucket counts, interpolated linearly inside the bucket like Prometheus'
 * `histogram_quantile`; a quantile in the overflow bucket reports the highest bound.
 */
export function estimateQuantile(counts: readonly number[], q: number): number | null {
  const total = counts.reduce((sum, c) => sum + c, 0);
  if (total <= 0) return null;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i] as number;
    if (count > 0 && cumulative + count >= rank) {
      const upper = DURATION_BOUNDS_MS[i];
      if (upper === undefined) return DURATION_BOUNDS_MS[DURATION_BOUNDS_MS.length - 1] as number;
      const lower = i === 0 ? 0 : (DURATION_BOUNDS_MS[i - 1] as number);
      return lower + ((upper - lower) * (rank - cumulative)) / count;
    }
    cumulative += count;
  }
  return DURATION_BOUNDS_MS[DURATION_BOUNDS_MS.length - 1] as number;
}
