import { describe, expect, it } from 'vitest';
import * as legacy from '@google/generative-ai';
import { ChatGoogleGenerativeAI } from '@langchain/google-genai';
import { estimateCost } from '../../src/index.js';
import { fixture } from '../support/replay-server.js';
import { useHarness } from '../support/tracking-harness.js';

// The older @google/generative-ai SDK: what @langchain/google-genai 2.x calls.
const h = useHarness({ instrumentModules: { googleGenerativeAI: legacy } });
const model = (name = 'gemini-2.5-flash', config: Record<string, unknown> = {}) =>
  new legacy.GoogleGenerativeAI('test-key').getGenerativeModel({ model: name, ...config }, { baseUrl: h.server.url });

describe('@google/generative-ai (0.24)', () => {
  it('generateContent: a semconv span, thinking as output, cache reads, priced', async () => {
    const body = fixture('gemini/generate-content').body;
    const u = body.usageMetadata;
    h.server.enqueue('gemini/generate-content');
    const result = await model('gemini-2.5-flash', { generationConfig: { temperature: 0.4, maxOutputTokens: 800 } }).generateContent('Summarise the invoice.');
    expect(result.response.text()).toBe(body.candidates[0].content.parts[0].text);
    expect(h.server.requests.at(-1)!.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    const output = u.candidatesTokenCount + u.thoughtsTokenCount;
    const cost = estimateCost({ provider: 'gcp.gemini', model: 'gemini-2.5-flash', inputTokens: u.promptTokenCount, outputTokens: output, cacheReadTokens: u.cachedContentTokenCount, reasoningTokens: u.thoughtsTokenCount });
    const [span] = await h.callSpans();
    expect(span!.attributes).toMatchObject({
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': 'gemini-2.5-flash',
      'gen_ai.request.temperature': 0.4,
      'gen_ai.request.max_tokens': 800,
      'server.address': '127.0.0.1',
      'gen_ai.response.model': body.modelVersion,
      'gen_ai.response.finish_reasons': ['STOP'],
      'gen_ai.usage.input_tokens': u.promptTokenCount,
      'gen_ai.usage.output_tokens': output,
      'gen_ai.usage.cache_read.input_tokens': u.cachedContentTokenCount,
      'gen_ai.usage.reasoning.output_tokens': u.thoughtsTokenCount,
      'genai_usage.cost.usd': cost.costUsd,
    });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ provider: 'gcp.gemini', totalTokens: u.totalTokenCount, streaming: false, costUsd: cost.costUsd });
  });

  it.each([
    ['the app reads the stream', true],
    ['the app only awaits the aggregated response', false],
  ])('generateContentStream (%s): one record with the last running usage', async (_label, iterate) => {
    const last = fixture('gemini/generate-content-stream').events!.at(-1)!.data.usageMetadata;
    h.server.enqueue('gemini/generate-content-stream');
    const result = await model().generateContentStream('Capital of France?');
    if (iterate) {
      let text = '';
      for await (const chunk of result.stream) text += chunk.text();
      expect(text).toBe('Paris is the capital of France and its largest city.');
    }
    expect((await result.response).usageMetadata?.totalTokenCount).toBe(last.totalTokenCount);
    const records = await h.waitForRecords(1);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ streaming: true, inputTokens: last.promptTokenCount, outputTokens: last.candidatesTokenCount + last.thoughtsTokenCount, usageEstimated: false });
    expect(h.server.requests.at(-1)!.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  });

  it('a chat: sendMessage and sendMessageStream, one record each', async () => {
    h.server.enqueue('gemini/generate-content', 'gemini/generate-content-stream');
    const chat = model().startChat();
    await chat.sendMessage('First question');
    const streamed = await chat.sendMessageStream('Second question');
    for await (const _ of streamed.stream);
    const records = await h.waitForRecords(2);
    expect(records.map((r) => r.streaming)).toEqual([false, true]);
  });

  it('embedContent: recorded, without usage (this SDK returns none), cost unknown', async () => {
    h.server.enqueue('gemini/embed-content');
    await model('gemini-embedding-001').batchEmbedContents({ requests: [{ content: { role: 'user', parts: [{ text: 'a' }] } }, { content: { role: 'user', parts: [{ text: 'b' }] } }] });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ operation: 'embeddings', provider: 'gcp.gemini', requestModel: 'gemini-embedding-001', success: true, costSource: 'unknown' });
  });

  it('429: failed with the SDK error class and the status', async () => {
    h.server.enqueue('gemini/error-429');
    await expect(model().generateContent('hi')).rejects.toBeInstanceOf(legacy.GoogleGenerativeAIFetchError);
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: 'GoogleGenerativeAIFetchError' });
    const [span] = await h.callSpans();
    expect(span!.attributes['http.response.status_code']).toBe(429);
  });
});

describe('LangChain ChatGoogleGenerativeAI (on @google/generative-ai)', () => {
  const chat = () => new ChatGoogleGenerativeAI({ model: 'gemini-2.5-flash', apiKey: 'k', maxRetries: 0, baseUrl: h.server.url });

  it('invoke and stream: one record per model call, tokens exact', async () => {
    const u = fixture('gemini/generate-content').body.usageMetadata;
    const last = fixture('gemini/generate-content-stream').events!.at(-1)!.data.usageMetadata;
    h.server.enqueue('gemini/generate-content', 'gemini/generate-content-stream');
    await chat().invoke('Summarise the invoice.');
    for await (const _ of await chat().stream('Capital of France?'));
    const records = await h.waitForRecords(2);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ provider: 'gcp.gemini', streaming: false, inputTokens: u.promptTokenCount, outputTokens: u.candidatesTokenCount + u.thoughtsTokenCount });
    expect(records[1]).toMatchObject({ provider: 'gcp.gemini', streaming: true, inputTokens: last.promptTokenCount, outputTokens: last.candidatesTokenCount + last.thoughtsTokenCount });
  });
});
