import { PriceBook } from './price-book.js';
import type { CallTokens, CostEstimate, TokenPrices } from './price-types.js';
import type { ServiceTier } from './service-tier.js';

export interface EstimateCostInput extends Partial<CallTokens> {
  provider?: string;
  model: string;
  /**
   * The tier the provider served (default `default`; Anthropic's `standard` is accepted as
   * `default`). Flex is billed at Batch prices, priority at its own per-model prices, the
   * Batch APIs at 50 %; a tier without a known price for the model is `unknown`.
   */
  serviceTier?: ServiceTier | 'standard';
  /** Overrides to apply on top of the bundled table (USD per 1M tokens; `<model>@<tier>` for a tier). */
  prices?: Record<string, TokenPrices>;
}

const defaultBook = new PriceBook();

/**
 * Prices a call from its token counts: `{ costUsd, inputCostUsd, outputCostUsd, source }`
 * (plus `webSearchCostUsd`, `cacheReadSavingsUsd`, `cacheWritePremiumUsd`, `priceVersion`
 * when priced); `costUsd` is undefined when the model or the tier is unknown, with
 * `unknownReason` saying why. Token counts follow semconv: `inputTokens` includes cached,
 * audio and image input; `outputTokens` reasoning, audio and image output;
 * `cacheWrite1hTokens` is the part of `cacheWriteTokens` with a 1-hour TTL.
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
    cacheWrite1hTokens: input.cacheWrite1hTokens ?? 0,
    audioInputTokens: input.audioInputTokens ?? 0,
    audioOutputTokens: input.audioOutputTokens ?? 0,
    imageInputTokens: input.imageInputTokens ?? 0,
    imageOutputTokens: input.imageOutputTokens ?? 0,
    webSearchRequests: input.webSearchRequests ?? 0,
  });
}
