import { createRequire } from 'node:module';

export type GenaiPrices = Pick<typeof import('@pydantic/genai-prices'), 'calcPrice' | 'findProvider' | 'updatePrices' | 'REMOTE_DATA_JSON_URL'>;
let library: GenaiPrices | undefined;

/**
 * `@pydantic/genai-prices` (its bundled data: ~20 MB of heap) is loaded by the first price
 * lookup, synchronously, so even a call in the first millisecond is priced; a process that
 * never prices a call never loads it. Every user goes through here: the package is dual
 * CJS/ESM, and data installed into one copy would not be seen by the other.
 */
export function genaiPrices(): GenaiPrices {
  library ??= createRequire(import.meta.url)('@pydantic/genai-prices') as GenaiPrices;
  return library;
}
