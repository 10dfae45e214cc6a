// Issue 10 item 8: ingest is admitted or refused from the headers, before the body is read or
// decoded; a request that could never fit gets 413 with the limit; aborted uploads are not errors.
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { afterAll, describe, expect, it } from 'vitest';
import { COLLECTOR_DEFAULTS, type CollectorConfig } from '../../src/collector/collector-config.js';
import { startCollector } from '../../src/collector/collector-server.js';
import { controllableStore, genAiSpans, request, tempDir, type TestCollector } from './harness.js';

const tmp = tempDir('genai-usage-collector-admission-');
afterAll(() => tmp.cleanup());

/** A collector over a real SQLite store whose writes can be held (a slow store) or failed. */
async function withCollector(
  overrides: Partial<CollectorConfig>,
  fn: (c: TestCollector, control: { hold(): void; release(): void; fail(on: boolean): void }) => Promise<void>,
  /** A store this slow: every write takes this long per record. */
  msPerRecord = 0,
) {
  const control = await controllableStore(`sqlite:${join(tmp.dir, `${Math.random().toString(36).slice(2)}.db`)}`, msPerRecord);
  const logs: string[] = [];
  const config: CollectorConfig = { ...COLLECTOR_DEFAULTS, port: 0, store: 'sqlite::memory:', tokens: [], ...overrides };
  const running = await startCollector(config, { store: control.store, log: (l) => logs.push(l) });
  try {
    await fn(Object.assign(running, { logs }), control);
  } finally {
    control.release();
    await running.close();
    await control.real.close();
  }
}

const body = (n: number, user = 'u') => Buffer.from(JsonTraceSerializer.serializeRequest(genAiSpans(Array.from({ length: n }, (_, i) => ({ model: 'gpt-4o', input: i + 1, output: 1, user }))))!);
const post = (c: TestCollector, bytes: Uint8Array) => request(c.url, '/v1/traces', { method: 'POST', body: bytes, headers: { 'content-type': 'application/json' } });

/**
 * Starts an upload that declares `declared` bytes and sends only `sent` of them. Resolves with
 * the response if the collector answers without the rest of the body (it was never read).
 */
function partialUpload(c: TestCollector, declared: number, sent: Buffer): { req: ClientRequest; response: Promise<{ status: number; headers: IncomingMessage['headers']; text: string }> } {
  const req = httpRequest(`${c.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': declared } });
  const response = new Promise<{ status: number; headers: IncomingMessage['headers']; text: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
  });
  req.write(sent);
  // Tests destroy these uploads on purpose: a reset then is expected, not an unhandled error.
  response.catch(() => undefined);
  return { req, response };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

describe('admission before the body is read', () => {
  it('a full queue answers 429 + Retry-After without waiting for (or decoding) the body', async () => {
    await withCollector({ maxQueueRecords: 3 }, async (c, s) => {
      s.hold();
      const first = post(c, body(3, 'u-first'));
      await until(() => c.deps.queue.depth() === 3);
      const received = c.deps.metrics.spansReceived;
      const upload = partialUpload(c, 50_000, Buffer.from('{"resourceSpans":['));
      const res = await upload.response;
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBe('1');
      expect(JSON.parse(res.text).message).toMatch(/ingest queue is full \(3 records not yet stored, maxQueueRecords\)/);
      expect(c.deps.metrics.spansReceived).toBe(received);
      upload.req.destroy();
      s.release();
      expect((await first).status).toBe(200);
    });
  });

  it('a queue behind by more than maxQueueDelayMs answers 429 before the body is read', async () => {
    await withCollector({ maxQueueDelayMs: 100 }, async (c, s) => {
      s.hold();
      // The first request's transaction is held; the second waits behind it.
      const first = post(c, body(1, 'u-slow'));
      await until(() => c.deps.queue.depth() === 1);
      const second = post(c, body(1, 'u-waiting'));
      await until(() => c.deps.queue.oldestWaitMs() > 150);
      const upload = partialUpload(c, 50_000, Buffer.from('{'));
      const res = await upload.response;
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBe('1');
      expect(JSON.parse(res.text).message).toMatch(/ingest queue is \d+ ms behind \(the limit is 100 ms, maxQueueDelayMs\)/);
      upload.req.destroy();
      s.release();
      expect((await first).status).toBe(200);
      expect((await second).status).toBe(200);
      expect(c.deps.queue.oldestWaitMs()).toBe(0);
      expect((await post(c, body(1, 'u-after'))).status).toBe(200);
    });
  });

  it('admission stops once the records ahead would take half of maxQueueDelayMs, before the oldest has waited that long', async () => {
    await withCollector(
      { maxBatchRecords: 10 },
      async (c, s) => {
        // A full-size write tells the queue how fast the store is (~20 ms per record, more on a busy machine).
        expect((await post(c, body(10, 'u-first'))).status).toBe(200);
        s.hold();
        const writing = post(c, body(10, 'u-writing'));
        await until(() => c.deps.queue.depth() === 10);
        const tenRecordsMs = c.deps.queue.expectedWaitMs();
        expect(tenRecordsMs).toBeGreaterThanOrEqual(200);
        // A limit between: 10 records ahead admit (half the limit is 1.5× their time), 20 do not.
        c.deps.config.maxQueueDelayMs = Math.round(3 * tenRecordsMs);
        const admitted = post(c, body(10, 'u-admitted'));
        await until(() => c.deps.queue.depth() === 20);
        expect(c.deps.queue.oldestWaitMs()).toBeLessThan(c.deps.config.maxQueueDelayMs);
        const upload = partialUpload(c, 50_000, Buffer.from('{'));
        const res = await upload.response;
        expect(res.status).toBe(429);
        expect(res.headers['retry-after']).toBe('1');
        expect(JSON.parse(res.text).message).toMatch(/ingest queue holds ~\d+ ms of writes \(admission stops at half of maxQueueDelayMs, \d+ ms\)/);
        upload.req.destroy();
        s.release();
        for (const pending of [writing, admitted]) expect((await pending).status).toBe(200);
      },
      20,
    );
  });

  it('a store failing fast answers 503 + Retry-After before the body is read', async () => {
    await withCollector({}, async (c, s) => {
      s.fail(true);
      expect((await post(c, body(1))).status).toBe(503);
      const upload = partialUpload(c, 50_000, Buffer.from('{'));
      const res = await upload.response;
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(JSON.parse(res.text).message).toMatch(/store is unavailable: connect ECONNREFUSED/);
      upload.req.destroy();
    });
  });

  it('bounds request-body bytes in flight: a body that does not fit now gets 429; it fits once the other is done', async () => {
    await withCollector({ maxBodyBytes: 64 * 1024, maxInflightBytes: 100 * 1024 }, async (c) => {
      const full = body(20, 'u-bytes');
      const slow = partialUpload(c, 60_000, full.subarray(0, 100));
      await until(() => c.deps.admission.inflight().requests === 1);
      const second = partialUpload(c, 60_000, Buffer.from('{'));
      const refused = await second.response;
      expect(refused.status).toBe(429);
      expect(JSON.parse(refused.text).message).toMatch(/bytes of request bodies are being processed; .* would exceed the limit of 102400/);
      second.req.destroy();
      slow.req.destroy();
      await until(() => c.deps.admission.inflight().requests === 0);
      expect(c.deps.admission.inflight().bytes).toBe(0);
      expect((await post(c, full)).status).toBe(200);
    });
  });

  it('bounds requests in flight', async () => {
    await withCollector({ maxInflightRequests: 2 }, async (c) => {
      const held = [partialUpload(c, 10_000, Buffer.from('{')), partialUpload(c, 10_000, Buffer.from('{'))];
      await until(() => c.deps.admission.inflight().requests === 2);
      const third = partialUpload(c, 10_000, Buffer.from('{'));
      const res = await third.response;
      expect(res.status).toBe(429);
      expect(JSON.parse(res.text).message).toMatch(/2 requests are in flight \(the limit is 2\)/);
      for (const h of [...held, third]) h.req.destroy();
    });
  });

  it('a chunked body is counted as it arrives and refused when it outgrows the in-flight budget', async () => {
    await withCollector({ maxBodyBytes: 1024 * 1024, maxInflightBytes: 64 * 1024 }, async (c) => {
      const res = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpRequest(`${c.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (r) => {
          let text = '';
          r.on('data', (d: Buffer) => (text += d.toString()));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        for (let i = 0; i < 12; i++) req.write('x'.repeat(8192));
        req.end();
      });
      expect(res.status).toBe(429);
      expect(JSON.parse(res.text).message).toMatch(/more than 65536 bytes of request bodies in flight/);
      await until(() => c.deps.admission.inflight().requests === 0);
      expect(c.deps.admission.inflight().bytes).toBe(0);
    });
  });
});

describe('requests that could never be admitted', () => {
  it('more call spans than the queue can ever hold → 413 naming the limit, not an eternal 429', async () => {
    await withCollector({ maxQueueRecords: 5 }, async (c) => {
      const res = await post(c, body(6));
      expect(res.status).toBe(413);
      expect(res.json.message).toMatch(/carries 6 LLM-call spans; the ingest queue holds at most 5 \(maxQueueRecords\)/);
      expect((await post(c, body(5))).status).toBe(200);
    });
  });

  it('a declared body beyond the in-flight budget → 413 at once', async () => {
    await withCollector({ maxBodyBytes: 1024 * 1024, maxInflightBytes: 32 * 1024 }, async (c) => {
      const upload = partialUpload(c, 40_000, Buffer.from('{'));
      const res = await upload.response;
      expect(res.status).toBe(413);
      expect(JSON.parse(res.text).message).toMatch(/the limit is 32768 \(maxBodyBytes, maxInflightBytes\)/);
      upload.req.destroy();
    });
  });
});

describe('client-aborted uploads', () => {
  it('are counted as 499, not logged as internal errors, and free their share of the limits', async () => {
    await withCollector({}, async (c) => {
      const upload = partialUpload(c, 100_000, Buffer.from('{"resourceSpans":[{'));
      await until(() => c.deps.admission.inflight().requests === 1);
      upload.req.destroy();
      await until(() => c.deps.admission.inflight().requests === 0);
      await until(() => c.deps.metrics.requestCount('traces', 499) === 1);
      expect(c.deps.admission.inflight().bytes).toBe(0);
      expect(c.logs.filter((l) => /internal error|unexpected error/.test(l))).toEqual([]);
      expect((await post(c, body(1))).status).toBe(200);
    });
  });
});
