import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI, {
  APIConnectionError as OpenAIConnectionError,
  BadRequestError as OpenAIBadRequestError,
  InternalServerError as OpenAIInternalServerError,
  NotFoundError as OpenAINotFoundError,
  RateLimitError as OpenAIRateLimitError,
} from 'openai';
import Anthropic, {
  APIConnectionError as AnthropicConnectionError,
  BadRequestError as AnthropicBadRequestError,
  InternalServerError as AnthropicInternalServerError,
  OverloadedError,
  RateLimitError as AnthropicRateLimitError,
} from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { Mistral } from '@mistralai/mistralai';
import { startMockLlmServer } from '../../src/demo/mock-llm-server.js';
import type { MockLlmServer } from '../../src/demo/mock-llm-server.js';

const LONG_SYSTEM = 'You are a meticulous support agent for Acme Corp. '.repeat(40); // ~2,000 chars
const NO_LATENCY = { min: 0, max: 0 };

let mock: MockLlmServer;
let openai: OpenAI;
let anthropic: Anthropic;

function clients(server: MockLlmServer): { openai: OpenAI; anthropic: Anthropic } {
  return {
    openai: new OpenAI({ apiKey: 'mock', baseURL: `${server.url}/v1`, maxRetries: 0 }),
    anthropic: new Anthropic({ apiKey: 'mock', baseURL: server.url, maxRetries: 0, openTelemetry: false }),
  };
}

beforeAll(async () => {
  mock = await startMockLlmServer({ seed: 7, failureRate: 0, latencyMs: NO_LATENCY });
  ({ openai, anthropic } = clients(mock));
});
afterAll(async () => {
  await mock.close();
});

describe('OpenAI chat completions', () => {
  it('JSON: dated model, usage from text length, cached tokens for a long system prompt', async () => {
    const res = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: LONG_SYSTEM },
        { role: 'user', content: 'Where is my order?' },
      ],
    });
    expect(res.object).toBe('chat.completion');
    expect(res.model).toBe('gpt-4o-mini-2024-07-18');
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.choices[0]?.message.content).toBeTruthy();
    const usage = res.usage!;
    expect(usage.prompt_tokens).toBeGreaterThan(LONG_SYSTEM.length / 4);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.prompt_tokens_details?.cached_tokens).toBe(Math.floor(Math.ceil(LONG_SYSTEM.length / 4) * 0.8));
    expect(usage.completion_tokens_details?.reasoning_tokens).toBe(0);
  });

  it('JSON: no cached tokens for a short prompt; unknown models echo back', async () => {
    const res = await openai.chat.completions.create({ model: 'my-custom-model', messages: [{ role: 'user', content: 'Hi' }] });
    expect(res.model).toBe('my-custom-model');
    expect(res.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
  });

  it('reasoning models report reasoning tokens inside completion tokens', async () => {
    for (const model of ['o3-mini', 'o4-mini', 'gpt-5-mini']) {
      const res = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Think.' }] });
      const reasoning = res.usage?.completion_tokens_details?.reasoning_tokens ?? 0;
      expect(reasoning).toBeGreaterThan(0);
      expect(res.usage!.completion_tokens).toBeGreaterThan(reasoning);
    }
  });

  it('max_tokens truncates with finish_reason length', async () => {
    const res = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      max_tokens: 3,
      messages: [{ role: 'user', content: 'Write an essay.' }],
    });
    expect(res.choices[0]?.finish_reason).toBe('length');
    expect(res.usage?.completion_tokens).toBe(3);
  });

  it('tools: calls the first function with arguments from its schema', async () => {
    const res = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
          },
        },
      ],
    });
    const choice = res.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls?.[0];
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ location: 'Paris, France' });
  });

  it('stream with include_usage: usage on a final chunk with empty choices', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'system', content: LONG_SYSTEM }, { role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThan(0);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(estimateFromText(text)).toBe(last.usage?.completion_tokens);
  });

  it('stream without include_usage: no usage anywhere', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.every((c) => c.usage === undefined)).toBe(true);
  });

  it('the ChatCompletionStream helper assembles tool calls', async () => {
    const final = await openai.chat.completions
      .stream({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Weather?' }],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }],
        stream_options: { include_usage: true },
      })
      .finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    const call = final.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    expect(final.usage?.completion_tokens).toBeGreaterThan(0);
  });
});

function estimateFromText(text: string): number {
  return Math.ceil(text.length / 4);
}

describe('OpenAI responses and embeddings', () => {
  it('responses JSON: usage with cached and reasoning details', async () => {
    const res = await openai.responses.create({ model: 'gpt-5-mini', instructions: LONG_SYSTEM, input: 'Summarise.' });
    expect(res.model).toBe('gpt-5-mini-2025-08-07');
    expect(res.status).toBe('completed');
    expect(res.output_text.length).toBeGreaterThan(0);
    expect(res.usage?.input_tokens_details.cached_tokens).toBeGreaterThan(0);
    expect(res.usage?.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
    expect(res.usage?.total_tokens).toBe(res.usage!.input_tokens + res.usage!.output_tokens);
  });

  it('responses stream: created … completed, accumulated by ResponseStream', async () => {
    const stream = await openai.responses.create({ model: 'gpt-4o-mini', input: 'Hi', stream: true });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') expect(event.response.output_text ?? text).toBe(text);
    }
    expect(types.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(types.at(-1)).toBe('response.completed');
    const final = await openai.responses.stream({ model: 'o4-mini', input: 'Hi' }).finalResponse();
    expect(final.usage?.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
    expect(final.output_text.length).toBeGreaterThan(0);
  });

  it('responses with a function tool streams a function_call item', async () => {
    const final = await openai.responses
      .stream({
        model: 'gpt-4.1-mini',
        input: 'Weather?',
        tools: [{ type: 'function', name: 'get_weather', strict: false, parameters: { type: 'object', properties: {} } }],
      })
      .finalResponse();
    expect(final.output.find((o) => o.type === 'function_call')).toMatchObject({ name: 'get_weather', arguments: '{}' });
  });

  it('embeddings: base64 (the SDK default) and float, stable vectors', async () => {
    const a = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['hello', 'world'] });
    expect(a.data).toHaveLength(2);
    expect(a.data[0]?.embedding).toHaveLength(1536);
    expect(a.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });
    const b = await openai.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'hello',
      encoding_format: 'float',
      dimensions: 256,
    });
    expect(b.data[0]?.embedding).toHaveLength(256);
    const norm = Math.hypot(...b.data[0]!.embedding);
    expect(norm).toBeCloseTo(1, 4);
  });
});

describe('Anthropic messages', () => {
  const tools = [
    {
      name: 'get_weather',
      description: 'Weather for a city',
      input_schema: { type: 'object' as const, properties: { location: { type: 'string' } }, required: ['location'] },
    },
  ];

  it('JSON: dated model; cache_control writes the prefix once, then reads it', async () => {
    const system = [{ type: 'text' as const, text: `${LONG_SYSTEM} (anthropic)`, cache_control: { type: 'ephemeral' as const } }];
    const params = { model: 'claude-haiku-4-5', max_tokens: 512, system, messages: [{ role: 'user' as const, content: 'Hi' }] };
    const first = await anthropic.messages.create(params);
    expect(first.model).toBe('claude-haiku-4-5-20251001');
    expect(first.type).toBe('message');
    expect(first.stop_reason).toBe('end_turn');
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(500);
    expect(first.usage.cache_read_input_tokens).toBe(0);
    expect(first.usage.cache_creation?.ephemeral_5m_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    const second = await anthropic.messages.create(params);
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    expect(second.usage.input_tokens).toBe(first.usage.input_tokens);
  });

  it('JSON without cache_control: zero cache counts', async () => {
    const res = await anthropic.messages.create({
      model: 'claude-opus-4-5',
      max_tokens: 100,
      system: LONG_SYSTEM,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(res.model).toBe('claude-opus-4-5-20251101');
    expect(res.usage.cache_read_input_tokens).toBe(0);
    expect(res.usage.cache_creation_input_tokens).toBe(0);
    expect(res.usage.input_tokens).toBeGreaterThan(LONG_SYSTEM.length / 4);
  });

  it('tools: tool_use until a tool_result comes back', async () => {
    const question = { role: 'user' as const, content: 'Weather in Paris?' };
    const first = await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 256, tools, messages: [question] });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((b) => b.type === 'tool_use');
    expect(use?.type === 'tool_use' && use.input).toEqual({ location: 'Paris, France' });
    const second = await anthropic.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 256,
      tools,
      messages: [
        question,
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use!.id, content: '18°C, sunny' }] },
      ],
    });
    expect(second.stop_reason).toBe('end_turn');
  });

  it('stream: messages.stream().finalMessage() has usage from message_start and message_delta', async () => {
    const system = [{ type: 'text' as const, text: `${LONG_SYSTEM} (stream)`, cache_control: { type: 'ephemeral' as const } }];
    const stream = anthropic.messages.stream({
      model: 'claude-opus-4-5',
      max_tokens: 512,
      system,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const types: string[] = [];
    stream.on('streamEvent', (event) => types.push(event.type));
    const final = await stream.finalMessage();
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(final.usage.cache_creation_input_tokens).toBeGreaterThan(0);
    expect(final.usage.output_tokens).toBeGreaterThan(1);
    const text = final.content[0]?.type === 'text' ? final.content[0].text : '';
    expect(final.usage.output_tokens).toBe(Math.ceil(text.length / 4));
  });

  it('stream: tool_use input assembled from input_json_delta', async () => {
    const final = await anthropic.messages
      .stream({ model: 'claude-haiku-4-5', max_tokens: 256, tools, messages: [{ role: 'user', content: 'Weather?' }] })
      .finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content.find((b) => b.type === 'tool_use')).toMatchObject({ input: { location: 'Paris, France' } });
  });

  it('missing max_tokens is a 400 in Anthropic format', async () => {
    const res = await fetch(`${mock.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });
});

describe('failures', () => {
  const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hi' }] };
  const message = { model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user' as const, content: 'Hi' }] };
  const fail = (kind: string) => ({ headers: { 'x-mock-fail': kind } });
  const caught = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

  it('forced failures map to the OpenAI SDK typed errors', async () => {
    const limited = await caught(openai.chat.completions.create(chat, fail('429')));
    expect(limited).toBeInstanceOf(OpenAIRateLimitError);
    expect((limited as OpenAIRateLimitError).headers.get('retry-after')).toBe('1');
    expect((limited as OpenAIRateLimitError).code).toBe('rate_limit_exceeded');
    const server = await caught(openai.responses.create({ model: 'gpt-4o-mini', input: 'x' }, fail('500')));
    expect(server).toBeInstanceOf(OpenAIInternalServerError);
    expect((server as OpenAIInternalServerError).status).toBe(500);
    const reset = await caught(openai.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }, fail('reset')));
    expect(reset).toBeInstanceOf(OpenAIConnectionError);
    const bad = await caught(openai.chat.completions.create(chat, fail('418')));
    expect(bad).toBeInstanceOf(OpenAIBadRequestError);
    expect((bad as Error).message).toContain('429, 500, 529, reset');
  });

  it('forced failures map to the Anthropic SDK typed errors', async () => {
    const limited = await caught(anthropic.messages.create(message, fail('429')));
    expect(limited).toBeInstanceOf(AnthropicRateLimitError);
    expect((limited as AnthropicRateLimitError).type).toBe('rate_limit_error');
    const overloaded = await caught(anthropic.messages.create(message, fail('529')));
    expect(overloaded).toBeInstanceOf(OverloadedError);
    expect((overloaded as OverloadedError).status).toBe(529);
    const server = await caught(anthropic.messages.create(message, fail('500')));
    expect(server).toBeInstanceOf(AnthropicInternalServerError);
    expect((server as AnthropicInternalServerError).type).toBe('api_error');
    const reset = await caught(anthropic.messages.create(message, fail('reset')));
    expect(reset).toBeInstanceOf(AnthropicConnectionError);
    const bad = await caught(anthropic.messages.create(message, fail('nope')));
    expect(bad).toBeInstanceOf(AnthropicBadRequestError);
  });

  it('unknown routes are 404 in OpenAI format', async () => {
    const error = await caught(openai.models.list());
    expect(error).toBeInstanceOf(OpenAINotFoundError);
    expect((error as Error).message).toContain('Invalid URL (GET /v1/models)');
  });

  it('the SDKs retry random failures', async () => {
    const flaky = await startMockLlmServer({ seed: 3, failureRate: 0.3, latencyMs: NO_LATENCY });
    try {
      const client = new OpenAI({ apiKey: 'mock', baseURL: `${flaky.url}/v1`, maxRetries: 10 });
      for (let i = 0; i < 5; i++) await client.chat.completions.create(chat);
      const stats = flaky.stats();
      expect(stats.requests).toBe(5 + stats.failures);
      expect(stats.failures).toBeGreaterThan(0);
    } finally {
      await flaky.close();
    }
  });
});

describe('determinism and stats', () => {
  async function run(seed: number): Promise<unknown[]> {
    const server = await startMockLlmServer({ seed, failureRate: 0.3, latencyMs: NO_LATENCY });
    const c = clients(server);
    const out: unknown[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        const result = await c.openai.chat.completions
          .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `q${i}` }] })
          .then((r) => ({ id: r.id, text: r.choices[0]?.message.content, usage: r.usage }))
          .catch((e: { status?: number }) => ({ status: e.status }));
        out.push(result);
        out.push(
          await c.anthropic.messages
            .create({ model: 'claude-haiku-4-5', max_tokens: 128, messages: [{ role: 'user', content: `q${i}` }] })
            .then((r) => ({ id: r.id, content: r.content, usage: r.usage }))
            .catch((e: { status?: number }) => ({ status: e.status })),
        );
      }
      out.push(server.stats());
    } finally {
      await server.close();
    }
    return out;
  }

  it('the same seed gives the same ids, texts, usage and failures', async () => {
    const a = await run(1234);
    const b = await run(1234);
    const c = await run(99);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.some((r) => typeof r === 'object' && r !== null && 'status' in r)).toBe(true);
  });

  it('stats count requests, routes, statuses and tokens', async () => {
    const server = await startMockLlmServer({ seed: 5, failureRate: 0, latencyMs: NO_LATENCY });
    const c = clients(server);
    try {
      const stream = await c.openai.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
      });
      for await (const _chunk of stream);
      const params = { model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user' as const, content: 'Hi' }] };
      await c.anthropic.messages.create(params);
      await c.anthropic.messages.create(params, { headers: { 'x-mock-fail': '429' } }).catch(() => undefined);
      const stats = server.stats();
      expect(stats).toMatchObject({
        requests: 3,
        failures: 1,
        streamed: 1,
        byRoute: { 'POST /v1/chat/completions': 1, 'POST /v1/messages': 2 },
        byStatus: { '200': 2, '429': 1 },
      });
      expect(stats.inputTokens).toBeGreaterThan(0);
      expect(stats.outputTokens).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('latency delays the first byte; close() is immediate with streams open', async () => {
    const slow = await startMockLlmServer({ seed: 1, failureRate: 0, latencyMs: { min: 80, max: 80 } });
    const client = new OpenAI({ apiKey: 'mock', baseURL: `${slow.url}/v1`, maxRetries: 0 });
    const started = performance.now();
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    expect(performance.now() - started).toBeGreaterThanOrEqual(70);
    const pending = client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    const outcome = pending.then(() => 'ok', () => 'error');
    await new Promise((r) => setTimeout(r, 20));
    const closeStarted = performance.now();
    await slow.close();
    expect(performance.now() - closeStarted).toBeLessThan(500);
    expect(await outcome).toBe('error');
  });
});

describe('Gemini and Mistral routes, through the real SDKs', () => {
  it('@google/genai: generateContent with thinking, a stream with running usage, batchEmbedContents', async () => {
    const gemini = new GoogleGenAI({ apiKey: 'mock', httpOptions: { baseUrl: `${mock.url}/gemini` } });
    const res = await gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Where is my order?', config: { systemInstruction: LONG_SYSTEM } });
    const u = res.usageMetadata!;
    expect(res.text).toBeTruthy();
    expect(res.modelVersion).toBe('gemini-2.5-flash');
    expect(u.thoughtsTokenCount).toBeGreaterThan(0);
    expect(u.cachedContentTokenCount).toBeGreaterThan(0);
    expect(u.totalTokenCount).toBe(u.promptTokenCount! + u.candidatesTokenCount! + u.thoughtsTokenCount!);
    const totals: number[] = [];
    for await (const chunk of await gemini.models.generateContentStream({ model: 'gemini-2.0-flash', contents: 'Summarise.' })) totals.push(chunk.usageMetadata!.candidatesTokenCount!);
    // A running total: never decreasing; no thinking on 2.0.
    expect(totals.length).toBeGreaterThan(1);
    expect([...totals].sort((a, b) => a - b)).toEqual(totals);
    const embedded = await gemini.models.embedContent({ model: 'gemini-embedding-001', contents: ['a', 'b'] });
    expect(embedded.embeddings).toHaveLength(2);
    const limited = new GoogleGenAI({ apiKey: 'mock', httpOptions: { baseUrl: `${mock.url}/gemini`, headers: { 'x-mock-fail': '429' } } });
    const failed = await limited.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ name: 'ApiError', status: 429 });
    expect((failed as Error).message).toContain('RESOURCE_EXHAUSTED');
  });

  it('@mistralai/mistralai: chat.complete with cached tokens, chat.stream with usage on the last chunk', async () => {
    const mistral = new Mistral({ apiKey: 'mock', serverURL: `${mock.url}/mistral` });
    const res = await mistral.chat.complete({ model: 'mistral-small-latest', messages: [{ role: 'system', content: LONG_SYSTEM }, { role: 'user', content: 'Bonjour' }] });
    expect(res.usage.promptTokens).toBeGreaterThan(LONG_SYSTEM.length / 4);
    expect((res.usage as { prompt_tokens_details?: { cached_tokens: number } }).prompt_tokens_details?.cached_tokens).toBeGreaterThan(0);
    const usages: unknown[] = [];
    for await (const event of await mistral.chat.stream({ model: 'mistral-small-latest', messages: [{ role: 'user', content: 'Bonjour' }] })) usages.push(event.data.usage);
    expect(usages.at(-1)).toMatchObject({ promptTokens: expect.any(Number), completionTokens: expect.any(Number) });
    expect(usages.slice(0, -1).every((u) => u === undefined)).toBe(true);
  });
});
