import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageSpanExporter } from '../../src/exporter/usage-span-exporter.js';
import * as A from '../../src/semconv.js';
import { openStore } from '../../src/store/open-store.js';

const dir = mkdtempSync(join(tmpdir(), 'genai-usage-exporter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Real SDK spans: an invoke_agent parent with two chat calls, plus an HTTP span. */
function agentTrace(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [A.ATTR_SERVICE_NAME]: 'support-bot' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const tracer = provider.getTracer('test');
  const agent = tracer.startSpan('invoke_agent Triage', { attributes: { [A.ATTR_GEN_AI_OPERATION_NAME]: 'invoke_agent', [A.ATTR_GEN_AI_AGENT_NAME]: 'Triage' } });
  const ctx = trace.setSpan(context.active(), agent);
  for (const [model, input, output, cost] of [['gpt-4o-mini', 120, 30, 0.0004], ['gpt-4o', 900, 200, 0.0123]] as const) {
    const span = tracer.startSpan(
      `chat ${model}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [A.ATTR_GEN_AI_OPERATION_NAME]: 'chat',
          [A.ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
          [A.ATTR_GEN_AI_REQUEST_MODEL]: model,
          [A.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: input,
          [A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: output,
          [A.ATTR_USER_ID]: 'u-42',
          [A.ATTR_COST_USD]: cost,
          [A.ATTR_COST_SOURCE]: 'table',
          [`${A.ATTR_TAG_PREFIX}feature`]: 'chat',
        },
      },
      ctx,
    );
    span.end();
  }
  const http = tracer.startSpan('POST', { attributes: { 'http.request.method': 'POST' } }, ctx);
  http.setStatus({ code: SpanStatusCode.OK });
  http.end();
  agent.end();
  return memory.getFinishedSpans();
}

const exportSpans = (exporter: UsageSpanExporter, spans: ReadableSpan[]): Promise<ExportResult> =>
  new Promise((resolve) => exporter.export(spans, resolve));

describe('UsageSpanExporter', () => {
  it('stores one record per LLM call span, ignores the rest, and is idempotent', async () => {
    const url = `sqlite:${join(dir, 'spans.db')}`;
    const exporter = new UsageSpanExporter({ store: url });
    const spans = agentTrace();
    expect(spans).toHaveLength(4);
    expect((await exportSpans(exporter, spans)).code).toBe(ExportResultCode.SUCCESS);
    // The same spans again (a retried export): still one row per call.
    expect((await exportSpans(exporter, spans)).code).toBe(ExportResultCode.SUCCESS);
    await exporter.forceFlush();
    expect(exporter.writer.stats()).toMatchObject({ written: 4, dropped: 0 });
    await exporter.shutdown();
    expect((await exportSpans(exporter, spans)).code).toBe(ExportResultCode.FAILED);

    const store = await openStore(url);
    const records = await store.records({ order: 'asc' });
    const totals = await store.aggregate();
    await store.close();
    expect(records.map((r) => [r.requestModel, r.inputTokens, r.outputTokens, r.costUsd, r.userId, r.serviceName, r.tags])).toEqual(
      expect.arrayContaining([
        ['gpt-4o-mini', 120, 30, 0.0004, 'u-42', 'support-bot', { feature: 'chat' }],
        ['gpt-4o', 900, 200, 0.0123, 'u-42', 'support-bot', { feature: 'chat' }],
      ]),
    );
    expect(records).toHaveLength(2);
    expect(totals[0]).toMatchObject({ requests: 2, inputTokens: 1020, outputTokens: 230, totalTokens: 1250 });
    expect(totals[0]?.costUsd).toBeCloseTo(0.0127, 10);
    expect(records.every((r) => r.id === `${r.traceId}-${r.spanId}`)).toBe(true);
  });

  it('takes its store from GENAI_USAGE_STORE when none is given', async () => {
    const file = join(dir, 'env.db');
    process.env['GENAI_USAGE_STORE'] = `sqlite:${file}`;
    try {
      const exporter = new UsageSpanExporter();
      await exportSpans(exporter, agentTrace());
      await exporter.shutdown();
    } finally {
      delete process.env['GENAI_USAGE_STORE'];
    }
    const store = await openStore(`sqlite:${file}`);
    expect((await store.aggregate())[0]?.requests).toBe(2);
    await store.close();
  });
});
