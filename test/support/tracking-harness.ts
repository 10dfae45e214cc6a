import { afterAll, beforeAll, beforeEach } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { MetricReader, type ResourceMetrics, type DataPoint } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { startUsageTracking, onUsage, type UsageRecord, type UsageTracking, type UsageTrackingOptions } from '../../src/index.js';
import { startReplayServer, type ReplayServer } from './replay-server.js';

/** A metric reader the test collects from on demand. */
export class TestMetricReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface Harness {
  tracking: UsageTracking;
  server: ReplayServer;
  spans: InMemorySpanExporter;
  reader: TestMetricReader;
  records: UsageRecord[];
  openai(options?: ConstructorParameters<typeof OpenAI>[0]): OpenAI;
  anthropic(options?: ConstructorParameters<typeof Anthropic>[0]): Anthropic;
  /** Ended spans of LLM calls (those with gen_ai.operation.name), after a flush. */
  callSpans(): Promise<ReadableSpan[]>;
  /** Waits until `n` usage records arrived (listeners run on setImmediate). */
  waitForRecords(n: number): Promise<UsageRecord[]>;
  metric(name: string): Promise<Array<DataPoint<any>>>;
  close(): Promise<void>;
}

/**
 * Real tracking (NodeSDK, processor, metrics) with in-memory span export and an on-demand
 * metric reader, the real SDK clients patched, and a replay server on 127.0.0.1.
 */
export async function startHarness(options: UsageTrackingOptions = {}): Promise<Harness> {
  const server = await startReplayServer();
  const spans = new InMemorySpanExporter();
  const reader = new TestMetricReader();
  const tracking = startUsageTracking({
    serviceName: 'harness',
    store: false,
    prometheus: false,
    instrumentModules: { openai: OpenAI, anthropic: Anthropic },
    ...options,
    spanProcessors: [new SimpleSpanProcessor({ exporter: spans }), ...(options.spanProcessors ?? [])],
    metricReaders: [reader, ...(options.metricReaders ?? [])],
  });
  const records: UsageRecord[] = [];
  const unsubscribe = onUsage((r) => {
    records.push(r);
  });
  return {
    tracking,
    server,
    spans,
    reader,
    records,
    openai: (o) => new OpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1`, maxRetries: 0, ...o }),
    anthropic: (o) => new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0, ...o }),
    async callSpans() {
      await tracking.forceFlush();
      return spans.getFinishedSpans().filter((s) => s.attributes['gen_ai.operation.name'] !== undefined);
    },
    async waitForRecords(n) {
      const deadline = Date.now() + 5000;
      while (records.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      // One more turn: a record beyond n would show up now.
      await new Promise((r) => setImmediate(r));
      return records;
    },
    async metric(name) {
      const { resourceMetrics } = await reader.collect();
      return pointsOf(resourceMetrics, name);
    },
    async close() {
      unsubscribe();
      await tracking.shutdown();
      await server.close();
    },
  };
}

export function pointsOf(resourceMetrics: ResourceMetrics, name: string): Array<DataPoint<any>> {
  for (const scope of resourceMetrics.scopeMetrics) for (const m of scope.metrics) if (m.descriptor.name === name) return m.dataPoints;
  return [];
}

/** Sum of a counter's points whose attributes include `match`. */
export function sumWhere(points: Array<DataPoint<any>>, match: Record<string, unknown> = {}): number {
  return points
    .filter((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v))
    .reduce((total, p) => total + (typeof p.value === 'number' ? p.value : p.value.sum), 0);
}

/**
 * One harness per test file: started before the tests, closed after, spans and records
 * cleared before each test. Returns a stand-in that forwards to the running harness.
 */
export function useHarness(options: UsageTrackingOptions = {}): Harness {
  let current: Harness | undefined;
  beforeAll(async () => {
    current = await startHarness(options);
  });
  afterAll(() => current?.close());
  beforeEach(() => {
    current!.spans.reset();
    current!.records.length = 0;
  });
  return new Proxy({} as Harness, {
    get(_target, key) {
      if (!current) throw new Error('useHarness: the harness is used outside a test');
      return current[key as keyof Harness];
    },
  });
}
