import { describe, expect, it } from 'vitest';
import { addPreCallHook } from '../../src/index.js';
import { useHarness } from '../support/tracking-harness.js';
import * as openaiModule from 'openai';

const h = useHarness({ instrumentModules: { openai: openaiModule } });
const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

class Blocked extends Error {
  readonly blocksCall = true;
}

describe('pre-call hooks', () => {
  it('a blocking hook rejects the call before any request is sent, with the SDK promise class', async () => {
    const seen: unknown[] = [];
    const remove = addPreCallHook((info) => {
      seen.push(info);
      throw new Blocked('over budget');
    });
    try {
      const promise = h.openai().chat.completions.create({ ...chat, max_tokens: 64 });
      expect(promise).toBeInstanceOf(openaiModule.APIPromise);
      await expect(promise.withResponse()).rejects.toThrow('over budget');
      await expect(promise).rejects.toBeInstanceOf(Blocked);
    } finally {
      remove();
    }
    expect(h.server.requests).toHaveLength(0);
    expect(seen).toEqual([{ provider: 'openai', operation: 'chat', requestModel: 'gpt-4o-mini', maxOutputTokens: 64 }]);
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: 'Blocked' });
    const [span] = await h.callSpans();
    expect(span!.attributes['genai_usage.budget.blocked']).toBe(true);
  });

  it('a hook that throws an ordinary error is a bug in the hook: logged, and the call proceeds', async () => {
    const remove = addPreCallHook(() => {
      throw new Error('hook bug');
    });
    h.server.enqueue('openai/chat-completion');
    try {
      await expect(h.openai().chat.completions.create(chat)).resolves.toMatchObject({ object: 'chat.completion' });
    } finally {
      remove();
    }
    const [record] = await h.waitForRecords(1);
    expect(record!.success).toBe(true);
  });
});
