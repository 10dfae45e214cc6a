import type { UsageWriter } from '../exporter/usage-writer.js';
import type { UsageWriterStats } from '../exporter/usage-writer-options.js';
import type { UsageSink } from '../usage/genai-usage-processor.js';
import { lazyOwnModule } from './load-own.js';

const storeWriter = lazyOwnModule(new URL('./store-writer.js', import.meta.url), () => import('./store-writer.js'));

const NOTHING_YET: UsageWriterStats = { written: 0, dropped: 0, retries: 0, spooled: 0, replayed: 0, queueDepth: 0, lastError: undefined };

/**
 * The store behind `startUsageTracking` (see `createStoreWriter`). The writer and the store
 * code load with the first record, or at start with a spool directory (what an earlier
 * process left there is replayed without waiting for new records).
 */
export function openStoreSink(url: string, spoolDir?: string): UsageSink & { stats(): UsageWriterStats } {
  let writer: UsageWriter | undefined;
  const started = () => (writer ??= storeWriter().createStoreWriter(url, spoolDir));
  if (spoolDir) started();
  return {
    write: (record) => started().write(record),
    forceFlush: async () => writer?.forceFlush(),
    shutdown: async () => writer?.shutdown(),
    stats: () => writer?.stats() ?? NOTHING_YET,
  };
}
