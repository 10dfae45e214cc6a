// The token parts of issue 12 on a real Prometheus /metrics endpoint: each part its own
// gen_ai_token_type series, beside (never inside) the wholes; and the recorded calls priced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordUsage } from '../../src/manual/record-usage.js';
import { startUsageTracking, type UsageTracking } from '../../src/setup/start-usage-tracking.js';
import { onUsage } from '../../src/usage/usage-listeners.js';
import type { UsageRecord } from '../../src/usage/usage-record.js';

let tracking: UsageTracking;
let url: string;
const records: UsageRecord[] = [];
let stop: () => void;

beforeAll(async () => {
  tracking = startUsageTracking({ serviceName: 'parts-test', store: false, prometheus: { host: '127.0.0.1', port: 0 }, instrumentations: { openai: false, anthropic: false } });
  url = (await tracking.prometheusUrl)!;
  stop = onUsage((r) => void records.push(r));
});
afterAll(async () => {
  stop();
  await tracking.shutdown();
});

/** `genai_usage_tokens_total` by `gen_ai_token_type`, summed over the other labels. */
async function tokensByType(): Promise<Record<string, number>> {
  const text = await (await fetch(url)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^genai_usage_tokens_total\{([^}]*)\} (\S+)$/gm)) {
    const type = /gen_ai_token_type="([^"]+)"/.exec(m[1]!)![1]!;
    out[type] = (out[type] ?? 0) + Number(m[2]);
  }
  return out;
}

describe('token parts on /metrics', () => {
  it('audio, image and 1-hour cache writes are their own series; input and output stay the wholes', async () => {
    recordUsage({ provider: 'openai', model: 'gpt-audio', inputTokens: 1_320, audioInputTokens: 1_200, outputTokens: 820, audioOutputTokens: 700 });
    recordUsage({ provider: 'openai', model: 'gpt-image-1', inputTokens: 1_100, imageInputTokens: 1_000, outputTokens: 4_160, imageOutputTokens: 4_160 });
    recordUsage({ provider: 'anthropic', model: 'claude-sonnet-4-5', inputTokens: 10_000, cacheReadTokens: 3_000, cacheWriteTokens: 5_000, cacheWrite1hTokens: 4_000, outputTokens: 500, webSearchRequests: 2, serviceTier: 'standard' });
    const deadline = Date.now() + 5000;
    while (records.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(await tokensByType()).toEqual({
      input: 1_320 + 1_100 + 10_000,
      output: 820 + 4_160 + 500,
      audio_input: 1_200,
      audio_output: 700,
      image_input: 1_000,
      image_output: 4_160,
      cache_read: 3_000,
      cache_write: 5_000,
      cache_write_1h: 4_000,
    });
    // Priced per part (published prices): gpt-audio $2.50/$32 in, $10/$64 out;
    // gpt-image-1 $5 text/$10 image in, $40 out; claude-sonnet-4-5 $3 in, $0.30 hit,
    // $3.75 5-minute and $6 1-hour writes, $15 out, $10 per 1,000 searches.
    const cost = (model: string): number | undefined => records.find((r) => r.requestModel === model)?.costUsd;
    expect(cost('gpt-audio')).toBeCloseTo((120 * 2.5 + 1_200 * 32 + 120 * 10 + 700 * 64) / 1e6, 12);
    expect(cost('gpt-image-1')).toBeCloseTo((100 * 5 + 1_000 * 10 + 4_160 * 40) / 1e6, 12);
    expect(cost('claude-sonnet-4-5')).toBeCloseTo((2_000 * 3 + 3_000 * 0.3 + 1_000 * 3.75 + 4_000 * 6 + 500 * 15) / 1e6 + 0.02, 12);
    expect(records.find((r) => r.requestModel === 'claude-sonnet-4-5')).toMatchObject({ serviceTier: 'default', webSearchRequests: 2, cacheWrite1hTokens: 4_000 });
  });
});
