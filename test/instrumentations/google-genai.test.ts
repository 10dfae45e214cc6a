import { describe, expect, it } from 'vitest';
import * as genai from '@google/genai';
import { estimateCost } from '../../src/index.js';
import { fixture } from '../support/replay-server.js';
import { sumWhere, useHarness } from '../support/tracking-harness.js';

const h = useHarness({ instrumentModules: { googleGenAI: genai } });
const gemini = () => new genai.GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: h.server.url } });

describe('@google/genai 3.x, Gemini API', () => {
  it('generateContent: a semconv span, thinking as output, cache reads as part of input, priced', async () => {
    const body = fixture('gemini/generate-content').body;
    const u = body.usageMetadata;
    h.server.enqueue('gemini/generate-content');
    const response = await gemini().models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Summarise the attached invoice.',
      config: { temperature: 0.3, maxOutputTokens: 1024, stopSequences: ['END'], topK: 40 },
    });
    expect(response.text).toBe(body.candidates[0].content.parts[0].text);
    expect(h.server.requests.at(-1)!.path).toBe('/v1/models/gemini-2.5-flash:generateContent');

    const output = u.candidatesTokenCount + u.thoughtsTokenCount;
    const cost = estimateCost({
      provider: 'gcp.gemini',
      model: 'gemini-2.5-flash',
      inputTokens: u.promptTokenCount,
      outputTokens: output,
      cacheReadTokens: u.cachedContentTokenCount,
      reasoningTokens: u.thoughtsTokenCount,
    });
    expect(cost.source).toBe('table');
    const [span] = await h.callSpans();
    expect(span!.name).toBe('generate_content gemini-2.5-flash');
    expect(span!.attributes).toEqual({
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.system': 'gcp.gemini',
      'gen_ai.request.model': 'gemini-2.5-flash',
      'gen_ai.request.temperature': 0.3,
      'gen_ai.request.max_tokens': 1024,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.request.top_k': 40,
      'server.address': '127.0.0.1',
      'server.port': h.server.port,
      'gen_ai.response.model': body.modelVersion,
      'gen_ai.response.id': body.responseId,
      'gen_ai.response.finish_reasons': ['STOP'],
      'gen_ai.usage.input_tokens': u.promptTokenCount,
      'gen_ai.usage.output_tokens': output,
      'gen_ai.usage.cache_read.input_tokens': u.cachedContentTokenCount,
      'gen_ai.usage.reasoning.output_tokens': u.thoughtsTokenCount,
      'genai_usage.cost.source': 'table',
      'genai_usage.cost.usd': cost.costUsd,
      'genai_usage.cost.input_usd': cost.inputCostUsd,
      'genai_usage.cost.output_usd': cost.outputCostUsd,
      ...(cost.cacheReadSavingsUsd ? { 'genai_usage.cost.cache_read_savings_usd': cost.cacheReadSavingsUsd } : {}),
      'genai_usage.cost.price_version': cost.priceVersion,
    });
    // Totals agree with the provider's: prompt + candidates + thoughts.
    expect(u.promptTokenCount + output).toBe(u.totalTokenCount);

    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({
      provider: 'gcp.gemini',
      operation: 'generate_content',
      requestModel: 'gemini-2.5-flash',
      responseModel: 'gemini-2.5-flash',
      inputTokens: u.promptTokenCount,
      outputTokens: output,
      totalTokens: u.totalTokenCount,
      cacheReadTokens: u.cachedContentTokenCount,
      reasoningTokens: u.thoughtsTokenCount,
      costUsd: cost.costUsd,
      success: true,
      streaming: false,
      finishReason: 'STOP',
    });
    const tokens = await h.metric('genai_usage.tokens');
    const of = (type: string) => sumWhere(tokens, { 'gen_ai.provider.name': 'gcp.gemini', 'gen_ai.token.type': type });
    expect([of('input'), of('output'), of('cache_read'), of('reasoning')]).toEqual([u.promptTokenCount, output, u.cachedContentTokenCount, u.thoughtsTokenCount]);
  });

  it('per-modality details: audio and image input, image output', async () => {
    const u = fixture('gemini/generate-content-multimodal').body.usageMetadata;
    h.server.enqueue('gemini/generate-content-multimodal');
    await gemini().models.generateContent({ model: 'gemini-2.5-flash-image', contents: [{ role: 'user', parts: [{ text: 'Product shot, white background' }] }] });
    const [span] = await h.callSpans();
    expect(span!.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': u.promptTokenCount,
      'gen_ai.usage.output_tokens': u.candidatesTokenCount,
      'genai_usage.usage.audio.input_tokens': 800,
      'genai_usage.usage.image.input_tokens': 258,
      'genai_usage.usage.image.output_tokens': 1290,
    });
    expect(span!.attributes['genai_usage.usage.audio.output_tokens']).toBeUndefined();
    await h.waitForRecords(1);
  });

  it('search grounding: tool-use prompt tokens are billed input', async () => {
    const u = fixture('gemini/generate-content-grounded').body.usageMetadata;
    h.server.enqueue('gemini/generate-content-grounded');
    await gemini().models.generateContent({ model: 'gemini-2.5-flash', contents: 'Who won Euro 2024?', config: { tools: [{ googleSearch: {} }] } });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({
      inputTokens: u.promptTokenCount + u.toolUsePromptTokenCount,
      outputTokens: u.candidatesTokenCount + u.thoughtsTokenCount,
      totalTokens: u.totalTokenCount,
      reasoningTokens: u.thoughtsTokenCount,
    });
  });

  it('generateContentStream: chunks unchanged, usage is the last running total (not a sum), time to first chunk', async () => {
    const events = fixture('gemini/generate-content-stream').events!;
    const last = events.at(-1)!.data.usageMetadata;
    h.server.enqueue({ fixture: 'gemini/generate-content-stream', chunkDelayMs: 5 });
    const stream = await gemini().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Capital of France?' });
    const texts: Array<string | undefined> = [];
    for await (const chunk of stream) texts.push(chunk.text);
    expect(texts.join('')).toBe(events.map((e) => e.data.candidates[0].content.parts[0].text).join(''));
    expect(texts).toHaveLength(events.length);
    expect(h.server.requests.at(-1)!.path).toBe('/v1/models/gemini-2.5-flash:streamGenerateContent?alt=sse');

    const [span] = await h.callSpans();
    expect(span!.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.usage.input_tokens': last.promptTokenCount,
      'gen_ai.usage.output_tokens': last.candidatesTokenCount + last.thoughtsTokenCount,
      'gen_ai.usage.cache_read.input_tokens': last.cachedContentTokenCount,
      'gen_ai.usage.reasoning.output_tokens': last.thoughtsTokenCount,
      'gen_ai.response.finish_reasons': ['STOP'],
      'gen_ai.response.id': events[0]!.data.responseId,
    });
    expect(span!.attributes['genai_usage.usage.estimated']).toBeUndefined();
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ streaming: true, usageEstimated: false, totalTokens: last.totalTokenCount });
    expect(record!.timeToFirstTokenMs).toBeGreaterThan(0);
    expect(record!.timeToFirstTokenMs).toBeLessThan(record!.durationMs);
  });

  it('an early break keeps the provider running count, marked estimated', async () => {
    const first = fixture('gemini/generate-content-stream').events![0]!.data.usageMetadata;
    h.server.enqueue({ fixture: 'gemini/generate-content-stream', chunkDelayMs: 20 });
    const stream = await gemini().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Capital of France?' });
    for await (const _ of stream) break;
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({
      success: true,
      usageEstimated: true,
      inputTokens: first.promptTokenCount,
      outputTokens: first.candidatesTokenCount + first.thoughtsTokenCount,
    });
  });

  it('chats: sendMessage and sendMessageStream go through models, one record per message', async () => {
    h.server.enqueue('gemini/generate-content', 'gemini/generate-content-stream', 'gemini/generate-content');
    const chat = gemini().chats.create({ model: 'gemini-2.5-flash', config: { temperature: 0.1 } });
    await chat.sendMessage({ message: 'First question' });
    for await (const _ of await chat.sendMessageStream({ message: 'Second question' }));
    await chat.sendMessage({ message: 'Third question' });
    const records = await h.waitForRecords(3);
    expect(records).toHaveLength(3);
    expect(records.map((r) => r.streaming)).toEqual([false, true, false]);
    expect(records.every((r) => r.provider === 'gcp.gemini' && r.requestModel === 'gemini-2.5-flash' && r.inputTokens > 0)).toBe(true);
    // The third request carries the conversation so far: the chat built it, our wrapper only observed.
    expect((h.server.requests.at(-1)!.body as { contents: Array<{ role: string }> }).contents.map((c) => c.role)[0]).toBe('user');
    expect((h.server.requests.at(-1)!.body as { contents: unknown[] }).contents.length).toBeGreaterThan(3);
  });

  it('embedContent: input tokens from usageMetadata', async () => {
    h.server.enqueue('gemini/embed-content');
    const result = await gemini().models.embedContent({ model: 'gemini-embedding-001', contents: ['refund policy', 'shipping times'], config: { outputDimensionality: 8 } });
    expect(result.embeddings).toHaveLength(2);
    const [span] = await h.callSpans();
    expect(span!.name).toBe('embeddings gemini-embedding-001');
    expect(span!.attributes).toMatchObject({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.usage.input_tokens': 14, 'gen_ai.usage.output_tokens': 0, 'gen_ai.embeddings.dimension.count': 8 });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ operation: 'embeddings', inputTokens: 14, costSource: 'table' });
  });
});

describe('@google/genai 3.x, Vertex AI', () => {
  // Vertex mode authenticates with google-auth-library; a fake auth client keeps every call on
  // this machine (no metadata server, no token endpoint) and shows the SDK used it.
  const authCalls: string[] = [];
  const authClient = {
    async getRequestHeaders(url?: string) {
      authCalls.push(String(url));
      return new Headers({ authorization: 'Bearer test-access-token' });
    },
  };
  const vertex = () =>
    new genai.GoogleGenAI({
      vertexai: true,
      project: 'acme-prod',
      location: 'us-central1',
      httpOptions: { baseUrl: h.server.url },
      googleAuthOptions: { authClient: authClient as never },
    });

  it('generateContent: provider gcp.vertex_ai, the model id from a resource name, the served tier', async () => {
    const body = fixture('vertex/generate-content').body;
    const u = body.usageMetadata;
    h.server.enqueue('vertex/generate-content');
    const model = 'projects/acme-prod/locations/us-central1/publishers/google/models/gemini-2.5-pro';
    await vertex().models.generateContent({ model, contents: 'Where is my order?', config: { maxOutputTokens: 512 } });
    expect(authCalls.length).toBeGreaterThan(0);
    expect(h.server.requests.at(-1)!.path).toBe(`/v1beta1/${model}:generateContent`);
    const output = u.candidatesTokenCount + u.thoughtsTokenCount;
    const cost = estimateCost({ provider: 'gcp.vertex_ai', model: 'gemini-2.5-pro', inputTokens: u.promptTokenCount, outputTokens: output, cacheReadTokens: u.cachedContentTokenCount, reasoningTokens: u.thoughtsTokenCount });
    expect(cost.source).toBe('table');
    const [span] = await h.callSpans();
    expect(span!.attributes).toEqual({
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.vertex_ai',
      'gen_ai.system': 'gcp.vertex_ai',
      'gen_ai.request.model': 'gemini-2.5-pro',
      'gen_ai.request.max_tokens': 512,
      'server.address': '127.0.0.1',
      'server.port': h.server.port,
      'gen_ai.response.model': 'gemini-2.5-pro',
      'gen_ai.response.id': body.responseId,
      'gen_ai.response.finish_reasons': ['STOP'],
      'gen_ai.usage.input_tokens': u.promptTokenCount,
      'gen_ai.usage.output_tokens': output,
      'gen_ai.usage.cache_read.input_tokens': u.cachedContentTokenCount,
      'gen_ai.usage.reasoning.output_tokens': u.thoughtsTokenCount,
      'genai_usage.service_tier': 'default',
      'genai_usage.cost.source': 'table',
      'genai_usage.cost.usd': cost.costUsd,
      'genai_usage.cost.input_usd': cost.inputCostUsd,
      'genai_usage.cost.output_usd': cost.outputCostUsd,
      ...(cost.cacheReadSavingsUsd ? { 'genai_usage.cost.cache_read_savings_usd': cost.cacheReadSavingsUsd } : {}),
      'genai_usage.cost.price_version': cost.priceVersion,
    });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ provider: 'gcp.vertex_ai', requestModel: 'gemini-2.5-pro', totalTokens: u.totalTokenCount, costUsd: cost.costUsd });
  });

  it('generateContentStream: usage from the last chunk with counts, the priority tier', async () => {
    const last = fixture('vertex/generate-content-stream').events!.at(-1)!.data.usageMetadata;
    h.server.enqueue('vertex/generate-content-stream');
    for await (const _ of await vertex().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Refund timing?' }));
    const [span] = await h.callSpans();
    expect(span!.attributes).toMatchObject({
      'gen_ai.provider.name': 'gcp.vertex_ai',
      'gen_ai.usage.input_tokens': last.promptTokenCount,
      'gen_ai.usage.output_tokens': last.candidatesTokenCount + last.thoughtsTokenCount,
      'genai_usage.service_tier': 'priority',
    });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ streaming: true, usageEstimated: false, totalTokens: last.totalTokenCount });
  });

  it('embedContent (predict): input tokens from each embedding statistics', async () => {
    h.server.enqueue('vertex/embed-predict');
    await vertex().models.embedContent({ model: 'text-embedding-005', contents: ['refund policy', 'shipping'] });
    expect(h.server.requests.at(-1)!.path).toContain('/publishers/google/models/text-embedding-005:predict');
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ provider: 'gcp.vertex_ai', operation: 'embeddings', inputTokens: 12, outputTokens: 0 });
  });

  it('429: failed with the status', async () => {
    h.server.enqueue('vertex/error-429');
    await expect(vertex().models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' })).rejects.toBeInstanceOf(genai.ApiError);
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ provider: 'gcp.vertex_ai', success: false, errorType: 'ApiError' });
  });
});

describe('@google/genai failures', () => {
  it.each([
    ['gemini/error-429', 429],
    ['gemini/error-400', 400],
  ])('%s reaches the app as ApiError; the span ends with error.type and the status', async (name, status) => {
    h.server.enqueue(name);
    const error = await gemini()
      .models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(genai.ApiError);
    expect((error as genai.ApiError).status).toBe(status);
    const [span] = await h.callSpans();
    expect(span!.status.code).toBe(2);
    expect(span!.attributes).toMatchObject({ 'error.type': 'ApiError', 'http.response.status_code': status });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: 'ApiError', provider: 'gcp.gemini', inputTokens: 0 });
  });

  it('a connection dropped mid-stream: failed, with the usage delivered so far', async () => {
    h.server.enqueue({ fixture: 'gemini/generate-content-stream', destroyAfterEvents: 2 });
    const stream = await gemini().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' });
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) seen.push(chunk);
      })(),
    ).rejects.toThrow();
    expect(seen).toHaveLength(2);
    const [record] = await h.waitForRecords(1);
    // undici's error for a socket closed mid-body.
    expect(record).toMatchObject({ success: false, errorType: 'TypeError', inputTokens: 1536, usageEstimated: true });
  });

  it('an abort mid-stream: failed, AbortError, with the usage delivered so far', async () => {
    h.server.enqueue({ fixture: 'gemini/generate-content-stream', chunkDelayMs: 100 });
    const controller = new AbortController();
    const stream = await gemini().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi', config: { abortSignal: controller.signal } });
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const chunk of stream) {
        seen.push(chunk);
        controller.abort();
      }
    })().catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(seen).toHaveLength(1);
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: 'AbortError', inputTokens: 1536, streaming: true });
  });

  // Last in the file: the hung request keeps its keep-alive socket busy on the replay server.
  it('an abort before the response: failed, AbortError', async () => {
    h.server.enqueue({ hang: true });
    const controller = new AbortController();
    const pending = gemini().models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi', config: { abortSignal: controller.signal } });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toThrow();
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: 'AbortError' });
  });
});
