import { metrics, type MeterProvider } from '@opentelemetry/api';
import { addPreCallHook } from '../instrumentations/pre-call-hooks.js';
import { openStore } from '../store/open-store.js';
import type { UsageStore } from '../store/usage-store.js';
import type { UsageSink } from '../usage/genai-usage-processor.js';
import { registerBudgetGauges } from './budget-gauges.js';
import { BudgetTracker, type BudgetTrackerOptions, type ThresholdHandler } from './budget-tracker.js';
import type { BudgetDefinition, BudgetStatus, BudgetsFile } from './budget-types.js';
import { loadBudgetsFile, parseBudgets, type Budget } from './parse-budgets.js';
import { BudgetStoreSync } from './store-sync.js';
import { DEFAULT_BUDGET_REFRESH_MS } from './budgets-api.js';

export { DEFAULT_BUDGET_REFRESH_MS };

export interface BudgetsOptions extends BudgetTrackerOptions {
  /**
   * The usage store to seed from and refresh from (an open store, or a URL this module
   * opens and closes). Default none: in-memory counts only, starting from zero.
   */
  store?: UsageStore | string | false;
  /** Milliseconds between store syncs. Default 10 000; 0 seeds once and never refreshes. */
  refreshIntervalMs?: number;
  /** Meter provider for the budget gauges, looked up when `install()` runs. Default: the global one. */
  meterProvider?: MeterProvider;
  /** Export the budget gauges on `install()`. Default true. */
  gauges?: boolean;
}

/** A call to check: its provider and model, and scope fields that override the usage context. */
export interface BudgetCheck {
  provider?: string;
  model?: string;
  /** With reservation on: the call's output-token cap. */
  maxOutputTokens?: number;
  user?: string;
  agent?: string;
  group?: string;
  service?: string;
  tags?: Record<string, string>;
}

/** Budgets in force in this process. */
export interface Budgets {
  /** The validated definitions' names, in file order. */
  readonly names: readonly string[];
  /** Resolves once usage has been seeded from the store (at once without a store). */
  readonly ready: Promise<void>;
  /** Counts recorded calls: add it to `GenAiUsageProcessor`'s `sinks` (startUsageTracking does). */
  readonly sink: UsageSink;
  /**
   * The pre-call check, for calls the instrumentations do not see: throws `BudgetExceededError`
   * when a hard budget covering the call is exhausted. Scope fields not given come from the
   * current usage context. (Instrumented calls and `trackCall` are checked by `install()`.)
   */
  check(call: BudgetCheck): void;
  /** Every budget's status; `each` budgets once per copy with use in this period. */
  status(filter?: { budget?: string }): BudgetStatus[];
  /** One budget's status; for an `each` budget `scope` picks the copy, else the current usage context. */
  checkBudget(name: string, scope?: Record<string, string>): BudgetStatus;
  /** Called once per period (rolling: per crossing) when a copy reaches a `warnAt` threshold or 1. Returns unsubscribe. */
  onThreshold(handler: ThresholdHandler): () => void;
  /** Starts enforcement (the pre-call hook) and the gauges. Call after the OpenTelemetry SDK has started. Returns uninstall. */
  install(): () => void;
  /** Syncs from the store now. */
  sync(): Promise<void>;
  /** Uninstalls, stops syncing, closes a store it opened. Runs once. */
  shutdown(): Promise<void>;
}

/**
 * Budgets from definitions in code, a `{ timeZone?, budgets }` object, or a YAML/JSON file
 * path (what `GENAI_USAGE_BUDGETS` names). Throws `BudgetDefinitionError` (a `ConfigError`)
 * naming the budget, the field and the valid values when a definition is invalid.
 */
export function createBudgets(definitions: readonly BudgetDefinition[] | BudgetsFile | string, options: BudgetsOptions = {}): Budgets {
  const parsed: Budget[] = typeof definitions === 'string' ? loadBudgetsFile(definitions) : parseBudgets(definitions);
  const tracker = new BudgetTracker(parsed, options);
  let opened: Promise<UsageStore> | undefined;
  const storeOption = options.store;
  const sync =
    storeOption && parsed.length
      ? new BudgetStoreSync(
          tracker,
          typeof storeOption === 'string'
            ? () => (opened ??= openStore(storeOption).catch((err: unknown) => {
                opened = undefined;
                throw err;
              }))
            : () => Promise.resolve(storeOption),
          options.refreshIntervalMs ?? DEFAULT_BUDGET_REFRESH_MS,
        )
      : undefined;
  const uninstalls = new Set<() => void>();
  let shutdown: Promise<void> | undefined;

  const budgets: Budgets = {
    names: parsed.map((b) => b.name),
    ready: sync?.ready ?? Promise.resolve(),
    sink: {
      write: (record) => tracker.record(record),
      forceFlush: async () => {},
      shutdown: () => budgets.shutdown(),
    },
    check: ({ provider, model, maxOutputTokens, ...scope }) =>
      tracker.check({ provider: provider ?? '', operation: 'chat', requestModel: model, maxOutputTokens }, scope),
    status: (filter) => tracker.status(filter),
    checkBudget: (name, scope) => tracker.checkBudget(name, scope),
    onThreshold: (handler) => tracker.onThreshold(handler),
    install() {
      const removeHook = addPreCallHook((info) => tracker.check(info));
      const removeGauges = options.gauges === false ? () => {} : registerBudgetGauges(tracker, options.meterProvider ?? metrics.getMeterProvider());
      const uninstall = () => {
        removeHook();
        removeGauges();
        uninstalls.delete(uninstall);
      };
      uninstalls.add(uninstall);
      return uninstall;
    },
    sync: () => sync?.syncNow() ?? Promise.resolve(),
    shutdown() {
      shutdown ??= (async () => {
        for (const uninstall of [...uninstalls]) uninstall();
        tracker.clearReservations();
        await sync?.stop();
        if (opened) await (await opened.catch(() => undefined))?.close();
      })();
      return shutdown;
    },
  };
  return budgets;
}
