import type { CostSource } from '../usage/usage-record.js';

/** A user price: USD per 1,000,000 tokens. Cache prices default to the input price. */
export interface TokenPrices {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

/** Token counts of one call, semconv style: cache parts of input, reasoning part of output. */
export interface CallTokens {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

export interface CostEstimate {
  /** Undefined when no price is known for the model: never 0 for "don't know". */
  costUsd: number | undefined;
  inputCostUsd: number | undefined;
  outputCostUsd: number | undefined;
  source: CostSource;
}
