import { join } from 'node:path';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { afterAll, describe, expect, it } from 'vitest';
import { controllableStore, exportSpans, expectSuccess, genAiSpans, otlpExporter, request, startTestCollector, tempDir, type TestCollector } from './harness.js';

const tmp = tempDir('genai-usage-collector-bp-');
afterAll(() => tmp.cleanup());

const body = (n: number, user: string) => JsonTraceSerializer.serializeRequest(genAiSpans(Array.from({ length: n }, (_, i) => ({ model: 'gpt-4o', input: i + 1, output: 1, user }))))!;
const post = (c: TestCollector, bytes: Uint8Array) => request(c.url, '/v1/traces', { method: 'POST', body: bytes, headers: { 'content-type': 'application/json' } });

async function withCollector(name: string, maxQueueRecords: number, fn: (c: TestCollector, s: Awaited<ReturnType<typeof controllableStore>>) => Promise<void>) {
  const control = await controllableStore(`sqlite:${join(tmp.dir, name)}`);
  const { startCollector } = await import('../../src/collector/collector-server.js');
  const { COLLECTOR_DEFAULTS } = await import('../../src/collector/collector-config.js');
  const logs: string[] = [];
  const running = await startCollector({ ...COLLECTOR_DEFAULTS, port: 0, store: 'sqlite::memory:', tokens: [], maxQueueRecords }, { store: control.store, log: (l) => logs.push(l) });
  try {
    await fn(Object.assign(running, { logs }), control);
  } finally {
    control.release();
    await running.close();
    await control.real.close();
  }
}

/** Polls instead of sleeping a fixed time: the machine may be slow. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

describe('back-pressure', () => {
  it('a full queue answers 429 with Retry-After; accepted requests still complete', async () => {
    await withCollector('full.db', 3, async (c, s) => {
      s.hold();
      const first = post(c, body(2, 'u-first'));
      await until(() => c.deps.queue.depth() === 2);
      const second = await post(c, body(2, 'u-second'));
      expect(second.status).toBe(429);
      expect(second.headers.get('retry-after')).toBe('1');
      expect(second.json.message).toMatch(/queue is full \(3 records\)/);
      s.release();
      expect((await first).status).toBe(200);
      expect((await s.real.records({ userId: 'u-first' })).length).toBe(2);
      expect(await s.real.records({ userId: 'u-second' })).toEqual([]);
    });
  });

  it('a failing store answers 503 with Retry-After, readyz fails, and a retrying exporter gets through once it is back', async () => {
    await withCollector('down.db', 1000, async (c, s) => {
      s.fail(true);
      const down = await post(c, body(1, 'u-down'));
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('1');
      expect(down.json).toEqual({ code: 14, message: 'the store is unavailable: connect ECONNREFUSED 127.0.0.1:5432' });
      expect((await request(c.url, '/readyz')).status).toBe(503);
      const metrics = await request(c.url, '/metrics');
      expect(metrics.text).toMatch(/^genai_usage_collector_store_errors_total 1$/m);
      expect(metrics.text).toMatch(/^genai_usage_collector_store_up 0$/m);
      // The real exporter retries on 503 after Retry-After; the store recovers meanwhile.
      const pending = exportSpans(otlpExporter('protobuf', c.url), genAiSpans([{ model: 'gpt-4o', input: 9, output: 9, user: 'u-retried' }]));
      setTimeout(() => s.fail(false), 1200);
      expectSuccess(await pending);
      expect((await s.real.records({ userId: 'u-retried' })).length).toBe(1);
      expect(c.logs.some((l) => l.includes('store write failed'))).toBe(true);
    });
  });

  it('shutdown lets an in-flight request commit, then refuses new ones', async () => {
    await withCollector('drain.db', 1000, async (c, s) => {
      s.hold();
      const inflight = post(c, body(3, 'u-inflight'));
      await until(() => c.deps.queue.depth() === 3);
      const closing = c.close();
      expect((await request(c.url, '/readyz').catch(() => ({ status: 0 }))).status).not.toBe(200);
      s.release();
      expect((await inflight).status).toBe(200);
      await closing;
      expect((await s.real.records({ userId: 'u-inflight' })).length).toBe(3);
      await expect(fetch(`${c.url}/healthz`)).rejects.toThrow();
    });
  });
});
