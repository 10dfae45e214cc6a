import { readFileSync } from 'node:fs';
import { yamlModule } from '../setup/lazy-yaml.js';
import { ConfigError, firstLine } from '../setup/config-error.js';
import type { TokenPrices } from './price-types.js';
import { SERVICE_TIERS } from './service-tier.js';

const FIELDS = ['input', 'output', 'cacheRead', 'cacheWrite', 'cacheWrite1h', 'audioInput', 'audioOutput', 'imageInput', 'imageOutput', 'webSearchPer1k'] as const;

/**
 * Validates price overrides: `{ "<model>" | "<provider>:<model>" [ "@<tier>" ]: { input, output,
 * cacheRead?, cacheWrite?, cacheWrite1h?, audioInput?, audioOutput?, imageInput?, imageOutput?,
 * webSearchPer1k? } }`, USD per 1M tokens (web searches per 1,000). A `@<tier>` suffix
 * (`default`, `flex`, `priority`, `batch`, `scale`) prices only calls served at that tier.
 * `where` names the source in error messages.
 */
export function validatePrices(value: unknown, where: string): Record<string, TokenPrices> {
  if (!isRecord(value)) throw new ConfigError(`${where}: expected an object mapping model ids to prices, got ${describe(value)}`);
  const out: Record<string, TokenPrices> = {};
  for (const [model, price] of Object.entries(value)) {
    const at = model.lastIndexOf('@');
    if (at === 0 || model === '') throw new ConfigError(`${where}: "${model}" names no model; keys are "<model>", "<provider>:<model>" or either with "@<tier>"`);
    if (at > 0 && !(SERVICE_TIERS as readonly string[]).includes(model.slice(at + 1).toLowerCase())) {
      throw new ConfigError(`${where}: "${model}" has unknown tier "${model.slice(at + 1)}"; valid tiers: ${SERVICE_TIERS.join(', ')}`);
    }
    if (!isRecord(price)) throw new ConfigError(`${where}: price for "${model}" must be an object like { input: 5, output: 20 } (USD per 1M tokens)`);
    for (const key of Object.keys(price)) {
      if (!(FIELDS as readonly string[]).includes(key)) {
        throw new ConfigError(`${where}: price for "${model}" has unknown field "${key}"; valid fields: ${FIELDS.join(', ')}`);
      }
    }
    for (const key of FIELDS) {
      const v = price[key];
      const required = key === 'input' || key === 'output';
      if (v === undefined && !required) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        const unit = key === 'webSearchPer1k' ? 'USD per 1,000 searches' : 'USD per 1M tokens';
        throw new ConfigError(`${where}: price for "${model}" field "${key}" must be a non-negative number (${unit}), got ${describe(v)}`);
      }
    }
    out[model] = price as unknown as TokenPrices;
  }
  return out;
}

/** Reads a JSON or YAML price file (`GENAI_USAGE_PRICES`). */
export function loadPricesFile(path: string): Record<string, TokenPrices> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`GENAI_USAGE_PRICES: cannot read price file ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = /\.ya?ml$/i.test(path) ? yamlModule().parse(text) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`GENAI_USAGE_PRICES: ${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${firstLine((err as Error).message)}`);
  }
  // Accept both a bare map and `{ prices: { ... } }`.
  const map = isRecord(parsed) && isRecord(parsed.prices) ? parsed.prices : parsed;
  return validatePrices(map, path);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}
