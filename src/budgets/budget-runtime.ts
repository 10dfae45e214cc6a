import type { BudgetStatus } from './budget-types.js';
import { Bucket } from './bucket.js';
import type { Budget } from './parse-budgets.js';
import { periodWindow, type PeriodWindow } from './periods.js';
import { scopeOf } from './scope.js';

/** A budget with its buckets (one per `each` value combination; key '' otherwise) for the current period. */
export class BudgetRuntime {
  readonly buckets = new Map<string, Bucket>();
  /** Calendar periods: the current period; rolling windows: unused. */
  #window: PeriodWindow = { start: 0, end: 0 };
  readonly #rolling: { windowMs: number } | undefined;

  constructor(readonly budget: Budget) {
    this.#rolling = budget.period.kind === 'rolling' ? { windowMs: budget.period.windowMs } : undefined;
  }

  get rolling(): boolean {
    return this.#rolling !== undefined;
  }

  /** The current period at `now`; a calendar budget that entered a new period starts from zero. */
  window(now: number): PeriodWindow {
    if (this.#rolling) return { start: now - this.#rolling.windowMs, end: now + 1 };
    if (now >= this.#window.end || now < this.#window.start) {
      const next = periodWindow(this.budget.period, now);
      // A clock stepping back by less than a period keeps the period (and its counts).
      if (next.start > this.#window.start || this.#window.end === 0) {
        this.#window = next;
        this.buckets.clear();
      }
    }
    return this.#window;
  }

  /** Whether use recorded at `at` belongs to the current period. */
  inPeriod(at: number, now: number): boolean {
    if (this.#rolling) return at > now - this.#rolling.windowMs;
    const window = this.window(Math.max(now, at));
    return at >= window.start && at < window.end;
  }

  bucket(key: string, now: number): Bucket {
    if (!this.#rolling) this.window(now);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new Bucket(key, this.#rolling);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  status(bucket: Bucket, now: number): BudgetStatus {
    const b = this.budget;
    const window = this.window(now);
    const used = bucket.used(now);
    const utilization = used / b.limit;
    return {
      budget: b.name,
      metric: b.metric,
      period: b.period.label,
      enforce: b.enforce,
      scope: scopeOf(b.fixed, b.each, bucket.key),
      limit: b.limit,
      used,
      reserved: bucket.reserved,
      remaining: Math.max(0, b.limit - used - bucket.reserved),
      utilization,
      exceeded: used >= b.limit,
      crossed: b.thresholds.filter((t) => utilization >= t),
      periodStart: new Date(window.start),
      resetsAt: this.#rolling ? undefined : new Date(window.end),
      projected: this.#rolling ? undefined : project(used, window, now),
      syncedAt: bucket.syncedAt === undefined ? undefined : new Date(bucket.syncedAt),
    };
  }
}

/** Linear projection to the end of the period from the rate since its start. */
function project(used: number, window: PeriodWindow, now: number): number {
  const elapsed = now - window.start;
  if (elapsed <= 0 || used === 0) return used;
  return (used * (window.end - window.start)) / elapsed;
}
