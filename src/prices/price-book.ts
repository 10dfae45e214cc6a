import { lazyOwnModule } from '../setup/load-own.js';
import type { PriceEstimator } from './price-estimator.js';
import type { CallTokens, CostEstimate, TokenPrices } from './price-types.js';

const estimatorModule = lazyOwnModule(new URL('./price-estimator.js', import.meta.url), () => import('./price-estimator.js'));

export interface PriceQuery extends CallTokens {
  provider?: string;
  /** The model that served the call (preferred) or was requested. */
  model: string | undefined;
  /** The model requested, tried when `model` has no price. */
  requestModel?: string;
  /**
   * The tier the provider served: `default` (also Anthropic's `standard`), `flex`, `priority`,
   * `batch`, `scale`. A tier without a known price for the model is `unknown`.
   */
  serviceTier?: string;
  at?: number;
}

/**
 * Turns tokens into USD: user overrides win over the bundled table; a model in neither
 * is `unknown` with no cost. (A cost the provider reports wins over both; the callers
 * never ask the book in that case.) A non-default tier is priced by an override
 * `<model>@<tier>`, else by the tier table (data/service-tiers.json), else it is unknown.
 */
export class PriceBook {
  readonly #overrides: Readonly<Record<string, TokenPrices>>;
  #estimator: PriceEstimator | undefined;

  constructor(overrides: Readonly<Record<string, TokenPrices>> = {}) {
    this.#overrides = { ...overrides };
  }

  estimate(query: PriceQuery): CostEstimate {
    this.#estimator ??= new (estimatorModule().PriceEstimator)(this.#overrides);
    return this.#estimator.estimate(query);
  }
}
