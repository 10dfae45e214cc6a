import { diag } from '@opentelemetry/api';
import { getUsageContext } from '../context/usage-context.js';
import type { PreCallInfo } from '../instrumentations/pre-call-hooks.js';
import { PriceBook } from '../prices/price-book.js';
import type { UsageRecord } from '../usage/usage-record.js';
import { BudgetExceededError } from './budget-errors.js';
import { BudgetIndex } from './budget-index.js';
import { BudgetRuntime } from './budget-runtime.js';
import type { BudgetStatus, ThresholdEvent } from './budget-types.js';
import type { Bucket } from './bucket.js';
import type { Budget } from './parse-budgets.js';
import { Reservations } from './reservations.js';
import { amountOfRecord, bucketKey, matchesFixed, subjectOfRecord, valueOf, type ScopeKey, type Subject } from './scope.js';

export interface ReserveOptions {
  /** Output tokens assumed for a call that sets no maximum. Default 1024. */
  defaultMaxOutputTokens?: number;
  /** A reservation whose call never records is dropped after this long. Default 600 000 (10 min). */
  ttlMs?: number;
}

export interface BudgetTrackerOptions {
  /** `service.name` of this process, for budgets scoped by `service`. */
  serviceName?: string;
  /**
   * Reserve a call's maximum use before it is sent (hard budgets only): cost = max output
   * tokens × the model's output price, tokens = max output tokens, requests = 1. Default off.
   */
  reserve?: boolean | ReserveOptions;
  /** Prices for reservations; default the bundled table. */
  prices?: PriceBook;
  /** Clock, for tests. */
  now?: () => number;
}

const BLOCKED_ERROR_TYPE = 'BudgetExceededError';

export type ThresholdHandler = (event: ThresholdEvent) => void;

/**
 * In-memory budget usage: counts every recorded call into its budget buckets, answers the
 * pre-call check from memory, reports status and announces threshold crossings.
 * Store syncing and gauges are layered on top (store-sync.ts, budget-gauges.ts).
 */
export class BudgetTracker {
  readonly runtimes: readonly BudgetRuntime[];
  readonly #byName = new Map<string, BudgetRuntime>();
  readonly #all: BudgetIndex;
  readonly #hard: BudgetIndex;
  readonly #hardCount: number;
  readonly #handlers: ThresholdHandler[] = [];
  readonly #reservations: Reservations | undefined;
  readonly #defaultMaxOutput: number;
  readonly #prices: PriceBook;
  readonly #costCache = new Map<string, number>();
  readonly #serviceName: string | undefined;
  readonly now: () => number;

  constructor(budgets: readonly Budget[], options: BudgetTrackerOptions = {}) {
    this.runtimes = budgets.map((b) => new BudgetRuntime(b));
    for (const r of this.runtimes) this.#byName.set(r.budget.name, r);
    this.#all = new BudgetIndex(this.runtimes);
    const hard = this.runtimes.filter((r) => r.budget.enforce === 'hard');
    this.#hard = new BudgetIndex(hard);
    this.#hardCount = hard.length;
    const reserve = options.reserve === true ? {} : options.reserve || undefined;
    this.#reservations = reserve ? new Reservations(reserve.ttlMs ?? 600_000) : undefined;
    this.#defaultMaxOutput = reserve?.defaultMaxOutputTokens ?? 1024;
    this.#prices = options.prices ?? new PriceBook();
    this.#serviceName = options.serviceName;
    this.now = options.now ?? Date.now;
  }

  /** Counts a recorded call into every budget it falls under (the processor's sink calls this). */
  record(record: UsageRecord): void {
    const now = this.now();
    const at = record.recordedAt.getTime();
    // A call this check blocked never reserved anything (its record arrives during the check).
    if (record.errorType !== BLOCKED_ERROR_TYPE) this.#reservations?.release(record.provider, record.requestModel);
    const subject = subjectOfRecord(record);
    this.#all.forEachCandidate(subject, (runtime) => {
      const b = runtime.budget;
      if (!matchesFixed(b.fixed, subject)) return;
      const key = bucketKey(b.each, subject);
      if (key === undefined || !runtime.inPeriod(at, now)) return;
      const amount = amountOfRecord(record, b.metric, b.tokenType);
      if (amount <= 0) return;
      const bucket = runtime.bucket(key, now);
      bucket.add(amount, at);
      this.evaluate(runtime, bucket, now);
    });
  }

  /**
   * The pre-call check: throws `BudgetExceededError` when a matching hard budget is
   * exhausted (or, with reservation, when the call's maximum would not fit). The scope comes
   * from the call and the caller's usage context.
   */
  check(info: PreCallInfo, scope?: Subject): void {
    if (this.#hardCount === 0) return;
    const ctx = getUsageContext();
    const subject: Subject = { user: ctx.userId, agent: ctx.agentName, group: ctx.group, tags: ctx.tags, model: info.requestModel, provider: info.provider, service: this.#serviceName };
    if (scope) for (const [k, v] of Object.entries(scope)) if (v !== undefined) (subject as Record<string, unknown>)[k] = v;
    this.checkSubject(subject, info.maxOutputTokens);
  }

  checkSubject(subject: Subject, maxOutputTokens?: number): void {
    const now = this.now();
    const reservations = this.#reservations;
    if (reservations && reservations.size) reservations.expire(now);
    let reserve: Array<[Bucket, number]> | undefined;
    this.#hard.forEachCandidate(subject, (runtime) => {
      const b = runtime.budget;
      if (!matchesFixed(b.fixed, subject)) return;
      const key = bucketKey(b.each, subject);
      if (key === undefined) return;
      const bucket = runtime.bucket(key, now);
      const used = bucket.used(now) + bucket.reserved;
      const amount = reservations ? this.#reservation(b, subject, maxOutputTokens) : 0;
      if (used >= b.limit || (amount > 0 && used + amount > b.limit)) {
        const window = runtime.window(now);
        throw new BudgetExceededError({
          budget: b.name,
          scope: runtime.status(bucket, now).scope,
          metric: b.metric,
          limit: b.limit,
          used,
          period: b.period.label,
          resetsAt: runtime.rolling ? undefined : new Date(window.end),
        });
      }
      if (amount > 0) (reserve ??= []).push([bucket, amount]);
    });
    if (reserve && reservations) reservations.reserve(subject.provider ?? '', subject.model, reserve, now);
  }

  /** Every budget's status; `each` budgets once per copy with use in this period. */
  status(filter: { budget?: string } = {}): BudgetStatus[] {
    const now = this.now();
    const out: BudgetStatus[] = [];
    for (const runtime of filter.budget === undefined ? this.runtimes : [this.#runtime(filter.budget)]) {
      if (runtime.budget.each.length === 0) runtime.bucket('', now);
      else runtime.window(now);
      for (const bucket of runtime.buckets.values()) out.push(runtime.status(bucket, now));
    }
    return out;
  }

  /**
   * One budget's status. For an `each` budget, `scope` picks the copy (e.g. `{ user: 'u-1' }`);
   * missing values come from the current usage context.
   */
  checkBudget(name: string, scope: Record<string, string> = {}): BudgetStatus {
    const runtime = this.#runtime(name);
    const now = this.now();
    const ctx = getUsageContext();
    const subject: Subject = { user: ctx.userId, agent: ctx.agentName, group: ctx.group, tags: { ...ctx.tags }, service: this.#serviceName };
    for (const [k, v] of Object.entries(scope)) {
      if (k.startsWith('tag.')) subject.tags![k.slice(4)] = v;
      else (subject as Record<string, unknown>)[k] = v;
    }
    const key = bucketKey(runtime.budget.each, subject);
    if (key === undefined) {
      const missing = runtime.budget.each.filter((k: ScopeKey) => valueOf(subject, k) === undefined);
      throw new RangeError(`budget "${name}" has one copy per ${missing.join(', ')}: pass checkBudget("${name}", { ${missing.map((m) => `'${m}': ...`).join(', ')} })`);
    }
    return runtime.status(runtime.bucket(key, now), now);
  }

  /** Calls `handler` (after the triggering call has returned) when a bucket reaches a threshold. Returns unsubscribe. */
  onThreshold(handler: ThresholdHandler): () => void {
    this.#handlers.push(handler);
    return () => {
      const i = this.#handlers.indexOf(handler);
      if (i >= 0) this.#handlers.splice(i, 1);
    };
  }

  /** Announces thresholds newly reached (once per period; rolling windows re-arm below the threshold). */
  evaluate(runtime: BudgetRuntime, bucket: Bucket, now: number): void {
    const thresholds = runtime.budget.thresholds;
    const utilization = bucket.used(now) / runtime.budget.limit;
    for (let i = 0; i < thresholds.length; i++) {
      const bit = 1 << i;
      if (utilization >= thresholds[i]!) {
        if (bucket.crossed & bit) continue;
        bucket.crossed |= bit;
        this.#emit(thresholds[i]!, runtime, bucket, now);
      } else if (runtime.rolling) bucket.crossed &= ~bit;
    }
  }

  /** Drops every reservation (shutdown). */
  clearReservations(): void {
    this.#reservations?.clear();
  }

  #reservation(budget: Budget, subject: Subject, maxOutputTokens: number | undefined): number {
    const tokens = maxOutputTokens ?? this.#defaultMaxOutput;
    if (budget.metric === 'requests') return 1;
    if (budget.metric === 'tokens') return budget.tokenType === 'total' || budget.tokenType === 'output' ? tokens : 0;
    if (!subject.model) return 0;
    const key = `${subject.provider}\u0000${subject.model}\u0000${tokens}`;
    let cost = this.#costCache.get(key);
    if (cost === undefined) {
      cost = this.#prices.estimate({ provider: subject.provider, model: subject.model, inputTokens: 0, outputTokens: tokens }).costUsd ?? 0;
      if (this.#costCache.size >= 1000) this.#costCache.clear();
      this.#costCache.set(key, cost);
    }
    return cost;
  }

  #runtime(name: string): BudgetRuntime {
    const runtime = this.#byName.get(name);
    if (!runtime) throw new RangeError(`no budget named "${name}"; budgets: ${[...this.#byName.keys()].join(', ') || '(none)'}`);
    return runtime;
  }

  #emit(threshold: number, runtime: BudgetRuntime, bucket: Bucket, now: number): void {
    if (this.#handlers.length === 0) return;
    const event: ThresholdEvent = { threshold, status: runtime.status(bucket, now) };
    const handlers = this.#handlers.slice();
    setImmediate(() => {
      for (const handler of handlers) {
        try {
          handler(event);
        } catch (err) {
          diag.error('genai-usage: a budget threshold handler failed', err);
        }
      }
    });
  }
}
