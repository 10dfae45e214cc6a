import { diag } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';

// `ExportResultCode.SUCCESS` / `.FAILED` of @opentelemetry/core, whose values are part of the
// exporter contract; spelled out so importing the exporter does not load core.
const SUCCESS = 0 satisfies ExportResult['code'];
const FAILED = 1 satisfies ExportResult['code'];
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { DEFAULT_STORE_URL, openStore } from '../store/open-store.js';
import type { UsageStore } from '../store/usage-store.js';
import { spanToUsageRecord } from '../usage/span-mapping-api.js';
import { UsageWriter, type UsageWriterOptions } from './usage-writer.js';
import { queueSizeForUrl } from './usage-writer-options.js';

export interface UsageSpanExporterOptions extends Omit<UsageWriterOptions, 'store'> {
  /**
   * A store, a store URL, or a factory. Default: env `GENAI_USAGE_STORE`, else
   * `sqlite:./genai-usage.db`. A store the exporter opens, it also closes on shutdown.
   */
  store?: UsageStore | string | (() => Promise<UsageStore>);
  /** An existing writer to feed instead of creating one (the other options are then ignored). */
  writer?: UsageWriter;
}

/**
 * A SpanExporter that stores each GenAI call span as one UsageRecord (through the one
 * `spanToUsageRecord` mapping). Other spans — HTTP, DB, `invoke_agent` parents — are ignored,
 * so an agent's cost is never counted twice. Export succeeds once the records are queued;
 * the writer stores them in batches (see {@link UsageWriter}).
 */
export class UsageSpanExporter implements SpanExporter {
  readonly writer: UsageWriter;
  private stopped = false;

  constructor(options: UsageSpanExporterOptions = {}) {
    if (options.writer) {
      this.writer = options.writer;
      return;
    }
    const { store, writer: _, ...rest } = options;
    const url = typeof store === 'string' ? store : (process.env['GENAI_USAGE_STORE'] ?? DEFAULT_STORE_URL);
    const opened = store !== undefined && typeof store !== 'string' ? store : undefined;
    this.writer = new UsageWriter({ ...rest, maxQueueSize: rest.maxQueueSize ?? (opened ? undefined : queueSizeForUrl(url)), store: opened ?? (() => openStore(url)) });
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.stopped) {
      resultCallback({ code: FAILED, error: new Error('UsageSpanExporter is shut down') });
      return;
    }
    for (const span of spans) {
      try {
        const record = spanToUsageRecord(span);
        if (record) this.writer.write(record);
      } catch (error) {
        diag.warn(`genai-usage: cannot map span ${span.name} to a usage record: ${String(error)}`);
      }
    }
    resultCallback({ code: SUCCESS });
  }

  /** Drains the writer's queue (timeout 30 s). */
  forceFlush(): Promise<void> {
    return this.writer.forceFlush();
  }

  /** Drains, then stops the writer (timeout 30 s). */
  shutdown(): Promise<void> {
    this.stopped = true;
    return this.writer.shutdown();
  }
}
