import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import * as ai from 'ai-v5';
import { createGoogleGenerativeAI } from 'ai-sdk-google-v2';
import { createOpenAI } from 'ai-sdk-openai-v2';
import { fixture, startReplayServer, type ReplayServer } from '../support/replay-server.js';
import { exportSpans, expectSuccess, otlpExporter, request, startTestCollector, tempDir, type TestCollector } from './harness.js';

// The Vercel AI SDK's own spans, made by ai 5 against the replay server with a tracer of our
// own, shipped over OTLP to the collector: the same mapping reads them as in process.
const tmp = tempDir('genai-usage-collector-ai-sdk-');
let collector: TestCollector;
let server: ReplayServer;
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const telemetry = { experimental_telemetry: { isEnabled: true, tracer: provider.getTracer('ai') } };

beforeAll(async () => {
  collector = await startTestCollector(`sqlite:${join(tmp.dir, 'ai-sdk.db')}`);
  server = await startReplayServer();
});
afterAll(async () => {
  await collector.close();
  await server.close();
  await provider.shutdown();
  tmp.cleanup();
});

describe('AI SDK spans through the collector', () => {
  it('ai 5 Gemini and OpenAI calls: semconv provider names, thinking as output, cache reads, streaming, embeddings', async () => {
    const google = createGoogleGenerativeAI({ apiKey: 'k', baseURL: `${server.url}/v1beta` });
    const openai = createOpenAI({ apiKey: 'k', baseURL: `${server.url}/v1` });
    server.enqueue('gemini/generate-content', 'openai/responses-stream', 'openai/embeddings-float');
    await ai.generateText({ model: google('gemini-2.5-flash'), prompt: 'hi', ...telemetry });
    await ai.streamText({ model: openai('gpt-4o-mini'), prompt: 'hi', ...telemetry }).text;
    await ai.embed({ model: openai.embedding('text-embedding-3-small'), value: 'hi', ...telemetry });
    const spans = exporter.getFinishedSpans();
    expect(spans.length).toBeGreaterThanOrEqual(6);
    expectSuccess(await exportSpans(otlpExporter('json', collector.url), spans));

    const { json } = await request(collector.url, '/api/v1/records?order=asc');
    const u = fixture('gemini/generate-content').body.usageMetadata;
    const s = fixture('openai/responses-stream').events!.at(-1)!.data.response.usage;
    expect(json.records.map((r: any) => [r.provider, r.operation, r.requestModel, r.streaming])).toEqual([
      ['gcp.gemini', 'chat', 'gemini-2.5-flash', false],
      ['openai', 'chat', 'gpt-4o-mini', true],
      ['openai', 'embeddings', 'text-embedding-3-small', false],
    ]);
    expect(json.records[0]).toMatchObject({ inputTokens: u.promptTokenCount, outputTokens: u.candidatesTokenCount + u.thoughtsTokenCount, reasoningTokens: u.thoughtsTokenCount, cacheReadTokens: u.cachedContentTokenCount, costSource: 'table' });
    expect(json.records[1]).toMatchObject({ inputTokens: s.input_tokens, outputTokens: s.output_tokens, cacheReadTokens: s.input_tokens_details.cached_tokens });
    expect(json.records[1].timeToFirstTokenMs).toBeGreaterThan(0);
    expect(json.records[2]).toMatchObject({ inputTokens: 6, costSource: 'table' });
  });

  it('an AI SDK count out of bounds is rejected with its name, not stored', async () => {
    exporter.reset();
    const openai = createOpenAI({ apiKey: 'k', baseURL: `${server.url}/v1` });
    server.enqueue('openai/embeddings-float');
    await ai.embed({ model: openai.embedding('text-embedding-3-small'), value: 'hi', ...telemetry });
    const doEmbed = exporter.getFinishedSpans().find((span) => span.name === 'ai.embed.doEmbed')!;
    (doEmbed.attributes as Record<string, unknown>)['ai.usage.tokens'] = 5_000_000_000_000;
    const res = await request(collector.url, '/v1/traces', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new TextDecoder().decode((await import('@opentelemetry/otlp-transformer')).JsonTraceSerializer.serializeRequest([doEmbed])),
    });
    expect(res.status).toBe(200);
    expect(res.json.partialSuccess.rejectedSpans).toBe('1');
    expect(res.json.partialSuccess.errorMessage).toMatch(/ai\.usage\.tokens must be an integer from 0 to/);
  });
});
