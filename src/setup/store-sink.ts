import { diag } from '@opentelemetry/api';
import type { UsageSink } from '../usage/genai-usage-processor.js';

/** Placeholder until the store lands: records are not persisted. */
export function openStoreSink(url: string): UsageSink {
  diag.debug(`genai-usage: store ${url} not wired yet`);
  return { write() {}, async forceFlush() {}, async shutdown() {} };
}
