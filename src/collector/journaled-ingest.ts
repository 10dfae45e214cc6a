import type { PriceBook } from '../prices/price-book.js';
import type { UsageRecord } from '../usage/usage-record.js';
import { recordsOfFrame, type IngestJournal, type JournalEntry, type JournalPayload, type RecoveredJournal } from './ingest-journal.js';
import { decodeOtlpSpans } from './otlp-decode.js';
import { spansToRecords } from './span-records.js';
import { QueueFullError, RecordsRefusedError, StoreUnavailableError, type Ingest, type IngestQueue } from './ingest-queue.js';

export interface JournaledIngestOptions {
  /** Records journaled and not yet stored; beyond it `submit` rejects with QueueFullError (429). */
  maxRecords: number;
  /** Records handed to the store queue at once (it batches them into transactions). */
  storeQueueRecords: number;
  /** Wait after the store failed before handing it the same records again. */
  retryMs: number;
  /** How long `close` keeps feeding the store before leaving the rest in the journal. */
  drainTimeoutMs: number;
  /** The store refused a request's records for good (they are dropped and counted). */
  onRefused?: (error: Error, records: number) => void;
}

/**
 * Ingest through the journal: a request is answered 200 once its records are durable in the
 * journal, so the sender's latency no longer includes the store's (a ClickHouse insert takes
 * hundreds of ms whatever its size), and a store outage is ridden out, up to `maxRecords`,
 * instead of being pushed back to every sender. Journaled records are fed to the store queue in
 * order and retried until stored; inserts are idempotent, so a record stored just before a
 * crash and replayed after it counts once. The cost: a record is visible to queries only
 * once stored (normally well under a second later).
 */
export class JournaledIngest implements Ingest {
  #backlog: JournalEntry[] = [];
  #backlogRecords = 0;
  /** Records handed to the store queue and not finished. */
  #inStore = 0;
  /** Records of requests being journaled: admitted, so they count against `maxRecords`. */
  #appending = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #closed = false;
  /** Set once draining ended: nothing more goes to the store. */
  #stopped = false;
  #idle: (() => void) | undefined;

  constructor(
    private readonly journal: IngestJournal,
    private readonly store: IngestQueue,
    private readonly options: JournaledIngestOptions,
    recovered: readonly JournalEntry[] = [],
  ) {
    for (const entry of recovered) this.#enqueue(entry);
    this.#pump();
  }

  async submit(records: readonly UsageRecord[], tenant: string | undefined, source: JournalPayload = { kind: 'records' }): Promise<number> {
    if (this.#closed) throw new StoreUnavailableError('the collector is shutting down');
    if (records.length === 0) return 0;
    if (this.depth() + records.length > this.options.maxRecords) {
      throw new QueueFullError(`the ingest journal is full (${this.options.maxRecords} records not yet stored)`);
    }
    let entry: JournalEntry;
    this.#appending += records.length;
    try {
      entry = await this.journal.append(records as UsageRecord[], tenant, source);
    } catch (error) {
      throw new StoreUnavailableError(`cannot write the ingest journal: ${(error as Error).message}`);
    } finally {
      this.#appending -= records.length;
    }
    this.#enqueue(entry);
    this.#pump();
    return records.length;
  }

  /** Records journaled (or being journaled) and not yet stored. */
  depth(): number {
    return this.#appending + this.#backlogRecords + this.#inStore;
  }

  /** Senders wait for the journal, not for the store. */
  expectedWaitMs(): number {
    return 0;
  }

  oldestWaitMs(): number {
    return 0;
  }

  storeHealthy(): boolean {
    return this.store.storeHealthy();
  }

  /** A store outage does not stop ingest: the journal holds the records until `maxRecords`. */
  unavailableReason(): string | undefined {
    return this.#closed ? 'the collector is shutting down' : undefined;
  }

  /**
   * Stops taking records and feeds the store for up to `drainTimeoutMs`; what is left stays in
   * the journal for the next start (`depth()` then says how many).
   */
  async close(): Promise<void> {
    this.#closed = true;
    const deadline = Date.now() + this.options.drainTimeoutMs;
    while (this.depth() > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.#idle = resolve;
        setTimeout(resolve, Math.min(100, Math.max(1, deadline - Date.now()))).unref();
      });
    }
    await this.abandon();
  }

  /** Stops at once, storing nothing more: everything not stored stays in the journal (a start that failed). */
  async abandon(): Promise<void> {
    this.#closed = true;
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    await this.store.close();
    await this.journal.close();
  }

  #enqueue(entry: JournalEntry): void {
    this.#backlog.push(entry);
    this.#backlogRecords += entry.records.length;
  }

  /** Hands journaled entries to the store queue, keeping it fed up to `storeQueueRecords`. */
  #pump(): void {
    if (this.#retryTimer || this.#stopped) return;
    while (this.#backlog.length > 0) {
      const entry = this.#backlog[0] as JournalEntry;
      if (this.#inStore > 0 && this.#inStore + entry.records.length > this.options.storeQueueRecords) break;
      this.#backlog.shift();
      this.#backlogRecords -= entry.records.length;
      this.#inStore += entry.records.length;
      this.store.submit(entry.records, entry.tenant).then(
        () => this.#finish(entry),
        (error: unknown) => this.#failed(entry, error as Error),
      );
    }
  }

  #finish(entry: JournalEntry): void {
    this.#inStore -= entry.records.length;
    this.journal.done(entry);
    this.#pump();
    if (this.depth() === 0) this.#idle?.();
  }

  #failed(entry: JournalEntry, error: Error): void {
    if (error instanceof RecordsRefusedError) {
      // Sending them again cannot succeed: drop them, the operator is told.
      this.options.onRefused?.(error, entry.records.length);
      return this.#finish(entry);
    }
    // Down, slow or full: back in its place, tried again after the wait.
    this.#inStore -= entry.records.length;
    const at = this.#backlog.findIndex((e) => e.seq > entry.seq);
    this.#backlog.splice(at < 0 ? this.#backlog.length : at, 0, entry);
    this.#backlogRecords += entry.records.length;
    if (this.#retryTimer || this.#stopped) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#pump();
    }, this.options.retryMs);
    this.#retryTimer.unref();
  }
}

/**
 * The entries a previous run journaled, decoded again the way the ingest route decodes them
 * (calls without a cost are priced from today's table). A frame that no longer decodes is
 * released and counted.
 */
export function recoverEntries(recovered: RecoveredJournal['recovered'], prices: PriceBook): { entries: JournalEntry[]; undecodable: number } {
  const entries: JournalEntry[] = [];
  let undecodable = 0;
  for (const frame of recovered) {
    let records: UsageRecord[] | undefined;
    try {
      if (frame.kind === 'records') records = recordsOfFrame(frame.body);
      else records = spansToRecords(decodeOtlpSpans(frame.kind, frame.body), prices).records;
    } catch {
      records = undefined;
    }
    if (records && records.length > 0) entries.push(frame.toEntry(records));
    else {
      if (!records) undecodable++;
      frame.skip();
    }
  }
  return { entries, undecodable };
}
