import { parseDuration } from '../store/filter.js';
import type { UsageFilter } from '../store/usage-store.js';
import { HttpError } from './http-util.js';

/** Query parameter → filter key. The names match the CLI's filter flags. */
const FILTER_PARAMS: Record<string, keyof UsageFilter> = {
  user: 'userId',
  agent: 'agentName',
  group: 'group',
  model: 'model',
  provider: 'provider',
  service: 'serviceName',
  session: 'sessionId',
  conversation: 'conversationId',
  trace: 'traceId',
  tier: 'serviceTier',
  success: 'success',
  from: 'from',
  to: 'to',
  date: 'date',
  tag: 'tags',
  order: 'order',
};

const PARAM_OF: Record<string, string> = Object.fromEntries([
  ...Object.entries(FILTER_PARAMS).map(([param, key]) => [key, param]),
  ['limit', 'limit'],
  ['offset', 'offset'],
  ['groupBy', 'groupBy'],
  ['bucket', 'bucket'],
  ['by', 'by'],
  ['metric', 'metric'],
]);

/** The query parameter behind a store filter key (for 400s raised by the store). */
export function paramOf(filterKey: string): string | undefined {
  return PARAM_OF[filterKey];
}

export interface PageSpec {
  /** Default page size and the largest one allowed. */
  defaultLimit: number;
  maxLimit: number;
}

export interface ParsedQuery {
  filter: UsageFilter;
  limit: number;
  offset: number;
  /** Route-specific parameters (groupBy, bucket, by, metric), validated by the store. */
  extra: Record<string, string>;
}

/**
 * Validates the query string: unknown or repeated parameters, bad booleans, numbers and
 * times are a 400 naming the parameter. `from`/`to` take ISO-8601 or a duration ago (`7d`).
 */
export function parseQuery(url: URL, page: PageSpec, extraParams: readonly string[] = []): ParsedQuery {
  const valid = [...Object.keys(FILTER_PARAMS), 'limit', 'offset', ...extraParams];
  const filter: UsageFilter = {};
  const extra: Record<string, string> = {};
  let limit = page.defaultLimit;
  let offset = 0;
  for (const name of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(name);
    if (!valid.includes(name)) throw bad(name, `unknown query parameter ${JSON.stringify(name)}; valid: ${valid.join(', ')}`);
    if (name !== 'tag' && values.length > 1) throw bad(name, `${name} may be given once`);
    const value = values[0] as string;
    if (name === 'tag') filter.tags = values;
    else if (name === 'limit') limit = integer(name, value, 1, page.maxLimit);
    else if (name === 'offset') offset = integer(name, value, 0, Number.MAX_SAFE_INTEGER);
    else if (name === 'success') filter.success = choice(name, value, ['true', 'false']) === 'true';
    else if (name === 'order') filter.order = choice(name, value, ['asc', 'desc']) as 'asc' | 'desc';
    else if (name === 'from' || name === 'to') filter[name] = instantOrAgo(name, value);
    else if (name in FILTER_PARAMS) {
      if (value === '') throw bad(name, `${name} must not be empty`);
      (filter as Record<string, unknown>)[FILTER_PARAMS[name] as string] = value;
    } else extra[name] = value;
  }
  return { filter, limit, offset, extra };
}

function instantOrAgo(name: string, value: string): Date | string {
  if (!/^\d+(ms|s|m|h|d|w)$/.test(value.trim())) return value;
  return new Date(Date.now() - parseDuration(name, value));
}

function integer(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) throw bad(name, `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

function choice(name: string, value: string, valid: readonly string[]): string {
  if (valid.includes(value)) return value;
  throw bad(name, `invalid ${name} ${JSON.stringify(value)}; valid values: ${valid.join(', ')}`);
}

function bad(parameter: string, message: string): HttpError {
  return new HttpError(400, message, {}, parameter);
}
