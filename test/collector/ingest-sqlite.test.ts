import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { exportSpans, expectSuccess, genAiSpans, otlpExporter, request, startTestCollector, tempDir, type Call, type Protocol, type TestCollector } from './harness.js';

const tmp = tempDir('genai-usage-collector-');
afterAll(() => tmp.cleanup());

const CALLS: Call[] = [
  { model: 'gpt-4o-mini', input: 120, output: 30, user: 'u-1', agent: 'Triage', session: 's-1', costUsd: 0.0004 },
  { model: 'gpt-4o', input: 900, output: 200, user: 'u-1', agent: 'Billing', session: 's-1', costUsd: 0.0123 },
  { model: 'claude-haiku-4-5', provider: 'anthropic', input: 50, output: 10, user: 'u-2', session: 's-2', costUsd: 0.0001 },
  { model: 'gpt-4o', input: 10, output: 0, user: 'u-2', session: 's-2', costUsd: 0, error: 'RateLimitError' },
];

describe.each<[Protocol, boolean]>([
  ['protobuf', false],
  ['protobuf', true],
  ['json', false],
  ['json', true],
])('OTLP %s (gzip %s) → collector → SQLite', (protocol, gzip) => {
  let collector: TestCollector;
  const db = join(tmp.dir, `${protocol}-${gzip}.db`);
  beforeAll(async () => {
    collector = await startTestCollector(`sqlite:${db}`);
  });
  afterAll(() => collector.close());

  it('stores one record per LLM call with the mapped fields and drops the other spans', async () => {
    const spans = genAiSpans(CALLS);
    expectSuccess(await exportSpans(otlpExporter(protocol, collector.url, { gzip }), spans));
    const { json } = await request(collector.url, '/api/v1/records?order=asc');
    expect(json.records).toHaveLength(4);
    const byModel = Object.fromEntries(json.records.map((r: any) => [`${r.requestModel}/${r.success}`, r]));
    const first = byModel['gpt-4o-mini/true'];
    const span = spans.find((s) => s.name === 'chat gpt-4o-mini')!;
    expect(first).toMatchObject({
      id: `${span.spanContext().traceId}-${span.spanContext().spanId}`,
      serviceName: 'support-bot',
      provider: 'openai',
      operation: 'chat',
      userId: 'u-1',
      agentName: 'Triage',
      sessionId: 's-1',
      inputTokens: 120,
      outputTokens: 30,
      totalTokens: 150,
      costUsd: 0.0004,
      finishReason: 'stop',
      tags: { feature: 'chat' },
    });
    // Timestamps survive the int64 nanosecond encoding to the millisecond.
    expect(new Date(first.recordedAt).getTime()).toBe(Math.floor(span.startTime[0] * 1000 + span.startTime[1] / 1e6));
    expect(byModel['gpt-4o/false']).toMatchObject({ success: false, errorType: 'RateLimitError' });
    const metrics = collector.deps.metrics;
    expect([metrics.spansReceived, metrics.spansDropped, metrics.recordsWritten]).toEqual([5, 1, 4]);
  });

  it('answers the query API with the right aggregates', async () => {
    const users = await request(collector.url, '/api/v1/aggregate?groupBy=user');
    expect(users.status).toBe(200);
    const u1 = users.json.rows.find((r: any) => r.user === 'u-1');
    expect(u1).toMatchObject({ requests: 2, inputTokens: 1020, outputTokens: 230, failures: 0 });
    expect(u1.costUsd).toBeCloseTo(0.0127, 10);
    const top = await request(collector.url, '/api/v1/top?by=model&metric=totalTokens&limit=1');
    expect(top.json.rows).toHaveLength(1);
    expect(top.json.rows[0]).toMatchObject({ model: 'gpt-4o', requests: 2, totalTokens: 1110 });
    expect(top.json.page.next).toContain('offset=1');
  });

  it('re-sent batches create no duplicates', async () => {
    const spans = genAiSpans([{ model: 'gpt-4o-mini', input: 1, output: 1, user: 'u-resend' }]);
    const exporter = otlpExporter(protocol, collector.url, { gzip });
    expectSuccess(await exportSpans(exporter, spans));
    expectSuccess(await exportSpans(exporter, spans));
    const { json } = await request(collector.url, '/api/v1/aggregate?user=u-resend');
    expect(json.rows[0].requests).toBe(1);
    expect(collector.deps.metrics.recordsDuplicate).toBe(1);
    // The store on disk agrees (not only the API).
    const store = await openStore(`sqlite:${db}`);
    expect((await store.records({ userId: 'u-resend' })).length).toBe(1);
    await store.close();
  });
});
