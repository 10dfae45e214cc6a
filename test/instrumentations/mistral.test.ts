import { describe, expect, it } from 'vitest';
import * as mistralModule from '@mistralai/mistralai';
import { SDKError, HTTPValidationError } from '@mistralai/mistralai/models/errors';
import { estimateCost } from '../../src/index.js';
import { fixture } from '../support/replay-server.js';
import { sumWhere, useHarness } from '../support/tracking-harness.js';

const h = useHarness({ instrumentModules: { mistral: mistralModule } });
const mistral = () => new mistralModule.Mistral({ apiKey: 'test-key', serverURL: h.server.url });
const messages = [{ role: 'user' as const, content: 'Where is my parcel?' }];

describe('@mistralai/mistralai', () => {
  it('chat.complete: a semconv span, cached tokens as part of input, priced', async () => {
    const body = fixture('mistral/chat-completion').body;
    const u = body.usage;
    h.server.enqueue('mistral/chat-completion');
    const result = await mistral().chat.complete({ model: 'mistral-small-latest', messages, temperature: 0.2, maxTokens: 300, randomSeed: 7 });
    expect(result.id).toBe(body.id);
    expect(h.server.requests.at(-1)!.path).toBe('/v1/chat/completions');
    const cost = estimateCost({ provider: 'mistral_ai', model: 'mistral-small-latest', inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens, cacheReadTokens: u.prompt_tokens_details.cached_tokens });
    expect(cost.source).toBe('table');
    const spans = await h.callSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.name).toBe('chat mistral-small-latest');
    expect(spans[0]!.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'mistral_ai',
      'gen_ai.system': 'mistral_ai',
      'gen_ai.request.model': 'mistral-small-latest',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.max_tokens': 300,
      'gen_ai.request.seed': 7,
      'server.address': '127.0.0.1',
      'server.port': h.server.port,
      'gen_ai.response.model': body.model,
      'gen_ai.response.id': body.id,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': u.prompt_tokens,
      'gen_ai.usage.output_tokens': u.completion_tokens,
      'gen_ai.usage.cache_read.input_tokens': u.prompt_tokens_details.cached_tokens,
      'genai_usage.cost.source': 'table',
      'genai_usage.cost.usd': cost.costUsd,
      'genai_usage.cost.input_usd': cost.inputCostUsd,
      'genai_usage.cost.output_usd': cost.outputCostUsd,
      ...(cost.cacheReadSavingsUsd ? { 'genai_usage.cost.cache_read_savings_usd': cost.cacheReadSavingsUsd } : {}),
      'genai_usage.cost.price_version': cost.priceVersion,
    });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({
      provider: 'mistral_ai',
      operation: 'chat',
      inputTokens: u.prompt_tokens,
      outputTokens: u.completion_tokens,
      totalTokens: u.total_tokens,
      cacheReadTokens: u.prompt_tokens_details.cached_tokens,
      costUsd: cost.costUsd,
      success: true,
    });
    expect(sumWhere(await h.metric('genai_usage.tokens'), { 'gen_ai.provider.name': 'mistral_ai', 'gen_ai.token.type': 'cache_read' })).toBe(u.prompt_tokens_details.cached_tokens);
  });

  it('chat.stream: events unchanged, usage from the last chunk, time to first chunk', async () => {
    const events = fixture('mistral/chat-completion-stream').events!;
    const usage = events.at(-2)!.data.usage;
    h.server.enqueue({ fixture: 'mistral/chat-completion-stream', chunkDelayMs: 5 });
    const stream = await mistral().chat.stream({ model: 'mistral-small-latest', messages });
    const seen: string[] = [];
    for await (const event of stream) seen.push(String(event.data.choices[0]?.delta.content ?? ''));
    expect(seen.join('')).toBe('Bonjour ! Comment puis-je vous aider ?');
    expect(seen).toHaveLength(events.length - 1); // [DONE] ends the stream
    const [span] = await h.callSpans();
    expect(span!.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.usage.input_tokens': usage.prompt_tokens,
      'gen_ai.usage.output_tokens': usage.completion_tokens,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.response.id': events[0]!.data.id,
    });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ streaming: true, usageEstimated: false, totalTokens: usage.total_tokens });
    expect(record!.timeToFirstTokenMs).toBeGreaterThan(0);
  });

  it('chat.stream read with getReader(): observed too', async () => {
    h.server.enqueue('mistral/chat-completion-stream');
    const stream = await mistral().chat.stream({ model: 'mistral-small-latest', messages });
    const reader = stream.getReader();
    let n = 0;
    while (!(await reader.read()).done) n++;
    expect(n).toBe(5);
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ streaming: true, inputTokens: 12, outputTokens: 9, usageEstimated: false });
  });

  it('an early break: a success, estimated', async () => {
    h.server.enqueue({ fixture: 'mistral/chat-completion-stream', chunkDelayMs: 20 });
    const stream = await mistral().chat.stream({ model: 'mistral-small-latest', messages });
    for await (const _ of stream) break;
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: true, usageEstimated: true, streaming: true });
    expect(record!.inputTokens).toBeGreaterThan(0);
  });

  it('fim.complete: a text completion', async () => {
    const u = fixture('mistral/fim-completion').body.usage;
    h.server.enqueue('mistral/fim-completion');
    await mistral().fim.complete({ model: 'codestral-latest', prompt: 'def fib(n):', suffix: '\nprint(fib(10))', maxTokens: 64 });
    expect(h.server.requests.at(-1)!.path).toBe('/v1/fim/completions');
    const [span] = await h.callSpans();
    expect(span!.name).toBe('text_completion codestral-latest');
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ operation: 'text_completion', provider: 'mistral_ai', inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens, costSource: 'table' });
  });

  it('embeddings.create: input tokens', async () => {
    h.server.enqueue('mistral/embeddings');
    const result = await mistral().embeddings.create({ model: 'mistral-embed', inputs: ['refund policy', 'shipping times'] });
    expect(result.data).toHaveLength(2);
    const [span] = await h.callSpans();
    expect(span!.attributes).toMatchObject({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.usage.input_tokens': 15, 'gen_ai.usage.output_tokens': 0 });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ operation: 'embeddings', inputTokens: 15, costSource: 'table' });
  });

  it.each([
    ['mistral/error-429', 429, SDKError, 'SDKError'],
    ['mistral/error-422', 422, HTTPValidationError, 'HTTPValidationError'],
  ] as const)('%s reaches the app unchanged; the span ends with error.type and the status', async (name, status, ErrorClass, type) => {
    h.server.enqueue(name);
    const error = await mistral()
      .chat.complete({ model: 'mistral-small-latest', messages })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErrorClass);
    const [span] = await h.callSpans();
    expect(span!.status.code).toBe(2);
    expect(span!.attributes).toMatchObject({ 'error.type': type, 'http.response.status_code': status });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: type, provider: 'mistral_ai' });
  });
});

describe('one call, one count with the Mistral SDK native spans on (MISTRAL_SDK_TELEMETRY=global)', () => {
  it.each([
    ['complete', (c: mistralModule.Mistral) => c.chat.complete({ model: 'mistral-small-latest', messages }), 'mistral/chat-completion'],
    ['stream', async (c: mistralModule.Mistral) => { for await (const _ of await c.chat.stream({ model: 'mistral-small-latest', messages })); }, 'mistral/chat-completion-stream'],
  ])('%s: the SDK span is exported, nested in ours, and not counted', async (_name, call, name) => {
    process.env.MISTRAL_SDK_TELEMETRY = 'global';
    try {
      const before = sumWhere(await h.metric('genai_usage.requests'), { 'gen_ai.provider.name': 'mistral_ai' });
      h.server.enqueue(name);
      await call(mistral());
      await h.tracking.forceFlush();
      const spans = h.spans.getFinishedSpans();
      const native = spans.filter((s) => s.instrumentationScope.name === 'mistralai_sdk_tracer');
      const ours = spans.filter((s) => s.instrumentationScope.name === 'genai-usage-instrumentation-mistral');
      expect(native).toHaveLength(1);
      expect(ours).toHaveLength(1);
      // The SDK's span carries usage too: counting it would double the call.
      expect(native[0]!.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(native[0]!.parentSpanContext?.spanId).toBe(ours[0]!.spanContext().spanId);
      expect(await h.waitForRecords(1)).toHaveLength(1);
      const after = sumWhere(await h.metric('genai_usage.requests'), { 'gen_ai.provider.name': 'mistral_ai' });
      expect(after - before).toBe(1);
    } finally {
      delete process.env.MISTRAL_SDK_TELEMETRY;
    }
  });
});

describe('@mistralai/mistralai aborts', () => {
  it('an abort mid-stream: failed, AbortError', async () => {
    h.server.enqueue({ fixture: 'mistral/chat-completion-stream', chunkDelayMs: 100 });
    const controller = new AbortController();
    const stream = await mistral().chat.stream({ model: 'mistral-small-latest', messages }, { fetchOptions: { signal: controller.signal } });
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const event of stream) {
        seen.push(event);
        controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(seen).toHaveLength(1);
    expect((error as Error).name).toBe('AbortError');
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: 'AbortError', streaming: true, provider: 'mistral_ai' });
  });
});
