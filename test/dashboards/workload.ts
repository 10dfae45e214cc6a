/** The known workload the end-to-end test records, and what each panel must show for it. */
import { estimateCost, type BudgetDefinition, type ManualUsage } from '../../src/index.js';
import { L } from '../../dashboards/src/contract.js';

/**
 * Several users, agents, models and providers; two failures, two streams, one unpriced model,
 * an embedding, and a dated response model (panels group by the requested model). Users are
 * in two groups (`group` is no counter label, only a budget scope).
 */
export const CALLS: ManualUsage[] = [
  { provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1200, outputTokens: 300, cacheReadTokens: 400, durationMs: 900, userId: 'alice', group: 'team-a', agentName: 'Triage' },
  { provider: 'openai', model: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06', inputTokens: 5000, outputTokens: 800, cacheReadTokens: 1000, durationMs: 2400, userId: 'alice', group: 'team-a', agentName: 'Billing' },
  { provider: 'openai', model: 'o3-mini', inputTokens: 2000, outputTokens: 1500, reasoningTokens: 1000, durationMs: 6000, userId: 'bob', group: 'team-a', agentName: 'Research' },
  { provider: 'anthropic', model: 'claude-haiku-4-5', inputTokens: 3000, outputTokens: 400, cacheReadTokens: 2000, cacheWriteTokens: 500, durationMs: 1500, userId: 'bob', group: 'team-a', agentName: 'Triage', streaming: true, timeToFirstTokenMs: 350 },
  { provider: 'anthropic', model: 'claude-sonnet-4-5', inputTokens: 8000, outputTokens: 1200, durationMs: 4200, userId: 'carol', group: 'team-b', agentName: 'Research', streaming: true, timeToFirstTokenMs: 800 },
  { provider: 'openai', model: 'gpt-4o-mini', inputTokens: 50, durationMs: 120, userId: 'carol', group: 'team-b', agentName: 'Billing', error: 'RateLimitError' },
  { provider: 'openai', model: 'text-embedding-3-small', operation: 'embeddings', inputTokens: 3000, durationMs: 200, userId: 'dave', group: 'team-b' },
  { provider: 'acme', model: 'acme-llm-1', inputTokens: 700, outputTokens: 100, durationMs: 1000, userId: 'dave', group: 'team-b', agentName: 'Research' },
  { provider: 'anthropic', model: 'claude-haiku-4-5', inputTokens: 400, durationMs: 300, userId: 'alice', group: 'team-a', agentName: 'Triage', error: 'OverloadedError' },
];

/** The job (and `service.name`) the e2e test's app runs as. */
export const JOB = 'dash-test';

/**
 * Soft budgets (nothing is blocked) over the workload recorded twice, one per metric and
 * scope label the Budgets dashboard keys on. Limits are set so that the status differs per
 * copy: at risk (≥ 0.8), exhausted (remaining 0) and comfortable ones. Approximate
 * utilization after both phases in the comments; the test compares with `budgets.status()`.
 */
export const BUDGETS: BudgetDefinition[] = [
  // $0.148 of $0.25: 0.59.
  { name: 'org-monthly', limit: { costUsd: 0.25 }, period: 'monthly', enforce: 'soft', warnAt: [0.8, 0.95] },
  // alice 0.89 (at risk), bob 0.54, carol 1.87 (exhausted), dave 0.003.
  { name: 'per-user-daily', limit: { costUsd: 0.045 }, period: 'daily', scope: { user: 'each' }, enforce: 'soft' },
  // team-a $0.064: 0.64, team-b $0.084: 0.84 (at risk).
  { name: 'team-daily', limit: { costUsd: 0.1 }, period: 'daily', scope: { group: 'each' } },
  // 27 700 openai tokens (input + output) of 50 000: 0.55.
  { name: 'openai-tokens', limit: { tokens: 50_000 }, period: 'weekly', scope: { provider: 'openai', service: JOB }, enforce: 'soft' },
  // successful calls per agent: Research 6 (0.86, at risk), Triage 4, Billing 2.
  { name: 'agent-requests', limit: { requests: 7 }, period: { rolling: '24h' }, scope: { agent: 'each' }, enforce: 'soft' },
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
