import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InsertOptions } from './usage-store.js';
import type { UsageRecord } from '../usage/usage-record.js';
import { StoreError } from './errors.js';

interface Pending {
  resolve(inserted: number): void;
  reject(error: Error): void;
}

/**
 * The write side of a SQLite store on a worker thread: `insert` posts the batch and resolves
 * when the worker's transaction commits. The app thread never runs a SQLite statement.
 * Queries (CLI, budgets) open their own connection; WAL lets them read while this writes.
 */
export class SqliteWriteThread {
  readonly engine = 'sqlite' as const;
  readonly #path: string;
  readonly #busyTimeoutMs: number | undefined;
  readonly #pending = new Map<number, Pending>();
  #worker: Worker | undefined;
  #nextId = 0;
  #closed = false;

  constructor(path: string, options: { busyTimeoutMs?: number } = {}) {
    this.#path = path;
    this.#busyTimeoutMs = options.busyTimeoutMs;
    this.#worker = this.#start();
  }

  /** True when this build has the compiled worker file (not when running from TypeScript sources). */
  static available(): boolean {
    return WORKER_FILE !== undefined;
  }

  insert(records: readonly UsageRecord[], options: InsertOptions = {}): Promise<number> {
    if (this.#closed) return Promise.reject(new StoreError('the SQLite write thread is closed'));
    // A thread that died (out of memory, a native crash) is replaced: the writer's retry lands here.
    const worker = (this.#worker ??= this.#start());
    const id = this.#nextId++;
    return new Promise<number>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // Keep the process alive while a write is in flight (shutdown flushes must finish).
      worker.ref();
      worker.postMessage({ id, records, tenant: options.tenant });
    }).finally(() => {
      if (this.#pending.size === 0) this.#worker?.unref();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#worker?.terminate();
  }

  /** Ends the current thread as a crash would (a hung thread, tests); the next write starts another. */
  async killThread(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }

  #start(): Worker {
    // No inherited execArgv: under `--import genai-usage/register` the thread would start tracking too.
    const worker = new Worker(WORKER_FILE!, { workerData: { path: this.#path, busyTimeoutMs: this.#busyTimeoutMs }, execArgv: [] });
    // Idle, the thread must not keep the process alive; the writer's shutdown closes it.
    worker.unref();
    worker.on('message', (m: { id: number; inserted?: number; error?: string; code?: string }) => {
      const pending = this.#pending.get(m.id);
      if (!pending) return;
      this.#pending.delete(m.id);
      if (m.error !== undefined) pending.reject(new StoreError(m.error, { code: m.code }));
      else pending.resolve(m.inserted ?? 0);
    });
    const fail = (error: Error) => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const p of this.#pending.values()) p.reject(new StoreError(`the SQLite write thread stopped: ${error.message}`, { cause: error }));
      this.#pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    return worker;
  }
}

const WORKER_FILE = ((): URL | undefined => {
  const url = new URL('./sqlite-write-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
})();
