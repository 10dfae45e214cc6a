import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBudgets } from '../../src/budgets/create-budgets.js';
import { budgetStoreSuite } from './store-sync-suite.js';
import { makeRecord } from './records.js';

const dir = mkdtempSync(join(tmpdir(), 'genai-usage-budget-sync-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('budgets synced from a shared SQLite file', () => {
  budgetStoreSuite(() => `sqlite:${join(dir, 'shared.db')}`);

  it('a store that cannot be opened leaves in-memory counting working (and never throws into the app)', async () => {
    const budgets = createBudgets([{ name: 'b', limit: { requests: 2 }, period: 'daily', enforce: 'hard' }], { store: 'postgres://nobody@127.0.0.1:1/none', refreshIntervalMs: 0, gauges: false });
    await budgets.ready;
    await budgets.sync();
    budgets.sink.write(makeRecord({ recordedAt: new Date() }));
    budgets.sink.write(makeRecord({ recordedAt: new Date() }));
    expect(budgets.checkBudget('b')).toMatchObject({ used: 2, exceeded: true, syncedAt: undefined });
    expect(() => budgets.check({ provider: 'openai', model: 'gpt-4o-mini' })).toThrow(/budget "b" is exhausted: 2 requests used of 2 requests \(daily\)/);
    await budgets.shutdown();
  });
});
