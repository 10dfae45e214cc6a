/**
 * The exact values the core panels must show for the recorded workload, keyed by dashboard
 * uid and panel title. They are checked on the panel's own query with `increase(x[$__range])`
 * replaced by `x` (the counter since the process started: exact, where increase() over a short
 * window is extrapolated by Prometheus).
 */
import type { BudgetStatus } from '../../src/index.js';
import { L } from '../../dashboards/src/contract.js';
import { byModel, cost, count, failed, group, one, rowKey, sum, tokensByType, total, type Call, type Rows } from './workload.js';

export type Expectation = (calls: Call[]) => Rows;

const priced = (calls: Call[]) => calls.filter((c) => c.cost !== undefined);
const unpriced = (calls: Call[]) => calls.filter((c) => c.unpriced);
const errors = (calls: Call[]) => calls.filter((c) => c.error);
const spend = (calls: Call[]) => total(priced(calls), cost);
const spendByModel = (calls: Call[]) => group(priced(calls), byModel, cost);
const errorsByType = (calls: Call[]) => group(errors(calls), (c) => ({ ...byModel(c), [L.errorType]: c.error }), count);

export const EXACT: Record<string, Record<string, Expectation>> = {
  'genai-usage-spend': {
    'Spend today': spend,
    'Spend this month': spend,
    'Cost per priced request': (c) => one(sum(c, cost) / (c.length - unpriced(c).length)),
    'Unpriced-model calls': (c) => one(unpriced(c).length),
    'Top 10 users by spend': (c) => group(priced(c), (x) => ({ [L.user]: x.user }), cost),
    'Top 10 agents by spend': (c) => group(priced(c), (x) => ({ [L.agent]: x.agent }), cost),
    'Spend by model': spendByModel,
    'Unpriced calls by model': (c) => group(unpriced(c), byModel, count),
  },
  'genai-usage-tokens-traffic': {
    Requests: (c) => one(c.length),
    'Error ratio': (c) => one(errors(c).length / c.length),
    'Cache hit ratio': (c) => one(sum(c, (x) => x.tokens.cache_read) / sum(c, (x) => x.tokens.input)),
    'Mean call duration': (c) => one(sum(c, (x) => x.durationS) / c.length),
    'Mean time to first token': (c) => {
      const streamed = c.filter((x) => x.ttftS !== undefined);
      return one(sum(streamed, (x) => x.ttftS ?? 0) / streamed.length);
    },
    'Tokens by type': tokensByType,
    'Requests by model': (c) => group(c, byModel, count),
    'Errors by type': errorsByType,
  },
  'genai-usage-drilldown': {
    Spend: spend,
    Requests: (c) => one(c.length),
    'Failed requests': (c) => one(sum(c, failed)),
    'Tokens by type': tokensByType,
    'Spend by model': spendByModel,
    'Spend by user and agent': (c) => group(priced(c), (x) => ({ [L.user]: x.user, [L.agent]: x.agent }), cost),
    'Errors by type': errorsByType,
  },
};

/** `increase(sel[$__range])` → `sel`: the raw counter, exact since the series started. */
export function rawCounterQuery(expr: string): string {
  return expr.replace(/increase\(([^()[\]]+)\[\$__range\]\)/g, '$1');
}

/**
 * What the Budgets dashboard must show, from the budgets status API (`budgets.status()`):
 * one row per budget copy, keyed by `budget`, `metric`, `period` and the copy's scope labels
 * (as the gauges label them). `exact`: the values must equal `rows` (zeros included: an
 * exhausted budget has 0 remaining); otherwise the panel must show the same rows, each > 0.
 */
export interface BudgetExpectation { exact: boolean; rows: (statuses: BudgetStatus[]) => Rows }

/** The gauges' label of a scope key: `user`, ..., `tag_<key>` (src/budgets/scope.ts labelOf). */
const scopeLabel = (key: string) => (key.startsWith('tag.') ? `tag_${key.slice(4).replace(/[^A-Za-z0-9_]/g, '_')}` : key);

export function budgetRowKey(s: BudgetStatus): string {
  const scope = Object.fromEntries(Object.entries(s.scope).map(([k, v]) => [scopeLabel(k), v]));
  return rowKey({ ...scope, [L.budget]: s.budget, [L.budgetMetric]: s.metric, [L.period]: s.period });
}

const budgetRows = (statuses: BudgetStatus[], value: (s: BudgetStatus) => number): Rows => {
  const rows: Rows = new Map();
  for (const s of statuses) {
    const k = budgetRowKey(s);
    if (rows.has(k)) throw new Error(`two budget statuses with the same labels: ${k}`);
    rows.set(k, value(s));
  }
  return rows;
};

export const BUDGET_PANELS: Record<string, BudgetExpectation> = {
  'Utilization per budget': { exact: true, rows: (s) => budgetRows(s, (x) => x.utilization) },
  'Budgets at risk (≥ 80 %)': { exact: true, rows: (s) => budgetRows(s.filter((x) => x.utilization >= 0.8), (x) => x.utilization) },
  'Remaining (cost budgets)': { exact: true, rows: (s) => budgetRows(s.filter((x) => x.metric === 'cost'), (x) => x.remaining) },
  'Remaining (token and request budgets)': { exact: true, rows: (s) => budgetRows(s.filter((x) => x.metric !== 'cost'), (x) => x.remaining) },
  'Burn rate (share of budget per hour)': { exact: false, rows: (s) => budgetRows(s, (x) => x.utilization) },
};
