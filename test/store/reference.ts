// Generated records and an independent, plain-JS computation of what the store must answer.
import type { UsageRecord } from '../../src/usage/usage-record.js';
import type { GroupByDimension, TimeBucket, TopMetric } from '../../src/store/usage-store.js';

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const START = Date.UTC(2025, 0, 27, 22, 0, 0); // a Monday, late evening: buckets cross days and weeks
const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;

/** `count` varied records over ~5 weeks: nulls, failures, unknown costs, tags, spread durations. */
export function generateRecords(count: number, seed = 42): UsageRecord[] {
  const rand = mulberry32(seed);
  // The dimensions of migration 4 draw from their own sequence, so the older fields keep their values.
  const rand4 = mulberry32(seed + 7_777);
  const records: UsageRecord[] = [];
  for (let i = 0; i < count; i++) {
    const requestModel = pick(rand, ['gpt-4o-mini', 'claude-sonnet-4-5', 'gemini-2.5-flash', undefined]);
    const success = rand() > 0.1;
    const input = Math.floor(rand() * 5000);
    const output = Math.floor(rand() * 1500);
    const cacheRead = Math.floor(rand() * input * 0.5);
    // Four calls per trace (an agent run); ids stay unique through the span id.
    const traceId = (Math.floor(i / 4) * 7919 + 1).toString(16).padStart(32, '0');
    const spanId = (i + 1).toString(16).padStart(16, '0');
    const tags: Record<string, string> = {};
    if (rand() < 0.5) tags['feature'] = pick(rand, ['chat', 'search', 'summary']);
    if (rand() < 0.3) tags['tier'] = pick(rand, ['free', 'pro']);
    const offset = Math.floor(rand() * 35 * 864e5);
    records.push({
      id: `${traceId}-${spanId}`,
      traceId,
      spanId,
      // Millisecond offsets so some records fall exactly on hour boundaries and most do not.
      recordedAt: new Date(START + offset - (i % 17 === 0 ? offset % 36e5 : 0)),
      durationMs: rand() < 0.05 ? rand() * 9 : Math.exp(rand() * 11.5) + 5,
      serviceName: pick(rand, ['support-bot', 'batch', undefined]),
      provider: requestModel?.startsWith('claude') ? 'anthropic' : requestModel?.startsWith('gemini') ? 'gcp.gemini' : 'openai',
      operation: pick(rand, ['chat', 'chat', 'embeddings']),
      requestModel,
      responseModel: requestModel === undefined ? pick(rand, ['gpt-4o-2024-08-06', undefined]) : rand() < 0.5 ? `${requestModel}-2025` : requestModel,
      userId: pick(rand, ['u-1', 'u-2', 'u-3', 'u-4', 'u-5', 'u-6', undefined]),
      agentName: pick(rand, ['Triage', 'Billing', undefined]),
      handoffChain: rand() < 0.2 ? 'Triage > Billing' : undefined,
      group: pick(rand, ['team-a', 'team-b', undefined]),
      sessionId: pick(rand, ['s-1', 's-2', 's-3', 's-4', 's-5', 's-6', 's-7', 's-8', undefined]),
      conversationId: pick(rand, ['c-1', 'c-2', 'c-3', undefined]),
      inputTokens: input,
      outputTokens: output,
      totalTokens: input + output,
      cacheReadTokens: cacheRead,
      cacheWriteTokens: rand() < 0.2 ? Math.floor(rand() * 100) : 0,
      reasoningTokens: Math.floor(rand() * output * 0.3),
      costUsd: rand() < 0.15 ? undefined : Math.round(rand() * 1e6) / 1e7,
      costSource: 'table',
      usageEstimated: rand() < 0.1,
      success,
      errorType: success ? undefined : pick(rand, ['RateLimitError', '_OTHER']),
      finishReason: success ? pick(rand, ['stop', 'length']) : undefined,
      streaming: rand() < 0.4,
      timeToFirstTokenMs: rand() < 0.4 ? rand() * 800 : undefined,
      tags,
      ...dimensionsV4(rand4, input, output, cacheRead),
    });
  }
  for (const record of records) {
    if (record.costUsd === undefined) record.costSource = 'unknown';
    record.cacheWrite1hTokens = Math.floor(rand4() * record.cacheWriteTokens);
    if (record.costUsd === undefined) {
      record.cacheReadSavingsUsd = undefined;
      record.cacheWritePremiumUsd = undefined;
      record.priceVersion = undefined;
    } else record.cacheWritePremiumUsd = Math.round(rand4() * record.cacheWriteTokens) / 1e8;
  }
  return records;
}

/** Audio/image parts, web searches, tier, savings: the fields migration 4 added. */
function dimensionsV4(rand: () => number, input: number, output: number, cacheRead: number) {
  const audio = rand() < 0.2;
  return {
    cacheWrite1hTokens: 0,
    audioInputTokens: audio ? Math.floor(rand() * input * 0.5) : 0,
    audioOutputTokens: audio ? Math.floor(rand() * output * 0.5) : 0,
    imageInputTokens: rand() < 0.2 ? Math.floor(rand() * input * 0.3) : 0,
    imageOutputTokens: rand() < 0.05 ? Math.floor(rand() * output) : 0,
    webSearchRequests: rand() < 0.1 ? 1 + Math.floor(rand() * 3) : 0,
    serviceTier: pick(rand, ['default', 'default', 'flex', 'priority', 'batch', undefined]),
    cacheReadSavingsUsd: Math.round(rand() * cacheRead) / 1e7 as number | undefined,
    cacheWritePremiumUsd: 0 as number | undefined,
    priceVersion: pick(rand, ['genai-prices@0.1.8+tiers@2026-11-01', 'override']) as string | undefined,
  };
}

export interface RefFilter {
  userId?: string;
  agentName?: string;
  group?: string;
  model?: string;
  provider?: string;
  serviceName?: string;
  sessionId?: string;
  conversationId?: string;
  traceId?: string;
  serviceTier?: string;
  success?: boolean;
  from?: Date;
  to?: Date;
  tags?: Record<string, string>;
}

export function matches(r: UsageRecord, f: RefFilter): boolean {
  return (
    (f.userId === undefined || r.userId === f.userId) &&
    (f.agentName === undefined || r.agentName === f.agentName) &&
    (f.group === undefined || r.group === f.group) &&
    (f.model === undefined || r.requestModel === f.model || r.responseModel === f.model) &&
    (f.provider === undefined || r.provider === f.provider) &&
    (f.serviceName === undefined || r.serviceName === f.serviceName) &&
    (f.sessionId === undefined || r.sessionId === f.sessionId) &&
    (f.conversationId === undefined || r.conversationId === f.conversationId) &&
    (f.traceId === undefined || r.traceId === f.traceId) &&
    (f.serviceTier === undefined || r.serviceTier === f.serviceTier) &&
    (f.success === undefined || r.success === f.success) &&
    (f.from === undefined || r.recordedAt >= f.from) &&
    (f.to === undefined || r.recordedAt < f.to) &&
    Object.entries(f.tags ?? {}).every(([k, v]) => r.tags[k] === v)
  );
}

export function dimValue(r: UsageRecord, dim: GroupByDimension): string | null {
  const value = {
    user: r.userId,
    agent: r.agentName,
    group: r.group,
    model: r.requestModel ?? r.responseModel,
    provider: r.provider,
    service: r.serviceName,
    session: r.sessionId,
    conversation: r.conversationId,
    operation: r.operation,
    trace: r.traceId,
    rootAgent: r.handoffChain ? r.handoffChain.split(' > ')[0] : r.agentName,
    tier: r.serviceTier,
  }[dim];
  return value ?? null;
}

/** Bucket start by calendar arithmetic (not string slicing, unlike the store). */
export function bucketOf(date: Date, bucket: TimeBucket): string {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  const d = date.getUTCDate();
  switch (bucket) {
    case 'hour':
      return new Date(Date.UTC(y, m, d, date.getUTCHours())).toISOString();
    case 'day':
      return new Date(Date.UTC(y, m, d)).toISOString();
    case 'week': {
      const sinceMonday = (date.getUTCDay() + 6) % 7;
      return new Date(Date.UTC(y, m, d - sinceMonday)).toISOString();
    }
    case 'month':
      return new Date(Date.UTC(y, m, 1)).toISOString();
  }
}

export interface RefRow {
  keys: Record<string, string | null>;
  records: UsageRecord[];
}

export function group(records: readonly UsageRecord[], dims: readonly GroupByDimension[], bucket?: TimeBucket): RefRow[] {
  const rows = new Map<string, RefRow>();
  for (const r of records) {
    const keys: Record<string, string | null> = {};
    if (bucket) keys['bucket'] = bucketOf(r.recordedAt, bucket);
    for (const dim of dims) keys[dim] = dimValue(r, dim);
    const id = JSON.stringify(keys);
    const row = rows.get(id) ?? { keys, records: [] };
    row.records.push(r);
    rows.set(id, row);
  }
  return [...rows.values()];
}

export function sums(records: readonly UsageRecord[]) {
  const sum = (f: (r: UsageRecord) => number): number => records.reduce((s, r) => s + f(r), 0);
  const priced = records.filter((r) => r.costUsd !== undefined);
  const durations = records.map((r) => r.durationMs).sort((a, b) => a - b);
  return {
    requests: records.length,
    failures: records.filter((r) => !r.success).length,
    inputTokens: sum((r) => r.inputTokens),
    outputTokens: sum((r) => r.outputTokens),
    totalTokens: sum((r) => r.totalTokens),
    cacheReadTokens: sum((r) => r.cacheReadTokens),
    cacheWriteTokens: sum((r) => r.cacheWriteTokens),
    reasoningTokens: sum((r) => r.reasoningTokens),
    cacheWrite1hTokens: sum((r) => r.cacheWrite1hTokens),
    audioInputTokens: sum((r) => r.audioInputTokens),
    audioOutputTokens: sum((r) => r.audioOutputTokens),
    imageInputTokens: sum((r) => r.imageInputTokens),
    imageOutputTokens: sum((r) => r.imageOutputTokens),
    webSearchRequests: sum((r) => r.webSearchRequests),
    cacheReadSavingsUsd: sum((r) => r.cacheReadSavingsUsd ?? 0),
    cacheWritePremiumUsd: sum((r) => r.cacheWritePremiumUsd ?? 0),
    costUsd: priced.length === 0 ? null : priced.reduce((s, r) => s + (r.costUsd as number), 0),
    unpricedRequests: records.length - priced.length,
    avgDurationMs: records.length === 0 ? null : sum((r) => r.durationMs) / records.length,
    /** Nearest-rank p95. */
    p95Exact: durations.length === 0 ? null : (durations[Math.ceil(0.95 * durations.length) - 1] as number),
  };
}

export function metricOf(records: readonly UsageRecord[], metric: TopMetric): number {
  const s = sums(records);
  return metric === 'costUsd' ? (s.costUsd ?? 0) : s[metric];
}

/** Ascending, nulls last, code-unit order: the order the store promises. */
export function compareKeys(a: string | null | undefined, b: string | null | undefined): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  return a < b ? -1 : 1;
}
