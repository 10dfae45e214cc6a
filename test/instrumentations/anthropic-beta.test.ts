import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type AnthropicType from '@anthropic-ai/sdk';
import { fixture } from '../support/replay-server.js';
import { sumWhere, useHarness, type Harness } from '../support/tracking-harness.js';

// The CommonJS build, loaded before tracking starts and never required again, is a second copy of
// the SDK that nothing patches (as in an app whose ESM imports are patched but not its requires).
const { Anthropic: UnpatchedAnthropic } = createRequire(import.meta.url)('@anthropic-ai/sdk') as { Anthropic: typeof AnthropicType };
const h = useHarness();
const NATIVE_SCOPE = 'com.anthropic.sdk.typescript';
const request = { model: 'claude-sonnet-4-6', max_tokens: 2048, messages: [{ role: 'user' as const, content: 'What is the weather in Paris?' }] };
const thinking = { type: 'enabled' as const, budget_tokens: 1024 };

const ours = (spans: Awaited<ReturnType<Harness['callSpans']>>) => spans.filter((s) => s.instrumentationScope.name.startsWith('genai-usage'));
const requests = async () => sumWhere(await h.metric('genai_usage.requests'), { 'gen_ai.provider.name': 'anthropic' });

describe('@anthropic-ai/sdk beta.messages', () => {
  it('create: extended thinking, web search, 1-hour cache writes and the service tier are mapped', async () => {
    const body = fixture('anthropic/beta-message-thinking-search').body;
    const u = body.usage;
    h.server.enqueue('anthropic/beta-message-thinking-search');
    const message = await h.anthropic({ openTelemetry: false }).beta.messages.create({
      ...request,
      thinking,
      tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }],
      betas: ['extended-cache-ttl-2025-04-11'],
    });
    expect(message.id).toBe(body.id);
    expect(h.server.requests.at(-1)!.headers['anthropic-beta']).toBe('extended-cache-ttl-2025-04-11');
    const [span] = ours(await h.callSpans());
    const input = u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;
    expect(span!.name).toBe('chat claude-sonnet-4-6');
    expect(span!.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.system': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-6',
      'gen_ai.request.max_tokens': 2048,
      'server.address': '127.0.0.1',
      'server.port': h.server.port,
      'gen_ai.response.model': body.model,
      'gen_ai.response.id': body.id,
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': input,
      'gen_ai.usage.output_tokens': u.output_tokens,
      'gen_ai.usage.cache_read.input_tokens': u.cache_read_input_tokens,
      'gen_ai.usage.cache_creation.input_tokens': u.cache_creation_input_tokens,
      'gen_ai.usage.cache_write.input_tokens': u.cache_creation_input_tokens,
      'genai_usage.usage.cache_write_1h.input_tokens': u.cache_creation.ephemeral_1h_input_tokens,
      'gen_ai.usage.reasoning.output_tokens': u.output_tokens_details.thinking_tokens,
      'genai_usage.usage.web_search.requests': 1,
      'genai_usage.service_tier': 'priority',
      // Anthropic's Priority Tier is priced by agreement: unknown unless an override gives its
      // price. The reason names the model that answered (the fixture's claude-sonnet-4-5).
      'genai_usage.cost.source': 'unknown',
      'genai_usage.cost.unknown_reason': 'no priority tier price for anthropic claude-sonnet-4-5',
    });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({
      provider: 'anthropic',
      inputTokens: input,
      outputTokens: u.output_tokens,
      cacheReadTokens: u.cache_read_input_tokens,
      cacheWriteTokens: u.cache_creation_input_tokens,
      reasoningTokens: u.output_tokens_details.thinking_tokens,
      streaming: false,
      success: true,
    });
  });

  it('create({ stream: true }): thinking, text and a tool call; usage from message_start + message_delta', async () => {
    const events = fixture('anthropic/beta-message-stream-thinking-tools').events!;
    const start = events.find((e) => e.data.type === 'message_start')!.data.message.usage;
    const delta = events.find((e) => e.data.type === 'message_delta')!.data.usage;
    h.server.enqueue({ fixture: 'anthropic/beta-message-stream-thinking-tools', chunkDelayMs: 2 });
    const stream = await h.anthropic({ openTelemetry: false }).beta.messages.create({ ...request, thinking, stream: true });
    const seen = [];
    for await (const event of stream) seen.push(event);
    expect(seen).toEqual(events.map((e) => e.data));
    const [span] = ours(await h.callSpans());
    expect(span!.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.usage.input_tokens': start.input_tokens + start.cache_creation_input_tokens + start.cache_read_input_tokens,
      'gen_ai.usage.output_tokens': delta.output_tokens,
      'gen_ai.usage.reasoning.output_tokens': delta.output_tokens_details.thinking_tokens,
      'gen_ai.usage.cache_write.input_tokens': start.cache_creation_input_tokens,
      'genai_usage.usage.cache_write_1h.input_tokens': start.cache_creation.ephemeral_1h_input_tokens,
      'genai_usage.service_tier': 'default',
      'gen_ai.response.finish_reasons': ['tool_use'],
    });
    expect(span!.attributes['genai_usage.usage.estimated']).toBeUndefined();
    expect(span!.attributes['genai_usage.usage.web_search.requests']).toBeUndefined();
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ streaming: true, success: true, outputTokens: delta.output_tokens, finishReason: 'tool_use' });
  });

  it('.stream(): recorded once, with the final usage', async () => {
    h.server.enqueue('anthropic/beta-message-stream-thinking-tools');
    const final = await h.anthropic({ openTelemetry: false }).beta.messages.stream({ ...request, thinking }).finalMessage();
    expect(final.content.map((b) => b.type)).toEqual(['thinking', 'text', 'tool_use']);
    expect(await h.callSpans()).toHaveLength(1);
    const [record] = await h.waitForRecords(1);
    expect(h.records).toHaveLength(1);
    expect(record!.outputTokens).toBe(final.usage.output_tokens);
    expect(record!.cacheWriteTokens).toBe(final.usage.cache_creation_input_tokens);
  });
});

describe('one call, one count, decided per call', () => {
  type Client = ReturnType<Harness['anthropic']>;
  it.each([
    ['messages.create', (c: Client) => c.messages.create(request), 'anthropic/message'],
    ['messages.create stream', async (c: Client) => { for await (const _ of await c.messages.create({ ...request, stream: true })); }, 'anthropic/message-stream'],
    ['messages.stream()', (c: Client) => c.messages.stream(request).finalMessage(), 'anthropic/message-stream'],
    ['beta.messages.create', (c: Client) => c.beta.messages.create({ ...request, thinking }), 'anthropic/beta-message-thinking-search'],
    ['beta.messages.create stream', async (c: Client) => { for await (const _ of await c.beta.messages.create({ ...request, thinking, stream: true })); }, 'anthropic/beta-message-stream-thinking-tools'],
    ['beta.messages.stream()', (c: Client) => c.beta.messages.stream({ ...request, thinking }).finalMessage(), 'anthropic/beta-message-stream-thinking-tools'],
  ])('%s with the SDK native span on: both exported, one record, one request', async (_name, call, name) => {
    const before = await requests();
    h.server.enqueue(name);
    await call(h.anthropic());
    await h.tracking.forceFlush();
    const all = h.spans.getFinishedSpans();
    const native = all.filter((s) => s.instrumentationScope.name === NATIVE_SCOPE);
    // The SDK's own span stays in the trace, and carries usage: counting it would double the call.
    expect(native).toHaveLength(1);
    expect(native[0]!.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(ours(all)).toHaveLength(1);
    await h.waitForRecords(1);
    expect(h.records).toHaveLength(1);
    expect(h.records[0]!.spanId).toBe(ours(all)[0]!.spanContext().spanId);
    expect((await requests()) - before).toBe(1);
  });

  it('a native span with no span of ours for its call is counted', async () => {
    // Only the SDK's own span describes this call, while the SDK (its ESM copy) is patched.
    const unpatched = new UnpatchedAnthropic({ apiKey: 'test-key', baseURL: h.server.url, maxRetries: 0 });
    const before = await requests();
    h.server.enqueue('anthropic/message');
    await unpatched.messages.create(request);
    await h.tracking.forceFlush();
    const all = h.spans.getFinishedSpans();
    expect(ours(all)).toHaveLength(0);
    const native = all.filter((s) => s.instrumentationScope.name === NATIVE_SCOPE);
    expect(native).toHaveLength(1);
    const [record] = await h.waitForRecords(1);
    const u = fixture('anthropic/message').body.usage;
    expect(record).toMatchObject({ spanId: native[0]!.spanContext().spanId, provider: 'anthropic', outputTokens: u.output_tokens });
    expect((await requests()) - before).toBe(1);
  });
});
