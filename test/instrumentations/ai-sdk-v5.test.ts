import { describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import * as ai from 'ai-v5';
import { createOpenAI } from 'ai-sdk-openai-v2';
import { createGoogleGenerativeAI } from 'ai-sdk-google-v2';
import { addPreCallHook, aiSdkBudgetMiddleware, estimateCost } from '../../src/index.js';
import { fixture } from '../support/replay-server.js';
import { useHarness } from '../support/tracking-harness.js';

// ai 5 (the `ai-v5` alias) with experimental_telemetry, and its provider packages of the same
// generation (@ai-sdk/openai 2, @ai-sdk/google 2, aliased).
const h = useHarness();
const telemetry = { experimental_telemetry: { isEnabled: true } };
const openai = () => createOpenAI({ apiKey: 'k', baseURL: `${h.server.url}/v1` });
const google = () => createGoogleGenerativeAI({ apiKey: 'k', baseURL: `${h.server.url}/v1beta` });

describe('Vercel AI SDK 5 with experimental_telemetry', () => {
  it('generateText on openai.chat: one record from the doGenerate span, provider openai', async () => {
    const body = fixture('openai/chat-completion').body;
    h.server.enqueue('openai/chat-completion');
    await ai.generateText({ model: openai().chat('gpt-4o-mini'), prompt: 'hi', ...telemetry });
    await h.tracking.forceFlush();
    const doGenerate = h.spans.getFinishedSpans().find((s) => s.name === 'ai.generateText.doGenerate')!;
    expect(doGenerate.attributes['gen_ai.system']).toBe('openai.chat');
    const records = await h.waitForRecords(1);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o-mini',
      responseModel: body.model,
      inputTokens: body.usage.prompt_tokens,
      outputTokens: body.usage.completion_tokens,
      streaming: false,
      costSource: 'table',
    });
    // ai 5's doGenerate span carries no cached-token count: the cache reads cannot be priced as such.
    expect(records[0]!.cacheReadTokens).toBe(0);
  });

  it('streamText on openai.responses: streaming, time to first chunk, cache reads from ai.usage.cachedInputTokens', async () => {
    const u = fixture('openai/responses-stream').events!.at(-1)!.data.response.usage;
    h.server.enqueue({ fixture: 'openai/responses-stream', chunkDelayMs: 5 });
    const result = ai.streamText({ model: openai()('gpt-4o-mini'), prompt: 'hi', ...telemetry });
    expect(await result.text).toBe('Paris is the capital of France.');
    await h.tracking.forceFlush();
    const doStream = h.spans.getFinishedSpans().find((s) => s.name === 'ai.streamText.doStream')!;
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({
      provider: 'openai',
      streaming: true,
      inputTokens: u.input_tokens,
      outputTokens: u.output_tokens,
      cacheReadTokens: u.input_tokens_details.cached_tokens,
      timeToFirstTokenMs: doStream.attributes['ai.response.msToFirstChunk'],
    });
    const cost = estimateCost({ provider: 'openai', model: record!.responseModel!, inputTokens: u.input_tokens, outputTokens: u.output_tokens, cacheReadTokens: u.input_tokens_details.cached_tokens });
    expect(record!.costUsd).toBeCloseTo(cost.costUsd!, 12);
  });

  it.each([
    ['generateText', async () => void (await ai.generateText({ model: google()('gemini-2.5-flash'), prompt: 'hi', ...telemetry })), 'gemini/generate-content'],
    ['streamText', async () => void (await ai.streamText({ model: google()('gemini-2.5-flash'), prompt: 'hi', ...telemetry }).text), 'gemini/generate-content-stream'],
  ])('@ai-sdk/google 2 %s: gcp.gemini, thinking counted as output (its outputTokens leave it out)', async (_name, call, name) => {
    const f = fixture(name);
    const u = f.body?.usageMetadata ?? f.events!.at(-1)!.data.usageMetadata;
    h.server.enqueue(name);
    await call();
    await h.tracking.forceFlush();
    const span = h.spans.getFinishedSpans().find((s) => s.name.endsWith('.doGenerate') || s.name.endsWith('.doStream'))!;
    // What the span itself says: output without the thinking tokens.
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(u.candidatesTokenCount);
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({
      provider: 'gcp.gemini',
      inputTokens: u.promptTokenCount,
      outputTokens: u.candidatesTokenCount + u.thoughtsTokenCount,
      totalTokens: u.totalTokenCount,
      reasoningTokens: u.thoughtsTokenCount,
      cacheReadTokens: u.cachedContentTokenCount,
    });
  });

  it('embed: the doEmbed span, which has no gen_ai attributes, is one embeddings call', async () => {
    h.server.enqueue('openai/embeddings-float');
    await ai.embed({ model: openai().embedding('text-embedding-3-small'), value: 'refund policy', ...telemetry });
    const records = await h.waitForRecords(1);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ operation: 'embeddings', provider: 'openai', requestModel: 'text-embedding-3-small', inputTokens: 6, outputTokens: 0, costSource: 'table' });
  });

  it('a model built on the openai SDK: our span counts, the doGenerate span around it does not', async () => {
    const body = fixture('openai/chat-completion').body;
    h.server.enqueue('openai/chat-completion');
    await ai.generateText({ model: sdkBackedModel(), prompt: 'hi', ...telemetry });
    const records = await h.waitForRecords(1);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ provider: 'openai', cacheReadTokens: body.usage.prompt_tokens_details.cached_tokens });
  });

  it('aiSdkBudgetMiddleware works with ai 5 wrapLanguageModel: a blocking check rejects before any request', async () => {
    class Blocked extends Error {
      readonly blocksCall = true;
    }
    const seen: unknown[] = [];
    const remove = addPreCallHook((info) => {
      seen.push(info);
      throw new Blocked('over budget');
    });
    const sent = h.server.requests.length;
    try {
      const model = ai.wrapLanguageModel({ model: openai().chat('gpt-4o-mini'), middleware: aiSdkBudgetMiddleware() });
      await expect(ai.generateText({ model, prompt: 'hi', maxOutputTokens: 64, maxRetries: 0 })).rejects.toBeInstanceOf(Blocked);
      // streamText reports stream errors through onError.
      let streamError: unknown;
      await ai.streamText({ model, prompt: 'hi', maxRetries: 0, onError: ({ error }) => void (streamError = error) }).text.catch(() => {});
      expect(streamError).toBeInstanceOf(Blocked);
    } finally {
      remove();
    }
    expect(h.server.requests.length).toBe(sent);
    expect(seen[0]).toEqual({ provider: 'openai', operation: 'chat', requestModel: 'gpt-4o-mini', maxOutputTokens: 64 });
  });
});

/** A custom AI SDK model on the openai SDK (LanguageModelV2). */
function sdkBackedModel() {
  const client = new OpenAI({ apiKey: 'k', baseURL: `${h.server.url}/v1`, maxRetries: 0 });
  return {
    specificationVersion: 'v2' as const,
    provider: 'acme.sdk',
    modelId: 'gpt-4o-mini',
    supportedUrls: {},
    async doGenerate() {
      const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      return {
        content: [{ type: 'text' as const, text: r.choices[0]!.message.content ?? '' }],
        finishReason: 'stop' as const,
        usage: { inputTokens: r.usage!.prompt_tokens, outputTokens: r.usage!.completion_tokens, totalTokens: r.usage!.total_tokens },
        warnings: [],
      };
    },
    async doStream(): Promise<never> {
      throw new Error('not used');
    },
  };
}
