import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calcPrice } from '@pydantic/genai-prices';
import { afterAll, describe, expect, it } from 'vitest';
import { estimateCost } from '../../src/prices/estimate-cost.js';
import { PriceBook } from '../../src/prices/price-book.js';
import { loadPricesFile, validatePrices } from '../../src/prices/price-overrides.js';
import { ConfigError } from '../../src/setup/config-error.js';

const M = 1_000_000;

/** The bundled table's flat rates for a model (USD per 1M tokens). */
function tableRates(model: string, providerId?: string): Record<string, number> {
  const result = calcPrice({ input_tokens: 0, output_tokens: 0 }, model, { providerId });
  if (!result) throw new Error(`no table price for ${model}`);
  return result.model_price as Record<string, number>;
}

describe('PriceBook', () => {
  it('an override by model wins over the table', () => {
    const book = new PriceBook({ 'gpt-4o-mini': { input: 1, output: 2 } });
    expect(book.estimate({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: M, outputTokens: M })).toEqual({
      costUsd: 3,
      inputCostUsd: 1,
      outputCostUsd: 2,
      source: 'override',
      cacheReadSavingsUsd: 0,
      cacheWritePremiumUsd: 0,
      priceVersion: 'override',
    });
    // Without the override the same call is priced from the table.
    const table = new PriceBook().estimate({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: M, outputTokens: M });
    expect(table.source).toBe('table');
    expect(table.costUsd).toBeCloseTo(tableRates('gpt-4o-mini', 'openai').input_mtok! + tableRates('gpt-4o-mini', 'openai').output_mtok!, 12);
  });

  it('an override by provider:model wins over a model-only override, for that provider only', () => {
    const book = new PriceBook({
      'openai:gpt-4o-mini': { input: 1, output: 2 },
      'gpt-4o-mini': { input: 10, output: 20 },
    });
    expect(book.estimate({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: M, outputTokens: M }).costUsd).toBe(3);
    expect(book.estimate({ provider: 'azure.ai.openai', model: 'gpt-4o-mini', inputTokens: M, outputTokens: M }).costUsd).toBe(30);
    expect(book.estimate({ model: 'gpt-4o-mini', inputTokens: M, outputTokens: M }).costUsd).toBe(30);
  });

  it('an override makes a model the table does not know priced', () => {
    const book = new PriceBook({ 'my-model': { input: 5, output: 20, cacheRead: 0.5 } });
    const e = book.estimate({ provider: 'self-hosted', model: 'my-model', inputTokens: 1000, outputTokens: 100, cacheReadTokens: 400 });
    expect(e.source).toBe('override');
    expect(e.inputCostUsd).toBeCloseTo((600 * 5 + 400 * 0.5) / M, 15);
    expect(e.outputCostUsd).toBeCloseTo((100 * 20) / M, 15);
  });

  it('override keys are case-insensitive on the model', () => {
    const book = new PriceBook({ 'My-Model': { input: 1, output: 1 } });
    expect(book.estimate({ model: 'my-model', inputTokens: M, outputTokens: 0 }).costUsd).toBe(1);
    expect(book.estimate({ model: 'MY-MODEL', inputTokens: M, outputTokens: 0 }).costUsd).toBe(1);
  });

  it('cache prices default to the input price', () => {
    const book = new PriceBook({ m: { input: 2, output: 4 } });
    const e = book.estimate({ model: 'm', inputTokens: M, outputTokens: 0, cacheReadTokens: 500_000, cacheWriteTokens: 100_000 });
    // Every input token at the input price, cached or not: nothing lost, nothing counted twice.
    expect(e.inputCostUsd).toBeCloseTo(2, 12);
    expect(e.costUsd).toBeCloseTo(2, 12);

    const withCacheRates = new PriceBook({ m: { input: 2, output: 4, cacheRead: 0.5, cacheWrite: 3 } });
    const c = withCacheRates.estimate({ model: 'm', inputTokens: M, outputTokens: 0, cacheReadTokens: 500_000, cacheWriteTokens: 100_000 });
    expect(c.inputCostUsd).toBeCloseTo(0.4 * 2 + 0.5 * 0.5 + 0.1 * 3, 12);
  });

  it('falls back to the request model when the response model is unknown', () => {
    const book = new PriceBook();
    const e = book.estimate({ provider: 'openai', model: 'ft:my-private-snapshot-xyz', requestModel: 'gpt-4o-mini', inputTokens: M, outputTokens: M });
    const direct = book.estimate({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: M, outputTokens: M });
    expect(e.source).toBe('table');
    expect(e.costUsd).toBe(direct.costUsd);
    expect(e.costUsd).toBeGreaterThan(0);

    // And to an override of the request model.
    const overridden = new PriceBook({ 'my-alias': { input: 1, output: 1 } });
    expect(overridden.estimate({ model: 'unknown-response-model', requestModel: 'my-alias', inputTokens: M, outputTokens: M })).toMatchObject({ costUsd: 2, source: 'override' });
  });

  it('prefers the response model when both are known', () => {
    const book = new PriceBook({ served: { input: 1, output: 1 }, requested: { input: 100, output: 100 } });
    expect(book.estimate({ model: 'served', requestModel: 'requested', inputTokens: M, outputTokens: 0 }).costUsd).toBe(1);
  });

  it('an unknown model is unknown with no cost — never 0', () => {
    const unknown = { costUsd: undefined, inputCostUsd: undefined, outputCostUsd: undefined, source: 'unknown', unknownReason: expect.any(String) };
    const book = new PriceBook({ other: { input: 1, output: 1 } });
    expect(book.estimate({ provider: 'openai', model: 'no-such-model-xyz', inputTokens: 1000, outputTokens: 1000 })).toEqual(unknown);
    expect(book.estimate({ provider: 'openai', model: 'no-such-model-xyz', requestModel: 'also-unknown-abc', inputTokens: 1000, outputTokens: 1000 })).toEqual(unknown);
    expect(book.estimate({ model: undefined, inputTokens: 1000, outputTokens: 1000 })).toEqual(unknown);
    expect(book.estimate({ model: '', inputTokens: 1000, outputTokens: 1000 })).toEqual(unknown);
  });

  it('a known model with no tokens costs 0 from the table (known, not unknown)', () => {
    expect(new PriceBook().estimate({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 0, outputTokens: 0 })).toEqual({
      costUsd: 0,
      inputCostUsd: 0,
      outputCostUsd: 0,
      source: 'table',
      cacheReadSavingsUsd: 0,
      cacheWritePremiumUsd: 0,
      priceVersion: expect.stringMatching(/^genai-prices@\d+\.\d+\.\d+$/),
    });
  });
});

describe('estimateCost', () => {
  const rates = tableRates('gpt-4o-mini', 'openai');

  it('prices cached input at the cache rate, once', () => {
    const e = estimateCost({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 500, cacheReadTokens: 400 });
    expect(e.source).toBe('table');
    expect(rates.cache_read_mtok).toBeLessThan(rates.input_mtok!);
    expect(e.inputCostUsd).toBeCloseTo((600 * rates.input_mtok! + 400 * rates.cache_read_mtok!) / M, 15);
    expect(e.outputCostUsd).toBeCloseTo((500 * rates.output_mtok!) / M, 15);
    expect(e.costUsd).toBeCloseTo(e.inputCostUsd! + e.outputCostUsd!, 15);
    // Not double-counted: cheaper than the same input uncached, and not the uncached price plus the cache part.
    const uncached = estimateCost({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 500 });
    expect(e.costUsd!).toBeLessThan(uncached.costUsd!);
    // And the library agrees.
    const lib = calcPrice({ input_tokens: 1000, output_tokens: 500, cache_read_tokens: 400 }, 'gpt-4o-mini', { providerId: 'openai' })!;
    expect(e.costUsd).toBeCloseTo(lib.total_price, 15);
  });

  it('treats reasoning tokens as part of output (not added on top)', () => {
    const without = estimateCost({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 500 });
    const withReasoning = estimateCost({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 500, reasoningTokens: 300 });
    expect(withReasoning).toEqual(without);
    expect(withReasoning.outputCostUsd).toBeCloseTo((500 * rates.output_mtok!) / M, 15);
  });

  it('prices cache writes at the cache-write rate (Anthropic)', () => {
    const claude = tableRates('claude-sonnet-4-5', 'anthropic') as unknown as Record<string, { base: number }>;
    const e = estimateCost({ provider: 'anthropic', model: 'claude-sonnet-4-5', inputTokens: 10_000, outputTokens: 100, cacheReadTokens: 5_000, cacheWriteTokens: 2_000 });
    expect(e.inputCostUsd).toBeCloseTo((3_000 * claude.input_mtok!.base + 5_000 * claude.cache_read_mtok!.base + 2_000 * claude.cache_write_mtok!.base) / M, 15);
  });

  it('applies a tiered price (Claude Sonnet 4.5 above 200k input)', () => {
    const claude = tableRates('claude-sonnet-4-5', 'anthropic') as unknown as Record<string, { base: number; tiers: Array<{ start: number; price: number }> }>;
    const tier = claude.input_mtok!.tiers[0]!;
    expect(tier.start).toBe(200_000);
    const below = estimateCost({ provider: 'anthropic', model: 'claude-sonnet-4-5', inputTokens: 150_000, outputTokens: 1_000 });
    const above = estimateCost({ provider: 'anthropic', model: 'claude-sonnet-4-5', inputTokens: 250_000, outputTokens: 1_000 });
    expect(below.inputCostUsd).toBeCloseTo((150_000 * claude.input_mtok!.base) / M, 12);
    expect(below.outputCostUsd).toBeCloseTo((1_000 * claude.output_mtok!.base) / M, 12);
    expect(above.inputCostUsd).toBeCloseTo((250_000 * tier.price) / M, 12);
    expect(above.outputCostUsd).toBeCloseTo((1_000 * claude.output_mtok!.tiers[0]!.price) / M, 12);
    expect(tier.price).toBeGreaterThan(claude.input_mtok!.base);
  });

  it('an unknown model: costUsd undefined and source unknown', () => {
    expect(estimateCost({ provider: 'openai', model: 'no-such-model-xyz', inputTokens: 10, outputTokens: 10 })).toEqual({
      costUsd: undefined,
      inputCostUsd: undefined,
      outputCostUsd: undefined,
      source: 'unknown',
      unknownReason: 'model not in the price table',
    });
  });

  it('takes price overrides', () => {
    const e = estimateCost({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: M, outputTokens: M, cacheReadTokens: 200_000, prices: { 'gpt-4o-mini': { input: 1, output: 3, cacheRead: 0.5 } } });
    expect(e).toMatchObject({ source: 'override' });
    expect(e.costUsd).toBeCloseTo(0.8 + 0.1 + 3, 12);
  });
});

describe('price files (GENAI_USAGE_PRICES)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'genai-usage-prices-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  /** Loads a file that must fail; returns the ConfigError's message. */
  function failure(path: string): string {
    try {
      loadPricesFile(path);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error(`${path} loaded without an error`);
  }

  it('loads JSON', () => {
    const path = file('prices.json', JSON.stringify({ 'my-model': { input: 5, output: 20, cacheRead: 0.5 }, 'openai:gpt-4o': { input: 1, output: 2 } }));
    expect(loadPricesFile(path)).toEqual({ 'my-model': { input: 5, output: 20, cacheRead: 0.5 }, 'openai:gpt-4o': { input: 1, output: 2 } });
  });

  it('loads YAML (.yaml and .yml), also under a `prices:` key', () => {
    const yaml = 'my-model:\n  input: 5\n  output: 20\n  cacheWrite: 6.25\n"anthropic:claude-x":\n  input: 1\n  output: 2\n';
    const expected = { 'my-model': { input: 5, output: 20, cacheWrite: 6.25 }, 'anthropic:claude-x': { input: 1, output: 2 } };
    expect(loadPricesFile(file('prices.yaml', yaml))).toEqual(expected);
    expect(loadPricesFile(file('prices.yml', yaml))).toEqual(expected);
    expect(loadPricesFile(file('wrapped.yaml', `prices:\n${yaml.replace(/^/gm, '  ')}`))).toEqual(expected);
    expect(loadPricesFile(file('wrapped.json', JSON.stringify({ prices: expected })))).toEqual(expected);
  });

  it('loaded prices drive a PriceBook', () => {
    const prices = loadPricesFile(file('book.yaml', 'my-model:\n  input: 5\n  output: 20\n'));
    expect(new PriceBook(prices).estimate({ model: 'my-model', inputTokens: M, outputTokens: M })).toMatchObject({ costUsd: 25, source: 'override' });
  });

  it('unknown field: names the file, the model, the field and the valid fields', () => {
    const path = file('unknown-field.json', JSON.stringify({ 'my-model': { input: 1, output: 2, cached: 0.1 } }));
    const message = failure(path);
    expect(message).toContain(path);
    expect(message).toContain('"my-model"');
    expect(message).toContain('"cached"');
    expect(message).toContain('input, output, cacheRead, cacheWrite');
  });

  it('negative value: names the model, the field and what is valid', () => {
    const message = failure(file('negative.yaml', 'my-model:\n  input: 1\n  output: 2\n  cacheRead: -0.5\n'));
    expect(message).toContain('"my-model"');
    expect(message).toContain('"cacheRead"');
    expect(message).toContain('non-negative number');
    expect(message).toContain('-0.5');
  });

  it.each([
    ['input', { output: 2 }],
    ['output', { input: 1 }],
  ])('missing %s: names the model and the field', (field, price) => {
    const message = failure(file(`missing-${field}.json`, JSON.stringify({ 'my-model': price })));
    expect(message).toContain('"my-model"');
    expect(message).toContain(`"${field}"`);
    expect(message).toContain('non-negative number (USD per 1M tokens)');
    expect(message).toContain('got nothing');
  });

  it('a non-number value: names the model, the field and the value', () => {
    const message = failure(file('string.json', JSON.stringify({ 'my-model': { input: '5', output: 2 } })));
    expect(message).toContain('"my-model"');
    expect(message).toContain('"input"');
    expect(message).toContain('"5"');
  });

  it('a price that is not an object: names the model and shows the valid shape', () => {
    const message = failure(file('not-object.yaml', 'my-model: 5\n'));
    expect(message).toContain('"my-model"');
    expect(message).toContain('must be an object like { input: 5, output: 20 }');
  });

  it.each([
    ['array.json', '[1, 2]', 'got [1,2]'],
    ['scalar.yaml', 'just a string\n', 'got "just a string"'],
  ])('a file that is not a map (%s): says what was expected and what it got', (name, text, got) => {
    const message = failure(file(name, text));
    expect(message).toContain('expected an object mapping model ids to prices');
    expect(message).toContain(got);
  });

  it('bad YAML: names the file and the format', () => {
    const path = file('bad.yaml', 'my-model: {input: 1, output: [\n');
    const message = failure(path);
    expect(message).toContain('GENAI_USAGE_PRICES');
    expect(message).toContain(path);
    expect(message).toContain('is not valid YAML');
  });

  it('bad JSON: names the file and the format', () => {
    const path = file('bad.json', '{"my-model": {"input": 1,');
    const message = failure(path);
    expect(message).toContain(path);
    expect(message).toContain('is not valid JSON');
  });

  it('a missing file: names the variable and the path', () => {
    const path = join(dir, 'does-not-exist.json');
    const message = failure(path);
    expect(message).toContain('GENAI_USAGE_PRICES');
    expect(message).toContain('cannot read price file');
    expect(message).toContain(path);
  });

  it('validatePrices (code option) uses the same rules and names its source', () => {
    expect(() => validatePrices({ m: { input: 1, output: -2 } }, 'prices')).toThrow(ConfigError);
    expect(() => validatePrices({ m: { input: 1, output: -2 } }, 'prices')).toThrow(/^prices: price for "m" field "output"/);
    expect(() => validatePrices({ m: { input: Number.NaN, output: 1 } }, 'prices')).toThrow(/field "input" must be a non-negative number/);
    expect(() => validatePrices({ m: { input: Number.POSITIVE_INFINITY, output: 1 } }, 'prices')).toThrow(ConfigError);
    expect(() => validatePrices(null, 'prices')).toThrow(/expected an object mapping model ids to prices, got null/);
    expect(validatePrices({ m: { input: 0, output: 0 } }, 'prices')).toEqual({ m: { input: 0, output: 0 } });
  });
});

describe('estimateCost with counts left out', () => {
  it('treats an omitted count as zero, never NaN', () => {
    const withZero = estimateCost({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 50, outputTokens: 0 });
    const omitted = estimateCost({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 50 });
    expect(omitted.costUsd).toBe(withZero.costUsd);
    expect(Number.isNaN(omitted.costUsd)).toBe(false);
  });
});
