import { SpanKind, SpanStatusCode, context, diag, type Attributes } from '@opentelemetry/api';
import { setUsageContext, type UsageContext } from '../context/usage-context.js';
import { normaliseServiceTier } from '../prices/service-tier.js';
import * as A from '../semconv.js';
import { manualTracer } from './manual-tracer.js';

/** The billed dimensions beyond input/output, for `recordUsage` and `trackCall`'s `extractUsage`. */
export interface BilledParts {
  /** Part of `cacheWriteTokens` written with a 1-hour TTL. */
  cacheWrite1hTokens?: number;
  /** Parts of `inputTokens` / `outputTokens` in audio or images. */
  audioInputTokens?: number;
  audioOutputTokens?: number;
  imageInputTokens?: number;
  imageOutputTokens?: number;
  /** Server-side web searches. */
  webSearchRequests?: number;
  /** The tier the provider served: `default` (or `standard`), `flex`, `priority`, `batch`, `scale`. */
  serviceTier?: string;
}

/** A call made without an instrumented SDK. Token counts follow semconv: `inputTokens` includes cached ones. */
export interface ManualUsage extends UsageContext, BilledParts {
  provider: string;
  model: string;
  /** Default `chat`. */
  operation?: string;
  inputTokens?: number;
  outputTokens?: number;
  /** Part of `inputTokens`. */
  cacheReadTokens?: number;
  /** Part of `inputTokens`. */
  cacheWriteTokens?: number;
  /** Part of `outputTokens`. */
  reasoningTokens?: number;
  durationMs?: number;
  /** The call failed: an error, or its type name. */
  error?: unknown;
  /** A cost you know (e.g. from the provider's bill); wins over the price table. */
  costUsd?: number;
  responseModel?: string;
  streaming?: boolean;
  timeToFirstTokenMs?: number;
}

/**
 * Records one LLM call as a GenAI span, so it reaches metrics, listeners and the store
 * exactly like an instrumented one. Never throws; bad fields are logged and left out.
 */
export function recordUsage(usage: ManualUsage): void {
  try {
    const end = Date.now();
    const duration = nonNegative(usage.durationMs, 'durationMs') ?? 0;
    const operation = usage.operation ?? A.OP_CHAT;
    const attributes: Attributes = {
      [A.ATTR_GEN_AI_OPERATION_NAME]: operation,
      [A.ATTR_GEN_AI_PROVIDER_NAME]: usage.provider,
      [A.ATTR_GEN_AI_SYSTEM]: usage.provider,
      [A.ATTR_GEN_AI_REQUEST_MODEL]: usage.model,
      [A.ATTR_GEN_AI_RESPONSE_MODEL]: usage.responseModel ?? usage.model,
    };
    const counts: Array<[string, number | undefined, string]> = [
      [A.ATTR_GEN_AI_USAGE_INPUT_TOKENS, usage.inputTokens, 'inputTokens'],
      [A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, usage.outputTokens, 'outputTokens'],
      [A.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, usage.cacheReadTokens, 'cacheReadTokens'],
      [A.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, usage.cacheWriteTokens, 'cacheWriteTokens'],
      [A.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, usage.reasoningTokens, 'reasoningTokens'],
      [A.ATTR_USAGE_CACHE_WRITE_1H_INPUT_TOKENS, usage.cacheWrite1hTokens, 'cacheWrite1hTokens'],
      [A.ATTR_USAGE_AUDIO_INPUT_TOKENS, usage.audioInputTokens, 'audioInputTokens'],
      [A.ATTR_USAGE_AUDIO_OUTPUT_TOKENS, usage.audioOutputTokens, 'audioOutputTokens'],
      [A.ATTR_USAGE_IMAGE_INPUT_TOKENS, usage.imageInputTokens, 'imageInputTokens'],
      [A.ATTR_USAGE_IMAGE_OUTPUT_TOKENS, usage.imageOutputTokens, 'imageOutputTokens'],
      [A.ATTR_USAGE_WEB_SEARCH_REQUESTS, usage.webSearchRequests, 'webSearchRequests'],
    ];
    for (const [key, value, name] of counts) {
      const n = nonNegative(value, name);
      if (n !== undefined) attributes[key] = Math.round(n);
    }
    const cost = nonNegative(usage.costUsd, 'costUsd');
    if (cost !== undefined) {
      attributes[A.ATTR_COST_USD] = cost;
      attributes[A.ATTR_COST_SOURCE] = 'provider';
    }
    const tier = normaliseServiceTier(usage.serviceTier);
    if (tier) attributes[A.ATTR_SERVICE_TIER] = tier;
    if (usage.streaming) attributes[A.ATTR_GEN_AI_REQUEST_STREAM] = true;
    const ttft = nonNegative(usage.timeToFirstTokenMs, 'timeToFirstTokenMs');
    if (ttft !== undefined) attributes[A.ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = ttft / 1000;

    const ctx = setUsageContext(context.active(), usage);
    const span = manualTracer().startSpan(`${operation} ${usage.model}`, { kind: SpanKind.CLIENT, attributes, startTime: end - duration }, ctx);
    if (usage.error !== undefined && usage.error !== null && usage.error !== false) {
      const type = typeof usage.error === 'string' ? usage.error : ((usage.error as Error)?.constructor?.name ?? 'Error');
      span.setAttribute(A.ATTR_ERROR_TYPE, type);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (usage.error as Error)?.message ?? type });
    }
    span.end(end);
  } catch (err) {
    diag.error('genai-usage: recordUsage failed', err);
  }
}

function nonNegative(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    diag.warn(`genai-usage: recordUsage ${name} must be a non-negative number, got ${String(value)}; ignored`);
    return undefined;
  }
  return value;
}
