import type { AttributeValue } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { normaliseServiceTier } from '../../src/prices/service-tier.js';
import type { SpanLike } from '../../src/usage/span-like.js';
import { spanToUsageRecord } from '../../src/usage/span-to-record.js';

function span(attributes: Record<string, AttributeValue>): SpanLike {
  return {
    name: 'chat gpt-4o-mini',
    attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', ...attributes },
    startTime: [1_764_000_000, 0],
    duration: [1, 500_000_000],
    status: { code: 0 },
    spanContext: () => ({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }),
  };
}

describe('spanToUsageRecord: billed dimensions beyond input/output', () => {
  it('reads 1-hour cache writes, audio/image parts, web searches, tier, savings and the price version', () => {
    const record = spanToUsageRecord(
      span({
        'gen_ai.usage.input_tokens': 5000,
        'gen_ai.usage.output_tokens': 800,
        'gen_ai.usage.cache_read.input_tokens': 1000,
        'gen_ai.usage.cache_creation.input_tokens': 1500,
        'genai_usage.usage.cache_write_1h.input_tokens': 1200,
        'genai_usage.usage.audio.input_tokens': 300,
        'genai_usage.usage.audio.output_tokens': 200,
        'genai_usage.usage.image.input_tokens': 765,
        'genai_usage.usage.image.output_tokens': 50,
        'genai_usage.usage.web_search.requests': 2,
        'genai_usage.service_tier': 'flex',
        'genai_usage.cost.usd': 0.012,
        'genai_usage.cost.source': 'table',
        'genai_usage.cost.cache_read_savings_usd': 0.0009,
        'genai_usage.cost.cache_write_premium_usd': 0.0004,
        'genai_usage.cost.price_version': 'genai-prices@0.1.8+tiers@2026-11-01',
      }),
    );
    expect(record).toMatchObject({
      inputTokens: 5000,
      outputTokens: 800,
      cacheReadTokens: 1000,
      cacheWriteTokens: 1500,
      cacheWrite1hTokens: 1200,
      audioInputTokens: 300,
      audioOutputTokens: 200,
      imageInputTokens: 765,
      imageOutputTokens: 50,
      webSearchRequests: 2,
      serviceTier: 'flex',
      costUsd: 0.012,
      cacheReadSavingsUsd: 0.0009,
      cacheWritePremiumUsd: 0.0004,
      priceVersion: 'genai-prices@0.1.8+tiers@2026-11-01',
    });
  });

  it('a span without them: zeros, and no tier, savings or version', () => {
    const record = spanToUsageRecord(span({ 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 2 }));
    expect(record).toMatchObject({ cacheWrite1hTokens: 0, audioInputTokens: 0, audioOutputTokens: 0, imageInputTokens: 0, imageOutputTokens: 0, webSearchRequests: 0 });
    expect(record?.serviceTier).toBeUndefined();
    expect(record?.cacheReadSavingsUsd).toBeUndefined();
    expect(record?.priceVersion).toBeUndefined();
  });

  it("reads another OpenAI instrumentation's openai.response.service_tier, and prefers ours", () => {
    expect(spanToUsageRecord(span({ 'openai.response.service_tier': 'priority' }))?.serviceTier).toBe('priority');
    expect(spanToUsageRecord(span({ 'openai.response.service_tier': 'priority', 'genai_usage.service_tier': 'default' }))?.serviceTier).toBe('default');
  });

  it('hostile values: bad counts are 0, non-finite amounts and amounts of an unpriced call are unset, text is bounded', () => {
    const record = spanToUsageRecord(
      span({
        'genai_usage.usage.audio.input_tokens': -5,
        'genai_usage.usage.image.input_tokens': 1.5,
        'genai_usage.usage.web_search.requests': 'many',
        'genai_usage.service_tier': 'flex\u0000; DROP',
        'genai_usage.cost.usd': 0.5,
        'genai_usage.cost.cache_read_savings_usd': Number.NaN,
        'genai_usage.cost.price_version': 'v'.repeat(1000),
      }),
    );
    expect(record).toMatchObject({ audioInputTokens: 0, imageInputTokens: 0, webSearchRequests: 0, serviceTier: '_other' });
    expect(record?.cacheReadSavingsUsd).toBeUndefined();
    expect(record?.priceVersion).toHaveLength(128);
    const unpriced = spanToUsageRecord(span({ 'genai_usage.cost.cache_read_savings_usd': 0.1, 'genai_usage.cost.price_version': 'x' }));
    expect(unpriced?.cacheReadSavingsUsd).toBeUndefined();
    expect(unpriced?.priceVersion).toBeUndefined();
  });
});

describe('normaliseServiceTier', () => {
  it.each([
    ['standard', 'default'],
    ['Standard', 'default'],
    ['default', 'default'],
    ['flex', 'flex'],
    ['PRIORITY', 'priority'],
    ['batch', 'batch'],
    ['scale', 'scale'],
    ['on_demand', 'on_demand'],
    ['x'.repeat(33), '_other'],
    ['tier with spaces', '_other'],
    ['', undefined],
    [undefined, undefined],
    [42, undefined],
  ])('%j → %j', (raw, expected) => {
    expect(normaliseServiceTier(raw)).toBe(expected);
  });
});
