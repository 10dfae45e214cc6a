import { describe, expect, it } from 'vitest';
import OpenAI, { APIConnectionError, InternalServerError, RateLimitError } from 'openai';
import { estimateCost } from '../../src/index.js';
import { fixture } from '../support/replay-server.js';
import { sumWhere, useHarness, type Harness } from '../support/tracking-harness.js';

const h = useHarness();

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hi' }] };

describe('openai failures', () => {
  it.each([
    ['openai/error-429', RateLimitError, 429],
    ['openai/error-500', InternalServerError, 500],
  ])('%s: the SDK error reaches the app unchanged; the call is recorded as failed', async (name, ErrorClass, status) => {
    h.server.enqueue(name);
    const error = await h.openai().chat.completions.create(chat).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErrorClass);
    const [span] = await h.callSpans();
    expect(span!.status.code).toBe(2);
    expect(span!.attributes['error.type']).toBe(ErrorClass.name);
    expect(span!.attributes['http.response.status_code']).toBe(status);
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: ErrorClass.name, inputTokens: 0, costUsd: 0, costSource: 'table' });
    expect(sumWhere(await h.metric('genai_usage.requests'), { 'error.type': ErrorClass.name })).toBe(1);
    const durations = await h.metric('gen_ai.client.operation.duration');
    expect(durations.filter((p) => p.attributes['error.type'] === ErrorClass.name)).toHaveLength(1);
  });

  it('connection refused is a failed call with APIConnectionError', async () => {
    const client = new OpenAI({ apiKey: 'k', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0 });
    await expect(client.chat.completions.create(chat)).rejects.toBeInstanceOf(APIConnectionError);
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: 'APIConnectionError', provider: 'openai' });
  });
});

describe('openai responses.create', () => {
  it('records usage with cached and reasoning tokens', async () => {
    const body = fixture('openai/responses').body;
    h.server.enqueue('openai/responses');
    const result = await h.openai().responses.create({ model: 'gpt-5-mini', input: 'Explain caching', max_output_tokens: 2000 });
    expect(result.id).toBe(body.id);
    const [span] = await h.callSpans();
    expect(span!.name).toBe('chat gpt-5-mini');
    expect(span!.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': body.usage.input_tokens,
      'gen_ai.usage.output_tokens': body.usage.output_tokens,
      'gen_ai.usage.cache_read.input_tokens': body.usage.input_tokens_details.cached_tokens,
      'gen_ai.usage.reasoning.output_tokens': body.usage.output_tokens_details.reasoning_tokens,
      'gen_ai.request.max_tokens': 2000,
      'gen_ai.response.finish_reasons': ['completed'],
    });
    const [record] = await h.waitForRecords(1);
    const expected = estimateCost({
      provider: 'openai',
      model: body.model,
      inputTokens: body.usage.input_tokens,
      outputTokens: body.usage.output_tokens,
      cacheReadTokens: body.usage.input_tokens_details.cached_tokens,
    });
    expect(record!.costUsd).toBe(expected.costUsd);
    expect(record!.reasoningTokens).toBe(body.usage.output_tokens_details.reasoning_tokens);
  });

  it('streams: usage from response.completed, chunks unchanged', async () => {
    const events = fixture('openai/responses-stream').events!;
    const completed = events.find((e) => e.data?.type === 'response.completed')!.data.response;
    h.server.enqueue('openai/responses-stream');
    const stream = await h.openai().responses.create({ model: 'gpt-4o-mini', input: 'Capital of France?', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(events.map((e) => e.data.type));
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({
      streaming: true,
      inputTokens: completed.usage.input_tokens,
      outputTokens: completed.usage.output_tokens,
      cacheReadTokens: completed.usage.input_tokens_details.cached_tokens,
      usageEstimated: false,
    });
    expect(record!.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
  });
});

describe('openai embeddings.create', () => {
  it('records input tokens only', async () => {
    const body = fixture('openai/embeddings').body;
    h.server.enqueue('openai/embeddings');
    const result = await h.openai().embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(result.data).toHaveLength(2);
    const [span] = await h.callSpans();
    expect(span!.name).toBe('embeddings text-embedding-3-small');
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ operation: 'embeddings', inputTokens: body.usage.prompt_tokens, outputTokens: 0, costSource: 'table' });
    expect(record!.costUsd).toBeCloseTo((body.usage.prompt_tokens * 0.02) / 1e6, 15);
    const outputs = (await h.metric('gen_ai.client.token.usage')).filter((p) => p.attributes['gen_ai.token.type'] === 'output' && p.attributes['gen_ai.operation.name'] === 'embeddings');
    expect(outputs).toHaveLength(0);
  });
});

describe('OpenAI-compatible providers', () => {
  it('OpenRouter: provider from the base URL, and the reported cost wins over the price table', async () => {
    const body = fixture('openai/openrouter-chat-completion').body;
    h.server.enqueue('openai/openrouter-chat-completion');
    // The provider is read from the client's base URL host; a replay server stands in for openrouter.ai.
    const client = h.openai({ baseURL: `${h.server.url}/api/v1`, fetch: rewriteHost('openrouter.ai', h.server.url) });
    Object.defineProperty(client, 'baseURL', { value: 'https://openrouter.ai/api/v1' });
    await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ provider: 'openrouter', costUsd: body.usage.cost, costSource: 'provider' });
    const table = estimateCost({ provider: 'openrouter', model: body.model, inputTokens: body.usage.prompt_tokens, outputTokens: body.usage.completion_tokens });
    expect(table.costUsd).not.toBe(body.usage.cost);
  });

  it('an unknown model is recorded with cost unknown, never $0, and counted', async () => {
    h.server.enqueue({ fixture: 'openai/chat-completion', json: { ...fixture('openai/chat-completion').body, model: 'acme-llm-9000' } });
    await h.openai().chat.completions.create({ ...chat, model: 'acme-llm-9000' });
    const [record] = await h.waitForRecords(1);
    expect(record!.costUsd).toBeUndefined();
    expect(record!.costSource).toBe('unknown');
    const [span] = await h.callSpans();
    expect(span!.attributes['genai_usage.cost.source']).toBe('unknown');
    expect(span!.attributes['genai_usage.cost.usd']).toBeUndefined();
    expect(sumWhere(await h.metric('genai_usage.unpriced_calls'), { 'gen_ai.request.model': 'acme-llm-9000' })).toBe(1);
  });
});

/** A fetch that sends requests for `host` to the local replay server instead. */
function rewriteHost(host: string, local: string): typeof fetch {
  return (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (url.hostname !== host) return fetch(input, init);
    return fetch(`${local}${url.pathname}${url.search}`, init);
  };
}
