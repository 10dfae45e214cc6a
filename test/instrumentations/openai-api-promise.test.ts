import { describe, expect, it } from 'vitest';
import { fixture } from '../support/replay-server.js';
import { useHarness } from '../support/tracking-harness.js';

// How a call is observed through the SDK's lazily parsed APIPromise: every way of consuming
// it ends the call once, and none reads the body before the app asks.
const h = useHarness();
const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('openai APIPromise', () => {
  it('asResponse() gets the unread body, and the call is not ended by it', async () => {
    const body = fixture('openai/chat-completion').body;
    h.server.enqueue('openai/chat-completion');
    const response = await h.openai().chat.completions.create(chat).asResponse();
    expect(((await response.json()) as { id: string }).id).toBe(body.id);
    // Nothing parsed the response: the call has no outcome to record yet (shutdown ends it as interrupted).
    expect(await h.callSpans()).toHaveLength(0);
  });

  it('the parse() helper (a promise derived with _thenUnwrap): one record, from the raw completion', async () => {
    const body = fixture('openai/chat-completion').body;
    h.server.enqueue('openai/chat-completion');
    const parsed = await h.openai().chat.completions.parse(chat);
    expect(parsed.id).toBe(body.id);
    const records = await h.waitForRecords(1);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ success: true, inputTokens: body.usage.prompt_tokens, outputTokens: body.usage.completion_tokens });
    expect(await h.callSpans()).toHaveLength(1);
  });

  it('awaited twice and through withResponse(): parsed once, recorded once', async () => {
    h.server.enqueue('openai/chat-completion');
    const promise = h.openai().chat.completions.create(chat);
    const [a, b, { data }] = await Promise.all([promise, promise, promise.withResponse()]);
    expect(a).toBe(b);
    expect(data).toBe(a);
    await h.waitForRecords(1);
    await new Promise((done) => setImmediate(done));
    expect(h.records).toHaveLength(1);
  });
});
