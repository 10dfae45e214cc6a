import { describe, expect, it } from 'vitest';
import { RateLimitError } from '@anthropic-ai/sdk';
import { estimateCost } from '../../src/index.js';
import { fixture } from '../support/replay-server.js';
import { useHarness } from '../support/tracking-harness.js';

const h = useHarness();

const request = { model: 'claude-haiku-4-5', max_tokens: 256, messages: [{ role: 'user' as const, content: 'Hello' }] };

describe('@anthropic-ai/sdk messages.create', () => {
  it('semconv input includes cache reads and writes; cost prices each at its own rate', async () => {
    const body = fixture('anthropic/message').body;
    const u = body.usage;
    h.server.enqueue('anthropic/message');
    const message = await h.anthropic({ openTelemetry: false }).messages.create({ ...request, stop_sequences: ['END'] });
    expect(message.id).toBe(body.id);
    const [span] = await h.callSpans();
    const input = u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;
    expect(span!.attributes).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-haiku-4-5',
      'gen_ai.request.max_tokens': 256,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.response.model': body.model,
      'gen_ai.response.finish_reasons': [body.stop_reason],
      'gen_ai.usage.input_tokens': input,
      'gen_ai.usage.output_tokens': u.output_tokens,
      'gen_ai.usage.cache_read.input_tokens': u.cache_read_input_tokens,
      'gen_ai.usage.cache_creation.input_tokens': u.cache_creation_input_tokens,
      'gen_ai.usage.cache_write.input_tokens': u.cache_creation_input_tokens,
    });
    const expected = estimateCost({
      provider: 'anthropic',
      model: body.model,
      inputTokens: input,
      outputTokens: u.output_tokens,
      cacheReadTokens: u.cache_read_input_tokens,
      cacheWriteTokens: u.cache_creation_input_tokens,
    });
    // Cache reads at 1/10th of input, writes at 1.25x: the cost is not input_tokens × input price.
    expect(expected.costUsd).toBeGreaterThan(0);
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ inputTokens: input, cacheReadTokens: u.cache_read_input_tokens, cacheWriteTokens: u.cache_creation_input_tokens, costUsd: expected.costUsd });
  });

  it('maps 1-hour cache writes, web searches and the service tier (the usage block is the beta one)', async () => {
    const u = fixture('anthropic/beta-message-thinking-search').body.usage;
    h.server.enqueue('anthropic/beta-message-thinking-search');
    await h.anthropic({ openTelemetry: false }).messages.create(request);
    const [span] = await h.callSpans();
    expect(span!.attributes).toMatchObject({
      'gen_ai.usage.cache_write.input_tokens': u.cache_creation_input_tokens,
      'genai_usage.usage.cache_write_1h.input_tokens': u.cache_creation.ephemeral_1h_input_tokens,
      'genai_usage.usage.web_search.requests': u.server_tool_use.web_search_requests,
      'gen_ai.usage.reasoning.output_tokens': u.output_tokens_details.thinking_tokens,
      'genai_usage.service_tier': 'priority',
    });
    // A message with only 5-minute cache writes, no searches, served on the `standard` tier.
    h.spans.reset();
    h.server.enqueue('anthropic/message');
    await h.anthropic({ openTelemetry: false }).messages.create(request);
    const [plain] = await h.callSpans();
    expect(plain!.attributes['genai_usage.usage.cache_write_1h.input_tokens']).toBeUndefined();
    expect(plain!.attributes['genai_usage.usage.web_search.requests']).toBeUndefined();
    expect(plain!.attributes['genai_usage.service_tier']).toBe('default');
    await h.waitForRecords(2);
  });

  it('streams: usage from message_start + message_delta, events unchanged', async () => {
    const events = fixture('anthropic/message-stream').events!;
    const start = events.find((e) => e.data.type === 'message_start')!.data.message.usage;
    const delta = events.find((e) => e.data.type === 'message_delta')!.data.usage;
    h.server.enqueue({ fixture: 'anthropic/message-stream', chunkDelayMs: 5 });
    const stream = await h.anthropic({ openTelemetry: false }).messages.create({ ...request, stream: true });
    const seen = [];
    for await (const event of stream) seen.push(event);
    // The SDK itself drops `ping` events; everything else arrives as sent.
    expect(seen).toEqual(events.map((e) => e.data).filter((d) => d.type !== 'ping'));
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({
      streaming: true,
      inputTokens: start.input_tokens + start.cache_read_input_tokens + start.cache_creation_input_tokens,
      outputTokens: delta.output_tokens,
      usageEstimated: false,
      finishReason: 'end_turn',
    });
    expect(record!.timeToFirstTokenMs).toBeGreaterThan(0);
  });

  it('messages.stream() is recorded once, with the final usage', async () => {
    h.server.enqueue('anthropic/message-stream');
    const final = await h.anthropic({ openTelemetry: false }).messages.stream(request).finalMessage();
    expect(await h.callSpans()).toHaveLength(1);
    const [record] = await h.waitForRecords(1);
    expect(record!.outputTokens).toBe(final.usage.output_tokens);
    expect(record!.inputTokens).toBe(final.usage.input_tokens + (final.usage.cache_read_input_tokens ?? 0) + (final.usage.cache_creation_input_tokens ?? 0));
    expect(h.records).toHaveLength(1);
  });

  it('429 reaches the app as RateLimitError; recorded as failed', async () => {
    h.server.enqueue('anthropic/error-429');
    await expect(h.anthropic({ openTelemetry: false }).messages.create(request)).rejects.toBeInstanceOf(RateLimitError);
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: 'RateLimitError', provider: 'anthropic' });
  });
});
