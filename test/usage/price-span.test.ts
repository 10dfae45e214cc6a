import { describe, expect, it } from 'vitest';
import { PriceBook } from '../../src/prices/price-book.js';
import { costAttributes } from '../../src/usage/price-span.js';

const prices = new PriceBook();
const failed = (extra: Record<string, string | number>) => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o-mini',
  'error.type': 'SomeError',
  ...extra,
});

describe('costAttributes for a failed call without token counts', () => {
  it('rejected by the provider (4xx, 5xx) or never sent: $0, as it is not billed', () => {
    const cases: Array<Record<string, number>> = [{ 'http.response.status_code': 429 }, { 'http.response.status_code': 500 }, {}];
    for (const extra of cases) {
      expect(costAttributes(failed(extra), prices)).toMatchObject({ 'genai_usage.cost.usd': 0, 'genai_usage.cost.source': 'table' });
    }
  });

  it('answered 2xx but its body could not be read: unknown, as it was processed', () => {
    expect(costAttributes(failed({ 'http.response.status_code': 200, 'error.type': 'SyntaxError' }), prices)).toBeUndefined();
  });

  it('cut off by shutdown: unknown', () => {
    expect(costAttributes(failed({ 'error.type': 'InterruptedByShutdown' }), prices)).toBeUndefined();
  });
});
