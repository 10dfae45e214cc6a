import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BudgetExceededError } from '../../src/budgets/budget-errors.js';
import type { Budgets } from '../../src/budgets/create-budgets.js';
import { withUsageContext } from '../../src/context/usage-context.js';
import { trackCall } from '../../src/manual/track-call.js';
import { ConfigError } from '../../src/setup/config-error.js';
import { startUsageTracking, type UsageTracking } from '../../src/setup/start-usage-tracking.js';
import { openStore } from '../../src/store/open-store.js';
import { makeRecord } from './records.js';

const dir = mkdtempSync(join(tmpdir(), 'genai-usage-wiring-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type WithBudgets = UsageTracking;
const call = () => trackCall({ provider: 'openai', model: 'gpt-4o-mini' }, async () => 'ok', { extractUsage: () => ({ inputTokens: 10, outputTokens: 5 }) });

describe('startUsageTracking({ budgets })', () => {
  it('seeds from the store, then blocks the user whose hard budget is exhausted', async () => {
    const url = `sqlite:${join(dir, 'usage.db')}`;
    const store = await openStore(url);
    await store.insert([makeRecord({ userId: 'heavy', recordedAt: new Date(Date.now() - 1000) })]);
    await store.close();
    const tracking = startUsageTracking({
      store: url,
      prometheus: false,
      instrumentations: { openai: false, anthropic: false },
      budgets: [{ name: 'per-user', limit: { requests: 2 }, period: 'daily', scope: { user: 'each' }, enforce: 'hard' }],
    } as never) as WithBudgets;
    try {
      await tracking.budgets!.ready;
      await withUsageContext({ userId: 'heavy' }, call);
      await expect(withUsageContext({ userId: 'heavy' }, call)).rejects.toBeInstanceOf(BudgetExceededError);
      await withUsageContext({ userId: 'light' }, call);
      expect(tracking.budgets!.checkBudget('per-user', { user: 'heavy' })).toMatchObject({ used: 2, exceeded: true });
    } finally {
      await tracking.shutdown();
    }
  });

  it('reads GENAI_USAGE_BUDGETS; an invalid file is a ConfigError at start', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'budgets:\n  - name: x\n    limit: { costUsd: 1 }\n    period: fortnightly\n');
    process.env['GENAI_USAGE_BUDGETS'] = bad;
    try {
      expect(() => startUsageTracking({ store: false, prometheus: false })).toThrow(ConfigError);
    } finally {
      delete process.env['GENAI_USAGE_BUDGETS'];
    }
  });
});
