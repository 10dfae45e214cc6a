import { setTimeout as sleep } from 'node:timers/promises';
import { context, diag } from '@opentelemetry/api';
import { suppressTracing } from '../context/suppress-tracing.js';

import type { UsageRecord } from '../usage/usage-record.js';
import { Spool } from './spool.js';
import { USAGE_WRITER_DEFAULTS, type UsageWriterOptions, type UsageWriterStats, type WritableStore } from './usage-writer-options.js';

export { USAGE_WRITER_DEFAULTS, type UsageWriterOptions, type UsageWriterStats };

/**
 * Writes usage records to a store off the hot path. `write()` only enqueues: it never
 * throws and never waits. A background loop writes batches (at `maxBatchSize` or every
 * `flushIntervalMs`, timer unref'd), one at a time, with tracing suppressed so the store's
 * own I/O makes no spans. A failed batch is retried with capped exponential backoff, or
 * with a spool directory moved to disk until the store is back.
 */
export class UsageWriter {
  private readonly opts: Required<Omit<UsageWriterOptions, 'spoolDir' | 'tenant' | 'store'>>;
  private readonly batchSizeGiven: boolean;
  private readonly queueSizeGiven: boolean;
  private readonly spool: Spool | undefined;
  private readonly ownsStore: boolean;
  private store: WritableStore | undefined;
  private queue: Array<UsageRecord | undefined> = [];
  private head = 0;
  private retryBatch: UsageRecord[] | undefined;
  private pumping: Promise<void> | undefined;
  private scheduled = false;
  private backoffMs = 0;
  private backoffUntil = 0;
  private spoolPending: boolean;
  private outage = false;
  private warnedDrop = false;
  private stopped = false;
  /** Set once shutdown has drained: from then on nothing touches the store or the spool. */
  private closed = false;
  private shutdownPromise: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly counters = { written: 0, dropped: 0, retries: 0, spooled: 0, replayed: 0 };
  private lastError: string | undefined;

  constructor(private readonly options: UsageWriterOptions) {
    const positive = (value: number | undefined, fallback: number): number =>
      typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
    const d = USAGE_WRITER_DEFAULTS;
    this.opts = {
      maxQueueSize: positive(options.maxQueueSize, d.maxQueueSize),
      maxBatchSize: positive(options.maxBatchSize, d.maxBatchSize),
      flushIntervalMs: positive(options.flushIntervalMs, d.flushIntervalMs),
      initialBackoffMs: positive(options.initialBackoffMs, d.initialBackoffMs),
      maxBackoffMs: positive(options.maxBackoffMs, d.maxBackoffMs),
    };
    this.batchSizeGiven = this.opts.maxBatchSize === options.maxBatchSize;
    this.queueSizeGiven = this.opts.maxQueueSize === options.maxQueueSize;
    this.ownsStore = typeof options.store === 'function';
    if (!this.ownsStore) this.useStore(options.store as WritableStore);
    this.spool = options.spoolDir ? new Spool(options.spoolDir) : undefined;
    // Replay what an earlier process left behind without waiting for new records.
    this.spoolPending = this.spool !== undefined;
    this.timer = setInterval(() => {
      if (this.depth() > 0 || this.retryBatch || this.spoolPending) this.kick();
    }, this.opts.flushIntervalMs);
    this.timer.unref();
    if (this.spool) this.schedule();
  }

  /** Queues one record. Never throws, never blocks; after shutdown the record is dropped and counted. */
  write(record: UsageRecord): void {
    try {
      if (this.stopped) {
        this.drop(1, 'the writer is shut down');
        return;
      }
      // A record the store can never take would otherwise be retried forever and block the rest.
      if (!storable(record)) {
        this.drop(1, 'a record is not a valid UsageRecord (id, recordedAt)');
        return;
      }
      if (this.depth() >= this.opts.maxQueueSize) {
        this.queue[this.head++] = undefined;
        this.drop(1, `the queue is full (${this.opts.maxQueueSize} records)`);
      }
      this.queue.push(record);
      if (this.depth() >= this.opts.maxBatchSize) this.schedule();
    } catch {
      // Telemetry must never break the host application.
    }
  }

  stats(): UsageWriterStats {
    return { ...this.counters, queueDepth: this.depth() + (this.retryBatch?.length ?? 0), lastError: this.lastError };
  }

  /**
   * Resolves once every queued record is in the store, or in the spool while the store is
   * unavailable, or after `timeoutMs` (default 30 s). Never rejects: see `stats()`.
   */
  async forceFlush(timeoutMs: number = USAGE_WRITER_DEFAULTS.timeoutMs): Promise<void> {
    const deadline = Date.now() + Math.max(0, timeoutMs);
    while (this.depth() > 0 || this.retryBatch || this.pumping) {
      const now = Date.now();
      if (now >= deadline) return;
      if (now < this.backoffUntil && !this.pumping && !this.spool) {
        await sleep(Math.min(this.backoffUntil, deadline) - now);
        continue;
      }
      this.kick();
      await within(this.pumping, deadline - now);
      // With a spool, an outage ends the flush once memory is on disk.
      if (this.spool && Date.now() < this.backoffUntil && this.depth() === 0 && !this.retryBatch) return;
    }
  }

  /**
   * Stops accepting records, drains within `timeoutMs` (default 30 s), spools or counts as
   * dropped whatever is left, and closes the store if the writer opened it. Runs once.
   */
  shutdown(timeoutMs: number = USAGE_WRITER_DEFAULTS.timeoutMs): Promise<void> {
    this.shutdownPromise ??= this.doShutdown(timeoutMs).catch((error: unknown) => diag.warn(`genai-usage: writer shutdown: ${String(error)}`));
    return this.shutdownPromise;
  }

  private async doShutdown(timeoutMs: number): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.forceFlush(timeoutMs);
    this.closed = true;
    const left = [...(this.retryBatch ?? []), ...this.takeBatch(Number.POSITIVE_INFINITY)];
    this.retryBatch = undefined;
    if (left.length > 0) {
      const spooled = this.spool ? await this.spool.append(left).then(() => true, () => false) : false;
      if (spooled) this.counters.spooled += left.length;
      else this.drop(left.length, `the store did not take them within ${timeoutMs} ms`);
    }
    this.spool?.release();
    if (this.ownsStore && this.store) {
      await within(this.pumping, 1000);
      await this.store.close();
    }
  }

  private depth(): number {
    return this.queue.length - this.head;
  }

  private takeBatch(size: number): UsageRecord[] {
    const end = Math.min(this.queue.length, this.head + size);
    const batch = this.queue.slice(this.head, end) as UsageRecord[];
    this.head = end;
    // Reclaim the consumed prefix now and then instead of shifting on every write.
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  private drop(count: number, why: string): void {
    this.counters.dropped += count;
    if (!this.warnedDrop) {
      this.warnedDrop = true;
      diag.warn(`genai-usage: dropping usage records because ${why}; counted in the writer's stats().dropped (logged once)`);
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Deferred so write() returns before any store I/O (better-sqlite3 is synchronous).
    setImmediate(() => {
      this.scheduled = false;
      this.kick(false);
    });
  }

  /** Starts the write loop unless it runs; `drain` also writes a final partial batch. */
  private kick(drain = true): void {
    if (this.pumping || this.closed) return;
    this.pumping = this.pump(drain)
      .catch((error: unknown) => diag.error(`genai-usage: writer loop: ${String(error)}`))
      .finally(() => (this.pumping = undefined));
  }

  /** Writes batches until the queue is empty (or, without `drain`, holds less than a batch) or a write fails. */
  private async pump(drain: boolean): Promise<void> {
    for (;;) {
      if (Date.now() < this.backoffUntil) {
        if (this.spool && this.depth() > 0) await this.spoolQueue();
        return;
      }
      const full = drain || this.depth() >= this.opts.maxBatchSize;
      let batch = this.retryBatch ?? (full ? this.takeBatch(this.opts.maxBatchSize) : []);
      this.retryBatch = undefined;
      if (batch.length === 0 && !this.spoolPending) return;
      try {
        const store = await this.getStore();
        if (batch.length > 0) {
          await this.insert(store, batch);
          this.counters.written += batch.length;
          batch = [];
          this.recovered();
        }
        if (this.spoolPending && this.spool) {
          this.counters.replayed += await this.spool.replay(async (records) => void (await this.insert(store, records)), this.opts.maxBatchSize);
          this.spoolPending = false;
          this.recovered();
        }
      } catch (error) {
        await this.failed(batch, error);
        return;
      }
      // Let the application run between batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private async getStore(): Promise<WritableStore> {
    return this.store ?? this.useStore(await (this.options.store as () => Promise<WritableStore>)());
  }

  private useStore(store: WritableStore): WritableStore {
    this.store = store;
    const d = USAGE_WRITER_DEFAULTS;
    if (store.engine === 'clickhouse') {
      if (!this.queueSizeGiven) this.opts.maxQueueSize = d.maxQueueSizeClickHouse;
      if (!this.batchSizeGiven) this.opts.maxBatchSize = Math.max(1, Math.min(d.maxBatchSizeClickHouse, Math.floor(this.opts.maxQueueSize / 2)));
    } else if (!this.batchSizeGiven && store.engine !== 'sqlite') this.opts.maxBatchSize = d.maxBatchSizePostgres;
    return store;
  }

  private insert(store: WritableStore, records: UsageRecord[]): Promise<number> {
    return context.with(suppressTracing(context.active()), () => store.insert(records, { tenant: this.options.tenant }));
  }

  private recovered(): void {
    if (this.outage) diag.info('genai-usage: the usage store is writable again');
    this.outage = false;
    this.backoffMs = 0;
    this.backoffUntil = 0;
    this.lastError = undefined;
  }

  private async failed(batch: UsageRecord[], error: unknown): Promise<void> {
    this.counters.retries++;
    this.lastError = error instanceof Error ? error.message : String(error);
    this.backoffMs = Math.min(this.opts.maxBackoffMs, this.backoffMs === 0 ? this.opts.initialBackoffMs : this.backoffMs * 2);
    this.backoffUntil = Date.now() + this.backoffMs;
    if (!this.outage) {
      this.outage = true;
      diag.warn(`genai-usage: usage store write failed (${this.lastError}); retrying with backoff up to ${this.opts.maxBackoffMs} ms`);
    }
    this.retryBatch = batch.length > 0 ? batch : undefined;
    if (this.spool) {
      // The spool is replayed after the next good write, so a failed replay just stays pending.
      this.spoolPending = true;
      await this.spoolQueue();
    }
    setTimeout(() => this.kick(), this.backoffMs).unref();
  }

  /** Moves the retry batch and the queue to the spool; on a disk error they stay in memory. */
  private async spoolQueue(): Promise<void> {
    const records = [...(this.retryBatch ?? []), ...this.takeBatch(Number.POSITIVE_INFINITY)];
    this.retryBatch = undefined;
    try {
      await (this.spool as Spool).append(records);
      this.counters.spooled += records.length;
      this.spoolPending = true;
    } catch (error) {
      diag.warn(`genai-usage: cannot write the spool in ${this.options.spoolDir}: ${String(error)}`);
      this.retryBatch = records.splice(0, this.opts.maxBatchSize);
      this.queue = [...records, ...this.queue.slice(this.head)];
      this.head = 0;
      while (this.depth() > this.opts.maxQueueSize) {
        this.queue[this.head++] = undefined;
        this.drop(1, `the queue is full (${this.opts.maxQueueSize} records)`);
      }
    }
  }
}

function storable(record: UsageRecord | null | undefined): boolean {
  return (
    typeof record === 'object' &&
    record !== null &&
    typeof record.id === 'string' &&
    record.id !== '' &&
    record.recordedAt instanceof Date &&
    !Number.isNaN(record.recordedAt.getTime())
  );
}

/** Waits for `promise` at most `ms`; the timer is cleared so it never keeps the process alive. */
async function within(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!promise) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
