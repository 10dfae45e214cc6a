import { genaiPrices as prices } from './genai-prices.js';
import { priceCall, type ModelPrice } from './price-arithmetic.js';
import type { CallTokens } from './price-types.js';
import { tableGeneration } from './price-version.js';
import { TupleMap } from '../tuple-map.js';

/** Semconv provider names → `@pydantic/genai-prices` provider ids, where they differ. */
const PROVIDER_IDS: Record<string, string> = {
  'aws.bedrock': 'aws',
  'azure.ai.openai': 'azure',
  'azure.ai.inference': 'azure',
  'gcp.gemini': 'google',
  'gcp.vertex_ai': 'google',
  'gcp.gen_ai': 'google',
  mistral_ai: 'mistral',
  x_ai: 'x-ai',
};

/** Model servers on the user's own hardware: never priced at a cloud provider's rates. */
const LOCAL_PROVIDERS: ReadonlySet<string> = new Set(['ollama', 'lmstudio', 'vllm', 'llamacpp', 'local']);

/** Prices with time constraints (off-peak hours, start dates) are re-resolved this often. */
const CONSTRAINED_TTL_MS = 60_000;

interface Resolved {
  price: ModelPrice | undefined;
  /** The table's ids for what matched (a dated id resolves to its model's id). */
  modelId?: string;
  providerId?: string;
  expiresAt: number;
}

/** A table entry: its price and the ids it is filed under (tier prices are keyed on them). */
export interface TableEntry {
  price: ModelPrice;
  modelId: string;
  providerId: string;
  /** Until when this resolution holds (prices with time constraints are re-resolved). */
  expiresAt: number;
}

/**
 * Prices from the bundled `@pydantic/genai-prices` data. The library resolves a model in
 * ~10 µs; a call path cannot afford that, so each (provider, model) is resolved once and the
 * arithmetic — the library's own: tiers chosen by total input tokens, cached tokens priced
 * at their own rate and taken out of input — is done here. A test checks it against the
 * library for every bundled model.
 */
export class TablePrices {
  readonly #cache = new TupleMap<Resolved>();
  #generation = tableGeneration();

  /** Returns `{ input, output }` USD, or undefined when the model is not in the table. */
  price(provider: string | undefined, model: string, tokens: CallTokens, now = Date.now()): { input: number; output: number } | undefined {
    const price = this.#resolve(provider, model, now).price;
    return price && priceTokens(price, tokens);
  }

  /** The table entry for a model, or undefined when the table does not know it. */
  entry(provider: string | undefined, model: string, now = Date.now()): TableEntry | undefined {
    const resolved = this.#resolve(provider, model, now);
    return resolved.price && { price: resolved.price, modelId: resolved.modelId ?? model, providerId: resolved.providerId ?? '', expiresAt: resolved.expiresAt };
  }

  #resolve(provider: string | undefined, model: string, now: number): Resolved {
    if (this.#generation !== tableGeneration()) {
      this.#cache.clear();
      this.#generation = tableGeneration();
    }
    const key = [provider ?? '', model];
    const hit = this.#cache.get(key);
    if (hit && hit.expiresAt > now) return hit;
    const providerId = provider === undefined ? undefined : (PROVIDER_IDS[provider] ?? provider);
    let result = lookup(model, providerId, now);
    // A provider the table does not know (a gateway, a proxy): match on the model alone. A
    // known provider without the model, or a local server, stays unknown: another provider's
    // rate would be a wrong number.
    if (!result && providerId !== undefined && !LOCAL_PROVIDERS.has(providerId) && !knownProvider(providerId)) {
      result = lookup(model, undefined, now);
    }
    const constrained = Array.isArray(result?.model.prices);
    const resolved: Resolved = {
      price: result?.model_price as ModelPrice | undefined,
      modelId: result?.model.id,
      providerId: result?.provider.id,
      expiresAt: constrained ? now + CONSTRAINED_TTL_MS : Infinity,
    };
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(key, resolved);
    return resolved;
  }
}

function knownProvider(providerId: string): boolean {
  try {
    return prices().findProvider({ providerId }) !== undefined;
  } catch {
    return false;
  }
}

function lookup(model: string, providerId: string | undefined, now: number) {
  try {
    return prices().calcPrice({ input_tokens: 0, output_tokens: 0 }, model, { providerId, timestamp: new Date(now) });
  } catch {
    return null;
  }
}

/**
 * `{ input, output }` USD for the counts of migration 1 (input, output, cache, reasoning):
 * the library's own arithmetic. The other parts are priced by {@link priceCall}.
 */
export function priceTokens(price: ModelPrice, tokens: CallTokens): { input: number; output: number } {
  const { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, reasoningTokens } = tokens;
  const outcome = priceCall(price, { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, reasoningTokens });
  // Without the newer parts nothing can make the outcome unknown.
  return outcome.ok ? { input: outcome.usd.input, output: outcome.usd.output } : { input: Number.NaN, output: Number.NaN };
}
