import { describe, expect, it } from 'vitest';
import { BudgetExceededError } from '../../src/budgets/budget-errors.js';
import { BudgetTracker, type BudgetTrackerOptions } from '../../src/budgets/budget-tracker.js';
import type { BudgetDefinition, ThresholdEvent } from '../../src/budgets/budget-types.js';
import { parseBudgets } from '../../src/budgets/parse-budgets.js';
import type { Subject } from '../../src/budgets/scope.js';
import { makeRecord } from './records.js';

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0); // Wednesday noon UTC

function tracker(defs: BudgetDefinition[], options: BudgetTrackerOptions & { clock?: { now: number } } = {}) {
  const clock = options.clock ?? { now: T0 };
  return { t: new BudgetTracker(parseBudgets(defs), { now: () => clock.now, ...options }), clock };
}

const blocked = (fn: () => void): BudgetExceededError | undefined => {
  try {
    fn();
  } catch (err) {
    if (err instanceof BudgetExceededError) return err;
    throw err;
  }
  return undefined;
};
const call = (subject: Subject = {}): Subject => ({ provider: 'openai', model: 'gpt-4o-mini', ...subject });
const nextTurn = () => new Promise((r) => setImmediate(r));

describe('BudgetTracker: scopes', () => {
  it('each: 5,000 users get their own copy; only the exhausted user is blocked', () => {
    const { t } = tracker([{ name: 'per-user', limit: { costUsd: 1 }, period: 'daily', scope: { user: 'each' }, enforce: 'hard' }]);
    for (let i = 0; i < 5000; i++) t.record(makeRecord({ userId: `u-${i}`, costUsd: 0.5, recordedAt: new Date(T0) }));
    t.record(makeRecord({ userId: 'u-7', costUsd: 0.5, recordedAt: new Date(T0) }));
    const statuses = t.status();
    expect(statuses).toHaveLength(5000);
    expect(statuses.filter((s) => s.exceeded).map((s) => s.scope)).toEqual([{ user: 'u-7' }]);
    const err = blocked(() => t.checkSubject(call({ user: 'u-7' })));
    expect(err).toMatchObject({ budget: 'per-user', scope: { user: 'u-7' }, metric: 'cost', limit: 1, used: 1, period: 'daily', blocksCall: true });
    expect(err?.resetsAt?.toISOString()).toBe('2025-01-16T00:00:00.000Z');
    expect(err?.message).toBe('budget "per-user" (user=u-7) is exhausted: $1.00 used of $1.00 (daily); resets at 2025-01-16T00:00:00.000Z');
    expect(blocked(() => t.checkSubject(call({ user: 'u-8' })))).toBeUndefined();
    // A call without a user is not under a per-user budget.
    expect(blocked(() => t.checkSubject(call()))).toBeUndefined();
  });

  it('fixed scopes: a model matches the request or the response model; provider, service, group and tags must all match', () => {
    const { t } = tracker(
      [
        { name: 'model', limit: { requests: 10 }, period: 'daily', scope: { model: 'gpt-4o-mini-2024-07-18' } },
        { name: 'combo', limit: { requests: 10 }, period: 'daily', scope: { provider: 'openai', service: 'svc', group: 'team-a', tags: { feature: 'chat' } } },
        { name: 'per-tag', limit: { requests: 10 }, period: 'daily', scope: { tags: { tenant: 'each' } } },
      ],
      { serviceName: 'svc' },
    );
    t.record(makeRecord({ recordedAt: new Date(T0) })); // response model matches "model"
    t.record(makeRecord({ group: 'team-a', tags: { feature: 'chat', tenant: 't1' }, recordedAt: new Date(T0) }));
    t.record(makeRecord({ group: 'team-a', tags: { feature: 'search', tenant: 't1' }, recordedAt: new Date(T0) }));
    t.record(makeRecord({ group: 'team-b', tags: { feature: 'chat', tenant: 't2' }, requestModel: 'o3', responseModel: 'o3', recordedAt: new Date(T0) }));
    const used = Object.fromEntries(t.status().map((s) => [`${s.budget}${JSON.stringify(s.scope)}`, s.used]));
    expect(used).toEqual({
      'model{"model":"gpt-4o-mini-2024-07-18"}': 3,
      'combo{"provider":"openai","service":"svc","group":"team-a","tag.feature":"chat"}': 1,
      'per-tag{"tag.tenant":"t1"}': 2,
      'per-tag{"tag.tenant":"t2"}': 1,
    });
  });

  it('measures: cost skips unknown prices, tokens by type, requests count successful calls only', () => {
    const { t } = tracker([
      { name: 'cost', limit: { costUsd: 10 }, period: 'daily' },
      { name: 'total', limit: { tokens: 1e6 }, period: 'daily' },
      { name: 'cached', limit: { tokens: 1e6, tokenType: 'cache_read' }, period: 'daily' },
      { name: 'calls', limit: { requests: 100 }, period: 'daily' },
    ]);
    const at = new Date(T0);
    t.record(makeRecord({ costUsd: 0.25, inputTokens: 1000, outputTokens: 200, cacheReadTokens: 600, recordedAt: at }));
    t.record(makeRecord({ costUsd: undefined, inputTokens: 10, outputTokens: 5, recordedAt: at }));
    t.record(makeRecord({ costUsd: 0, inputTokens: 0, outputTokens: 0, success: false, errorType: 'BudgetExceededError', recordedAt: at }));
    expect(t.status().map((s) => [s.budget, s.used])).toEqual([['cost', 0.25], ['total', 1215], ['cached', 600], ['calls', 2]]);
  });
});

describe('BudgetTracker: periods, thresholds, status', () => {
  it('announces each threshold once per period and again after the period resets', async () => {
    const { t, clock } = tracker([{ name: 'b', limit: { costUsd: 10 }, period: 'daily', warnAt: [0.5, 0.8] }]);
    const events: ThresholdEvent[] = [];
    t.onThreshold((e) => events.push(e));
    const spend = (usd: number) => t.record(makeRecord({ costUsd: usd, recordedAt: new Date(clock.now) }));
    spend(4);
    spend(1.5); // 55 %: crosses 0.5
    spend(0.5); // 60 %: nothing new
    spend(3); // 90 %: crosses 0.8
    spend(2); // 110 %: exhausted
    spend(1);
    await nextTurn();
    expect(events.map((e) => [e.threshold, e.status.used])).toEqual([[0.5, 5.5], [0.8, 9], [1, 11]]);
    clock.now = Date.UTC(2025, 0, 16, 0, 0, 1); // next day
    spend(6);
    await nextTurn();
    expect(events.map((e) => e.threshold)).toEqual([0.5, 0.8, 1, 0.5]);
    expect(t.checkBudget('b')).toMatchObject({ used: 6, periodStart: new Date(Date.UTC(2025, 0, 16)), crossed: [0.5] });
  });

  it('ignores use recorded in the previous period (a call that started before midnight)', () => {
    const { t, clock } = tracker([{ name: 'b', limit: { requests: 5 }, period: 'daily' }]);
    clock.now = Date.UTC(2025, 0, 16, 0, 0, 5);
    t.record(makeRecord({ recordedAt: new Date(Date.UTC(2025, 0, 15, 23, 59, 59)) }));
    t.record(makeRecord({ recordedAt: new Date(clock.now) }));
    expect(t.checkBudget('b').used).toBe(1);
  });

  it('status: remaining, utilization, crossed thresholds, reset time and a linear projection', () => {
    const { t, clock } = tracker([{ name: 'm', limit: { costUsd: 100 }, period: 'monthly', warnAt: [0.25, 0.5] }]);
    clock.now = Date.UTC(2025, 3, 11); // April 11: 10 of 30 days elapsed
    t.record(makeRecord({ costUsd: 30, recordedAt: new Date(clock.now - 1000) }));
    const s = t.checkBudget('m');
    expect(s).toMatchObject({ budget: 'm', metric: 'cost', period: 'monthly', enforce: 'soft', scope: {}, limit: 100, used: 30, remaining: 70, utilization: 0.3, exceeded: false, crossed: [0.25], reserved: 0, syncedAt: undefined });
    expect([s.periodStart.toISOString(), s.resetsAt?.toISOString()]).toEqual(['2025-04-01T00:00:00.000Z', '2025-05-01T00:00:00.000Z']);
    expect(s.projected).toBeCloseTo(90, 9);
  });

  it('rolling windows: use ages out of the window and thresholds re-arm', async () => {
    const { t, clock } = tracker([{ name: 'r', limit: { requests: 3 }, period: { rolling: '1h' }, enforce: 'hard' }]);
    const events: number[] = [];
    t.onThreshold((e) => events.push(e.threshold));
    for (let i = 0; i < 3; i++) t.record(makeRecord({ recordedAt: new Date(clock.now) }));
    expect(blocked(() => t.checkSubject(call()))?.resetsAt).toBeUndefined();
    clock.now += 61 * 60_000; // the three calls have left the window
    expect(t.checkBudget('r')).toMatchObject({ used: 0, period: 'rolling:1h', resetsAt: undefined, projected: undefined });
    expect(blocked(() => t.checkSubject(call()))).toBeUndefined();
    for (let i = 0; i < 3; i++) t.record(makeRecord({ recordedAt: new Date(clock.now) }));
    await nextTurn();
    expect(events).toEqual([0.8, 1, 0.8, 1]);
  });

  it('checkBudget picks the copy of an each budget from its scope argument, and explains what is missing', () => {
    const { t } = tracker([{ name: 'u', limit: { requests: 2 }, period: 'daily', scope: { user: 'each', tags: { tier: 'each' } } }]);
    t.record(makeRecord({ userId: 'a', tags: { tier: 'pro' }, recordedAt: new Date(T0) }));
    expect(t.checkBudget('u', { user: 'a', 'tag.tier': 'pro' })).toMatchObject({ used: 1, scope: { user: 'a', 'tag.tier': 'pro' } });
    expect(t.checkBudget('u', { user: 'b', 'tag.tier': 'pro' }).used).toBe(0);
    expect(() => t.checkBudget('u', { user: 'a' })).toThrow(/budget "u" has one copy per tag.tier: pass checkBudget\("u", \{ 'tag.tier': \.\.\. \}\)/);
    expect(() => t.checkBudget('nope')).toThrow(/no budget named "nope"; budgets: u/);
  });
});

describe('BudgetTracker: hard limits under concurrency', () => {
  const N = 20;

  it('without reservation, calls checked before any finishes all pass: overshoot = calls in flight', () => {
    const { t } = tracker([{ name: 'calls', limit: { requests: 10 }, period: 'daily', enforce: 'hard' }]);
    for (let i = 0; i < 9; i++) t.record(makeRecord({ recordedAt: new Date(T0) }));
    let passed = 0;
    for (let i = 0; i < N; i++) if (!blocked(() => t.checkSubject(call()))) passed++;
    expect(passed).toBe(N);
    for (let i = 0; i < passed; i++) t.record(makeRecord({ recordedAt: new Date(T0) }));
    // Documented bound: limit - 1 + calls in flight.
    expect(t.checkBudget('calls').used).toBe(9 + N);
  });

  it('with reservation, a requests budget admits exactly the remaining calls, and a finished call frees its slot', () => {
    const { t } = tracker([{ name: 'calls', limit: { requests: 10 }, period: 'daily', enforce: 'hard' }], { reserve: true });
    for (let i = 0; i < 7; i++) t.record(makeRecord({ recordedAt: new Date(T0) }));
    const outcomes = Array.from({ length: N }, () => blocked(() => t.checkSubject(call())) === undefined);
    expect(outcomes.filter(Boolean)).toHaveLength(3);
    expect(t.checkBudget('calls')).toMatchObject({ used: 7, reserved: 3, remaining: 0 });
    t.record(makeRecord({ recordedAt: new Date(T0) })); // one of the three finishes
    expect(t.checkBudget('calls')).toMatchObject({ used: 8, reserved: 2 });
    expect(blocked(() => t.checkSubject(call()))).toBeInstanceOf(BudgetExceededError);
  });

  it('reserves max output tokens × the output price against a cost budget; a huge call is blocked up front; reservations expire', () => {
    const clock = { now: T0 };
    const { t } = tracker([{ name: 'usd', limit: { costUsd: 1 }, period: 'daily', enforce: 'hard' }], { reserve: { ttlMs: 60_000 }, clock });
    // gpt-4o-mini output: $0.60 per 1M tokens, so 1M tokens reserve $0.60.
    expect(blocked(() => t.checkSubject(call(), 1_000_000))).toBeUndefined();
    expect(t.checkBudget('usd').reserved).toBeCloseTo(0.6, 9);
    const err = blocked(() => t.checkSubject(call(), 1_000_000));
    expect(err?.used).toBeCloseTo(0.6, 9);
    expect(blocked(() => t.checkSubject(call(), 100_000))).toBeUndefined(); // $0.06 still fits
    clock.now += 61_000;
    t.checkSubject(call(), 10); // any check drops expired reservations first
    expect(t.checkBudget('usd').reserved).toBeCloseTo(0.6 * 10 / 1e6, 12);
  });

  it('soft budgets never block, however far over', () => {
    const { t } = tracker([{ name: 'soft', limit: { requests: 1 }, period: 'daily' }], { reserve: true });
    for (let i = 0; i < 5; i++) t.record(makeRecord({ recordedAt: new Date(T0) }));
    expect(t.checkBudget('soft').exceeded).toBe(true);
    expect(blocked(() => t.checkSubject(call()))).toBeUndefined();
  });
});
