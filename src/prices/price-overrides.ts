import { readFileSync } from 'node:fs';
import { yamlModule } from '../setup/lazy-yaml.js';
import { ConfigError } from '../setup/config-error.js';
import type { TokenPrices } from './price-types.js';

const FIELDS = ['input', 'output', 'cacheRead', 'cacheWrite'] as const;

/**
 * Validates price overrides: `{ "<model>" | "<provider>:<model>": { input, output, cacheRead?, cacheWrite? } }`,
 * USD per 1M tokens. `where` names the source in error messages.
 */
export function validatePrices(value: unknown, where: string): Record<string, TokenPrices> {
  if (!isRecord(value)) throw new ConfigError(`${where}: expected an object mapping model ids to prices, got ${describe(value)}`);
  const out: Record<string, TokenPrices> = {};
  for (const [model, price] of Object.entries(value)) {
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
        throw new ConfigError(`${where}: price for "${model}" field "${key}" must be a non-negative number (USD per 1M tokens), got ${describe(v)}`);
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
    throw new ConfigError(`GENAI_USAGE_PRICES: ${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(err as Error).message}`);
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
