import type { Dialect, Params } from './dialect.js';
import { StoreQueryError, show } from './errors.js';
import {
  GROUP_BY_DIMENSIONS,
  TIME_BUCKETS,
  TOP_METRICS,
  type GroupByDimension,
  type TimeBucket,
  type TopMetric,
  type UsageFilter,
} from './usage-store.js';

/** Exact-match filter keys and the column each one reads. */
export const EQUALITY_COLUMNS = {
  userId: 'user_id',
  agentName: 'agent_name',
  group: 'group_name',
  provider: 'provider',
  serviceName: 'service_name',
  sessionId: 'session_id',
  conversationId: 'conversation_id',
  traceId: 'trace_id',
  serviceTier: 'service_tier',
  tenant: 'tenant',
} as const;
type EqualityKey = keyof typeof EQUALITY_COLUMNS;

export const FILTER_KEYS = [
  ...(Object.keys(EQUALITY_COLUMNS) as EqualityKey[]),
  'model',
  'success',
  'from',
  'to',
  'date',
  'tags',
  'limit',
  'offset',
  'order',
] as const;

/** A validated filter: dates parsed, tags split, everything else checked for type. */
export interface NormalizedFilter extends Partial<Record<EqualityKey, string>> {
  model?: string;
  success?: boolean;
  from?: Date;
  to?: Date;
  tags: Array<[string, string]>;
  limit?: number;
  offset?: number;
  order?: 'asc' | 'desc';
}

/**
 * Validates a filter. `extraKeys` are the query options the caller reads itself
 * (`groupBy`, `bucket`, `by`, `metric`); any other unknown key is an error.
 * @throws StoreQueryError naming the key, the value and the valid choices.
 */
export function normalizeFilter(input: unknown, extraKeys: readonly string[] = []): NormalizedFilter {
  if (input === undefined || input === null) return { tags: [] };
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new StoreQueryError(`filter must be an object, got ${show(input)}`, 'filter', input);
  }
  const valid = [...FILTER_KEYS, ...extraKeys];
  const raw = input as Record<string, unknown>;
  const out: NormalizedFilter = { tags: [] };
  for (const [key, value] of Object.entries(raw)) {
    if (!valid.includes(key)) {
      throw new StoreQueryError(`unknown filter key ${show(key)}; valid keys: ${valid.join(', ')}`, key, value, valid);
    }
    if (value === undefined || extraKeys.includes(key)) continue;
    if (key in EQUALITY_COLUMNS || key === 'model') {
      out[key as EqualityKey | 'model'] = nonEmptyString(key, value);
    } else if (key === 'success') {
      if (typeof value !== 'boolean') throw new StoreQueryError(`success must be true or false, got ${show(value)}`, key, value, ['true', 'false']);
      out.success = value;
    } else if (key === 'from' || key === 'to') {
      out[key] = parseInstant(key, value);
    } else if (key === 'tags') {
      out.tags = parseTags(value);
    } else if (key === 'limit' || key === 'offset') {
      out[key] = nonNegativeInteger(key, value, key === 'limit' ? 1 : 0);
    } else if (key === 'order') {
      out.order = oneOf(key, value, ['asc', 'desc'] as const);
    }
  }
  if (raw['date'] !== undefined) applyDate(out, raw['date']);
  if (out.from && out.to && out.from.getTime() > out.to.getTime()) {
    throw new StoreQueryError(`from (${show(out.from)}) is after to (${show(out.to)})`, 'from', out.from);
  }
  return out;
}

/** True when the filter narrows the records at all (paging keys do not count). */
export function hasCriteria(filter: NormalizedFilter): boolean {
  return Object.entries(filter).some(
    ([key, value]) => value !== undefined && !['limit', 'offset', 'order', 'tags'].includes(key),
  ) || filter.tags.length > 0;
}

/**
 * The WHERE clause (with its leading `WHERE`, or '') for a filter; values go to `params`.
 * The same columns exist in the records table and in the rollups (as '' for null, which a
 * non-empty filter value never equals), so one builder serves both.
 */
export function buildWhere(filter: NormalizedFilter, dialect: Dialect, params: Params, timeColumn = 'recorded_at'): string {
  const conditions: string[] = [];
  for (const key of Object.keys(EQUALITY_COLUMNS) as EqualityKey[]) {
    const value = filter[key];
    if (value !== undefined) conditions.push(`${EQUALITY_COLUMNS[key]} = ${params.add(value)}`);
  }
  if (filter.model !== undefined) {
    conditions.push(`(request_model = ${params.add(filter.model)} OR response_model = ${params.add(filter.model)})`);
  }
  if (filter.success !== undefined) conditions.push(`success = ${params.add(dialect.bool(filter.success))}`);
  if (filter.from) conditions.push(`${timeColumn} >= ${params.add(filter.from.toISOString())}`);
  if (filter.to) conditions.push(`${timeColumn} < ${params.add(filter.to.toISOString())}`);
  for (const [key, value] of filter.tags) conditions.push(dialect.tagMatch(params, key, value));
  return conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
}

export function parseGroupBy(value: unknown): GroupByDimension[] {
  if (value === undefined) return [];
  const list = typeof value === 'string' ? value.split(',').map((v) => v.trim()) : value;
  if (!Array.isArray(list)) throw new StoreQueryError(`groupBy must be a dimension or a list of them, got ${show(value)}`, 'groupBy', value, GROUP_BY_DIMENSIONS);
  const dims = list.map((v) => oneOf('groupBy', v, GROUP_BY_DIMENSIONS));
  return [...new Set(dims)];
}

export function parseBucket(value: unknown): TimeBucket | undefined {
  return value === undefined ? undefined : oneOf('bucket', value, TIME_BUCKETS);
}

export function parseMetric(value: unknown): TopMetric {
  return value === undefined ? 'costUsd' : oneOf('metric', value, TOP_METRICS);
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 };

/**
 * `'90d'` → milliseconds. Units: ms, s, m (minutes), h, d, w.
 * @throws StoreQueryError for anything else.
 */
export function parseDuration(key: string, value: unknown): number {
  const match = typeof value === 'string' ? /^(\d+)(ms|s|m|h|d|w)$/.exec(value.trim()) : null;
  if (!match) {
    throw new StoreQueryError(`${key} must be a duration like 90d, 12h, 2w or 30m, got ${show(value)}`, key, value, ['<n>ms', '<n>s', '<n>m', '<n>h', '<n>d', '<n>w']);
  }
  return Number(match[1]) * (DURATION_UNITS_MS[match[2] as string] as number);
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A Date, or an ISO-8601 string: `2025-01-31`, `2025-01-31T09:00`, `...Z`, `...+02:00`.
 * Strings without an offset are UTC (never the machine's local time zone).
 */
export function parseInstant(key: string, value: unknown): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new StoreQueryError(`${key} is an invalid Date`, key, value);
    return value;
  }
  const match = typeof value === 'string' ? INSTANT.exec(value.trim()) : null;
  if (match && validDay(match)) {
    const text = value as string;
    const withZone = match[4] === undefined ? `${text.trim()}T00:00:00Z` : match[7] === undefined ? `${text.trim()}Z` : text.trim();
    const date = new Date(withZone.replace(' ', 'T'));
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new StoreQueryError(`${key} must be an ISO-8601 date or time (e.g. 2025-01-31 or 2025-01-31T09:00:00Z), got ${show(value)}`, key, value);
}

function applyDate(out: NormalizedFilter, value: unknown): void {
  const match = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  if (!match || !validDay(match)) {
    throw new StoreQueryError(`date must be a UTC day YYYY-MM-DD, got ${show(value)}`, 'date', value);
  }
  const start = new Date(`${value as string}T00:00:00.000Z`);
  const end = new Date(start.getTime() + 864e5);
  if (!out.from || out.from < start) out.from = start;
  if (!out.to || out.to > end) out.to = end;
}

function validDay(match: RegExpExecArray): boolean {
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function parseTags(value: unknown): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const fromText = (text: unknown): void => {
    const eq = typeof text === 'string' ? text.indexOf('=') : -1;
    if (eq <= 0) throw new StoreQueryError(`tags must be key=value, got ${show(text)}`, 'tags', text);
    pairs.push([validText('tags', (text as string).slice(0, eq)), validText('tags', (text as string).slice(eq + 1))]);
  };
  if (typeof value === 'string') fromText(value);
  else if (Array.isArray(value)) value.forEach(fromText);
  else if (value !== null && typeof value === 'object') {
    for (const [key, tagValue] of Object.entries(value)) {
      if (key === '' || typeof tagValue !== 'string') {
        throw new StoreQueryError(`tags values must be strings, got ${show(key)}: ${show(tagValue)}`, 'tags', value);
      }
      pairs.push([validText('tags', key), validText('tags', tagValue)]);
    }
  } else throw new StoreQueryError(`tags must be an object of strings or key=value strings, got ${show(value)}`, 'tags', value);
  return pairs;
}

function nonEmptyString(key: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new StoreQueryError(`${key} must be a non-empty string, got ${show(value)}`, key, value);
  return validText(key, value);
}

/**
 * Stored text never holds NUL or unpaired surrogates (see `storableText`), so a filter with
 * them matches nothing; PostgreSQL would even fail on NUL. Say so instead.
 */
function validText(key: string, value: string): string {
  if (/[\u0000\uD800-\uDFFF]/.test(value) && (value.includes('\u0000') || LONE_SURROGATE.test(value))) {
    throw new StoreQueryError(`${key} must be text without NUL (U+0000) or unpaired surrogates, got ${show(value)}`, key, value);
  }
  return value;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function nonNegativeInteger(key: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new StoreQueryError(`${key} must be an integer >= ${min}, got ${show(value)}`, key, value);
  }
  return value;
}

export function oneOf<T extends string>(key: string, value: unknown, valid: readonly T[]): T {
  if (typeof value === 'string' && (valid as readonly string[]).includes(value)) return value as T;
  throw new StoreQueryError(`invalid ${key} ${show(value)}; valid values: ${valid.join(', ')}`, key, value, valid);
}
