import { afterAll, beforeAll, expect, it } from 'vitest';
import { BudgetExceededError } from '../../src/budgets/budget-errors.js';
import type { BudgetDefinition } from '../../src/budgets/budget-types.js';
import { createBudgets, type Budgets } from '../../src/budgets/create-budgets.js';
import { UsageWriter } from '../../src/exporter/usage-writer.js';
import { openStore } from '../../src/store/open-store.js';
import type { UsageStore } from '../../src/store/usage-store.js';
import type { UsageRecord } from '../../src/usage/usage-record.js';
import { makeRecord } from './records.js';

/** One "process": its budgets and its own store writer, as startUsageTracking wires them. */
interface Proc {
  budgets: Budgets;
  writer: UsageWriter;
  /** What the processor does with a finished call: count it, queue it for the store. */
  record(record: UsageRecord): void;
  close(): Promise<void>;
}

function startProc(url: string, defs: BudgetDefinition[]): Proc {
  const budgets = createBudgets(defs, { store: url, refreshIntervalMs: 0, gauges: false });
  const writer = new UsageWriter({ store: () => openStore(url) });
  return {
    budgets,
    writer,
    record(record) {
      budgets.sink.write(record);
      writer.write(record);
    },
    async close() {
      await writer.shutdown();
      await budgets.shutdown();
    },
  };
}

/**
 * Store seeding and cross-process convergence, against a fresh store at `url()` (one per
 * test file: SQLite file or PostgreSQL schema).
 */
export function budgetStoreSuite(url: () => string): void {
  let store: UsageStore;
  const procs: Proc[] = [];
  const now = Date.now();
  beforeAll(async () => {
    store = await openStore(url());
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.close()));
    await store.close();
  });

  it('seeds from the store: this period only, per user, per tag value known to the process, rolling windows', async () => {
    const old = new Date(now - 40 * 864e5);
    const recent = new Date(now - 60_000);
    await store.insert([
      makeRecord({ userId: 'seed-a', costUsd: 2, recordedAt: recent, tags: { tenant: 't1' } }),
      makeRecord({ userId: 'seed-a', costUsd: 1, recordedAt: recent, tags: { tenant: 't2' } }),
      makeRecord({ userId: 'seed-b', costUsd: 4, recordedAt: recent }),
      makeRecord({ userId: 'seed-b', costUsd: 100, recordedAt: old }), // another month, outside the 24h window
      makeRecord({ userId: 'seed-b', costUsd: 9, success: false, errorType: 'RateLimitError', recordedAt: recent }),
    ]);
    const defs: BudgetDefinition[] = [
      { name: 'seed-user', limit: { costUsd: 5 }, period: 'monthly', scope: { user: 'each' }, enforce: 'hard' },
      { name: 'seed-tenant', limit: { requests: 10 }, period: 'monthly', scope: { user: 'seed-a', tags: { tenant: 'each' } } },
      { name: 'seed-rolling', limit: { costUsd: 50 }, period: { rolling: '24h' }, scope: { user: 'seed-b' } },
    ];
    const p = startProc(url(), defs);
    procs.push(p);
    p.budgets.checkBudget('seed-tenant', { 'tag.tenant': 't1' }); // the process has met tenant t1
    await p.budgets.ready;
    await p.budgets.sync();
    const used = (name: string) => Object.fromEntries(p.budgets.status({ budget: name }).map((s) => [JSON.stringify(s.scope), s.used]));
    // seed-b's old $100 is in an earlier month (40 days ago) only if the month started less than 40 days ago: always true.
    expect(used('seed-user')).toEqual({ '{"user":"seed-a"}': 3, '{"user":"seed-b"}': 13 });
    expect(used('seed-tenant')).toEqual({ '{"user":"seed-a","tag.tenant":"t1"}': 1 });
    expect(used('seed-rolling')).toEqual({ '{"user":"seed-b"}': 13 });
    expect(p.budgets.checkBudget('seed-user', { user: 'seed-b' }).syncedAt).toBeInstanceOf(Date);
    expect(() => p.budgets.sink.write(makeRecord({ userId: 'seed-b', recordedAt: new Date() }))).not.toThrow();
  });

  it('two processes converge through the store; the overshoot stays within the documented bound', async () => {
    const LIMIT = 100;
    const SYNC_EVERY = 10; // each process syncs after every 10 of its own calls: its "refresh interval"
    const defs: BudgetDefinition[] = [{ name: 'shared', limit: { requests: LIMIT }, period: 'daily', scope: { agent: 'shared-agent' }, enforce: 'hard' }];
    const a = startProc(url(), defs);
    const b = startProc(url(), defs);
    procs.push(a, b);
    await Promise.all([a.budgets.ready, b.budgets.ready]);
    const admitted = { a: 0, b: 0 };
    let blockedA = 0;
    for (let round = 0; round < 150; round++) {
      for (const [name, p] of [['a', a], ['b', b]] as const) {
        try {
          p.budgets.check({ provider: 'openai', model: 'gpt-4o-mini', agent: 'shared-agent' });
          p.record(makeRecord({ agentName: 'shared-agent', recordedAt: new Date() }));
          admitted[name]++;
          if (admitted[name] % SYNC_EVERY === 0) {
            await p.writer.forceFlush();
            await p.budgets.sync();
          }
        } catch (err) {
          if (!(err instanceof BudgetExceededError)) throw err;
          if (name === 'a') blockedA++;
        }
      }
    }
    const total = admitted.a + admitted.b;
    expect(blockedA).toBeGreaterThan(0);
    // Each process sees the other's calls as of its last sync: the other made at most
    // SYNC_EVERY calls since, so together they overshoot by at most SYNC_EVERY × (processes - 1).
    expect(total).toBeGreaterThanOrEqual(LIMIT);
    expect(total).toBeLessThanOrEqual(LIMIT + SYNC_EVERY);
    await Promise.all([a.writer.forceFlush(), b.writer.forceFlush()]);
    await Promise.all([a.budgets.sync(), b.budgets.sync()]);
    expect(a.budgets.checkBudget('shared').used).toBe(total);
    expect(b.budgets.checkBudget('shared').used).toBe(total);
  });

  it('before a sync a process sees only its own calls; after it, the other process\'s too (no double counting)', async () => {
    const defs: BudgetDefinition[] = [{ name: 'conv', limit: { costUsd: 1000 }, period: 'weekly', scope: { group: 'conv' } }];
    const a = startProc(url(), defs);
    const b = startProc(url(), defs);
    procs.push(a, b);
    await Promise.all([a.budgets.ready, b.budgets.ready]);
    for (let i = 0; i < 5; i++) a.record(makeRecord({ group: 'conv', costUsd: 1, recordedAt: new Date() }));
    for (let i = 0; i < 3; i++) b.record(makeRecord({ group: 'conv', costUsd: 10, recordedAt: new Date() }));
    expect([a.budgets.checkBudget('conv').used, b.budgets.checkBudget('conv').used]).toEqual([5, 30]);
    await a.budgets.sync(); // a's own records may still be unflushed: a never counts them twice
    expect(a.budgets.checkBudget('conv').used).toBeGreaterThanOrEqual(5);
    await Promise.all([a.writer.forceFlush(), b.writer.forceFlush()]);
    await Promise.all([a.budgets.sync(), b.budgets.sync()]);
    expect([a.budgets.checkBudget('conv').used, b.budgets.checkBudget('conv').used]).toEqual([35, 35]);
    a.record(makeRecord({ group: 'conv', costUsd: 1, recordedAt: new Date() }));
    expect(a.budgets.checkBudget('conv').used).toBe(36);
  });
}
