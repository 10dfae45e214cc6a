import type { CostSource } from '../usage/usage-record.js';

/**
 * A user price: USD per 1,000,000 tokens (web searches: USD per 1,000 searches).
 * Cache prices default to the input price; an image part without its own price is billed at
 * the input/output price; an audio part, a 1-hour cache write or a web search without its
 * own price leaves the call's cost unknown (those are billed at rates of their own).
 */
export interface TokenPrices {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  /** Cache writes with a 1-hour TTL (Anthropic: 2× input, against 1.25× for 5 minutes). */
  cacheWrite1h?: number;
  audioInput?: number;
  audioOutput?: number;
  imageInput?: number;
  imageOutput?: number;
  /** USD per 1,000 server-side web searches. */
  webSearchPer1k?: number;
}

/** Token counts of one call, semconv style: every count below `outputTokens` is a part of input or output. */
export interface CallTokens {
  inputTokens: number;
  outputTokens: number;
  /** Part of `inputTokens`. */
  cacheReadTokens?: number;
  /** Part of `inputTokens`. */
  cacheWriteTokens?: number;
  /** Part of `outputTokens`. */
  reasoningTokens?: number;
  /** Part of `cacheWriteTokens` written with a 1-hour TTL. */
  cacheWrite1hTokens?: number;
  /** Parts of `inputTokens` / `outputTokens`. */
  audioInputTokens?: number;
  audioOutputTokens?: number;
  imageInputTokens?: number;
  imageOutputTokens?: number;
  /** Server-side web searches (uses, not tokens). */
  webSearchRequests?: number;
}

export interface CostEstimate {
  /** Undefined when no price is known for the model: never 0 for "don't know". */
  costUsd: number | undefined;
  inputCostUsd: number | undefined;
  outputCostUsd: number | undefined;
  source: CostSource;
  /** Web searches' part of `costUsd` (neither input nor output); present when the call made any. */
  webSearchCostUsd?: number;
  /** What the cached reads saved against the uncached input price; present when priced. */
  cacheReadSavingsUsd?: number;
  /** What the cache writes cost above the uncached input price; present when priced. */
  cacheWritePremiumUsd?: number;
  /** Which price table priced the call (`genai-prices@0.1.8`, `…+tiers@2025-10-01`, `override`). */
  priceVersion?: string;
  /** Why the cost is unknown, when it is (`no flex price for gpt-4o-mini`). */
  unknownReason?: string;
}
