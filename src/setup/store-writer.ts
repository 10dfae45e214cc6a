import { resolve } from 'node:path';
import { UsageWriter } from '../exporter/usage-writer.js';
import { queueSizeForUrl, type WritableStore } from '../exporter/usage-writer-options.js';
import { openStore, parseSqliteUrl } from '../store/open-store.js';
import { SqliteWriteThread } from '../store/sqlite-write-thread.js';

/**
 * The writer behind `startUsageTracking`'s store: it opens the store on first write (a bad or
 * unreachable store never blocks startup; failures retry with backoff and, with a spool
 * directory, survive a restart). A SQLite file is written from a worker thread, so
 * better-sqlite3's synchronous transactions never stall the app's event loop.
 */
export function createStoreWriter(url: string, spoolDir?: string): UsageWriter {
  return new UsageWriter({ store: () => openWritableStore(url), spoolDir, maxQueueSize: queueSizeForUrl(url) });
}

async function openWritableStore(url: string): Promise<WritableStore> {
  if (/^sqlite:/i.test(url) && SqliteWriteThread.available()) {
    const { path, busyTimeoutMs } = parseSqliteUrl(url.trim());
    // An in-memory database belongs to one connection: it stays on this thread.
    if (path !== ':memory:') return new SqliteWriteThread(resolve(path), { busyTimeoutMs });
  }
  return openStore(url);
}
