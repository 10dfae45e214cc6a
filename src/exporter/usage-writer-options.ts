import type { UsageStore } from '../store/usage-store.js';

/** All a writer needs of a store: a full `UsageStore`, or a write-only one (the SQLite write thread). */
export type WritableStore = Pick<UsageStore, 'insert' | 'close' | 'engine'>;

/** Defaults of {@link UsageWriterOptions}. */
export const USAGE_WRITER_DEFAULTS = {
  maxQueueSize: 10_000,
  /** SQLite writes run on the calling thread, so its batches stay small. */
  maxBatchSize: 1_000,
  /** PostgreSQL and ClickHouse I/O is asynchronous: larger batches cost the application nothing. */
  maxBatchSizePostgres: 5_000,
  /**
   * Every ClickHouse insert writes a new part (~100 files) in the records table, the id ledger
   * and each rollup, and merges them later, whatever its size: fewer, larger inserts. The queue
   * is twice a batch so that records keep arriving while one is written.
   */
  maxBatchSizeClickHouse: 10_000,
  maxQueueSizeClickHouse: 20_000,
  flushIntervalMs: 1_000,
  initialBackoffMs: 250,
  maxBackoffMs: 30_000,
  timeoutMs: 30_000,
} as const;

/**
 * The queue bound for a store given by URL, before the store is open: ClickHouse's from the
 * start, so a burst while the store connects and migrates is not cut to the smaller default.
 */
export function queueSizeForUrl(url: string): number | undefined {
  return /^\s*clickhouse(\+https?)?:\/\//i.test(url) ? USAGE_WRITER_DEFAULTS.maxQueueSizeClickHouse : undefined;
}

export interface UsageWriterOptions {
  /** The store, or a factory called on first use (and again after it fails); the writer closes a store it made. */
  store: WritableStore | (() => Promise<WritableStore>);
  /** Records held in memory; when full the OLDEST is dropped and counted. Default 10,000 (20,000 for ClickHouse). */
  maxQueueSize?: number;
  /** Records per store write. Default 1,000 for SQLite, 5,000 for PostgreSQL, 10,000 for ClickHouse (at most half the queue). */
  maxBatchSize?: number;
  /** A partial batch is written after this long. Default 1,000 ms. */
  flushIntervalMs?: number;
  /** First retry delay after a failed write, doubled per failure up to `maxBackoffMs`. Default 250 ms. */
  initialBackoffMs?: number;
  /** Default 30,000 ms. */
  maxBackoffMs?: number;
  /**
   * Directory for the spool: records the store cannot take are appended there (JSONL) and
   * replayed, then deleted, after the next successful write or by the next process. Off by default.
   */
  spoolDir?: string;
  /** Stored in the `tenant` column. */
  tenant?: string;
}

/** Counters for monitoring the writer (exported as metrics by the usage processor). */
export interface UsageWriterStats {
  /** Records the store accepted (duplicates of stored ids included). */
  written: number;
  /** Records lost: queue overflow, writes after shutdown, or left unwritten at shutdown without a spool. */
  dropped: number;
  /** Failed store writes (each followed by a retry). */
  retries: number;
  /** Records appended to the spool. */
  spooled: number;
  /** Records written to the store from the spool. */
  replayed: number;
  /** Records in memory, waiting or being retried. */
  queueDepth: number;
  /** The last store error message, cleared by a successful write. */
  lastError: string | undefined;
}
