/**
 * One LLM call, as stored and as handed to `onUsage` listeners.
 * The column names of the SQL schema are the snake_case forms of these fields.
 */
export interface UsageRecord {
  /** Unique per span (`${traceId}-${spanId}`): writes are idempotent. */
  id: string;
  traceId: string;
  spanId: string;
  /** When the call started, UTC. */
  recordedAt: Date;
  durationMs: number;
  serviceName: string | undefined;
  /** `gen_ai.provider.name` (falls back to the older `gen_ai.system`). */
  provider: string;
  /** `gen_ai.operation.name`: chat, text_completion, embeddings, generate_content, ... */
  operation: string;
  requestModel: string | undefined;
  responseModel: string | undefined;
  userId: string | undefined;
  agentName: string | undefined;
  /** Agent hand-offs, outermost first, joined by ` > `. */
  handoffChain: string | undefined;
  /** The usage context's `group` (a team, tenant or cost centre). */
  group: string | undefined;
  sessionId: string | undefined;
  conversationId: string | undefined;
  /** All input tokens, cached ones included. */
  inputTokens: number;
  /** All output tokens, reasoning ones included. */
  outputTokens: number;
  totalTokens: number;
  /** Part of `inputTokens`. */
  cacheReadTokens: number;
  /** Part of `inputTokens`. */
  cacheWriteTokens: number;
  /** Part of `outputTokens`. */
  reasoningTokens: number;
  /** Part of `cacheWriteTokens` written with a 1-hour TTL (billed at its own rate). */
  cacheWrite1hTokens: number;
  /** Parts of `inputTokens` / `outputTokens` in audio or images, billed at their own rates. */
  audioInputTokens: number;
  audioOutputTokens: number;
  imageInputTokens: number;
  imageOutputTokens: number;
  /** Server-side web searches, billed per use (not tokens). */
  webSearchRequests: number;
  /** The service tier the provider served: `default`, `flex`, `priority`, `batch`, `scale`; undefined when not reported. */
  serviceTier: string | undefined;
  /** Undefined when the price is unknown: never 0 for "don't know". */
  costUsd: number | undefined;
  costSource: CostSource;
  /**
   * What the cached reads saved against the same tokens at the uncached input rate (USD, >= 0).
   * Undefined when the cost is unknown or was not priced by genai-usage (a provider-reported cost).
   */
  cacheReadSavingsUsd: number | undefined;
  /** What cache writes cost above the same tokens at the uncached input rate (USD); undefined as above. */
  cacheWritePremiumUsd: number | undefined;
  /** Which price table priced the call (`genai-prices@0.1.8+tiers@2026-11-01`, `override`); undefined when unpriced. */
  priceVersion: string | undefined;
  /** True when token counts were estimated with a tokenizer (stream without usage). */
  usageEstimated: boolean;
  success: boolean;
  errorType: string | undefined;
  finishReason: string | undefined;
  streaming: boolean;
  timeToFirstTokenMs: number | undefined;
  tags: Record<string, string>;
}

/** Where a cost came from, most trusted first. */
export type CostSource = 'provider' | 'override' | 'table' | 'unknown';
