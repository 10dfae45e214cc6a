import { ConfigError } from '../setup/config-error.js';
import type { BudgetMetric } from './budget-types.js';

/**
 * Thrown by the pre-call check when a hard budget is exhausted: the call is rejected with it
 * and no request is sent. The span is marked `genai_usage.budget.blocked=true` and the call is
 * recorded as failed with `error.type` `BudgetExceededError`.
 */
export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';
  /** Tells the instrumentation to reject the call instead of sending it. */
  readonly blocksCall = true as const;
  readonly budget: string;
  /** The scope of the exhausted copy, e.g. `{ user: 'u-42' }` for a per-user budget. */
  readonly scope: Readonly<Record<string, string>>;
  readonly metric: BudgetMetric;
  readonly limit: number;
  /** Use in the period when the call was checked (including reservations of calls in flight). */
  readonly used: number;
  /** `daily`, `weekly`, `monthly`, `yearly` or `rolling:<window>`. */
  readonly period: string;
  /** When the period resets; undefined for rolling windows (use ages out continuously). */
  readonly resetsAt: Date | undefined;

  constructor(details: {
    budget: string;
    scope: Record<string, string>;
    metric: BudgetMetric;
    limit: number;
    used: number;
    period: string;
    resetsAt: Date | undefined;
  }) {
    const scope = Object.entries(details.scope).map(([k, v]) => `${k}=${v}`).join(', ');
    const reset = details.resetsAt ? `; resets at ${details.resetsAt.toISOString()}` : '';
    super(
      `budget "${details.budget}"${scope ? ` (${scope})` : ''} is exhausted: ${formatAmount(details.metric, details.used)} used of ${formatAmount(details.metric, details.limit)} (${details.period})${reset}`,
    );
    this.budget = details.budget;
    this.scope = Object.freeze({ ...details.scope });
    this.metric = details.metric;
    this.limit = details.limit;
    this.used = details.used;
    this.period = details.period;
    this.resetsAt = details.resetsAt;
  }
}

/**
 * An invalid budget definition. The message names the budget, the field, the bad value and
 * the valid values. A `ConfigError`, so `startUsageTracking` and the CLI report it as bad config.
 */
export class BudgetDefinitionError extends ConfigError {
  override readonly name: string = 'BudgetDefinitionError';
  /** The budget's name (or `budgets[i]` when it has none); undefined for file-level errors. */
  readonly budget: string | undefined;
  /** The field path, e.g. `limit.costUsd`, `scope.user`. */
  readonly field: string | undefined;

  constructor(message: string, budget?: string, field?: string) {
    const where = budget !== undefined ? `budget "${budget}"${field ? `, field ${field}` : ''}: ` : field ? `${field}: ` : '';
    super(`${where}${message}`);
    this.budget = budget;
    this.field = field;
  }
}

/** `$12.50`, `1,200,000 tokens`, `300 requests`. */
export function formatAmount(metric: BudgetMetric, value: number): string {
  if (metric === 'cost') return value >= 1 || value === 0 ? `$${value.toFixed(2)}` : `$${value.toPrecision(3)}`;
  return `${Math.round(value).toLocaleString('en-US')} ${metric}`;
}
