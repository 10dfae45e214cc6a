import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordUsage } from '../../src/index.js';
import { startHarness, sumWhere, type Harness } from '../support/tracking-harness.js';

let h: Harness | undefined;
afterAll(() => h?.close());

describe('store writer metrics', () => {
  it('exports records written, dropped, retries, spooled and queue depth', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'genai-usage-writer-metrics-')), 'usage.db');
    h = await startHarness({ store: `sqlite:${db}` });
    for (let i = 0; i < 25; i++) recordUsage({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 10, outputTokens: 5 });
    await h.tracking.forceFlush();
    expect(sumWhere(await h.metric('genai_usage.store.records_written'))).toBe(25);
    expect(sumWhere(await h.metric('genai_usage.store.records_dropped'))).toBe(0);
    expect(sumWhere(await h.metric('genai_usage.store.write_retries'))).toBe(0);
    expect(sumWhere(await h.metric('genai_usage.store.queue_depth'))).toBe(0);
    expect(await h.metric('genai_usage.store.records_spooled')).toHaveLength(1);
  });
});
