import { diag, type MeterProvider } from '@opentelemetry/api';
import { VERSION } from '../version.js';
import type { UsageWriterStats } from './usage-writer-options.js';

/**
 * The store writer's own health as metrics (Prometheus: `genai_usage_store_records_written_total`,
 * `_records_dropped_total`, `_write_retries_total`, `_records_spooled_total`, `genai_usage_store_queue_depth`),
 * so a store outage or a full queue shows up beside the usage it would otherwise hide.
 */
export function registerWriterMetrics(writer: { stats(): UsageWriterStats }, meterProvider: MeterProvider): void {
  const meter = meterProvider.getMeter('genai-usage', VERSION);
  const written = meter.createObservableCounter('genai_usage.store.records_written', { unit: '{record}', description: 'Usage records the store accepted.' });
  const dropped = meter.createObservableCounter('genai_usage.store.records_dropped', { unit: '{record}', description: 'Usage records lost: queue overflow (oldest first) or not written by shutdown.' });
  const retries = meter.createObservableCounter('genai_usage.store.write_retries', { unit: '{write}', description: 'Failed store writes, each retried with backoff.' });
  const spooled = meter.createObservableCounter('genai_usage.store.records_spooled', { unit: '{record}', description: 'Usage records kept in the spool directory during a store outage.' });
  const depth = meter.createObservableGauge('genai_usage.store.queue_depth', { unit: '{record}', description: 'Usage records waiting in memory for the store.' });
  meter.addBatchObservableCallback(
    (result) => {
      try {
        const s = writer.stats();
        result.observe(written, s.written);
        result.observe(dropped, s.dropped);
        result.observe(retries, s.retries);
        result.observe(spooled, s.spooled);
        result.observe(depth, s.queueDepth);
      } catch (err) {
        diag.error('genai-usage: store writer metrics failed', err);
      }
    },
    [written, dropped, retries, spooled, depth],
  );
}
