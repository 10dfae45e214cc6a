import type { AttributeValue } from '@opentelemetry/api';
import { INTERRUPTED_ERROR_TYPE } from '../instrumentations/in-flight-calls.js';
import type { PriceBook } from '../prices/price-book.js';
import * as A from '../semconv.js';
import { readModels, readProvider, readServiceTier, readTokens } from './span-to-record.js';
import type { SpanLike } from './span-like.js';

/**
 * The cost attributes for a call span that carries no cost, priced from its token counts
 * and served tier; undefined when there is nothing to price (the span already has a cost,
 * or a call that went through reported no counts: unknown, as $0 would be a wrong number).
 * A failed call without counts used none (providers do not bill rejected requests), but one
 * cut off by shutdown was sent and may well be billed, and one the provider answered 2xx was
 * processed though its body could not be read: unknown too.
 * Shared by the usage processor and the collector, so both price alike.
 */
export function costAttributes(attrs: SpanLike['attributes'], prices: PriceBook): Record<string, AttributeValue> | undefined {
  if (attrs[A.ATTR_COST_USD] !== undefined) return undefined;
  const tokens = readTokens(attrs);
  const errorType = attrs[A.ATTR_ERROR_TYPE];
  const status = attrs[A.ATTR_HTTP_RESPONSE_STATUS_CODE];
  const answered = typeof status === 'number' && status >= 200 && status < 300;
  const failed = errorType !== undefined && errorType !== INTERRUPTED_ERROR_TYPE && !answered;
  if (tokens.inputTokens === undefined && tokens.outputTokens === undefined && !failed) return undefined;
  // The AI SDK's doEmbed spans name the models only under `ai.*`.
  const { requestModel, responseModel } = readModels(attrs);
  // The spread leads: V8 clones its shape, where one later in a literal copies key by key.
  const estimate = prices.estimate({
    ...tokens,
    inputTokens: tokens.inputTokens ?? 0,
    outputTokens: tokens.outputTokens ?? 0,
    provider: readProvider(attrs),
    model: responseModel ?? requestModel,
    requestModel,
    serviceTier: readServiceTier(attrs),
  });
  const out: Record<string, AttributeValue> = { [A.ATTR_COST_SOURCE]: estimate.source };
  if (estimate.costUsd === undefined) {
    if (estimate.unknownReason) out[A.ATTR_COST_UNKNOWN_REASON] = estimate.unknownReason;
    return out;
  }
  out[A.ATTR_COST_USD] = estimate.costUsd;
  out[A.ATTR_COST_INPUT_USD] = estimate.inputCostUsd!;
  out[A.ATTR_COST_OUTPUT_USD] = estimate.outputCostUsd!;
  if (estimate.webSearchCostUsd !== undefined) out[A.ATTR_COST_WEB_SEARCH_USD] = estimate.webSearchCostUsd;
  // Zero amounts are left off the span: with a price version present, absent means 0.
  if (estimate.cacheReadSavingsUsd) out[A.ATTR_COST_CACHE_READ_SAVINGS_USD] = estimate.cacheReadSavingsUsd;
  if (estimate.cacheWritePremiumUsd) out[A.ATTR_COST_CACHE_WRITE_PREMIUM_USD] = estimate.cacheWritePremiumUsd;
  if (estimate.priceVersion !== undefined) out[A.ATTR_PRICE_VERSION] = estimate.priceVersion;
  return out;
}
