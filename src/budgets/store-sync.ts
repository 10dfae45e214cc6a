import { diag } from '@opentelemetry/api';
import type { UsageStore } from '../store/usage-store.js';
import type { BudgetRuntime } from './budget-runtime.js';
import type { BudgetTracker } from './budget-tracker.js';
import { amountOfRow, groupable, scopeOf, storeFilter } from './scope.js';

/** Per sync round, at most this many per-copy queries for budgets with `tags: { key: each }`. */
export const MAX_TAG_BUCKET_QUERIES = 500;

/**
 * Seeds budget usage from the store and refreshes it every `intervalMs`, so a restarted
 * process starts from the period's real use and several processes sharing a store converge.
 * One aggregate query per budget per round (grouped by the `each` dimensions); budgets with
 * a per-tag `each` are refreshed per copy this process knows of (the store cannot group by tag).
 * Store failures are logged once per outage and retried on the next round.
 */
export class BudgetStoreSync {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #failing = false;
  /** Resolves after the first round (success or failure). */
  readonly ready: Promise<void>;

  constructor(
    private readonly tracker: BudgetTracker,
    private readonly store: () => Promise<UsageStore>,
    private readonly intervalMs: number,
  ) {
    this.ready = this.syncNow();
    this.#schedule();
  }

  /** Runs a round now (or joins the one running). */
  syncNow(): Promise<void> {
    this.#running ??= this.#round().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => {});
  }

  #schedule(): void {
    if (this.#stopped || !(this.intervalMs > 0)) return;
    this.#timer = setTimeout(() => {
      this.syncNow().finally(() => this.#schedule());
    }, this.intervalMs);
    this.#timer.unref();
  }

  async #round(): Promise<void> {
    try {
      const store = await this.store();
      for (const runtime of this.tracker.runtimes) {
        if (this.#stopped) return;
        await syncRuntime(store, runtime, this.tracker);
      }
      if (this.#failing) diag.info('genai-usage: budget usage syncs from the store again');
      this.#failing = false;
    } catch (err) {
      if (!this.#failing) diag.warn('genai-usage: could not read budget usage from the store; in-memory counts only until it is back', err);
      this.#failing = true;
    }
  }
}

/** Reads one budget's use in its current period from the store and merges it into the buckets. */
export async function syncRuntime(store: UsageStore, runtime: BudgetRuntime, tracker: BudgetTracker): Promise<void> {
  const b = runtime.budget;
  const started = tracker.now();
  const window = runtime.window(started);
  // A calendar period ends on a day (or, in other time zones, an hour) boundary, so the daily
  // and hourly rollups answer; a rolling window ends now and reads the records.
  const range = { from: new Date(window.start), to: new Date(runtime.rolling ? Math.min(window.end, started + 1) : window.end) };
  const fixed = storeFilter(scopeOf(b.fixed, [], ''));
  const totals = new Map<string, number>();
  const dims = groupable(b.each);
  if (dims) {
    const rows = await store.aggregate({ ...fixed, ...range, groupBy: dims });
    for (const row of rows) {
      const values = dims.map((d) => row[d]);
      if (values.some((v) => v === null || v === undefined || v === '')) continue;
      totals.set(values.join('\u0000'), amountOfRow(row, b.metric, b.tokenType));
    }
  } else {
    const keys = [...runtime.buckets.keys()].slice(0, MAX_TAG_BUCKET_QUERIES);
    for (const key of keys) {
      const [row] = await store.aggregate({ ...storeFilter(scopeOf(b.fixed, b.each, key)), ...range });
      totals.set(key, row ? amountOfRow(row, b.metric, b.tokenType) : 0);
    }
  }
  const now = tracker.now();
  // The period rolled over while the query ran: its totals belong to the old period.
  if (!runtime.rolling && runtime.window(now).start !== window.start) return;
  if (b.each.length === 0) totals.set('', totals.get('') ?? 0);
  for (const [key, total] of totals) {
    const bucket = runtime.bucket(key, now);
    bucket.sync(total, now);
    tracker.evaluate(runtime, bucket, now);
  }
  for (const [key, bucket] of runtime.buckets) if (!totals.has(key) && dims) bucket.sync(0, now);
}
