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
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #failure: Error | undefined;

  constructor(path: string, options: { busyTimeoutMs?: number } = {}) {
    // No inherited execArgv: under `--import genai-usage/register` the thread would start tracking too.
    this.#worker = new Worker(WORKER_FILE!, { workerData: { path, busyTimeoutMs: options.busyTimeoutMs }, execArgv: [] });
    // Idle, the thread must not keep the process alive; the writer's shutdown closes it.
    this.#worker.unref();
    this.#worker.on('message', (m: { id: number; inserted?: number; error?: string }) => {
      const pending = this.#pending.get(m.id);
      if (!pending) return;
      this.#pending.delete(m.id);
      if (m.error !== undefined) pending.reject(new StoreError(m.error));
      else pending.resolve(m.inserted ?? 0);
    });
    const fail = (error: Error) => {
      this.#failure = error;
      for (const p of this.#pending.values()) p.reject(new StoreError(`the SQLite write thread stopped: ${error.message}`, { cause: error }));
      this.#pending.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
  }

  /** True when this build has the compiled worker file (not when running from TypeScript sources). */
  static available(): boolean {
    return WORKER_FILE !== undefined;
  }

  insert(records: readonly UsageRecord[], options: InsertOptions = {}): Promise<number> {
    if (this.#failure) return Promise.reject(new StoreError(`the SQLite write thread stopped: ${this.#failure.message}`));
    const id = this.#nextId++;
    return new Promise<number>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // Keep the process alive while a write is in flight (shutdown flushes must finish).
      this.#worker.ref();
      this.#worker.postMessage({ id, records, tenant: options.tenant });
    }).finally(() => {
      if (this.#pending.size === 0) this.#worker.unref();
    });
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}

const WORKER_FILE = ((): URL | undefined => {
  const url = new URL('./sqlite-write-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
})();
