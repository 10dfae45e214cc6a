// priceCall against @pydantic/genai-prices' calcPrice for every bundled model, with the parts
// beyond input/output (1-hour cache writes, audio, image, web searches). Where we refuse a
// number (unknown), the model must really lack that part's own price, or the library must
// refuse too: that is the whole difference allowed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { calcPrice, findProvider, type ModelInfo, type ModelPrice, type Provider, type Usage } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { priceCall, type ModelPrice as OurPrice } from '../../src/prices/price-arithmetic.js';
import type { CallTokens } from '../../src/prices/price-types.js';
import { billsAudioAtTextRate } from '../../src/prices/tier-prices.js';

const NOW = new Date();

function bundledProviders(): Provider[] {
  const require = createRequire(import.meta.url);
  const text = readFileSync(require.resolve('@pydantic/genai-prices').replace(/index\.cjs$/, 'index.js'), 'utf8');
  return [...text.matchAll(/^ {2}\{\n {4}id: "([^"]+)",/gm)].map((m) => findProvider({ providerId: m[1]! })!);
}

const PROVIDERS = bundledProviders();

const VECTORS: Array<{ name: string; tokens: CallTokens }> = [
  { name: '1-hour cache writes', tokens: { inputTokens: 20_000, outputTokens: 300, cacheReadTokens: 2_000, cacheWriteTokens: 8_000, cacheWrite1hTokens: 5_000 } },
  { name: 'audio in and out', tokens: { inputTokens: 5_000, outputTokens: 2_000, audioInputTokens: 3_000, audioOutputTokens: 1_500 } },
  { name: 'image in and out', tokens: { inputTokens: 5_000, outputTokens: 4_000, imageInputTokens: 2_000, imageOutputTokens: 3_000 } },
  { name: 'web searches', tokens: { inputTokens: 3_000, outputTokens: 500, webSearchRequests: 4 } },
  { name: 'everything above 200k input', tokens: { inputTokens: 300_000, outputTokens: 5_000, cacheWriteTokens: 20_000, cacheWrite1hTokens: 10_000, imageInputTokens: 1_000, webSearchRequests: 2 } },
];

function usageOf(t: CallTokens): Usage {
  return {
    input_tokens: t.inputTokens,
    output_tokens: t.outputTokens,
    cache_read_tokens: t.cacheReadTokens,
    cache_write_tokens: t.cacheWriteTokens,
    cache_write_1h_tokens: t.cacheWrite1hTokens,
    input_audio_tokens: t.audioInputTokens,
    output_audio_tokens: t.audioOutputTokens,
    input_image_tokens: t.imageInputTokens,
    output_image_tokens: t.imageOutputTokens,
    web_searches: t.webSearchRequests,
  };
}

function variants(model: ModelInfo): ModelPrice[] {
  return Array.isArray(model.prices) ? model.prices.map((c) => c.prices) : [model.prices];
}

/** The library's price for exactly this model and variant, or the error it raises. */
function library(provider: Provider, model: ModelInfo, price: ModelPrice, tokens: CallTokens): number | Error {
  const single: Provider = { ...provider, fallback_model_providers: undefined, models: [{ ...model, match: { equals: model.id }, prices: price }] };
  try {
    return calcPrice(usageOf(tokens), model.id, { provider: single, timestamp: NOW })!.total_price;
  } catch (error) {
    return error as Error;
  }
}

/** Our reasons for "unknown", each paired with the price key whose absence justifies it. */
const JUSTIFIED: Array<[RegExp, (p: ModelPrice, t: CallTokens) => boolean]> = [
  [/1-hour cache write price/, (p) => p.cache_write_1h_mtok === undefined],
  [/audio input price/, (p) => p.input_audio_mtok === undefined],
  [/audio output price/, (p) => p.output_audio_mtok === undefined],
  [/web search price/, (p) => p.web_searches_kcount === undefined],
];

describe('priceCall equals calcPrice on the parts beyond input/output', () => {
  it.each(VECTORS)('every model and price variant: $name', ({ tokens }) => {
    const mismatches: string[] = [];
    let agreed = 0;
    let refusedWithReason = 0;
    for (const provider of PROVIDERS) {
      for (const model of provider.models) {
        for (const price of variants(model)) {
          if (price.output_reasoning_mtok !== undefined) continue; // reasoning priced apart by the library; see table-prices.test.ts
          const ours = priceCall(price as OurPrice, tokens, { audioAtTextRate: billsAudioAtTextRate(provider.id) });
          const lib = library(provider, model, price, tokens);
          const id = `${provider.id}/${model.id}`;
          if (ours.ok) {
            const total = ours.usd.input + ours.usd.output + ours.usd.webSearch;
            if (lib instanceof Error) mismatches.push(`${id}: library refused (${lib.message}), we priced ${total}`);
            else if (Math.abs(total - lib) > 1e-12 * Math.max(lib, 1e-300)) mismatches.push(`${id}: ours ${total}, library ${lib}`);
            else agreed++;
            continue;
          }
          const justification = JUSTIFIED.find(([reason]) => reason.test(ours.reason));
          if (lib instanceof Error || (justification && justification[1](price, tokens))) refusedWithReason++;
          else mismatches.push(`${id}: we refused (${ours.reason}), library priced ${lib}`);
        }
      }
    }
    console.log(`parts vs calcPrice: ${agreed} variants agree, ${refusedWithReason} unknown for a missing part price`);
    expect(mismatches).toEqual([]);
    expect(agreed).toBeGreaterThan(10);
  });

  it('the strict cases exist in the data: the library bills them at another rate', () => {
    // Without these the test above could not tell strict from lenient.
    const audio = findProvider({ providerId: 'openai' })!.models.find((m) => m.id === 'gpt-4o-audio-preview')!;
    const price = variants(audio)[0]!;
    const tokens = VECTORS[1]!.tokens;
    expect(library(findProvider({ providerId: 'openai' })!, audio, price, tokens)).toBeTypeOf('number');
    expect(priceCall(price as OurPrice, tokens)).toEqual({ ok: false, reason: 'no audio input price' });
  });
});
