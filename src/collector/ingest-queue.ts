import { inSlices } from '../store/in-slices.js';
import { isDataError } from '../store/errors.js';
import type { UsageStore } from '../store/usage-store.js';
import type { UsageRecord } from '../usage/usage-record.js';
import type { JournalPayload } from './ingest-journal.js';

/** Something that stores records: the store itself or its write thread. */
export type RecordSink = Pick<UsageStore, 'insert'>;

/**
 * What the ingest route hands records to: the queue itself (answered once stored) or the
 * journal in front of it (answered once journaled, see JournaledIngest).
 */
export interface Ingest extends Pick<IngestQueue, 'depth' | 'expectedWaitMs' | 'oldestWaitMs' | 'storeHealthy' | 'unavailableReason' | 'close'> {
  /** `source`: the OTLP body the records were decoded from (what a journal keeps). */
  submit(records: readonly UsageRecord[], tenant: string | undefined, source?: JournalPayload): Promise<number>;
}

/** The queue holds too many records: answered 429 so the sender backs off and retries. */
export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
}

/** The store failed (or is shutting down): answered 503 so the sender retries later. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/**
 * The store refused this request's records themselves (a value it cannot hold), while it
 * accepts others: answered 400, since sending the same records again cannot succeed.
 */
export class RecordsRefusedError extends Error {
  override readonly name = 'RecordsRefusedError';
}

/** A write that did not finish in time: the store is slow or hung, not the records at fault. */
class WriteTimeoutError extends Error {
  override readonly name = 'WriteTimeoutError';
}

export interface IngestQueueOptions {
  /** Records waiting or being written; beyond this `submit` rejects with QueueFullError. */
  maxPendingRecords: number;
  /** Records per store transaction (requests are never split across transactions). */
  maxBatchRecords: number;
  /**
   * How long a batch that is not full waits for more requests before it is written (0: at
   * once). For a store whose every write has a large fixed cost (ClickHouse), so that
   * senders answered by one write join the next instead of starting a small one alone.
   */
  maxBatchDelayMs?: number;
  /**
   * Writes running at once (default 1). For a store whose writes wait mostly on fixed work
   * rather than on one shared writer (ClickHouse creates each insert's parts apart): a request
   * none of whose records is being written takes a free slot instead of waiting.
   */
  maxConcurrentWrites?: number;
  /** True while request bodies are being received or decoded: records that will be submitted soon. */
  receiving?: () => boolean;
  /** After a failed write, submissions fail fast for this long instead of piling up. */
  failureBackoffMs: number;
  /** A write that takes longer fails its requests (they are retried; ids make that safe). */
  writeTimeoutMs: number;
  onWritten?: (records: number, inserted: number) => void;
  onStoreError?: (error: Error) => void;
  /** The store refused one request's records (a data error) while taking the others. */
  onRefused?: (error: Error) => void;
}

interface Pending {
  records: readonly UsageRecord[];
  tenant: string | undefined;
  /** performance.now() when submitted. */
  since: number;
  resolve: (inserted: number) => void;
  reject: (error: Error) => void;
}

/**
 * Group commit: every ingest request waits until its records are committed, so a 200 means
 * stored and anything else means "retry" — nothing is acknowledged and then lost. Requests
 * that arrive while a write runs are coalesced into the next transaction (one per tenant),
 * which is what keeps SQLite at tens of thousands of spans/s with per-request durability.
 * One write at a time by default (SQLite has a single writer anyway); with `maxConcurrentWrites`,
 * a record id never is in two writes at once, so each write's "already stored?" check still
 * sees every earlier copy of its records committed.
 */
export class IngestQueue {
  private pending: Pending[] = [];
  private pendingRecords = 0;
  private writingRecords = 0;
  private running: Promise<void> | undefined;
  /** Ids of the records being written, with concurrent writes only. */
  private readonly writingIds = new Set<string>();
  /** Wakes the run loop waiting on running writes when a request arrives and a write slot is free. */
  private wake: (() => void) | undefined;
  private unavailableUntil = 0;
  private lastError: string | undefined;
  private closed = false;
  /** Ends the current wait for a fuller batch (the batch filled up, or the queue is closing). */
  private endGather: (() => void) | undefined;
  /** performance.now() of the last submit. */
  private lastSubmit = 0;
  /** Recent full-size writes (at least half of maxBatchRecords): [records, ms]; the store's speed when backlogged. */
  private readonly fullWrites: Array<[number, number]> = [];

  constructor(
    private readonly sink: RecordSink,
    private readonly options: IngestQueueOptions,
  ) {}

  /** Resolves with the number of records newly stored (re-sent ones are skipped by id). */
  submit(records: readonly UsageRecord[], tenant: string | undefined): Promise<number> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('the collector is shutting down'));
    if (records.length === 0) return Promise.resolve(0);
    if (Date.now() < this.unavailableUntil) {
      return Promise.reject(new StoreUnavailableError(`the store is unavailable: ${this.lastError ?? 'unknown error'}`));
    }
    if (this.depth() + records.length > this.options.maxPendingRecords) {
      return Promise.reject(new QueueFullError(`the ingest queue is full (${this.options.maxPendingRecords} records)`));
    }
    return new Promise<number>((resolve, reject) => {
      this.pending.push({ records, tenant, since: performance.now(), resolve, reject });
      this.pendingRecords += records.length;
      this.lastSubmit = performance.now();
      if (this.pendingRecords >= this.options.maxBatchRecords) this.endGather?.();
      this.wake?.();
      this.running ??= this.run();
    });
  }

  /** Records accepted but not yet committed. */
  depth(): number {
    return this.pendingRecords + this.writingRecords;
  }

  /**
   * How long the oldest request still waiting for a transaction has waited, in ms (0 when
   * none): how far the store is behind. The batch being written does not count: one long
   * transaction alone would make a queue that is about to empty look behind, and refusing
   * then would leave the store idle next.
   */
  oldestWaitMs(): number {
    const since = this.pending[0]?.since;
    return since === undefined ? 0 : performance.now() - since;
  }

  /**
   * How long a request submitted now would wait for its transaction to start: the records ahead
   * of it at the speed recent full-size writes ran (0 before there was one; small writes say
   * more about a store's fixed cost per write than about its speed). Unlike `oldestWaitMs` it
   * rises as records arrive rather than once the head has aged: the requests admitted in one
   * burst all age together, and a gate on the oldest alone refuses everyone until the whole
   * cohort is written, leaving the store idle while the next one is received and decoded
   * (measured under 4× overload on SQLite: the queue emptied every ~1.5 s).
   */
  expectedWaitMs(): number {
    if (this.fullWrites.length === 0) return 0;
    let records = 0;
    let ms = 0;
    for (const [n, t] of this.fullWrites) {
      records += n;
      ms += t;
    }
    return ((this.pendingRecords + this.writingRecords) * ms) / records;
  }

  /** False while failing fast after a store error. */
  storeHealthy(): boolean {
    return Date.now() >= this.unavailableUntil;
  }

  /** Why `submit` would fail right now without trying (shutting down, failing fast), or undefined. */
  unavailableReason(): string | undefined {
    if (this.closed) return 'the collector is shutting down';
    if (Date.now() < this.unavailableUntil) return `the store is unavailable: ${this.lastError ?? 'unknown error'}`;
    return undefined;
  }

  /** Stops taking records and waits for those already accepted to be written (or fail). */
  async close(): Promise<void> {
    this.closed = true;
    this.endGather?.();
    while (this.running) await this.running;
  }

  private async run(): Promise<void> {
    // Let requests that arrive in the same turn of the event loop join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    const slots = Math.max(1, this.options.maxConcurrentWrites ?? 1);
    const writes = new Set<Promise<void>>();
    try {
      while (this.pending.length > 0 || writes.size > 0) {
        if (this.pending.length > 0 && writes.size < slots) {
          await this.gather();
          const batch = this.takeBatch(slots > 1);
          if (batch.length > 0) {
            const write: Promise<void> = this.writeBatch(batch).finally(() => writes.delete(write));
            writes.add(write);
            continue;
          }
        }
        // Every slot busy, or each waiting request holds a record being written: wait for a
        // write to end (or, with a slot free, for a new request).
        const waits: Array<Promise<void>> = [...writes];
        if (writes.size < slots) waits.push(new Promise<void>((resolve) => (this.wake = resolve)));
        await Promise.race(waits);
        this.wake = undefined;
      }
    } finally {
      this.running = undefined;
    }
  }

  /**
   * Waits for the batch to fill, at most maxBatchDelayMs: it ends early once requests stop
   * coming (none submitted for a fifth of the delay and no body being received), so a lull
   * costs little latency while a stream of senders coming back from the last write joins in.
   */
  private async gather(): Promise<void> {
    const delay = this.options.maxBatchDelayMs ?? 0;
    if (delay <= 0 || this.closed || this.pendingRecords >= this.options.maxBatchRecords) return;
    const start = performance.now();
    const quietMs = Math.max(2, delay / 5);
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      this.endGather = () => {
        clearTimeout(timer);
        this.endGather = undefined;
        resolve();
      };
      const check = (): void => {
        const now = performance.now();
        const quiet = now - Math.max(this.lastSubmit, start) >= quietMs && !this.options.receiving?.();
        if (quiet || now - start >= delay) this.endGather?.();
        else timer = setTimeout(check, Math.min(quietMs, 2));
      };
      timer = setTimeout(check, Math.min(quietMs, 2));
    });
  }

  /**
   * The next batch: waiting requests in order, up to maxBatchRecords. With concurrent writes a
   * request holding a record another write has in hand waits for that write to end.
   */
  private takeBatch(concurrent: boolean): Pending[] {
    let count = 0;
    const batch: Pending[] = [];
    let rest: Pending[] = [];
    for (let i = 0; i < this.pending.length; i++) {
      const item = this.pending[i] as Pending;
      const full = batch.length > 0 && count + item.records.length > this.options.maxBatchRecords;
      if (full && !concurrent) {
        rest = rest.concat(this.pending.slice(i));
        break;
      }
      if (full || (concurrent && item.records.some((r) => this.writingIds.has(r.id)))) rest.push(item);
      else {
        batch.push(item);
        count += item.records.length;
      }
    }
    this.pending = rest;
    this.pendingRecords -= count;
    this.writingRecords += count;
    if (concurrent) for (const item of batch) for (const r of item.records) this.writingIds.add(r.id);
    return batch;
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const byTenant = new Map<string | undefined, Pending[]>();
    for (const item of batch) {
      const list = byTenant.get(item.tenant);
      if (list) list.push(item);
      else byTenant.set(item.tenant, [item]);
    }
    for (const [tenant, items] of byTenant) {
      try {
        const inserted = await this.write(tenant, items);
        // Each answer runs its request's continuation (and, behind a journal, hands the store the
        // next entry): a large batch answers thousands of requests, not all in one stretch.
        for await (const slice of inSlices(items)) for (const item of slice) item.resolve(inserted);
      } catch (error) {
        await this.isolate(error as Error, tenant, items);
      }
    }
    for (const item of batch) {
      this.writingRecords -= item.records.length;
      if (this.writingIds.size > 0) for (const r of item.records) this.writingIds.delete(r.id);
    }
  }

  /** One transaction for the requests of one tenant. */
  private async write(tenant: string | undefined, items: readonly Pending[]): Promise<number> {
    // The same span re-sent in two concurrent requests must count once in the rollups too.
    const seen = new Set<string>();
    const records: UsageRecord[] = [];
    for (const item of items) for (const r of item.records) if (!seen.has(r.id)) (seen.add(r.id), records.push(r));
    const started = performance.now();
    const inserted = await this.withTimeout(this.sink.insert(records, tenant === undefined ? {} : { tenant }));
    if (records.length * 2 >= this.options.maxBatchRecords) {
      this.fullWrites.push([records.length, performance.now() - started]);
      if (this.fullWrites.length > 8) this.fullWrites.shift();
    }
    this.options.onWritten?.(records.length, inserted);
    return inserted;
  }

  /**
   * A shared transaction failed. One request's records may be at fault (a value the store
   * refuses), so each request is retried on its own: the others are stored, and only the
   * culprit is answered with an error. When nothing gets through (the store is down or
   * hung), every request is told to retry later and the queue fails fast for a while.
   */
  private async isolate(error: Error, tenant: string | undefined, items: Pending[]): Promise<void> {
    if (items.length === 1 || error instanceof WriteTimeoutError) {
      if (items.length === 1 && isDataError(error)) return this.refuse(items[0] as Pending, error);
      return this.fail(error, items);
    }
    const failures: Array<[Pending, Error]> = [];
    let stored = 0;
    for (const [i, item] of items.entries()) {
      try {
        item.resolve(await this.write(tenant, [item]));
        stored++;
      } catch (itemError) {
        // Slow, not refused: the rest would wait the same timeout each.
        if (itemError instanceof WriteTimeoutError) return this.fail(itemError, [...failures.map(([f]) => f), ...items.slice(i)]);
        failures.push([item, itemError as Error]);
      }
    }
    if (stored === 0 && !failures.some(([, e]) => isDataError(e))) return this.fail(error, items);
    for (const [item, itemError] of failures) {
      if (isDataError(itemError)) this.refuse(item, itemError);
      else {
        this.options.onStoreError?.(itemError);
        item.reject(new StoreUnavailableError(`the store is unavailable: ${itemError.message}`));
      }
    }
  }

  /** The store refused this request's records while it takes others: no fail-fast for everyone. */
  private refuse(item: Pending, error: Error): void {
    this.options.onRefused?.(error);
    item.reject(new RecordsRefusedError(`the store refused these records: ${error.message}`));
  }

  private fail(error: Error, items: Pending[]): void {
    this.lastError = error.message;
    this.unavailableUntil = Date.now() + this.options.failureBackoffMs;
    this.options.onStoreError?.(error);
    const failure = new StoreUnavailableError(`the store is unavailable: ${error.message}`);
    // Requests queued behind a failed write would fail the same way: answer them now.
    const queued = this.pending.splice(0);
    this.pendingRecords = 0;
    for (const item of [...items, ...queued]) item.reject(failure);
  }

  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new WriteTimeoutError(`store write timed out after ${this.options.writeTimeoutMs} ms`)), this.options.writeTimeoutMs);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}
