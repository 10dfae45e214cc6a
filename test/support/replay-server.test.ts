import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import OpenAI, {
  APIUserAbortError as OpenAIUserAbortError,
  InternalServerError as OpenAIInternalServerError,
  RateLimitError as OpenAIRateLimitError,
} from 'openai';
import Anthropic, {
  AnthropicError,
  APIUserAbortError as AnthropicUserAbortError,
  OverloadedError,
  RateLimitError as AnthropicRateLimitError,
} from '@anthropic-ai/sdk';
import { fixture, startReplayServer } from './replay-server.js';
import type { ReplayServer } from './replay-server.js';

let server: ReplayServer;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  server = await startReplayServer();
  openai = new OpenAI({ apiKey: 'test', baseURL: `${server.url}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: 'test', baseURL: server.url, maxRetries: 0, openTelemetry: false });
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  // Every test consumes exactly what it queued.
  expect(server.pending()).toBe(0);
  server.requests.length = 0;
});

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hi' }] };
const message = { model: 'claude-haiku-4-5', max_tokens: 256, messages: [{ role: 'user' as const, content: 'Hi' }] };

describe('OpenAI JSON fixtures', () => {
  it('chat-completion: cached prompt tokens, zero reasoning', async () => {
    server.enqueue('openai/chat-completion');
    const res = await openai.chat.completions.create(chat);
    expect(res.model).toBe('gpt-4o-mini-2024-07-18');
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.usage).toMatchObject({
      prompt_tokens: 1356,
      completion_tokens: 27,
      total_tokens: 1383,
      prompt_tokens_details: { cached_tokens: 1152 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: chat });
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    expect(server.requests[0]?.headers['content-type']).toContain('application/json');
  });

  it('chat-completion-reasoning: reasoning tokens inside completion tokens', async () => {
    server.enqueue('openai/chat-completion-reasoning');
    const res = await openai.chat.completions.create({ ...chat, model: 'o3-mini' });
    expect(res.model).toBe('o3-mini-2025-01-31');
    expect(res.usage).toMatchObject({
      prompt_tokens: 87,
      completion_tokens: 1250,
      total_tokens: 1337,
      completion_tokens_details: { reasoning_tokens: 1088 },
    });
  });

  it('chat-completion-tools: tool_calls finish reason', async () => {
    server.enqueue('openai/chat-completion-tools');
    const res = await openai.chat.completions.create(chat);
    const choice = res.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    expect(res.usage).toMatchObject({ prompt_tokens: 82, completion_tokens: 22, total_tokens: 104 });
  });

  it('responses: input/output tokens with cached and reasoning details', async () => {
    server.enqueue('openai/responses');
    const res = await openai.responses.create({ model: 'gpt-5-mini', input: 'Explain token vs leaky bucket.' });
    expect(res.model).toBe('gpt-5-mini-2025-08-07');
    expect(res.output_text).toMatch(/^A token bucket/);
    expect(res.usage).toEqual({
      input_tokens: 1480,
      input_tokens_details: { cached_tokens: 1280, cache_write_tokens: 0 },
      output_tokens: 356,
      output_tokens_details: { reasoning_tokens: 256 },
      total_tokens: 1836,
    });
    expect(server.requests[0]?.path).toBe('/v1/responses');
  });

  it('embeddings: base64 vectors decoded by the SDK', async () => {
    server.enqueue('openai/embeddings');
    const res = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['hello', 'world'] });
    expect(res.data).toHaveLength(2);
    expect(res.data[0]?.embedding).toHaveLength(8);
    expect(res.usage).toEqual({ prompt_tokens: 13, total_tokens: 13 });
    // The SDK asks for base64 unless told otherwise; the fixture answers in kind.
    expect(server.requests[0]?.body).toMatchObject({ encoding_format: 'base64' });
  });

  it('openrouter-chat-completion: cost and is_byok pass through', async () => {
    server.enqueue('openai/openrouter-chat-completion');
    const router = new OpenAI({ apiKey: 'test', baseURL: `${server.url}/api/v1`, maxRetries: 0 });
    const res = await router.chat.completions.create({ ...chat, model: 'openai/gpt-4o-mini' });
    expect(res.model).toBe('openai/gpt-4o-mini');
    expect(res.usage).toMatchObject({
      prompt_tokens: 1420,
      completion_tokens: 31,
      total_tokens: 1451,
      prompt_tokens_details: { cached_tokens: 1280 },
    });
    expect(res.usage).toMatchObject({ cost: 0.0001356, is_byok: false });
    expect(server.requests[0]?.path).toBe('/api/v1/chat/completions');
  });

  it('error-429: RateLimitError with status and retry-after', async () => {
    server.enqueue('openai/error-429');
    const error = await openai.chat.completions.create(chat).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAIRateLimitError);
    expect((error as OpenAIRateLimitError).status).toBe(429);
    expect((error as OpenAIRateLimitError).code).toBe('rate_limit_exceeded');
    expect((error as OpenAIRateLimitError).headers.get('retry-after')).toBe('2');
  });

  it('error-500: InternalServerError with status', async () => {
    server.enqueue('openai/error-500');
    const error = await openai.chat.completions.create(chat).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAIInternalServerError);
    expect((error as OpenAIInternalServerError).status).toBe(500);
    expect((error as OpenAIInternalServerError).type).toBe('server_error');
  });
});

describe('OpenAI SSE fixtures', () => {
  it('chat-completion-stream-usage: final chunk has empty choices and usage', async () => {
    server.enqueue('openai/chat-completion-stream-usage');
    const stream = await openai.chat.completions.create({
      ...chat,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toHaveLength(10);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('The capital of France is Paris.');
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({
      prompt_tokens: 1289,
      completion_tokens: 7,
      total_tokens: 1296,
      prompt_tokens_details: { cached_tokens: 1024 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(server.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('chat-completion-stream-no-usage: no chunk carries usage', async () => {
    server.enqueue('openai/chat-completion-stream-no-usage');
    const stream = await openai.chat.completions.create({ ...chat, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toHaveLength(11);
    expect(chunks.every((c) => c.usage == null)).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello! How can I help you today?');
  });

  it('chat stream through the ChatCompletionStream helper', async () => {
    server.enqueue('openai/chat-completion-stream-usage');
    const stream = openai.chat.completions.stream({ ...chat, stream_options: { include_usage: true } });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe('The capital of France is Paris.');
    expect(final.usage?.prompt_tokens).toBe(1289);
  });

  it('responses-stream: events through response.completed with usage', async () => {
    server.enqueue('openai/responses-stream');
    const stream = await openai.responses.create({ model: 'gpt-4o-mini', input: 'Capital of France?', stream: true });
    const types: string[] = [];
    let text = '';
    let usage: unknown;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') usage = event.response.usage;
    }
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(types.filter((t) => t === 'response.output_text.delta')).toHaveLength(7);
    expect(text).toBe('Paris is the capital of France.');
    expect(usage).toEqual({
      input_tokens: 1320,
      input_tokens_details: { cached_tokens: 1152, cache_write_tokens: 0 },
      output_tokens: 8,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 1328,
    });
  });

  it('responses-stream through the ResponseStream helper', async () => {
    server.enqueue('openai/responses-stream');
    const final = await openai.responses.stream({ model: 'gpt-4o-mini', input: 'Capital of France?' }).finalResponse();
    expect(final.output_text).toBe('Paris is the capital of France.');
    expect(final.usage?.input_tokens).toBe(1320);
  });
});

describe('Anthropic fixtures', () => {
  it('message: cache reads and writes beside input_tokens', async () => {
    server.enqueue('anthropic/message');
    const res = await anthropic.messages.create(message);
    expect(res.model).toBe('claude-sonnet-4-5-20250929');
    expect(res.stop_reason).toBe('end_turn');
    expect(res.usage).toMatchObject({
      input_tokens: 42,
      output_tokens: 187,
      cache_read_input_tokens: 2048,
      cache_creation_input_tokens: 312,
    });
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/v1/messages', body: message });
    expect(server.requests[0]?.headers['x-api-key']).toBeUndefined();
    expect(server.requests[0]?.headers['anthropic-version']).toBeDefined();
  });

  it('message-tool-use: tool_use block and stop reason', async () => {
    server.enqueue('anthropic/message-tool-use');
    const res = await anthropic.messages.create(message);
    expect(res.stop_reason).toBe('tool_use');
    const block = res.content.find((b) => b.type === 'tool_use');
    expect(block?.type === 'tool_use' && block.name).toBe('get_weather');
    expect(res.usage).toMatchObject({ input_tokens: 412, output_tokens: 76, cache_read_input_tokens: 0 });
  });

  it('message-stream: raw events with create({ stream: true })', async () => {
    server.enqueue('anthropic/message-stream');
    const stream = await anthropic.messages.create({ ...message, stream: true });
    const types: string[] = [];
    let outputTokens = 0;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'message_start') {
        expect(event.message.usage).toMatchObject({
          input_tokens: 18,
          cache_read_input_tokens: 1843,
          cache_creation_input_tokens: 256,
        });
      }
      if (event.type === 'message_delta') outputTokens = event.usage.output_tokens;
    }
    // The SDK drops `ping`.
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(outputTokens).toBe(23);
    expect(fixture('anthropic/message-stream').events?.some((e) => e.event === 'ping')).toBe(true);
  });

  it('message-stream: messages.stream().finalMessage() has the usage', async () => {
    server.enqueue('anthropic/message-stream');
    const final = await anthropic.messages.stream(message).finalMessage();
    expect(final.content[0]?.type === 'text' && final.content[0].text).toBe(
      'Paris is the capital of France. It sits on the Seine and is known for the Eiffel Tower and the Louvre.',
    );
    expect(final.usage).toMatchObject({
      input_tokens: 18,
      output_tokens: 23,
      cache_read_input_tokens: 1843,
      cache_creation_input_tokens: 256,
    });
    expect(final.stop_reason).toBe('end_turn');
  });

  it('error-429: RateLimitError', async () => {
    server.enqueue('anthropic/error-429');
    const error = await anthropic.messages.create(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AnthropicRateLimitError);
    expect((error as AnthropicRateLimitError).status).toBe(429);
    expect((error as AnthropicRateLimitError).type).toBe('rate_limit_error');
    expect((error as AnthropicRateLimitError).requestID).toBe('req_011CUeR2bH6kYp8Ws3NcQj4T');
  });

  it('error-overloaded-529: OverloadedError', async () => {
    server.enqueue('anthropic/error-overloaded-529');
    const error = await anthropic.messages.create(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OverloadedError);
    expect((error as OverloadedError).status).toBe(529);
    expect((error as OverloadedError).type).toBe('overloaded_error');
  });
});

describe('replay behaviours', () => {
  it('serves queued responses in FIFO order', async () => {
    server.enqueue('openai/chat-completion', 'openai/chat-completion-tools');
    const first = await openai.chat.completions.create(chat);
    const second = await openai.chat.completions.create(chat);
    expect(first.choices[0]?.finish_reason).toBe('stop');
    expect(second.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('object specs override status, json and headers', async () => {
    const body = fixture('openai/chat-completion').body;
    server.enqueue({ json: { ...body, id: 'chatcmpl-custom' }, headers: { 'x-request-id': 'req_custom' } });
    const { data, request_id } = await openai.chat.completions.create(chat).withResponse();
    expect(data.id).toBe('chatcmpl-custom');
    expect(request_id).toBe('req_custom');
  });

  it('firstByteDelayMs and chunkDelayMs delay the first token', async () => {
    server.enqueue({ fixture: 'openai/chat-completion-stream-usage', firstByteDelayMs: 60, chunkDelayMs: 15 });
    const started = performance.now();
    const stream = await openai.chat.completions.create({ ...chat, stream: true });
    let firstAt = 0;
    let count = 0;
    for await (const _chunk of stream) {
      if (count++ === 0) firstAt = performance.now() - started;
    }
    const total = performance.now() - started;
    expect(firstAt).toBeGreaterThanOrEqual(50);
    expect(total - firstAt).toBeGreaterThanOrEqual(9 * 15 - 20);
  });

  it('destroyAfterEvents fails an OpenAI stream mid-way', async () => {
    server.enqueue({ fixture: 'openai/chat-completion-stream-usage', destroyAfterEvents: 3 });
    const stream = await openai.chat.completions.create({ ...chat, stream: true });
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const chunk of stream) seen.push(chunk);
    })().catch((e: unknown) => e);
    // openai 7 surfaces undici's TypeError("terminated") (cause: SocketError "other side closed").
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('terminated');
    expect(seen.length).toBe(3);
  });

  it('destroyAfterEvents fails an Anthropic stream mid-way', async () => {
    server.enqueue({ fixture: 'anthropic/message-stream', destroyAfterEvents: 4 });
    const error = await anthropic.messages
      .stream(message)
      .finalMessage()
      .catch((e: unknown) => e);
    // MessageStream wraps the transport failure in an AnthropicError.
    expect(error).toBeInstanceOf(AnthropicError);
    expect((error as Error).message).toBe('terminated');
  });

  it('hang + AbortController gives APIUserAbortError (OpenAI)', async () => {
    server.enqueue({ hang: true });
    const controller = new AbortController();
    const before = server.requests.length;
    const pending = openai.chat.completions.create(chat, { signal: controller.signal }).catch((e: unknown) => e);
    // Abort once the server holds the request: an earlier abort would leave the hang queued for the next test.
    await until(() => server.requests.length > before);
    controller.abort();
    expect(await pending).toBeInstanceOf(OpenAIUserAbortError);
  });

  it('hang + AbortController gives APIUserAbortError (Anthropic)', async () => {
    server.enqueue({ hang: true });
    const controller = new AbortController();
    const before = server.requests.length;
    const pending = anthropic.messages.create(message, { signal: controller.signal }).catch((e: unknown) => e);
    await until(() => server.requests.length > before);
    controller.abort();
    expect(await pending).toBeInstanceOf(AnthropicUserAbortError);
  });

  it('an unqueued request fails loudly with 500', async () => {
    const error = await openai.chat.completions.create(chat).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAIInternalServerError);
    expect(String((error as Error).message)).toContain(
      'replay-server: no response queued for POST /v1/chat/completions',
    );
    expect(server.requests).toHaveLength(1);
  });

  it('a missing fixture throws naming the path', () => {
    expect(() => server.enqueue('openai/does-not-exist')).toThrow(/does-not-exist\.json/);
    expect(() => fixture('anthropic/nope')).toThrow(/fixtures\/anthropic\/nope\.sse/);
  });

  it('fixture() parses JSON and SSE files', () => {
    const json = fixture('openai/error-429');
    expect(json.status).toBe(429);
    expect(json.headers['retry-after']).toBe('2');
    const sse = fixture('openai/chat-completion-stream-usage');
    expect(sse.events?.at(-1)?.data).toBe('[DONE]');
  });

  it('close() returns promptly with a hanging request open', async () => {
    const local = await startReplayServer();
    local.enqueue({ hang: true });
    const client = new OpenAI({ apiKey: 'test', baseURL: `${local.url}/v1`, maxRetries: 0 });
    const pending = client.chat.completions.create(chat).catch((e: unknown) => e);
    await until(() => local.requests.length > 0);
    const started = performance.now();
    await local.close();
    expect(performance.now() - started).toBeLessThan(500);
    expect(await pending).toBeInstanceOf(Error);
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the server to receive the request');
    await new Promise((r) => setTimeout(r, 5));
  }
}
