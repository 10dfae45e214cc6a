import type { DataPoint } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { recordUsage } from '../../src/manual/record-usage.js';
import { estimateCost } from '../../src/prices/estimate-cost.js';
import { startHarness, sumWhere, type Harness } from '../support/tracking-harness.js';

/** What @opentelemetry/sdk-metrics puts on the series that takes measurements beyond the limit. */
const OVERFLOW = 'otel.metric.overflow';
const COUNTERS = ['genai_usage.cost', 'genai_usage.requests', 'genai_usage.tokens'] as const;
const HISTOGRAMS = ['gen_ai.client.token.usage', 'gen_ai.client.operation.duration'] as const;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function call(userId: string, extra: Partial<Parameters<typeof recordUsage>[0]> = {}): void {
  recordUsage({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 100, outputTokens: 20, durationMs: 10, userId, ...extra });
}

const userIds = (points: Array<DataPoint<unknown>>) => points.map((p) => p.attributes['user.id']);

describe('cardinality limit on the attributed counters', () => {
  it('10,000 users with limit 100: at most 100 series per counter, one overflow series, nothing lost', async () => {
    h = await startHarness({ metricsCardinalityLimit: 100 });
    const users = 10_000;
    for (let i = 0; i < users; i++) call(`user-${i}`);
    const unitCost = estimateCost({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 100, outputTokens: 20 }).costUsd!;
    expect(unitCost).toBeGreaterThan(0);

    for (const name of COUNTERS) {
      const points = await h.metric(name);
      // The limit counts attributed series; the tokens counter has one per token type of each
      // (here input and output), and its overflow keeps the token type.
      const perSeries = name === 'genai_usage.tokens' ? 2 : 1;
      expect(points.length, name).toBeGreaterThan(perSeries);
      expect(points.length, name).toBeLessThanOrEqual(100 * perSeries);
      const overflow = points.filter((p) => p.attributes[OVERFLOW] === true);
      expect(overflow, name).toHaveLength(perSeries);
      // The overflow series carries only the overflow marker: no user leaks into it.
      for (const o of overflow) {
        const { ['gen_ai.token.type']: _type, ...rest } = o.attributes;
        expect(rest, name).toEqual({ [OVERFLOW]: true });
      }
    }

    const requests = await h.metric('genai_usage.requests');
    expect(requests).toHaveLength(100);
    expect(sumWhere(requests)).toBe(users);
    expect(sumWhere(requests, { [OVERFLOW]: true })).toBe(users - 99);
    expect(new Set(userIds(requests.filter((p) => p.attributes[OVERFLOW] !== true))).size).toBe(99);

    const cost = await h.metric('genai_usage.cost');
    expect(sumWhere(cost)).toBeCloseTo(users * unitCost, 9);

    const tokens = await h.metric('genai_usage.tokens');
    expect(sumWhere(tokens)).toBe(users * 120);

    // The histograms carry no user.id, so they never grow with users.
    const usage = await h.metric('gen_ai.client.token.usage');
    expect(usage).toHaveLength(2); // input and output
    expect(usage.reduce((n, p) => n + (p.value as { count: number }).count, 0)).toBe(2 * users);
    const duration = await h.metric('gen_ai.client.operation.duration');
    expect(duration).toHaveLength(1);
    expect((duration[0]!.value as { count: number }).count).toBe(users);
  });

  it('below the limit there is no overflow series', async () => {
    h = await startHarness({ metricsCardinalityLimit: 100 });
    for (let i = 0; i < 50; i++) call(`user-${i}`);
    const requests = await h.metric('genai_usage.requests');
    expect(requests).toHaveLength(50);
    expect(requests.some((p) => p.attributes[OVERFLOW] !== undefined)).toBe(false);
    expect(new Set(userIds(requests)).size).toBe(50);
  });
});

describe('metricsUser', () => {
  it("'on': user.id and gen_ai.agent.name on the counters, as given", async () => {
    h = await startHarness();
    call('alice', { agentName: 'SupportAgent' });
    for (const name of COUNTERS) {
      const points = await h.metric(name);
      expect(points.length, name).toBeGreaterThan(0);
      for (const p of points) expect(p.attributes, name).toMatchObject({ 'user.id': 'alice', 'gen_ai.agent.name': 'SupportAgent' });
    }
  });

  it("'off': no user.id on any point", async () => {
    h = await startHarness({ metricsUser: 'off' });
    call('alice');
    call('bob');
    for (const name of [...COUNTERS, ...HISTOGRAMS]) {
      const points = await h.metric(name);
      expect(points.length, name).toBeGreaterThan(0);
      for (const p of points) expect(p.attributes, name).not.toHaveProperty('user.id');
    }
    // Both users' calls are still counted, in one series.
    const requests = await h.metric('genai_usage.requests');
    expect(requests).toHaveLength(1);
    expect(sumWhere(requests)).toBe(2);
    // The record keeps the real user (the store has the exact truth).
    const records = await h.waitForRecords(2);
    expect(records.map((r) => r.userId).sort()).toEqual(['alice', 'bob']);
  });

  it("'hash': user.id is a 16-hex hash, stable per user, different between users", async () => {
    h = await startHarness({ metricsUser: 'hash' });
    call('alice');
    call('alice');
    call('bob');
    const requests = await h.metric('genai_usage.requests');
    expect(requests).toHaveLength(2);
    const ids = userIds(requests) as string[];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(ids).not.toContain('alice');
    expect(ids).not.toContain('bob');
    expect(new Set(ids).size).toBe(2);
    const counts = requests.map((p) => p.value as number).sort();
    expect(counts).toEqual([1, 2]); // alice's two calls share one hashed series
    const aliceHash = requests.find((p) => p.value === 2)!.attributes['user.id'];
    // Stable: the same user hashes the same on the other counters too.
    for (const name of ['genai_usage.cost', 'genai_usage.tokens'] as const) {
      const hashes = new Set(userIds(await h.metric(name)));
      expect(hashes.has(aliceHash), name).toBe(true);
      expect(hashes.size, name).toBe(2);
    }
  });

  it('histograms never carry user.id (or the agent)', async () => {
    h = await startHarness();
    call('alice', { agentName: 'A' });
    call('bob', { agentName: 'B', error: 'RateLimitError' });
    for (const name of HISTOGRAMS) {
      const points = await h.metric(name);
      expect(points.length, name).toBeGreaterThan(0);
      for (const p of points) {
        expect(p.attributes, name).not.toHaveProperty('user.id');
        expect(p.attributes, name).not.toHaveProperty('gen_ai.agent.name');
        expect(p.attributes, name).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini' });
      }
    }
    // The failed call's duration point carries error.type (semconv), the users still do not.
    const duration = await h.metric('gen_ai.client.operation.duration');
    expect(duration.map((p) => p.attributes['error.type']).sort()).toEqual(['RateLimitError', undefined]);
    // While the counters do carry users.
    expect(new Set(userIds(await h.metric('genai_usage.requests')))).toEqual(new Set(['alice', 'bob']));
  });
});

describe('token types (semconv: parts are never stacked on wholes)', () => {
  it('input 1000 (cache read 600, cache write 100), output 500 (reasoning 200)', async () => {
    h = await startHarness();
    recordUsage({
      provider: 'openai',
      model: 'gpt-4o-mini',
      inputTokens: 1000,
      cacheReadTokens: 600,
      cacheWriteTokens: 100,
      outputTokens: 500,
      reasoningTokens: 200,
      userId: 'u1',
    });
    const tokens = await h.metric('genai_usage.tokens');
    const byType = Object.fromEntries(tokens.map((p) => [p.attributes['gen_ai.token.type'], p.value]));
    expect(byType).toEqual({ input: 1000, cache_read: 600, cache_write: 100, output: 500, reasoning: 200 });

    // The semconv histogram has only input and output, with the same wholes.
    const usage = await h.metric('gen_ai.client.token.usage');
    const sums = Object.fromEntries(usage.map((p) => [p.attributes['gen_ai.token.type'], (p.value as { sum: number }).sum]));
    expect(sums).toEqual({ input: 1000, output: 500 });

    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ inputTokens: 1000, outputTokens: 500, totalTokens: 1500, cacheReadTokens: 600, cacheWriteTokens: 100, reasoningTokens: 200 });
  });
});
