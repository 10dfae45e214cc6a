import { PriceBook } from '../prices/price-book.js';
import type { TokenPrices } from '../prices/price-types.js';
import type { BudgetDefinition, BudgetsFile } from './budget-types.js';
// The budgets runtime (parser, trackers, store sync, gauges) loads only when budgets are configured.
import { createBudgets } from './budgets-api.js';
import type { Budgets } from './create-budgets.js';

/** What `startUsageTracking({ budgets })` accepts. */
export type BudgetsOption = readonly BudgetDefinition[] | BudgetsFile | string | Budgets;

export interface WireBudgetsContext {
  /** The resolved store URL (or false): budgets seed from it and refresh from it. */
  store: string | false;
  serviceName: string | undefined;
  /** The resolved price overrides (for reservations). */
  prices?: Record<string, TokenPrices>;
  env?: NodeJS.ProcessEnv;
}

/**
 * The `budgets` option of `startUsageTracking`: definitions, a file path, or budgets made
 * with `createBudgets` (for options such as `reserve`); else env `GENAI_USAGE_BUDGETS`
 * (a YAML/JSON file). Returns undefined when no budgets are configured. Throws
 * `BudgetDefinitionError` (a `ConfigError`) on an invalid definition.
 *
 * Integration: add `budgets.sink` to the processor's sinks, call `budgets.install()` after
 * the SDK has started (the gauges need the registered meter provider), and shutdown runs
 * through the sink when the processor shuts down.
 */
export function wireBudgets(option: BudgetsOption | undefined, ctx: WireBudgetsContext): Budgets | undefined {
  if (isBudgets(option)) return option;
  const source = option ?? (ctx.env ?? process.env)['GENAI_USAGE_BUDGETS'];
  if (source === undefined || source === '') return undefined;
  // An in-memory SQLite store is private to its connection: there is nothing to sync from.
  const store = ctx.store && !/^sqlite::memory:/i.test(ctx.store) ? ctx.store : false;
  return createBudgets(source, { store, serviceName: ctx.serviceName, prices: new PriceBook(ctx.prices ?? {}) });
}

function isBudgets(value: unknown): value is Budgets {
  return typeof value === 'object' && value !== null && typeof (value as Budgets).install === 'function' && typeof (value as Budgets).sink === 'object';
}
