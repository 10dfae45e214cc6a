import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withUsageContext } from '../../src/context/usage-context.js';
import { recordUsage } from '../../src/manual/record-usage.js';
import { trackCall } from '../../src/manual/track-call.js';
import { estimateCost } from '../../src/prices/estimate-cost.js';
import { onUsage } from '../../src/usage/usage-listeners.js';
import type { UsageRecord } from '../../src/usage/usage-record.js';
import { startHarness, sumWhere, type Harness } from '../support/tracking-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(async () => {
  // Records of the previous test still on their way to the listeners land before the reset.
  await settle();
  h.spans.reset();
  h.records.length = 0;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Lets the listeners (run on setImmediate) and any promise they return settle. */
const settle = async () => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
};

class RateLimitError extends Error {}

describe('recordUsage', () => {
  it('records every field, with the context fields, as a priced usage record', async () => {
    recordUsage({
      provider: 'openai',
      model: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024-07-18',
      operation: 'chat',
      inputTokens: 1000,
      outputTokens: 400,
      cacheReadTokens: 300,
      cacheWriteTokens: 50,
      reasoningTokens: 120,
      durationMs: 1500,
      streaming: true,
      timeToFirstTokenMs: 250,
      userId: 'u-42',
      agentName: 'SupportAgent',
      sessionId: 's-1',
      conversationId: 'c-9',
      group: 'team-a',
      tags: { feature: 'chat', tier: 'pro' },
    });
    const [record] = await h.waitForRecords(1);
    const expected = estimateCost({ provider: 'openai', model: 'gpt-4o-mini-2024-07-18', inputTokens: 1000, outputTokens: 400, cacheReadTokens: 300, cacheWriteTokens: 50 });
    expect(expected.source).toBe('table');
    expect(record).toMatchObject({
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024-07-18',
      inputTokens: 1000,
      outputTokens: 400,
      totalTokens: 1400,
      cacheReadTokens: 300,
      cacheWriteTokens: 50,
      reasoningTokens: 120,
      costUsd: expected.costUsd,
      costSource: 'table',
      success: true,
      errorType: undefined,
      streaming: true,
      timeToFirstTokenMs: 250,
      userId: 'u-42',
      agentName: 'SupportAgent',
      sessionId: 's-1',
      conversationId: 'c-9',
      group: 'team-a',
      tags: { feature: 'chat', tier: 'pro' },
      serviceName: 'harness',
    });
    expect(record!.durationMs).toBeCloseTo(1500, 3);
    expect(h.records).toHaveLength(1);

    const [span] = await h.callSpans();
    expect(span!.name).toBe('chat gpt-4o-mini');
    expect(span!.attributes).toMatchObject({ 'gen_ai.provider.name': 'openai', 'user.id': 'u-42', 'genai_usage.tag.feature': 'chat' });
  });

  it('defaults: operation chat, response model = model', async () => {
    recordUsage({ provider: 'anthropic', model: 'claude-sonnet-4-5', inputTokens: 10, outputTokens: 5 });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ operation: 'chat', requestModel: 'claude-sonnet-4-5', responseModel: 'claude-sonnet-4-5', streaming: false, tags: {} });
    expect(record!.costSource).toBe('table');
  });

  it('inherits the usage context; its own fields win', async () => {
    await withUsageContext({ userId: 'outer', sessionId: 'sess', tags: { feature: 'a' } }, async () => {
      recordUsage({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1, outputTokens: 1, userId: 'inner', tags: { extra: 'b' } });
    });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ userId: 'inner', sessionId: 'sess', tags: { feature: 'a', extra: 'b' } });
  });

  it('an error object: success false, error.type is its class name', async () => {
    recordUsage({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 10, outputTokens: 0, error: new RateLimitError('slow down') });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: 'RateLimitError' });
    const requests = await h.metric('genai_usage.requests');
    expect(sumWhere(requests, { 'error.type': 'RateLimitError' })).toBe(1);
  });

  it('an error type name: success false, error.type is the name', async () => {
    recordUsage({ provider: 'openai', model: 'gpt-4o-mini', error: 'timeout' });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: 'timeout', costUsd: 0, costSource: 'table' }); // a failed call without counts used no tokens
  });

  it('costUsd given wins over the table: costSource provider', async () => {
    recordUsage({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 1000, costUsd: 0.42 });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ costUsd: 0.42, costSource: 'provider' });
    const [span] = await h.callSpans();
    expect(span!.attributes['genai_usage.cost.usd']).toBe(0.42);
    expect(span!.attributes['genai_usage.cost.source']).toBe('provider');
  });

  it('costUsd 0 is a known zero cost, not unknown', async () => {
    recordUsage({ provider: 'self-hosted', model: 'my-model', inputTokens: 10, outputTokens: 10, costUsd: 0 });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ costUsd: 0, costSource: 'provider' });
  });

  it('an unknown model: cost unknown, never 0', async () => {
    recordUsage({ provider: 'openai', model: 'no-such-model-xyz', inputTokens: 10, outputTokens: 10 });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ costUsd: undefined, costSource: 'unknown' });
  });

  it('bad numbers are ignored, not thrown; the good ones are kept', async () => {
    expect(() =>
      recordUsage({
        provider: 'openai',
        model: 'gpt-4o-mini',
        inputTokens: 100,
        outputTokens: -3,
        cacheReadTokens: Number.NaN,
        cacheWriteTokens: 'ten' as unknown as number,
        reasoningTokens: Number.POSITIVE_INFINITY,
        durationMs: Number.NaN,
        costUsd: -1,
        timeToFirstTokenMs: -5,
      }),
    ).not.toThrow();
    const [record] = await h.waitForRecords(1);
    const priced = estimateCost({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 100, outputTokens: 0 });
    expect(record).toMatchObject({
      inputTokens: 100,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      durationMs: 0,
      timeToFirstTokenMs: undefined,
      costUsd: priced.costUsd,
      costSource: 'table',
      success: true,
    });
  });

  it('never throws, even on nonsense input', async () => {
    expect(() => recordUsage(null as unknown as Parameters<typeof recordUsage>[0])).not.toThrow();
    await settle();
    expect(h.records).toHaveLength(0);
    expect(() => recordUsage({} as Parameters<typeof recordUsage>[0])).not.toThrow();
  });
});

describe('trackCall', () => {
  it('returns the result unchanged and records the call with extractUsage', async () => {
    const result = { id: 'r1', usage: { prompt: 1200, completion: 300, cached: 200 }, model: 'gpt-4o-mini-2024-07-18' };
    const returned = await trackCall({ provider: 'openai', model: 'gpt-4o-mini' }, async () => result, {
      extractUsage: (r) => ({ inputTokens: r.usage.prompt, outputTokens: r.usage.completion, cacheReadTokens: r.usage.cached, responseModel: r.model }),
    });
    expect(returned).toBe(result);
    expect(returned).toEqual({ id: 'r1', usage: { prompt: 1200, completion: 300, cached: 200 }, model: 'gpt-4o-mini-2024-07-18' });
    const [record] = await h.waitForRecords(1);
    const expected = estimateCost({ provider: 'openai', model: 'gpt-4o-mini-2024-07-18', inputTokens: 1200, outputTokens: 300, cacheReadTokens: 200 });
    expect(record).toMatchObject({
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024-07-18',
      inputTokens: 1200,
      outputTokens: 300,
      cacheReadTokens: 200,
      costUsd: expected.costUsd,
      costSource: 'table',
      success: true,
    });
  });

  it('works with a synchronous fn and an operation name', async () => {
    const value = await trackCall({ provider: 'openai', model: 'text-embedding-3-small', operation: 'embeddings' }, () => 42, {
      extractUsage: () => ({ inputTokens: 100, outputTokens: 0 }),
    });
    expect(value).toBe(42);
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ operation: 'embeddings', inputTokens: 100, costSource: 'table' });
  });

  it('rethrows the same error object and records a failure', async () => {
    const error = new RateLimitError('429');
    const rejection = trackCall({ provider: 'openai', model: 'gpt-4o-mini' }, async () => {
      throw error;
    });
    await expect(rejection).rejects.toBe(error);
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: 'RateLimitError', costUsd: 0, costSource: 'table' });
  });

  it('records a duration at least as long as the awaited work', async () => {
    let measured = 0;
    await trackCall({ provider: 'openai', model: 'gpt-4o-mini' }, async () => {
      const start = performance.now();
      await sleep(50);
      measured = performance.now() - start;
    });
    const [record] = await h.waitForRecords(1);
    expect(measured).toBeGreaterThan(0);
    // The span encloses the awaited work (1 ms slack for clock rounding between the two readings).
    expect(record!.durationMs).toBeGreaterThanOrEqual(measured - 1);
  });

  it('a provider cost from extractUsage wins: costSource provider', async () => {
    await trackCall({ provider: 'openrouter', model: 'anything' }, async () => 'ok', {
      extractUsage: () => ({ inputTokens: 10, outputTokens: 10, costUsd: 0.0123 }),
    });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ costUsd: 0.0123, costSource: 'provider' });
  });

  it('extractUsage throwing: the result is still returned, the call recorded without usage', async () => {
    const result = { ok: true };
    const returned = await trackCall({ provider: 'openai', model: 'gpt-4o-mini' }, async () => result, {
      extractUsage: () => {
        throw new Error('unexpected response shape');
      },
    });
    expect(returned).toBe(result);
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: true, inputTokens: 0, outputTokens: 0, costUsd: undefined, costSource: 'unknown' });
  });

  it('extractUsage returning undefined: recorded without usage', async () => {
    await trackCall({ provider: 'openai', model: 'gpt-4o-mini' }, async () => 'x', { extractUsage: () => undefined });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: true, inputTokens: 0, costUsd: undefined });
  });

  it('carries the usage context into the record', async () => {
    await withUsageContext({ userId: 'ctx-user', agentName: 'Billing' }, () =>
      trackCall({ provider: 'openai', model: 'gpt-4o-mini' }, async () => 'x', { extractUsage: () => ({ inputTokens: 1, outputTokens: 1 }) }),
    );
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ userId: 'ctx-user', agentName: 'Billing' });
  });
});

describe('onUsage', () => {
  it('a throwing handler never affects the call; its error reaches onError with the record', async () => {
    const failures: Array<{ error: unknown; record: UsageRecord }> = [];
    const boom = new Error('handler bug');
    const unsubscribe = onUsage(
      () => {
        throw boom;
      },
      { onError: (error, record) => failures.push({ error, record }) },
    );
    const later: UsageRecord[] = [];
    const unsubscribeLater = onUsage((r) => {
      later.push(r);
    });
    try {
      expect(() => recordUsage({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1, outputTokens: 1, userId: 'x' })).not.toThrow();
      const value = await trackCall({ provider: 'openai', model: 'gpt-4o-mini' }, async () => 'result');
      expect(value).toBe('result');
      await h.waitForRecords(2);
      await settle();
      expect(failures).toHaveLength(2);
      expect(failures[0]!.error).toBe(boom);
      expect(failures[0]!.record.userId).toBe('x');
      // Handlers after the throwing one still get every record.
      expect(later).toHaveLength(2);
    } finally {
      unsubscribe();
      unsubscribeLater();
    }
  });

  it('a rejecting async handler never affects the call; its rejection reaches onError', async () => {
    const failures: unknown[] = [];
    const reason = new Error('async handler bug');
    const unsubscribe = onUsage(
      async () => {
        await Promise.resolve();
        throw reason;
      },
      { onError: (error) => failures.push(error) },
    );
    try {
      await expect(trackCall({ provider: 'openai', model: 'gpt-4o-mini' }, async () => 'fine')).resolves.toBe('fine');
      await h.waitForRecords(1);
      await settle();
      expect(failures).toEqual([reason]);
    } finally {
      unsubscribe();
    }
  });

  it('a throwing onError is contained too', async () => {
    const unsubscribe = onUsage(
      () => {
        throw new Error('handler');
      },
      {
        onError: () => {
          throw new Error('onError too');
        },
      },
    );
    try {
      expect(() => recordUsage({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1, outputTokens: 1 })).not.toThrow();
      await h.waitForRecords(1);
      await settle();
      expect(h.records).toHaveLength(1);
    } finally {
      unsubscribe();
    }
  });

  it('unsubscribe stops delivery', async () => {
    const seen: UsageRecord[] = [];
    const unsubscribe = onUsage((r) => {
      seen.push(r);
    });
    recordUsage({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1, outputTokens: 1, userId: 'first' });
    await h.waitForRecords(1);
    await settle();
    expect(seen.map((r) => r.userId)).toEqual(['first']);

    unsubscribe();
    unsubscribe(); // twice is harmless
    recordUsage({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1, outputTokens: 1, userId: 'second' });
    await h.waitForRecords(2);
    await settle();
    expect(h.records.map((r) => r.userId)).toEqual(['first', 'second']);
    expect(seen.map((r) => r.userId)).toEqual(['first']);
  });

  it('handlers run after the call has returned', async () => {
    let phase = 'idle';
    const seenIn: string[] = [];
    const unsubscribe = onUsage(() => {
      seenIn.push(phase);
    });
    try {
      phase = 'inside recordUsage';
      recordUsage({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1, outputTokens: 1 });
      phase = 'after recordUsage';
      expect(seenIn).toEqual([]);

      phase = 'inside trackCall';
      const value = await trackCall({ provider: 'openai', model: 'gpt-4o-mini' }, async () => 'v');
      phase = 'after trackCall';
      expect(value).toBe('v');
      await h.waitForRecords(2);
      await settle();
      expect(seenIn).toHaveLength(2);
      expect(seenIn).not.toContain('inside recordUsage');
      expect(seenIn).not.toContain('inside trackCall');
      expect(seenIn[1]).toBe('after trackCall');
    } finally {
      unsubscribe();
    }
  });

  it('a slow handler does not delay the call', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let finished = false;
    const unsubscribe = onUsage(async () => {
      await gate;
      finished = true;
    });
    try {
      const value = await trackCall({ provider: 'openai', model: 'gpt-4o-mini' }, async () => 'done');
      await h.waitForRecords(1);
      await settle();
      expect(value).toBe('done');
      expect(finished).toBe(false); // the handler is still waiting; the call had long returned
      release();
      await settle();
      expect(finished).toBe(true);
    } finally {
      unsubscribe();
    }
  });
});
