import { beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { embed, generateText, registerTelemetry, streamText, wrapLanguageModel } from 'ai';
import { OpenTelemetry } from '@ai-sdk/otel';
import { createOpenAI } from '@ai-sdk/openai';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { aiSdkBudgetMiddleware, BudgetExceededError, withUsageContext } from '../../src/index.js';
import { fixture } from '../support/replay-server.js';
import { sumWhere, useHarness } from '../support/tracking-harness.js';

// ai 7 with @ai-sdk/otel: its spans follow the GenAI conventions and reach our processor.
const h = useHarness({
  budgets: [{ name: 'capped', limit: { requests: 1 }, period: 'daily', enforce: 'hard', scope: { user: 'capped-user' } }],
});
// After tracking started: @ai-sdk/otel pins its own @opentelemetry/api copy, whose tracer only
// finds the registered provider if it is created once that provider is registered.
beforeAll(() => registerTelemetry(new OpenTelemetry()));
const openai = () => createOpenAI({ apiKey: 'k', baseURL: `${h.server.url}/v1` });

/** Spans of the `gen_ai` tracer (@ai-sdk/otel) and ours, after a flush. */
async function spansByScope() {
  await h.tracking.forceFlush();
  return h.spans.getFinishedSpans().map((s) => ({ scope: s.instrumentationScope.name, operation: s.attributes['gen_ai.operation.name'], span: s }));
}

describe('Vercel AI SDK 7 with @ai-sdk/otel', () => {
  it('generateText: the call span is counted once (not the invoke_agent or step spans), cache reads read', async () => {
    const u = fixture('openai/responses').body.usage;
    h.server.enqueue('openai/responses');
    await generateText({ model: openai()('gpt-5-mini'), prompt: 'hi' });
    const spans = await spansByScope();
    expect(spans.map((s) => s.operation).sort()).toEqual(['agent_step', 'chat', 'invoke_agent']);
    const records = await h.waitForRecords(1);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-5-mini',
      inputTokens: u.input_tokens,
      outputTokens: u.output_tokens,
      cacheReadTokens: u.input_tokens_details.cached_tokens,
      costSource: 'table',
      streaming: false,
    });
  });

  it('streamText: streaming and time to first chunk from gen_ai.client.operation.time_to_first_chunk', async () => {
    h.server.enqueue({ fixture: 'openai/chat-completion-stream-usage', chunkDelayMs: 5 });
    const result = streamText({ model: openai().chat('gpt-4o-mini'), prompt: 'hi' });
    expect(await result.text).toBe('The capital of France is Paris.');
    const [record] = await h.waitForRecords(1);
    const call = (await spansByScope()).find((s) => s.operation === 'chat')!.span;
    expect(record).toMatchObject({ streaming: true, inputTokens: 1289, outputTokens: 7, cacheReadTokens: 1024 });
    expect(record!.timeToFirstTokenMs).toBeCloseTo((call.attributes['gen_ai.client.operation.time_to_first_chunk'] as number) * 1000, 6);
  });

  it.each([
    ['anthropic', () => createAnthropic({ apiKey: 'k', baseURL: `${h.server.url}/v1` })('claude-sonnet-4-5'), 'anthropic/message', { cacheWriteTokens: 312, cacheReadTokens: 2048, inputTokens: 2402 }],
    ['gcp.gemini', () => createGoogleGenerativeAI({ apiKey: 'k', baseURL: `${h.server.url}/v1beta` })('gemini-2.5-flash'), 'gemini/generate-content', { inputTokens: 4213, outputTokens: 599, cacheReadTokens: 3072 }],
  ] as const)('%s provider: its semconv name, its usage', async (provider, model, name, expected) => {
    h.server.enqueue(name);
    await generateText({ model: model(), prompt: 'hi' });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ provider, costSource: 'table', ...expected });
  });

  it('embed: the embeddings span around doEmbed is not counted beside it', async () => {
    h.server.enqueue('openai/embeddings-float');
    await embed({ model: openai().embedding('text-embedding-3-small'), value: 'refund policy' });
    const spans = await spansByScope();
    expect(spans.filter((s) => s.operation === 'embeddings')).toHaveLength(2);
    const records = await h.waitForRecords(1);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ operation: 'embeddings', provider: 'openai', inputTokens: 6, costSource: 'table' });
  });

  it('a model built on the openai SDK: our call span counts, the AI SDK call span around it does not', async () => {
    const body = fixture('openai/chat-completion').body;
    h.server.enqueue('openai/chat-completion');
    await generateText({ model: sdkBackedModel(), prompt: 'hi' });
    const spans = await spansByScope();
    const ours = spans.find((s) => s.scope === 'genai-usage-instrumentation-openai')!.span;
    const theirs = spans.find((s) => s.scope === 'gen_ai' && s.operation === 'chat')!.span;
    expect(ours.parentSpanContext?.spanId).toBe(theirs.spanContext().spanId);
    // Both describe the call with usage; only ours (exact: cache reads included) is counted.
    expect(theirs.attributes['gen_ai.usage.input_tokens']).toBe(body.usage.prompt_tokens);
    const records = await h.waitForRecords(1);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ provider: 'openai', cacheReadTokens: body.usage.prompt_tokens_details.cached_tokens, spanId: ours.spanContext().spanId });
  });

  it('budgets: without the middleware a hard budget cannot stop a fetch-based provider; with it, no request is sent', async () => {
    const capped = <T>(fn: () => Promise<T>) => withUsageContext({ userId: 'capped-user' }, fn);
    h.server.enqueue('openai/chat-completion', 'openai/chat-completion');
    await capped(() => generateText({ model: openai().chat('gpt-4o-mini'), prompt: 'hi' }));
    await h.waitForRecords(1);
    const sent = h.server.requests.length;
    // Over budget now, but nothing of ours runs before @ai-sdk/openai's fetch.
    await capped(() => generateText({ model: openai().chat('gpt-4o-mini'), prompt: 'hi' }));
    expect(h.server.requests.length).toBe(sent + 1);

    const guarded = wrapLanguageModel({ model: openai().chat('gpt-4o-mini'), middleware: aiSdkBudgetMiddleware() });
    const error = await capped(() => generateText({ model: guarded, prompt: 'hi', maxRetries: 0 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(h.server.requests.length).toBe(sent + 1);
    h.records.length = 0;
    // Another user is not capped: the wrapped model sends as usual.
    h.server.enqueue('openai/chat-completion');
    await withUsageContext({ userId: 'someone-else' }, () => generateText({ model: guarded, prompt: 'hi' }));
    expect(h.server.requests.length).toBe(sent + 2);
    const requests = sumWhere(await h.metric('genai_usage.requests'), { 'user.id': 'capped-user' });
    expect(requests).toBeGreaterThanOrEqual(2);
  });
});

/** A custom AI SDK model on the openai SDK, the way apps write one (LanguageModelV4). */
function sdkBackedModel() {
  const client = new OpenAI({ apiKey: 'k', baseURL: `${h.server.url}/v1`, maxRetries: 0 });
  return {
    specificationVersion: 'v4' as const,
    provider: 'acme.sdk',
    modelId: 'gpt-4o-mini',
    supportedUrls: {},
    async doGenerate() {
      const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      return {
        content: [{ type: 'text' as const, text: r.choices[0]!.message.content ?? '' }],
        finishReason: { unified: 'stop' as const, raw: 'stop' },
        usage: {
          inputTokens: { total: r.usage!.prompt_tokens, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
          outputTokens: { total: r.usage!.completion_tokens, text: undefined, reasoning: undefined },
        },
        warnings: [],
      };
    },
    async doStream(): Promise<never> {
      throw new Error('not used');
    },
  };
}
