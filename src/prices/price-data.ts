import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Provider } from '@pydantic/genai-prices';
import { ConfigError } from '../setup/config-error.js';
import { genaiPrices } from './genai-prices.js';
import { setTableVersion } from './price-version.js';

/** Where `genai-usage prices update` downloads from by default: `@pydantic/genai-prices`' own data. */
export const PRICE_DATA_URL = 'https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/new_data/v2/data.json';

/** Larger than any plausible price table (the bundled one is ~1 MB of JSON). */
const MAX_PRICE_DATA_BYTES = 64 * 1024 * 1024;

export interface PriceDataInfo {
  /** The version written on every record priced from this data: `genai-prices-data@sha256:<12 hex>`. */
  version: string;
  providers: number;
  models: number;
}

/**
 * Replaces the bundled `@pydantic/genai-prices` table with a data file the user refreshes
 * (`genai-usage prices update`, or the library's `data.json` fetched by any means). Never
 * touches the network. Records priced afterwards carry the file's version. Env
 * `GENAI_USAGE_PRICE_DATA` / option `priceData`.
 * @throws ConfigError naming the file and what is wrong with it; the current table stays.
 */
export function loadPriceData(path: string): PriceDataInfo {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`price data ${path}: cannot read it: ${(err as Error).message}`);
  }
  return applyPriceData(text, path);
}

/** Validates and installs price data from its JSON text; `where` names it in errors. */
export function applyPriceData(text: string, where: string): PriceDataInfo {
  const info = checkPriceData(text, where);
  const data = JSON.parse(text) as Provider[];
  try {
    // A plain array is applied synchronously.
    genaiPrices().updatePrices(({ setProviderData }) => setProviderData(data));
  } catch (err) {
    throw new ConfigError(`price data ${where}: the table library refused it: ${(err as Error).message}`);
  }
  setTableVersion(info.version);
  return info;
}

/**
 * Checks price data without installing it: its shape, then every model's prices through the
 * table library (which validates a price only when it prices with it).
 */
export function checkPriceData(text: string, where: string): PriceDataInfo {
  const info = checkShape(text, where);
  for (const provider of JSON.parse(text) as Provider[]) {
    for (const model of provider.models) {
      try {
        const single: Provider = { ...provider, fallback_model_providers: undefined, models: [{ ...model, match: { equals: model.id } }] };
        genaiPrices().calcPrice({ input_tokens: 1, output_tokens: 1 }, model.id, { provider: single });
      } catch (err) {
        throw new ConfigError(`price data ${where}: the table library refused ${provider.id}/${model.id}: ${(err as Error).message}`);
      }
    }
  }
  return info;
}

/** The checks that need no library: JSON, an array of providers with ids and model lists, a sane size. */
function checkShape(text: string, where: string): PriceDataInfo {
  if (text.length > MAX_PRICE_DATA_BYTES) throw new ConfigError(`price data ${where}: larger than ${MAX_PRICE_DATA_BYTES} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`price data ${where}: not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new ConfigError(`price data ${where}: expected a non-empty JSON array of providers (the @pydantic/genai-prices data.json format)`);
  }
  let models = 0;
  parsed.forEach((provider: unknown, i) => {
    const p = provider as { id?: unknown; models?: unknown } | null;
    if (typeof p !== 'object' || p === null || typeof p.id !== 'string' || !Array.isArray(p.models)) {
      throw new ConfigError(`price data ${where}: provider #${i} needs a string "id" and a "models" array`);
    }
    for (const model of p.models as unknown[]) {
      const m = model as { id?: unknown; prices?: unknown } | null;
      if (typeof m !== 'object' || m === null || typeof m.id !== 'string' || typeof m.prices !== 'object' || m.prices === null) {
        throw new ConfigError(`price data ${where}: a model of provider ${p.id} needs a string "id" and "prices"`);
      }
    }
    models += p.models.length;
  });
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  return { version: `genai-prices-data@sha256:${hash}`, providers: parsed.length, models };
}
