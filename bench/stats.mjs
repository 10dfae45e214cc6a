// Small statistics for benchmarks whose samples come in paired runs (each run measures every
// variant once, in a rotated order): medians, and a bootstrap confidence interval of the
// difference of medians that resamples whole runs, so load that hits one run hits both sides.

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** A deterministic PRNG (mulberry32): the same samples give the same interval. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Median of (a[i] - b[i]) over paired runs, with a percentile-bootstrap interval (level 0.95
 * by default, 4,000 resamples of the runs). Paired: a[i] and b[i] come from the same run.
 */
export function pairedDifference(a, b, { level = 0.95, resamples = 4000, seed = 1 } = {}) {
  if (a.length !== b.length || a.length === 0) throw new Error('pairedDifference: samples must be paired and non-empty');
  const diffs = a.map((x, i) => x - b[i]);
  const random = rng(seed);
  const boot = [];
  for (let r = 0; r < resamples; r++) {
    const pick = Array.from({ length: diffs.length }, () => diffs[Math.floor(random() * diffs.length)]);
    boot.push(median(pick));
  }
  boot.sort((x, y) => x - y);
  const lo = boot[Math.floor(((1 - level) / 2) * resamples)];
  const hi = boot[Math.min(resamples - 1, Math.ceil((1 - (1 - level) / 2) * resamples) - 1)];
  return { median: median(diffs), lo, hi, runs: diffs.length };
}

/** `12.3 [10.1, 14.0]` */
export const formatInterval = (d, digits = 1) => `${d.median.toFixed(digits)} [${d.lo.toFixed(digits)}, ${d.hi.toFixed(digits)}]`;

/**
 * A statistic over samples grouped by process (`groups[set][block]`), with a two-level
 * percentile bootstrap: resample the processes, then the blocks within each, so both a
 * process's own bias (JIT, memory layout) and block-to-block noise widen the interval.
 * `stat` maps the pooled resample to a number (default: the median).
 */
export function hierarchicalInterval(groups, { stat = median, level = 0.95, resamples = 4000, seed = 7 } = {}) {
  const flat = groups.flat();
  if (flat.length === 0) throw new Error('hierarchicalInterval: no samples');
  const random = rng(seed);
  const pick = (xs) => xs[Math.floor(random() * xs.length)];
  const boot = [];
  for (let r = 0; r < resamples; r++) {
    const pooled = [];
    for (let g = 0; g < groups.length; g++) {
      const group = pick(groups);
      for (let b = 0; b < group.length; b++) pooled.push(pick(group));
    }
    boot.push(stat(pooled));
  }
  boot.sort((a, b) => a - b);
  return {
    median: stat(flat),
    lo: boot[Math.floor(((1 - level) / 2) * resamples)],
    hi: boot[Math.min(resamples - 1, Math.ceil((1 - (1 - level) / 2) * resamples) - 1)],
    samples: flat.length,
    processes: groups.length,
  };
}
