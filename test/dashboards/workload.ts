/** The known workload the end-to-end test records, and what each panel must show for it. */
import { estimateCost, type ManualUsage } from '../../src/index.js';
import { L } from '../../dashboards/src/contract.js';

/**
 * Several users, agents, models and providers; two failures, two streams, one unpriced model,
 * an embedding, and a dated response model (panels group by the requested model).
 */
export const CALLS: ManualUsage[] = [
  { provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1200, outputTokens: 300, cacheReadTokens: 400, durationMs: 900, userId: 'alice', agentName: 'Triage' },
  { provider: 'openai', model: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06', inputTokens: 5000, outputTokens: 800, cacheReadTokens: 1000, durationMs: 2400, userId: 'alice', agentName: 'Billing' },
  { provider: 'openai', model: 'o3-mini', inputTokens: 2000, outputTokens: 1500, reasoningTokens: 1000, durationMs: 6000, userId: 'bob', agentName: 'Research' },
  { provider: 'anthropic', model: 'claude-haiku-4-5', inputTokens: 3000, outputTokens: 400, cacheReadTokens: 2000, cacheWriteTokens: 500, durationMs: 1500, userId: 'bob', agentName: 'Triage', streaming: true, timeToFirstTokenMs: 350 },
  { provider: 'anthropic', model: 'claude-sonnet-4-5', inputTokens: 8000, outputTokens: 1200, durationMs: 4200, userId: 'carol', agentName: 'Research', streaming: true, timeToFirstTokenMs: 800 },
  { provider: 'openai', model: 'gpt-4o-mini', inputTokens: 50, durationMs: 120, userId: 'carol', agentName: 'Billing', error: 'RateLimitError' },
  { provider: 'openai', model: 'text-embedding-3-small', operation: 'embeddings', inputTokens: 3000, durationMs: 200, userId: 'dave' },
  { provider: 'acme', model: 'acme-llm-1', inputTokens: 700, outputTokens: 100, durationMs: 1000, userId: 'dave', agentName: 'Research' },
  { provider: 'anthropic', model: 'claude-haiku-4-5', inputTokens: 400, durationMs: 300, userId: 'alice', agentName: 'Triage', error: 'OverloadedError' },
];

export const TOKEN_TYPES = ['input', 'output', 'cache_read', 'cache_write', 'reasoning'] as const;

/** One recorded call, as the metrics should count it. */
export interface Call {
  provider: string;
  model: string;
  user?: string;
  agent?: string;
  /** USD from estimateCost; undefined for an unpriced model. */
  cost?: number;
  tokens: Record<(typeof TOKEN_TYPES)[number], number>;
  error?: string;
  durationS: number;
  ttftS?: number;
  unpriced: boolean;
}

export function toCall(u: ManualUsage): Call {
  // Explicit zeros: estimateCost returns NaN for a chat model when outputTokens is omitted
  // (reported to the lead); the recorder passes every count.
  const cost = estimateCost({ provider: u.provider, model: u.model, inputTokens: u.inputTokens ?? 0, outputTokens: u.outputTokens ?? 0, cacheReadTokens: u.cacheReadTokens ?? 0, cacheWriteTokens: u.cacheWriteTokens ?? 0, reasoningTokens: u.reasoningTokens ?? 0 }).costUsd;
  const error = typeof u.error === 'string' ? u.error : undefined;
  return {
    provider: u.provider,
    model: u.model,
    user: u.userId,
    agent: u.agentName,
    cost,
    tokens: { input: u.inputTokens ?? 0, output: u.outputTokens ?? 0, cache_read: u.cacheReadTokens ?? 0, cache_write: u.cacheWriteTokens ?? 0, reasoning: u.reasoningTokens ?? 0 },
    error,
    durationS: (u.durationMs ?? 0) / 1000,
    ttftS: u.streaming && u.timeToFirstTokenMs !== undefined ? u.timeToFirstTokenMs / 1000 : undefined,
    unpriced: cost === undefined && !error,
  };
}

/** Result rows keyed by their labels (`a=x, b=y`, absent and empty labels left out). */
export type Rows = Map<string, number>;

export function rowKey(labels: Record<string, string | undefined>): string {
  return Object.entries(labels)
    .filter(([k, v]) => v !== undefined && v !== '' && k !== '__name__')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

export function group(calls: Call[], labels: (c: Call) => Record<string, string | undefined>, value: (c: Call) => number): Rows {
  const rows: Rows = new Map();
  for (const c of calls) {
    const k = rowKey(labels(c));
    rows.set(k, (rows.get(k) ?? 0) + value(c));
  }
  return rows;
}

export const total = (calls: Call[], value: (c: Call) => number): Rows => group(calls, () => ({}), value);
export const one = (v: number): Rows => new Map([['', v]]);
export const cost = (c: Call) => c.cost ?? 0;
export const count = () => 1;
export const failed = (c: Call) => (c.error ? 1 : 0);
export const sum = (calls: Call[], value: (c: Call) => number) => calls.reduce((s, c) => s + value(c), 0);
export const byModel = (c: Call) => ({ [L.provider]: c.provider, [L.model]: c.model });

export function tokensByType(calls: Call[]): Rows {
  const rows: Rows = new Map();
  for (const t of TOKEN_TYPES) rows.set(rowKey({ [L.tokenType]: t }), sum(calls, (c) => c.tokens[t]));
  return rows;
}
