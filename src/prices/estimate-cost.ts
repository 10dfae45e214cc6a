import { PriceBook } from './price-book.js';
import type { CallTokens, CostEstimate, TokenPrices } from './price-types.js';

export interface EstimateCostInput extends Partial<CallTokens> {
  provider?: string;
  model: string;
  /** Overrides to apply on top of the bundled table (USD per 1M tokens). */
  prices?: Record<string, TokenPrices>;
}

const defaultBook = new PriceBook();

/**
 * Prices a call from its token counts: `{ costUsd, inputCostUsd, outputCostUsd, source }`;
 * `costUsd` is undefined when the model is unknown. Token counts follow semconv:
 * `inputTokens` includes cached ones, `outputTokens` reasoning ones.
 */
export function estimateCost(input: EstimateCostInput): CostEstimate {
  const book = input.prices ? new PriceBook(input.prices) : defaultBook;
  // Omitted counts are zero (an embeddings call has no output), never NaN.
  return book.estimate({
    ...input,
    inputTokens: input.inputTokens ?? 0,
    outputTokens: input.outputTokens ?? 0,
    cacheReadTokens: input.cacheReadTokens ?? 0,
    cacheWriteTokens: input.cacheWriteTokens ?? 0,
    reasoningTokens: input.reasoningTokens ?? 0,
  });
}
