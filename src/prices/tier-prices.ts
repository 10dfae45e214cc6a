import tierData from './data/service-tiers.json' with { type: 'json' };
import type { ModelPrice, PriceValue } from './price-arithmetic.js';
import type { TokenPrices } from './price-types.js';

/** One tier of one provider in data/service-tiers.json. */
interface TierSpec {
  /** Scales every per-token price of the standard entry. */
  multiplier?: number;
  /** Only these models (table ids) offer the tier; all models when absent. */
  models?: readonly string[];
  /** Per-model prices of their own (USD per 1M tokens). */
  prices?: Readonly<Record<string, TokenPrices>>;
}

interface TierTable {
  version: string;
  providers: Readonly<Record<string, { tiers: Readonly<Record<string, TierSpec>> }>>;
  audioAtTextRate: { providers: readonly string[] };
}

const TIERS = tierData as unknown as TierTable;

/** The date of the bundled tier table, as written into price versions (`+tiers@2025-10-01`). */
export const TIER_TABLE_VERSION: string = TIERS.version;

/** Providers (table ids) that bill audio tokens at the text rate unless the table lists an audio price. */
export function billsAudioAtTextRate(providerId: string | undefined): boolean {
  return providerId !== undefined && TIERS.audioAtTextRate.providers.includes(providerId);
}

export type TierOutcome = { ok: true; price: ModelPrice } | { ok: false; reason: string };

/**
 * The price of `tier` for a table model (`providerId`/`modelId` as the table resolved them),
 * from its standard price. A tier or model the tier table does not list is not priced:
 * another tier's price would be a wrong number.
 */
export function tierPrice(providerId: string | undefined, modelId: string, tier: string, standard: ModelPrice): TierOutcome {
  const spec = providerId === undefined ? undefined : TIERS.providers[providerId]?.tiers[tier];
  if (!spec || (spec.models && !spec.models.includes(modelId))) return { ok: false, reason: `no ${tier} tier price for ${providerId ?? 'unknown provider'} ${modelId}` };
  if (spec.multiplier !== undefined) return { ok: true, price: scaled(standard, spec.multiplier) };
  const own = spec.prices?.[modelId];
  if (!own) return { ok: false, reason: `no ${tier} tier price for ${providerId} ${modelId}` };
  // Per-use fees stay those of the standard entry; token prices are the tier's own.
  return { ok: true, price: { ...modelPriceOf(own), web_searches_kcount: standard.web_searches_kcount, requests_kcount: standard.requests_kcount } };
}

/** A user or tier-table price (USD per 1M tokens) in the table's shape. Cache prices default to input. */
export function modelPriceOf(p: TokenPrices): ModelPrice {
  return {
    input_mtok: p.input,
    output_mtok: p.output,
    cache_read_mtok: p.cacheRead ?? p.input,
    cache_write_mtok: p.cacheWrite ?? p.input,
    cache_write_1h_mtok: p.cacheWrite1h,
    input_audio_mtok: p.audioInput,
    output_audio_mtok: p.audioOutput,
    input_image_mtok: p.imageInput,
    output_image_mtok: p.imageOutput,
    web_searches_kcount: p.webSearchPer1k,
  };
}

const PER_TOKEN_KEYS: ReadonlyArray<keyof ModelPrice> = [
  'input_mtok',
  'output_mtok',
  'cache_read_mtok',
  'cache_write_mtok',
  'cache_write_1h_mtok',
  'input_audio_mtok',
  'output_audio_mtok',
  'input_image_mtok',
  'output_image_mtok',
];

function scaled(price: ModelPrice, factor: number): ModelPrice {
  const out: Record<string, unknown> = { ...price };
  for (const key of PER_TOKEN_KEYS) {
    const value = price[key] as PriceValue | undefined;
    if (value === undefined) continue;
    out[key] = typeof value === 'number' ? value * factor : { base: value.base * factor, tiers: value.tiers.map((t) => ({ start: t.start, price: t.price * factor })) };
  }
  return out as ModelPrice;
}
