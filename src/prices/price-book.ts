import { bedrockPriceModels } from './bedrock-model-id.js';
import type { CallTokens, CostEstimate, TokenPrices } from './price-types.js';
import { priceTokens, TablePrices } from './table-prices.js';

export interface PriceQuery extends CallTokens {
  provider?: string;
  /** The model that served the call (preferred) or was requested. */
  model: string | undefined;
  /** The model requested, tried when `model` has no price. */
  requestModel?: string;
  at?: number;
}

/**
 * Turns tokens into USD: user overrides win over the bundled table; a model in neither
 * is `unknown` with no cost. (A cost the provider reports wins over both; the callers
 * never ask the book in that case.)
 */
export class PriceBook {
  readonly #overrides = new Map<string, TokenPrices>();
  readonly #table = new TablePrices();

  constructor(overrides: Readonly<Record<string, TokenPrices>> = {}) {
    for (const [model, price] of Object.entries(overrides)) this.#overrides.set(model.toLowerCase(), price);
  }

  estimate(query: PriceQuery): CostEstimate {
    const bedrock = bedrockPriceModels(query.provider, query.model, query.requestModel);
    const models = bedrock
      ? bedrock.overrideKeys
      : query.requestModel && query.requestModel !== query.model
        ? [query.model, query.requestModel]
        : [query.model];
    for (const model of models) {
      if (!model) continue;
      const override = this.#override(query.provider, model);
      if (override) return cost(priceTokens(toTable(override), query), 'override');
    }
    for (const model of bedrock ? bedrock.tableModels : models) {
      if (!model) continue;
      const table = this.#table.price(query.provider, model, query, query.at);
      if (table) return cost(table, 'table');
    }
    return { costUsd: undefined, inputCostUsd: undefined, outputCostUsd: undefined, source: 'unknown' };
  }

  #override(provider: string | undefined, model: string): TokenPrices | undefined {
    if (this.#overrides.size === 0) return undefined;
    const lower = model.toLowerCase();
    return (provider && this.#overrides.get(`${provider}:${lower}`)) || this.#overrides.get(lower);
  }
}

function cost(usd: { input: number; output: number }, source: 'override' | 'table'): CostEstimate {
  return { costUsd: usd.input + usd.output, inputCostUsd: usd.input, outputCostUsd: usd.output, source };
}

function toTable(p: TokenPrices) {
  return {
    input_mtok: p.input,
    output_mtok: p.output,
    cache_read_mtok: p.cacheRead ?? p.input,
    cache_write_mtok: p.cacheWrite ?? p.input,
  };
}
