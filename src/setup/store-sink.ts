import { UsageWriter } from '../exporter/usage-writer.js';
import { openStore } from '../store/open-store.js';
import type { UsageSink } from '../usage/genai-usage-processor.js';

/**
 * The store behind `startUsageTracking`: a `UsageWriter` that opens the store on first
 * write (so a bad or unreachable store never blocks startup; failures retry with backoff,
 * and with a spool directory survive a restart).
 */
export function openStoreSink(url: string, spoolDir?: string): UsageSink & { writer: UsageWriter } {
  const writer = new UsageWriter({ store: () => openStore(url), spoolDir });
  return {
    writer,
    write: (record) => writer.write(record),
    forceFlush: () => writer.forceFlush(),
    shutdown: () => writer.shutdown(),
  };
}
