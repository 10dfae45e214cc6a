// Runs in a worker thread: owns one SQLite connection and inserts what the app thread sends,
// so better-sqlite3's synchronous writes never block the application's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import type { UsageRecord } from '../usage/usage-record.js';
import { SqliteUsageStore } from './sqlite-store.js';

interface InsertMessage {
  id: number;
  records: UsageRecord[];
  tenant: string | undefined;
}

const { path, busyTimeoutMs } = workerData as { path: string; busyTimeoutMs?: number };
let store: SqliteUsageStore | undefined;

parentPort!.on('message', async (message: InsertMessage) => {
  try {
    store ??= new SqliteUsageStore(path, { busyTimeoutMs });
    const inserted = await store.insert(message.records, { tenant: message.tenant });
    parentPort!.postMessage({ id: message.id, inserted });
  } catch (error) {
    // A failed open is retried on the next message (the writer backs off meanwhile).
    const code = (error as { code?: unknown })?.code;
    parentPort!.postMessage({ id: message.id, error: (error as Error)?.message ?? String(error), code: typeof code === 'string' ? code : undefined });
  }
});
