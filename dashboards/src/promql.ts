import { KNOWN_METRICS, UnknownMetricError } from './contract.js';

/** One label matcher: `=`, `!=`, `=~` or `!~` against a value (Grafana variables allowed). */
export type Matcher = readonly [label: string, op: '=' | '!=' | '=~' | '!~', value: string];

/** Throws `UnknownMetricError` unless `name` is in the contract or the recording rules. */
export function assertKnownMetric(name: string, known: readonly string[] = KNOWN_METRICS): string {
  if (!known.includes(name)) throw new UnknownMetricError(name, known);
  return name;
}

/** A series selector `name{matchers}`; the only way expressions here name a metric. */
export function sel(metric: string, ...matchers: ReadonlyArray<Matcher | readonly Matcher[]>): string {
  assertKnownMetric(metric);
  const flat = (matchers as Array<Matcher | readonly Matcher[]>).flatMap((m) => (isMatcher(m) ? [m] : [...m]));
  const body = flat.map(([label, op, value]) => `${label}${op}"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(', ');
  return body ? `${metric}{${body}}` : metric;
}

function isMatcher(m: Matcher | readonly Matcher[]): m is Matcher {
  return typeof m[0] === 'string';
}

/** `sum by (labels) (expr)`, or `sum(expr)` with no labels. */
export function sumBy(labels: readonly string[], expr: string): string {
  return labels.length ? `sum by (${labels.join(', ')}) (${expr})` : `sum(${expr})`;
}

export function increase(selector: string, range: string): string {
  return `increase(${selector}[${range}])`;
}

export function rate(selector: string, range: string): string {
  return `rate(${selector}[${range}])`;
}

/** `histogram_quantile(q, sum by (le, labels) (rate(bucket[range])))`. */
export function quantile(q: number, bucketSelector: string, range: string, labels: readonly string[] = []): string {
  return `histogram_quantile(${q}, ${sumBy(['le', ...labels], rate(bucketSelector, range))})`;
}

/** Grafana's range and rate-interval macros, as the panels use them. */
export const RANGE = '$__range';
export const RATE_INTERVAL = '$__rate_interval';
