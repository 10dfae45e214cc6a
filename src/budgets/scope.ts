import type { AggregateRow, GroupByDimension, UsageFilter } from '../store/usage-store.js';
import type { UsageRecord } from '../usage/usage-record.js';
import type { BudgetMetric, BudgetTokenType, ScopeDimension } from './budget-types.js';

/** A scope dimension, or `tag.<key>` for a tag. */
export type ScopeKey = ScopeDimension | `tag.${string}`;

export function scopeKeyOf(tag: string): ScopeKey {
  return `tag.${tag}`;
}

/** What a budget can be scoped on, for one call: read from a record, or before the call from its usage context. */
export interface Subject {
  user?: string | undefined;
  agent?: string | undefined;
  /** The request model (else the response model): what `each` groups on, as the store does. */
  model?: string | undefined;
  /** The response model: a fixed `model` scope matches either, as the store filter does. */
  altModel?: string | undefined;
  provider?: string | undefined;
  service?: string | undefined;
  group?: string | undefined;
  tags?: Record<string, string> | undefined;
}

/** Separates the values of `each` dimensions in a bucket key. */
const SEP = '\u0000';

export function subjectOfRecord(record: UsageRecord): Subject {
  return {
    user: record.userId,
    agent: record.agentName,
    model: record.requestModel ?? record.responseModel,
    altModel: record.responseModel,
    provider: record.provider,
    service: record.serviceName,
    group: record.group,
    tags: record.tags,
  };
}

export function valueOf(subject: Subject, key: ScopeKey): string | undefined {
  if (key.startsWith('tag.')) return subject.tags?.[key.slice(4)];
  const value = subject[key as ScopeDimension];
  return value === '' ? undefined : value;
}

/** Whether every fixed scope value matches (a fixed model matches the request or response model). */
export function matchesFixed(fixed: ReadonlyArray<readonly [ScopeKey, string]>, subject: Subject): boolean {
  for (const [key, value] of fixed) {
    if (valueOf(subject, key) === value) continue;
    if (key === 'model' && subject.altModel === value) continue;
    return false;
  }
  return true;
}

/**
 * The bucket key of the `each` dimensions ('' when there are none); undefined when the
 * subject lacks one of them (a call without a user is not under a per-user budget).
 */
export function bucketKey(each: readonly ScopeKey[], subject: Subject): string | undefined {
  if (each.length === 0) return '';
  if (each.length === 1) return valueOf(subject, each[0]!);
  let key = '';
  for (let i = 0; i < each.length; i++) {
    const value = valueOf(subject, each[i]!);
    if (value === undefined) return undefined;
    key = i === 0 ? value : key + SEP + value;
  }
  return key;
}

export function splitBucketKey(each: readonly ScopeKey[], key: string): string[] {
  return each.length <= 1 ? [key] : key.split(SEP);
}

/** A bucket's scope as `{ user: 'u-1', 'tag.feature': 'chat' }`. */
export function scopeOf(fixed: ReadonlyArray<readonly [ScopeKey, string]>, each: readonly ScopeKey[], key: string): Record<string, string> {
  const scope: Record<string, string> = {};
  for (const [k, v] of fixed) scope[k] = v;
  if (each.length) splitBucketKey(each, key).forEach((v, i) => (scope[each[i]!] = v));
  return scope;
}

/** Prometheus label of a scope key: `user`, `model`, ..., `tag_<key>` (non-word characters as `_`). */
export function labelOf(key: string): string {
  return key.startsWith('tag.') ? `tag_${key.slice(4).replace(/[^A-Za-z0-9_]/g, '_')}` : key;
}

const FILTER_KEY: Record<ScopeDimension, keyof UsageFilter> = {
  user: 'userId',
  agent: 'agentName',
  model: 'model',
  provider: 'provider',
  service: 'serviceName',
  group: 'group',
};

/** A store filter selecting the calls of a scope (fixed values plus any `each` values given). */
export function storeFilter(scope: Record<string, string>): UsageFilter {
  const filter: UsageFilter = {};
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(scope)) {
    if (key.startsWith('tag.')) tags[key.slice(4)] = value;
    else (filter as Record<string, unknown>)[FILTER_KEY[key as ScopeDimension]] = value;
  }
  if (Object.keys(tags).length) filter.tags = tags;
  return filter;
}

/** `each` dimensions the store can group on (all but tags). */
export function groupable(each: readonly ScopeKey[]): GroupByDimension[] | undefined {
  return each.every((k) => !k.startsWith('tag.')) ? (each as GroupByDimension[]) : undefined;
}

/** A record's contribution to a budget: USD (unknown price: 0), tokens of the type, or 1 per successful call. */
export function amountOfRecord(record: UsageRecord, metric: BudgetMetric, tokenType: BudgetTokenType): number {
  if (metric === 'cost') return record.costUsd ?? 0;
  if (metric === 'requests') return record.success ? 1 : 0;
  switch (tokenType) {
    case 'total':
      return record.inputTokens + record.outputTokens;
    case 'input':
      return record.inputTokens;
    case 'output':
      return record.outputTokens;
    case 'cache_read':
      return record.cacheReadTokens;
    case 'cache_write':
      return record.cacheWriteTokens;
    case 'reasoning':
      return record.reasoningTokens;
  }
}

/** The same measure from a store aggregate row. */
export function amountOfRow(row: AggregateRow, metric: BudgetMetric, tokenType: BudgetTokenType): number {
  if (metric === 'cost') return row.costUsd ?? 0;
  if (metric === 'requests') return row.requests - row.failures;
  switch (tokenType) {
    case 'total':
      return row.inputTokens + row.outputTokens;
    case 'input':
      return row.inputTokens;
    case 'output':
      return row.outputTokens;
    case 'cache_read':
      return row.cacheReadTokens;
    case 'cache_write':
      return row.cacheWriteTokens;
    case 'reasoning':
      return row.reasoningTokens;
  }
}
