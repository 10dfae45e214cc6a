import { createRequire } from 'node:module';
import type { CallTokens } from './price-types.js';

type GenaiPrices = Pick<typeof import('@pydantic/genai-prices'), 'calcPrice' | 'findProvider'>;
let library: GenaiPrices | undefined;
/**
 * `@pydantic/genai-prices` (its bundled data: ~20 MB of heap) is loaded by the first price
 * lookup, synchronously, so even a call in the first millisecond is priced; a process that
 * never prices a call never loads it.
 */
function prices(): GenaiPrices {
  library ??= createRequire(import.meta.url)('@pydantic/genai-prices') as GenaiPrices;
  return library;
}

/** The library's price value: a flat USD/Mtok, or tiers keyed on total input tokens. */
type PriceValue = number | { base: number; tiers: ReadonlyArray<{ start: number; price: number }> };
interface ModelPrice {
  input_mtok?: PriceValue;
  output_mtok?: PriceValue;
  cache_read_mtok?: PriceValue;
  cache_write_mtok?: PriceValue;
  requests_kcount?: number;
}

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
  readonly #cache = new Map<string, Resolved>();

  /** Returns `{ input, output }` USD, or undefined when the model is not in the table. */
  price(provider: string | undefined, model: string, tokens: CallTokens, now = Date.now()): { input: number; output: number } | undefined {
    const price = this.#resolve(provider, model, now);
    return price && priceTokens(price, tokens);
  }

  #resolve(provider: string | undefined, model: string, now: number): ModelPrice | undefined {
    const key = `${provider ?? ''}\u0000${model}`;
    const hit = this.#cache.get(key);
    if (hit && hit.expiresAt > now) return hit.price;
    const providerId = provider === undefined ? undefined : (PROVIDER_IDS[provider] ?? provider);
    let result = lookup(model, providerId, now);
    // A provider the table does not know (a gateway, a proxy): match on the model alone. A
    // known provider without the model, or a local server, stays unknown: another provider's
    // rate would be a wrong number.
    if (!result && providerId !== undefined && !LOCAL_PROVIDERS.has(providerId) && !knownProvider(providerId)) {
      result = lookup(model, undefined, now);
    }
    const constrained = Array.isArray(result?.model.prices);
    const resolved = { price: result?.model_price as ModelPrice | undefined, expiresAt: constrained ? now + CONSTRAINED_TTL_MS : Infinity };
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(key, resolved);
    return resolved.price;
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

export function priceTokens(price: ModelPrice, tokens: CallTokens): { input: number; output: number } {
  const input = tokens.inputTokens;
  const cacheRead = price.cache_read_mtok === undefined ? 0 : (tokens.cacheReadTokens ?? 0);
  const cacheWrite = price.cache_write_mtok === undefined ? 0 : (tokens.cacheWriteTokens ?? 0);
  const uncached = Math.max(0, input - cacheRead - cacheWrite);
  let inputUsd =
    perMillion(price.input_mtok, uncached, input) +
    perMillion(price.cache_read_mtok, cacheRead, input) +
    perMillion(price.cache_write_mtok, cacheWrite, input);
  if (price.requests_kcount !== undefined) inputUsd += price.requests_kcount / 1000;
  return { input: inputUsd, output: perMillion(price.output_mtok, tokens.outputTokens, input) };
}

function perMillion(value: PriceValue | undefined, tokens: number, totalInput: number): number {
  if (value === undefined || tokens <= 0) return 0;
  if (typeof value === 'number') return (value * tokens) / 1e6;
  let rate = value.base;
  for (const tier of value.tiers) if (totalInput > tier.start) rate = tier.price;
  return (rate * tokens) / 1e6;
}
