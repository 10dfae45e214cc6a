import { bedrockPriceModels } from './bedrock-model-id.js';
import { priceCall, type ModelPrice, type PricingRules } from './price-arithmetic.js';
import type { PriceQuery } from './price-book.js';
import type { CostEstimate, TokenPrices } from './price-types.js';
import { currentTableVersion, tableGeneration } from './price-version.js';
import { normaliseServiceTier } from './service-tier.js';
import { TablePrices } from './table-prices.js';
import { TIER_TABLE_VERSION, billsAudioAtTextRate, modelPriceOf, tierPrice } from './tier-prices.js';
import { TupleMap } from '../tuple-map.js';

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
  /** What a (provider, model, requested model, tier) prices at, resolved once: the call path then only does arithmetic. */
  readonly #plans = new TupleMap<Plan>();
  #generation = tableGeneration();

  constructor(overrides: Readonly<Record<string, TokenPrices>> = {}) {
    for (const [model, price] of Object.entries(overrides)) this.#overrides.set(model.toLowerCase(), price);
  }

  estimate(query: PriceQuery): CostEstimate {
    const plan = this.#plan(query);
    return plan.price ? finish(priceCall(plan.price, query, plan.rules), plan.source, plan.version) : unknown(plan.reason);
  }

  #plan(query: PriceQuery): Plan {
    // A price at another time (a backfill) is resolved for that time, uncached.
    if (query.at !== undefined) return this.#resolve(query, query.at);
    if (this.#generation !== tableGeneration()) {
      this.#plans.clear();
      this.#generation = tableGeneration();
    }
    const key = [query.provider ?? '', query.model ?? '', query.requestModel ?? '', query.serviceTier ?? ''];
    const now = Date.now();
    const hit = this.#plans.get(key);
    if (hit && hit.expiresAt > now) return hit;
    const plan = this.#resolve(query, now);
    if (this.#plans.size > 10_000) this.#plans.clear();
    this.#plans.set(key, plan);
    return plan;
  }

  #resolve(query: PriceQuery, at: number): Plan {
    // An empty name is no name: the cache key cannot tell '' from absent, so neither may the lookup.
    const provider = query.provider || undefined;
    const model = query.model || undefined;
    const requestModel = query.requestModel || undefined;
    const tier = query.serviceTier === undefined ? 'default' : (normaliseServiceTier(query.serviceTier) ?? 'default');
    const bedrock = bedrockPriceModels(provider, model, requestModel);
    const models = bedrock ? bedrock.overrideKeys : requestModel && requestModel !== model ? [model, requestModel] : [model];
    for (const name of models) {
      if (!name) continue;
      const override = this.#override(provider, name, tier);
      if (override) return { price: modelPriceOf(override), rules: this.#rules(provider), source: 'override', version: 'override', expiresAt: Infinity };
      if (tier !== 'default' && this.#override(provider, name, 'default')) {
        return unpriced(`no ${tier} tier price for the override of ${name} (add "${name}@${tier}")`);
      }
    }
    for (const name of bedrock ? bedrock.tableModels : models) {
      if (!name) continue;
      const entry = this.#table.entry(provider, name, at);
      if (!entry) continue;
      let price: ModelPrice = entry.price;
      let version = currentTableVersion();
      if (tier !== 'default') {
        const tiered = tierPrice(entry.providerId, entry.modelId, tier, entry.price);
        if (!tiered.ok) return unpriced(tiered.reason, entry.expiresAt);
        price = tiered.price;
        version = `${version}+tiers@${TIER_TABLE_VERSION}`;
      }
      return { price, rules: { audioAtTextRate: billsAudioAtTextRate(entry.providerId) }, source: 'table', version, expiresAt: entry.expiresAt };
    }
    return unpriced(bedrock?.unknownReason ?? (models.some(Boolean) ? 'model not in the price table' : 'no model'));
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

/** How a model is priced: a price with its rules and provenance, or why there is none. */
type Plan =
  | { price: ModelPrice; rules: PricingRules; source: 'override' | 'table'; version: string; expiresAt: number; reason?: undefined }
  | { price?: undefined; reason: string; expiresAt: number };

function unpriced(reason: string, expiresAt = Infinity): Plan {
  return { reason, expiresAt };
}

function unknown(reason: string): CostEstimate {
  return { costUsd: undefined, inputCostUsd: undefined, outputCostUsd: undefined, source: 'unknown', unknownReason: reason };
}
