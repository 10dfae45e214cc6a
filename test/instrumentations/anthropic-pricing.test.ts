// The real @anthropic-ai/sdk against the replay server: a reply with 1-hour cache writes, a web
// search and a service tier, priced from Anthropic's published arithmetic (written out here).
import { describe, expect, it } from 'vitest';
import { fixture } from '../support/replay-server.js';
import { useHarness } from '../support/tracking-harness.js';

const h = useHarness();
const request = { model: 'claude-sonnet-4-5', max_tokens: 2048, messages: [{ role: 'user' as const, content: 'What is the weather in Paris?' }] };

/** The fixture's usage (3120 uncached, 4096 cache hits, 512 5-minute + 1024 1-hour writes, 412 output, 1 search) under another tier. */
async function callServedAt(serviceTier: string) {
  const body = fixture('anthropic/beta-message-thinking-search').body;
  h.server.enqueue({ fixture: 'anthropic/beta-message-thinking-search', json: { ...body, usage: { ...body.usage, service_tier: serviceTier } } });
  await h.anthropic({ openTelemetry: false }).beta.messages.create({ ...request, tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }] });
  const [record] = await h.waitForRecords(1);
  return record!;
}

// claude-sonnet-4-5 (below 200k input): input $3/MTok, cache hits $0.30, 5-minute writes $3.75,
// 1-hour writes $6, output $15; web search $10 per 1,000.
const TOKENS_USD = (3_120 * 3 + 4_096 * 0.3 + 512 * 3.75 + 1_024 * 6 + 412 * 15) / 1e6; // 0.0248328
const SEARCH_USD = 0.01;

describe('Anthropic: 1-hour cache writes, web search and service tier, priced', () => {
  it('standard: each write at its own TTL rate, the search per use', async () => {
    const record = await callServedAt('standard');
    expect(record).toMatchObject({ serviceTier: 'default', cacheWriteTokens: 1_536, cacheWrite1hTokens: 1_024, webSearchRequests: 1, costSource: 'table' });
    expect(record.costUsd).toBeCloseTo(TOKENS_USD + SEARCH_USD, 12);
    // Savings: 4096 hits × ($3 − $0.30); premium: 512 × ($3.75 − $3) + 1024 × ($6 − $3).
    expect(record.cacheReadSavingsUsd).toBeCloseTo((4_096 * 2.7) / 1e6, 12);
    expect(record.cacheWritePremiumUsd).toBeCloseTo((512 * 0.75 + 1_024 * 3) / 1e6, 12);
  });

  it('batch: half of every token price, the search at its own', async () => {
    const record = await callServedAt('batch');
    expect(record.serviceTier).toBe('batch');
    expect(record.costUsd).toBeCloseTo(TOKENS_USD / 2 + SEARCH_USD, 12);
  });

  it('priority (Priority Tier, priced by agreement): unknown, not the standard price', async () => {
    const record = await callServedAt('priority');
    expect(record).toMatchObject({ serviceTier: 'priority', costSource: 'unknown' });
    expect(record.costUsd).toBeUndefined();
    expect(record.priceVersion).toBeUndefined();
  });
});
