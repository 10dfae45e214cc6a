/**
 * Budget definitions as users write them (in code or in a YAML/JSON file), and what the
 * status API returns. See docs/budgets.md for the file format and semantics.
 */

/** Token kinds a token budget can count; `total` (default) is input + output. */
export const TOKEN_TYPES = ['total', 'input', 'output', 'cache_read', 'cache_write', 'reasoning'] as const;
export type BudgetTokenType = (typeof TOKEN_TYPES)[number];

/** Exactly one of `costUsd`, `tokens`, `requests`. */
export type BudgetLimit =
  | { costUsd: number }
  | { tokens: number; tokenType?: BudgetTokenType }
  | { requests: number };

export const CALENDAR_PERIODS = ['daily', 'weekly', 'monthly', 'yearly'] as const;
export type CalendarPeriod = (typeof CALENDAR_PERIODS)[number];
/** A calendar period, or a rolling window such as `{ rolling: '24h' }` (units m, h, d, w). */
export type BudgetPeriod = CalendarPeriod | { rolling: string };

/** Scope dimensions, in the order they appear in labels and keys. */
export const SCOPE_DIMENSIONS = ['user', 'agent', 'model', 'provider', 'service', 'group'] as const;
export type ScopeDimension = (typeof SCOPE_DIMENSIONS)[number];

/** The literal that gives every distinct value its own copy of the budget. */
export const EACH = 'each';

/**
 * Which calls a budget counts. Every key is optional and they combine with AND. A value
 * is either a fixed string (only that user, model, ...) or `'each'` (one copy per value).
 */
export type BudgetScope = { [D in ScopeDimension]?: string } & { tags?: Record<string, string> };

export interface BudgetDefinition {
  /** Unique; becomes the `budget` label. Letters, digits, `.`, `_`, `-`. */
  name: string;
  limit: BudgetLimit;
  period: BudgetPeriod;
  /** IANA time zone of calendar periods (e.g. `Europe/Berlin`). Default `UTC` (or the file's `timeZone`). */
  timeZone?: string;
  scope?: BudgetScope;
  /** Warning thresholds as fractions of the limit, each in (0, 1]. Default `[0.8]`. */
  warnAt?: number[];
  /** `hard` blocks calls in-process once exhausted; `soft` (default) only reports and alerts. */
  enforce?: 'hard' | 'soft';
  description?: string;
}

/** The file: `{ timeZone?, budgets: [...] }` (YAML or JSON). */
export interface BudgetsFile {
  /** Default time zone for every budget that does not set its own. */
  timeZone?: string;
  budgets: BudgetDefinition[];
}

export type BudgetMetric = 'cost' | 'tokens' | 'requests';

/** One budget's state for one scope (one user, for `each` budgets) in the current period. */
export interface BudgetStatus {
  budget: string;
  metric: BudgetMetric;
  /** `daily`, `weekly`, `monthly`, `yearly` or `rolling:<window>`. */
  period: string;
  enforce: 'hard' | 'soft';
  /** The scope this copy applies to: fixed values and, for `each` dimensions, this copy's value. */
  scope: Record<string, string>;
  limit: number;
  /** Recorded use in the period (USD, tokens or requests). */
  used: number;
  /** Estimated use of calls in flight (reservations), when reservation is on. */
  reserved: number;
  /** `max(0, limit - used - reserved)`. */
  remaining: number;
  /** `used / limit`. */
  utilization: number;
  exceeded: boolean;
  /** Thresholds (the `warnAt` fractions, and 1) at or below the utilization. */
  crossed: number[];
  /** Start of the current period (rolling: now minus the window). */
  periodStart: Date;
  /** When the period ends and use starts again from zero; undefined for rolling windows. */
  resetsAt: Date | undefined;
  /** Use at the end of the period if the rate since its start continues; undefined for rolling windows. */
  projected: number | undefined;
  /** When usage from the store was last merged in; undefined before the first sync. */
  syncedAt: Date | undefined;
}

/** Emitted once per period (rolling: once per crossing) when a bucket reaches a threshold. */
export interface ThresholdEvent {
  /** The fraction crossed; `1` means the budget is exhausted. */
  threshold: number;
  status: BudgetStatus;
}
