import { describe, expect, it } from 'vitest';
import { fixture } from '../support/replay-server.js';
import { sumWhere, useHarness, type Harness } from '../support/tracking-harness.js';

const h = useHarness();

const request = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'What is the capital of France?' }] };
const streamUsage = () => fixture('openai/chat-completion-stream-usage').events!.at(-2)!.data.usage;
const contentOf = (name: string) =>
  fixture(name)
    .events!.filter((e) => typeof e.data === 'object')
    .map((e) => e.data.choices?.[0]?.delta?.content ?? '')
    .join('');

describe('openai chat.completions.create({ stream: true })', () => {
  it('passes every chunk through unchanged and records the final usage and time to first token', async () => {
    h.server.enqueue({ fixture: 'openai/chat-completion-stream-usage', chunkDelayMs: 15 });
    const stream = await h.openai().chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const expected = fixture('openai/chat-completion-stream-usage').events!.filter((e) => typeof e.data === 'object').map((e) => e.data);
    expect(chunks).toEqual(expected);

    const [span] = await h.callSpans();
    const usage = streamUsage();
    expect(span!.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.usage.input_tokens': usage.prompt_tokens,
      'gen_ai.usage.output_tokens': usage.completion_tokens,
      'gen_ai.usage.cache_read.input_tokens': usage.prompt_tokens_details.cached_tokens,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    });
    expect(span!.attributes['genai_usage.usage.estimated']).toBeUndefined();
    // The first content chunk is the second event: at least one chunk delay after the request.
    const ttfc = span!.attributes['gen_ai.response.time_to_first_chunk'] as number;
    expect(ttfc).toBeGreaterThanOrEqual(0.015);
    expect(ttfc * 1000).toBeLessThan(spanDurationMs(span!));

    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ streaming: true, success: true, inputTokens: usage.prompt_tokens, costSource: 'table' });
    expect(record!.timeToFirstTokenMs).toBeCloseTo(ttfc * 1000, 6);
    expect((await h.metric('gen_ai.client.operation.time_to_first_chunk')).length).toBe(1);
  });

  it('counts a tee()d stream once and both branches see every chunk', async () => {
    h.server.enqueue('openai/chat-completion-stream-usage');
    const stream = await h.openai().chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
    const [left, right] = stream.tee();
    const read = async (s: AsyncIterable<any>) => {
      let text = '';
      for await (const c of s) text += c.choices[0]?.delta?.content ?? '';
      return text;
    };
    const [a, b] = await Promise.all([read(left), read(right)]);
    expect(a).toBe(contentOf('openai/chat-completion-stream-usage'));
    expect(b).toBe(a);
    expect(await h.callSpans()).toHaveLength(1);
    await h.waitForRecords(1);
    expect(h.records).toHaveLength(1);
    expect(h.records[0]!.inputTokens).toBe(streamUsage().prompt_tokens);
  });

  it('keeps withResponse() working on streams', async () => {
    h.server.enqueue('openai/chat-completion-stream-usage');
    const { data, response } = await h.openai().chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } }).withResponse();
    expect(response.status).toBe(200);
    let n = 0;
    for await (const _ of data) n++;
    expect(n).toBe(fixture('openai/chat-completion-stream-usage').events!.filter((e) => typeof e.data === 'object').length);
    const [record] = await h.waitForRecords(1);
    expect(record!.outputTokens).toBe(streamUsage().completion_tokens);
  });

  it('estimates usage with a tokenizer when the stream carries none, and says so', async () => {
    h.server.enqueue('openai/chat-completion-stream-no-usage');
    const stream = await h.openai().chat.completions.create({ ...request, stream: true });
    for await (const _ of stream);
    const [record] = await h.waitForRecords(1);
    expect(record!.usageEstimated).toBe(true);
    // "What is the capital of France?" is 7 o200k tokens + chat framing.
    expect(record!.inputTokens).toBeGreaterThanOrEqual(7);
    expect(record!.inputTokens).toBeLessThan(30);
    const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
    expect(record!.outputTokens).toBe(countTokens(contentOf('openai/chat-completion-stream-no-usage')));
    expect(record!.costSource).toBe('table');
    const [span] = await h.callSpans();
    expect(span!.attributes['genai_usage.usage.estimated']).toBe(true);
  });

  it('ends the span when the app breaks out early, and the request is aborted', async () => {
    h.server.enqueue({ fixture: 'openai/chat-completion-stream-usage', chunkDelayMs: 5 });
    const stream = await h.openai().chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
    let n = 0;
    for await (const _ of stream) if (++n === 2) break;
    const [record] = await h.waitForRecords(1);
    expect(record!.success).toBe(true);
    expect(record!.usageEstimated).toBe(true);
    expect(stream.controller.signal.aborted).toBe(true);
  });

  it('records an abort mid-stream as a failed call with error.type and status ERROR', async () => {
    h.server.enqueue({ fixture: 'openai/chat-completion-stream-usage', chunkDelayMs: 50 });
    const controller = new AbortController();
    const stream = await h.openai().chat.completions.create(
      { ...request, stream: true, stream_options: { include_usage: true } },
      { signal: controller.signal },
    );
    let chunks = 0;
    // The SDK ends the loop quietly on abort; the app sees no error, and neither do we add one.
    for await (const _ of stream) {
      chunks++;
      controller.abort();
    }
    expect(chunks).toBe(1);
    const [span] = await h.callSpans();
    expect(span!.status.code).toBe(2);
    expect(span!.attributes['error.type']).toBe('APIUserAbortError');
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: 'APIUserAbortError', streaming: true });
  });

  it('records a connection dropped mid-stream as a failure and surfaces the same error', async () => {
    h.server.enqueue({ fixture: 'openai/chat-completion-stream-usage', destroyAfterEvents: 3 });
    const stream = await h.openai().chat.completions.create({ ...request, stream: true });
    await expect(
      (async () => {
        for await (const _ of stream);
      })(),
    ).rejects.toThrow();
    const [record] = await h.waitForRecords(1);
    expect(record!.success).toBe(false);
    expect(sumWhere(await h.metric('genai_usage.requests'), { 'error.type': record!.errorType })).toBeGreaterThanOrEqual(1);
  });

  it('does not break a second iteration of a consumed stream (the SDK error surfaces unchanged)', async () => {
    h.server.enqueue('openai/chat-completion-stream-usage');
    const stream = await h.openai().chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
    for await (const _ of stream);
    await expect(
      (async () => {
        for await (const _ of stream);
      })(),
    ).rejects.toThrow(/consumed/);
    await h.waitForRecords(1);
    expect(h.records).toHaveLength(1);
    expect(h.records[0]!.success).toBe(true);
  });
});

function spanDurationMs(span: { duration: [number, number] }): number {
  return span.duration[0] * 1000 + span.duration[1] / 1e6;
}
