import { describe, expect, it } from 'vitest';
import * as resources from '@anthropic-ai/sdk/resources/index';
import * as sdk from '@anthropic-ai/sdk';
import { AnthropicInstrumentation, addPreCallHook } from '../../src/index.js';
import { useHarness } from '../support/tracking-harness.js';

// Patched through the resources entry only, as when an app loads just a cloud client: the SDK's
// APIPromise class is not exported there.
const h = useHarness({ instrumentModules: { anthropic: resources } });
const request = { model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user' as const, content: 'hi' }] };

class Blocked extends Error {
  readonly blocksCall = true;
}

describe('a blocked call when only the resources entry was patched', () => {
  // The `.stream()` helpers wrap any error that is not the SDK's own in an AnthropicError with its
  // message, whichever promise class `create` returned: the message is what reaches the app.
  it.each([
    ['messages.create', (c: ReturnType<typeof h.anthropic>) => c.messages.create(request).withResponse()],
    ['messages.stream()', (c: ReturnType<typeof h.anthropic>) => c.messages.stream(request).finalMessage()],
    ['beta.messages.stream()', (c: ReturnType<typeof h.anthropic>) => c.beta.messages.stream(request).finalMessage()],
  ])('%s rejects with the hook\'s error, not a TypeError; nothing sent; recorded as blocked', async (_name, call) => {
    const remove = addPreCallHook(() => {
      throw new Blocked('over budget');
    });
    try {
      await expect(call(h.anthropic({ openTelemetry: false }))).rejects.toThrow('over budget');
    } finally {
      remove();
    }
    expect(h.server.requests).toHaveLength(0);
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: 'Blocked', provider: 'anthropic' });
  });
});

describe('the resources entry patched first, then the main entry (the order of require)', () => {
  it('one wrapper, and a blocked call still rejects with the SDK APIPromise class', async () => {
    const instrumentation = new AnthropicInstrumentation();
    instrumentation.patchModule(resources);
    const wrapper = sdk.Anthropic.Messages.prototype.create;
    instrumentation.patchModule(sdk);
    expect(sdk.Anthropic.Messages.prototype.create).toBe(wrapper);
    const remove = addPreCallHook(() => {
      throw new Blocked('over budget');
    });
    try {
      const promise = h.anthropic({ openTelemetry: false }).messages.create(request);
      expect(promise).toBeInstanceOf(sdk.APIPromise);
      await expect(promise).rejects.toBeInstanceOf(Blocked);
    } finally {
      remove();
      instrumentation.disable();
    }
    expect(h.server.requests).toHaveLength(0);
    await h.waitForRecords(1);
  });
});
