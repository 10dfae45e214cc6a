import { bedrockPriceModels } from './bedrock-model-id.js';
import { priceCall, type ModelPrice } from './price-arithmetic.js';
import type { PriceQuery } from './price-book.js';
import type { CostEstimate, TokenPrices } from './price-types.js';
import { currentTableVersion } from './price-version.js';
import { normaliseServiceTier } from './service-tier.js';
import { TablePrices } from './table-prices.js';
import { TIER_TABLE_VERSION, billsAudioAtTextRate, modelPriceOf, tierPrice } from './tier-prices.js';

/** Semconv provider names → the table's, for the audio rule (the table maps them itself for lookups). */
const TABLE_PROVIDER: Record<string, string> = { 'gcp.gemini': 'google', 'gcp.vertex_ai': 'google', 'gcp.gen_ai': 'google' };

/**
 * What `PriceBook` does, loaded with its first estimate (the price table, the tier table and
 * the arithmetic are ~10 modules a start does not need). Turns tokens into USD: user overrides win over the bundled table; a model in neither
 * is `unknown` with no cost. (A cost the provider reports wins over both; the callers
 * never ask the book in that case.) A non-default tier is priced by an override
 * `<model>@<tier>`, else by the tier table (data/service-tiers.json), else it is unknown.
 */
export class PriceEstimator {
  readonly #overrides = new Map<string, TokenPrices>();
  readonly #table = new TablePrices();

  constructor(overrides: Readonly<Record<string, TokenPrices>> = {}) {
    for (const [model, price] of Object.entries(overrides)) this.#overrides.set(model.toLowerCase(), price);
  }

  estimate(query: PriceQuery): CostEstimate {
    const tier = query.serviceTier === undefined ? 'default' : (normaliseServiceTier(query.serviceTier) ?? 'default');
    const bedrock = bedrockPriceModels(query.provider, query.model, query.requestModel);
    const models = bedrock
      ? bedrock.overrideKeys
      : query.requestModel && query.requestModel !== query.model
        ? [query.model, query.requestModel]
        : [query.model];
    for (const model of models) {
      if (!model) continue;
      const override = this.#override(query.provider, model, tier);
      if (override) return finish(priceCall(modelPriceOf(override), query, this.#rules(query.provider)), 'override', 'override');
      if (tier !== 'default' && this.#override(query.provider, model, 'default')) {
        return unknown(`no ${tier} tier price for the override of ${model} (add "${model}@${tier}")`);
      }
    }
    for (const model of bedrock ? bedrock.tableModels : models) {
      if (!model) continue;
      const entry = this.#table.entry(query.provider, model, query.at);
      if (!entry) continue;
      let price: ModelPrice = entry.price;
      let version = currentTableVersion();
      if (tier !== 'default') {
        const tiered = tierPrice(entry.providerId, entry.modelId, tier, entry.price);
        if (!tiered.ok) return unknown(tiered.reason);
        price = tiered.price;
        version = `${version}+tiers@${TIER_TABLE_VERSION}`;
      }
      return finish(priceCall(price, query, { audioAtTextRate: billsAudioAtTextRate(entry.providerId) }), 'table', version);
    }
    return unknown(bedrock?.unknownReason ?? (models.some(Boolean) ? 'model not in the price table' : 'no model'));
  }

  /** An override for the tier: `provider:model@tier`, `model@tier`; the default tier also matches plain keys. */
  #override(provider: string | undefined, model: string, tier: string): TokenPrices | undefined {
    if (this.#overrides.size === 0) return undefined;
    const lower = model.toLowerCase();
    const keys = tier === 'default' ? [lower, `${lower}@default`] : [`${lower}@${tier}`];
    for (const key of keys) {
      const hit = (provider && this.#overrides.get(`${provider}:${key}`)) || this.#overrides.get(key);
      if (hit) return hit;
    }
    return undefined;
  }

  #rules(provider: string | undefined) {
    return { audioAtTextRate: billsAudioAtTextRate(provider === undefined ? undefined : (TABLE_PROVIDER[provider] ?? provider)) };
  }
}

function finish(outcome: ReturnType<typeof priceCall>, source: 'override' | 'table', priceVersion: string): CostEstimate {
  if (!outcome.ok) return unknown(outcome.reason);
  const usd = outcome.usd;
  const estimate: CostEstimate = {
    costUsd: usd.input + usd.output + usd.webSearch,
    inputCostUsd: usd.input,
    outputCostUsd: usd.output,
    source,
    cacheReadSavingsUsd: usd.cacheReadSavings,
    cacheWritePremiumUsd: usd.cacheWritePremium,
    priceVersion,
  };
  if (usd.webSearch > 0) estimate.webSearchCostUsd = usd.webSearch;
  return estimate;
}

function unknown(reason: string): CostEstimate {
  return { costUsd: undefined, inputCostUsd: undefined, outputCostUsd: undefined, source: 'unknown', unknownReason: reason };
}
