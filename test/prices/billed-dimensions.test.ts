// Each billed dimension against the provider's published arithmetic. The expected numbers are
// written out from the providers' price pages (quoted in each test), not read from the table.
import { describe, expect, it } from 'vitest';
import { estimateCost } from '../../src/prices/estimate-cost.js';
import { PriceBook } from '../../src/prices/price-book.js';

const usd = (microUsdTimesTokens: number): number => microUsdTimesTokens / 1e6;

describe('1-hour cache writes (Anthropic)', () => {
  // claude-sonnet-4-5: input $3/MTok, 5-minute cache writes $3.75 (1.25×), 1-hour cache writes
  // $6 (2×), cache hits $0.30 (0.1×), output $15.
  const call = { provider: 'anthropic', model: 'claude-sonnet-4-5', inputTokens: 10_000, cacheReadTokens: 3_000, cacheWriteTokens: 5_000, cacheWrite1hTokens: 4_000, outputTokens: 500 };

  it('prices the 1-hour part at 2× input and the rest of the writes at 1.25×', () => {
    const e = estimateCost(call);
    const input = usd(2_000 * 3 + 3_000 * 0.3 + 1_000 * 3.75 + 4_000 * 6); // 0.03465
    expect(e.inputCostUsd).toBeCloseTo(input, 12);
    expect(e.outputCostUsd).toBeCloseTo(usd(500 * 15), 12);
    expect(e.costUsd).toBeCloseTo(0.03465 + 0.0075, 12);
    // The bug this prevents: every write at the 5-minute rate would give 0.02565 for input.
    expect(e.inputCostUsd).not.toBeCloseTo(usd(2_000 * 3 + 3_000 * 0.3 + 5_000 * 3.75), 6);
  });

  it('says what caching saved and what the writes added, against the uncached input price', () => {
    const e = estimateCost(call);
    expect(e.cacheReadSavingsUsd).toBeCloseTo(usd(3_000 * (3 - 0.3)), 12); // 0.0081
    expect(e.cacheWritePremiumUsd).toBeCloseTo(usd(1_000 * (3.75 - 3) + 4_000 * (6 - 3)), 12); // 0.01275
  });

  it('an override without a 1-hour price leaves such a call unknown, never at the 5-minute rate', () => {
    const prices = { 'my-claude': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } };
    const e = estimateCost({ ...call, model: 'my-claude', prices });
    expect(e).toMatchObject({ costUsd: undefined, source: 'unknown', unknownReason: 'no 1-hour cache write price' });
    const priced = estimateCost({ ...call, model: 'my-claude', prices: { 'my-claude': { ...prices['my-claude'], cacheWrite1h: 6 } } });
    expect(priced.costUsd).toBeCloseTo(0.04215, 12);
  });
});

describe('web searches (per 1,000)', () => {
  it('Anthropic: $10 per 1,000 searches, beside the tokens', () => {
    // claude-haiku-4-5: input $1/MTok, output $5/MTok.
    const e = estimateCost({ provider: 'anthropic', model: 'claude-haiku-4-5', inputTokens: 1_000, outputTokens: 200, webSearchRequests: 3 });
    expect(e.webSearchCostUsd).toBeCloseTo(0.03, 12);
    expect(e.inputCostUsd).toBeCloseTo(0.001, 12);
    expect(e.outputCostUsd).toBeCloseTo(0.001, 12);
    expect(e.costUsd).toBeCloseTo(0.032, 12);
  });

  it('a model without a web search price is unknown when it searched, priced when it did not', () => {
    const searched = estimateCost({ provider: 'openai', model: 'gpt-4.1-nano', inputTokens: 1_000, outputTokens: 10, webSearchRequests: 1 });
    expect(searched).toMatchObject({ costUsd: undefined, source: 'unknown', unknownReason: 'no web search price' });
    // gpt-4.1-nano: input $0.10/MTok, output $0.40/MTok.
    expect(estimateCost({ provider: 'openai', model: 'gpt-4.1-nano', inputTokens: 1_000, outputTokens: 10 }).costUsd).toBeCloseTo(usd(1_000 * 0.1 + 10 * 0.4), 12);
  });
});

describe('service tiers', () => {
  // gpt-5 standard: input $1.25, cached input $0.125, output $10. Flex and Batch: half of each.
  // Priority: input $2.50, cached input $0.25, output $20.
  const gpt5 = { provider: 'openai', model: 'gpt-5-2025-08-07', inputTokens: 100_000, cacheReadTokens: 40_000, outputTokens: 10_000 };

  it.each([
    ['default', usd(60_000 * 1.25 + 40_000 * 0.125 + 10_000 * 10)], // 0.18
    ['flex', usd(60_000 * 0.625 + 40_000 * 0.0625 + 10_000 * 5)], // 0.09
    ['batch', usd(60_000 * 0.625 + 40_000 * 0.0625 + 10_000 * 5)], // 0.09
    ['priority', usd(60_000 * 2.5 + 40_000 * 0.25 + 10_000 * 20)], // 0.36
  ] as const)('OpenAI gpt-5 at %s', (serviceTier, expected) => {
    const e = estimateCost({ ...gpt5, serviceTier });
    expect(e.source).toBe('table');
    expect(e.costUsd).toBeCloseTo(expected, 12);
    expect(e.priceVersion).toMatch(serviceTier === 'default' ? /^genai-prices@[\d.]+$/ : /^genai-prices@[\d.]+\+tiers@\d{4}-\d{2}-\d{2}$/);
  });

  it('flex is billed at 2× nothing: the flex price is exactly half the standard one', () => {
    const standard = estimateCost(gpt5).costUsd!;
    expect(estimateCost({ ...gpt5, serviceTier: 'flex' }).costUsd).toBeCloseTo(standard / 2, 12);
  });

  it("Anthropic's standard is the default tier; its Message Batches are half price, cache multipliers included", () => {
    const call = { provider: 'anthropic', model: 'claude-haiku-4-5', inputTokens: 1_000_000, outputTokens: 1_000_000 };
    expect(estimateCost({ ...call, serviceTier: 'standard' }).costUsd).toBeCloseTo(1 + 5, 12);
    // claude-haiku-4-5 batch: input $0.50, output $2.50; a 1-hour cache write at 2× the batch input.
    expect(estimateCost({ ...call, serviceTier: 'batch' }).costUsd).toBeCloseTo(0.5 + 2.5, 12);
    const cached = estimateCost({ ...call, cacheWriteTokens: 200_000, cacheWrite1hTokens: 200_000, serviceTier: 'batch' });
    expect(cached.inputCostUsd).toBeCloseTo(usd(800_000 * 0.5 + 200_000 * 1), 12);
  });

  it.each([
    ['a model that does not offer flex', { provider: 'openai', model: 'gpt-4.1-nano', serviceTier: 'flex' }],
    ['a model without priority prices', { provider: 'openai', model: 'gpt-5-nano', serviceTier: 'priority' }],
    ['Scale Tier (prepaid units)', { provider: 'openai', model: 'gpt-5', serviceTier: 'scale' }],
    ['Anthropic Priority Tier (by agreement)', { provider: 'anthropic', model: 'claude-haiku-4-5', serviceTier: 'priority' }],
    ['a tier nobody prices', { provider: 'openai', model: 'gpt-5', serviceTier: 'turbo' }],
  ] as const)('%s is unknown, never the standard price', (_, query) => {
    const e = new PriceBook().estimate({ ...query, inputTokens: 1_000, outputTokens: 100 });
    expect(e).toMatchObject({ costUsd: undefined, source: 'unknown' });
    expect(e.unknownReason).toMatch(/tier price/);
  });

  it('overrides extend the tier table with <model>@<tier>; a plain override does not cover other tiers', () => {
    const book = new PriceBook({ 'gpt-4.1-nano@flex': { input: 0.05, output: 0.2 }, 'openai:my-model': { input: 1, output: 2 } });
    const flex = book.estimate({ provider: 'openai', model: 'gpt-4.1-nano-2025-04-14', requestModel: 'gpt-4.1-nano', serviceTier: 'flex', inputTokens: 1_000_000, outputTokens: 1_000_000 });
    expect(flex).toMatchObject({ source: 'override', costUsd: 0.25, priceVersion: 'override' });
    const standard = book.estimate({ provider: 'openai', model: 'gpt-4.1-nano', inputTokens: 1_000_000, outputTokens: 1_000_000 });
    expect(standard).toMatchObject({ source: 'table' });
    expect(standard.costUsd).toBeCloseTo(0.1 + 0.4, 12);
    const mine = book.estimate({ provider: 'openai', model: 'my-model', serviceTier: 'priority', inputTokens: 1_000, outputTokens: 1_000 });
    expect(mine).toMatchObject({ costUsd: undefined, source: 'unknown' });
    expect(mine.unknownReason).toContain('my-model@priority');
  });
});

describe('audio tokens', () => {
  it('OpenAI gpt-audio: audio parts at $32 in / $64 out, text at $2.50 / $10', () => {
    const e = estimateCost({ provider: 'openai', model: 'gpt-audio', inputTokens: 1_200, audioInputTokens: 1_000, outputTokens: 700, audioOutputTokens: 600 });
    expect(e.inputCostUsd).toBeCloseTo(usd(200 * 2.5 + 1_000 * 32), 12); // 0.0325
    expect(e.outputCostUsd).toBeCloseTo(usd(100 * 10 + 600 * 64), 12); // 0.0394
    expect(e.costUsd).toBeCloseTo(0.0719, 12);
  });

  it('a model whose audio price the table lacks is unknown, not billed at the text rate; an override fixes it', () => {
    const call = { provider: 'openai', model: 'gpt-4o-audio-preview', inputTokens: 1_200, audioInputTokens: 1_000, outputTokens: 700, audioOutputTokens: 600 };
    expect(estimateCost(call)).toMatchObject({ costUsd: undefined, source: 'unknown', unknownReason: 'no audio input price' });
    // gpt-4o-audio-preview: text $2.50 / $10, audio $40 / $80.
    const prices = { 'gpt-4o-audio-preview': { input: 2.5, output: 10, audioInput: 40, audioOutput: 80 } };
    expect(estimateCost({ ...call, prices }).costUsd).toBeCloseTo(usd(200 * 2.5 + 1_000 * 40 + 100 * 10 + 600 * 80), 12);
    // Text-only calls of the same model stay priced from the table.
    expect(estimateCost({ ...call, audioInputTokens: 0, audioOutputTokens: 0 }).costUsd).toBeCloseTo(usd(1_200 * 2.5 + 700 * 10), 12);
  });

  it('Gemini: audio at its own rate where listed (2.5 Flash: $1.00 vs $0.30 text), at the one input price where not (2.5 Pro: $1.25)', () => {
    const flash = estimateCost({ provider: 'gcp.gemini', model: 'gemini-2.5-flash', inputTokens: 3_000, audioInputTokens: 1_000, outputTokens: 100 });
    expect(flash.costUsd).toBeCloseTo(usd(2_000 * 0.3 + 1_000 * 1 + 100 * 2.5), 12);
    const pro = estimateCost({ provider: 'gcp.gemini', model: 'gemini-2.5-pro', inputTokens: 3_000, audioInputTokens: 1_000, outputTokens: 100 });
    expect(pro.costUsd).toBeCloseTo(usd(3_000 * 1.25 + 100 * 10), 12);
  });

  it('audio and cached tokens together, where the table prices cached audio apart: unknown (the counts do not split them)', () => {
    const e = estimateCost({ provider: 'openai', model: 'gpt-realtime', inputTokens: 2_000, audioInputTokens: 1_500, cacheReadTokens: 800, outputTokens: 100 });
    expect(e).toMatchObject({ costUsd: undefined, source: 'unknown' });
    expect(e.unknownReason).toContain('audio');
  });
});

describe('image tokens', () => {
  it('gpt-image-1: image input at $10, text input at $5, image output at $40', () => {
    const e = estimateCost({ provider: 'openai', model: 'gpt-image-1', inputTokens: 1_100, imageInputTokens: 1_000, outputTokens: 4_160, imageOutputTokens: 4_160 });
    expect(e.inputCostUsd).toBeCloseTo(usd(100 * 5 + 1_000 * 10), 12); // 0.0105
    expect(e.outputCostUsd).toBeCloseTo(usd(4_160 * 40), 12); // 0.1664
  });

  it('vision input on a model without an image price is billed as input tokens (gpt-4o: $2.50)', () => {
    const e = estimateCost({ provider: 'openai', model: 'gpt-4o', inputTokens: 1_000, imageInputTokens: 765, outputTokens: 10 });
    expect(e.costUsd).toBeCloseTo(usd(1_000 * 2.5 + 10 * 10), 12);
  });
});

describe('cache savings (OpenAI: cached input at half price on gpt-4o-mini)', () => {
  it('savings = cached tokens × (input − cached input price); no writes premium', () => {
    // gpt-4o-mini: input $0.15/MTok, cached input $0.075/MTok.
    const e = estimateCost({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 10_000, cacheReadTokens: 4_000, outputTokens: 0 });
    expect(e.cacheReadSavingsUsd).toBeCloseTo(usd(4_000 * 0.075), 15);
    expect(e.cacheWritePremiumUsd).toBe(0);
    expect(e.costUsd! + e.cacheReadSavingsUsd!).toBeCloseTo(usd(10_000 * 0.15), 15);
  });
});
