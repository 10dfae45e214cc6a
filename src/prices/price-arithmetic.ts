import type { CallTokens } from './price-types.js';

/** The table's price value: a flat USD/Mtok, or tiers keyed on total input tokens. */
export type PriceValue = number | { base: number; tiers: ReadonlyArray<{ start: number; price: number }> };

/** The `@pydantic/genai-prices` price keys we price (its names, so table entries are used as they are). */
export interface ModelPrice {
  input_mtok?: PriceValue;
  output_mtok?: PriceValue;
  cache_read_mtok?: PriceValue;
  cache_write_mtok?: PriceValue;
  cache_write_1h_mtok?: PriceValue;
  input_audio_mtok?: PriceValue;
  output_audio_mtok?: PriceValue;
  input_image_mtok?: PriceValue;
  output_image_mtok?: PriceValue;
  web_searches_kcount?: number;
  requests_kcount?: number;
}

export interface PricingRules {
  /** Audio parts without an audio price are billed at the input/output price (Gemini); else they make the cost unknown. */
  audioAtTextRate?: boolean;
}

/** USD of one priced call; `input` includes cache reads/writes and per-request fees. */
export interface CallPrice {
  input: number;
  output: number;
  /** Per-use web search fees: neither input nor output. */
  webSearch: number;
  cacheReadSavings: number;
  cacheWritePremium: number;
}

export type PriceOutcome = { ok: true; usd: CallPrice } | { ok: false; reason: string };

/**
 * Prices one call the way `@pydantic/genai-prices` does — every count is a part of a whole
 * (cache reads and writes, audio and image of input; reasoning, audio and image of output),
 * each part at its own rate where the table has one and at its parent's otherwise, the
 * long-context tier chosen by total input — except where that would be a wrong number:
 * a 1-hour cache write, an audio part (outside `audioAtTextRate` providers) or a web search
 * without its own price, and a cached share of audio or image tokens that the counts cannot
 * split, are `unknown` instead of being billed at another rate.
 */
export function priceCall(price: ModelPrice, tokens: CallTokens, rules: PricingRules = {}): PriceOutcome {
  const input = tokens.inputTokens;
  const cacheRead = price.cache_read_mtok === undefined ? 0 : (tokens.cacheReadTokens ?? 0);
  const cacheWrite = price.cache_write_mtok === undefined ? 0 : (tokens.cacheWriteTokens ?? 0);
  const write1h = tokens.cacheWrite1hTokens ?? 0;
  if (write1h > 0 && price.cache_write_1h_mtok === undefined) return unknown('no 1-hour cache write price');
  if (write1h > (tokens.cacheWriteTokens ?? 0)) return unknown('1-hour cache writes exceed the cache writes');

  const audioIn = modalityPart(price.input_audio_mtok, tokens.audioInputTokens, 'audio input', rules.audioAtTextRate);
  if (typeof audioIn === 'string') return unknown(audioIn);
  const imageIn = modalityPart(price.input_image_mtok, tokens.imageInputTokens, 'image input', true);
  if (typeof imageIn === 'string') return unknown(imageIn);
  // A priced modality part and a priced cache part of the same input overlap in ways the counts do not say.
  if (cacheRead > 0 || cacheWrite > 0) {
    if (audioIn > 0) return unknown('the counts do not say which audio tokens were cached');
    if (imageIn > 0) return unknown('the counts do not say which image tokens were cached');
  }
  const audioOut = modalityPart(price.output_audio_mtok, tokens.audioOutputTokens, 'audio output', rules.audioAtTextRate);
  if (typeof audioOut === 'string') return unknown(audioOut);
  const imageOut = modalityPart(price.output_image_mtok, tokens.imageOutputTokens, 'image output', true);
  if (typeof imageOut === 'string') return unknown(imageOut);

  const searches = tokens.webSearchRequests ?? 0;
  if (searches > 0 && price.web_searches_kcount === undefined) return unknown('no web search price');

  const write5m = cacheWrite - (price.cache_write_mtok === undefined ? 0 : write1h);
  const cached1h = price.cache_write_mtok === undefined ? 0 : write1h;
  const uncachedText = Math.max(0, input - cacheRead - cacheWrite - audioIn - imageIn);
  // Each cache part is priced once: the savings and premium below reuse these amounts.
  const cacheReadUsd = perMillion(price.cache_read_mtok, cacheRead, input);
  const write5mUsd = perMillion(price.cache_write_mtok, write5m, input);
  const write1hUsd = perMillion(price.cache_write_1h_mtok, cached1h, input);
  let inputUsd =
    perMillion(price.input_mtok, uncachedText, input) +
    cacheReadUsd +
    write5mUsd +
    write1hUsd +
    perMillion(price.input_audio_mtok, audioIn, input) +
    perMillion(price.input_image_mtok, imageIn, input);
  if (price.requests_kcount !== undefined) inputUsd += price.requests_kcount / 1000;
  const textOut = Math.max(0, tokens.outputTokens - audioOut - imageOut);
  const outputUsd = perMillion(price.output_mtok, textOut, input) + perMillion(price.output_audio_mtok, audioOut, input) + perMillion(price.output_image_mtok, imageOut, input);
  return {
    ok: true,
    usd: {
      input: inputUsd,
      output: outputUsd,
      webSearch: searches > 0 ? (searches * (price.web_searches_kcount as number)) / 1000 : 0,
      cacheReadSavings: cacheRead > 0 ? perMillion(price.input_mtok, cacheRead, input) - cacheReadUsd : 0,
      cacheWritePremium: cacheWrite > 0 ? write5mUsd + write1hUsd - perMillion(price.input_mtok, cacheWrite, input) : 0,
    },
  };
}

/** The count priced at a modality's own rate (0 when billed at the parent's rate), or why the call cannot be priced. */
function modalityPart(rate: PriceValue | undefined, count: number | undefined, name: string, parentRateApplies: boolean | undefined): number | string {
  const n = count ?? 0;
  if (n <= 0) return 0;
  if (rate !== undefined) return n;
  return parentRateApplies ? 0 : `no ${name} price`;
}

function unknown(reason: string): PriceOutcome {
  return { ok: false, reason };
}

/** USD for `tokens` at a flat or input-tiered rate per 1M tokens. */
export function perMillion(value: PriceValue | undefined, tokens: number, totalInput: number): number {
  if (value === undefined || tokens <= 0) return 0;
  if (typeof value === 'number') return (value * tokens) / 1e6;
  let rate = value.base;
  for (const tier of value.tiers) if (totalInput > tier.start) rate = tier.price;
  return (rate * tokens) / 1e6;
}
