import type { Attributes } from '@opentelemetry/api';
import * as A from '../../semconv.js';
import type { CallOutcome, CallUsage, StreamAccumulator } from '../call-outcome.js';
import { num, str } from '../request-attributes.js';

/**
 * Bedrock's `TokenUsage` (Converse, ConverseStream metadata; Nova's InvokeModel bodies use the
 * same names, or `cacheReadInputTokenCount` / `cacheWriteInputTokenCount`). AWS's prompt-caching
 * guide: `inputTokens` counts only the tokens that were neither read from nor written to the
 * cache; total input = inputTokens + cacheReadInputTokens + cacheWriteInputTokens.
 */
export interface BedrockTokenUsage {
  inputTokens?: unknown;
  outputTokens?: unknown;
  cacheReadInputTokens?: unknown;
  cacheWriteInputTokens?: unknown;
  cacheReadInputTokenCount?: unknown;
  cacheWriteInputTokenCount?: unknown;
  /** Cache writes by TTL (`5m`, `1h`), parts of `cacheWriteInputTokens`. */
  cacheDetails?: unknown;
}

interface ResponseTier {
  serviceTier?: { type?: unknown } | null;
  performanceConfig?: { latency?: unknown } | null;
}

export interface ConverseResult extends ResponseTier {
  output?: { message?: { content?: unknown } };
  stopReason?: unknown;
  usage?: BedrockTokenUsage;
  metrics?: { latencyMs?: unknown };
}

export interface ConverseStreamEvent {
  contentBlockDelta?: { delta?: { text?: unknown; reasoningContent?: { text?: unknown }; toolUse?: { input?: unknown } } };
  messageStop?: { stopReason?: unknown };
  metadata?: ResponseTier & { usage?: BedrockTokenUsage; metrics?: { latencyMs?: unknown } };
}

/** Semconv usage from Bedrock's counts: input gains the cache parts; undefined without both counts. */
export function fromBedrockUsage(usage: BedrockTokenUsage | null | undefined): CallUsage | undefined {
  const input = count(usage?.inputTokens);
  const output = count(usage?.outputTokens);
  if (input === undefined || output === undefined) return undefined;
  const cacheRead = count(usage!.cacheReadInputTokens) ?? count(usage!.cacheReadInputTokenCount) ?? 0;
  const cacheWrite = count(usage!.cacheWriteInputTokens) ?? count(usage!.cacheWriteInputTokenCount) ?? 0;
  const result: CallUsage = { input: input + cacheRead + cacheWrite, output, cacheRead, cacheWrite };
  const oneHour = oneHourWrites(usage!.cacheDetails);
  if (oneHour > 0) result.cacheWrite1h = Math.min(oneHour, cacheWrite);
  return result;
}

function oneHourWrites(details: unknown): number {
  if (!Array.isArray(details)) return 0;
  let total = 0;
  for (const d of details.slice(0, 8)) {
    const entry = d as { ttl?: unknown; inputTokens?: unknown } | null;
    if (entry?.ttl === '1h') total += count(entry.inputTokens) ?? 0;
  }
  return total;
}

/**
 * The tier the response says served the call. Latency-optimized inference has its own price
 * list, so it is carried as the tier `latency_optimized` (no table price: unknown, never the
 * standard rate once tiers are priced).
 */
export function servedTier(response: ResponseTier | null | undefined): string | undefined {
  if (response?.performanceConfig?.latency === 'optimized') return 'latency_optimized';
  return str(response?.serviceTier?.type);
}

/** Bedrock's own measure of the call (`metrics.latencyMs`), as a span attribute. */
export function latencyAttributes(metrics: { latencyMs?: unknown } | null | undefined): Attributes | undefined {
  const ms = num(metrics?.latencyMs);
  return ms !== undefined && ms >= 0 ? { [A.ATTR_PROVIDER_LATENCY_MS]: ms } : undefined;
}

export function converseOutcome(result: ConverseResult | undefined): CallOutcome {
  const stop = str(result?.stopReason);
  return {
    finishReasons: stop ? [stop] : undefined,
    usage: fromBedrockUsage(result?.usage),
    serviceTier: servedTier(result),
    attributes: latencyAttributes(result?.metrics),
  };
}

/** ConverseStream events, and Amazon Nova's InvokeModelWithResponseStream chunks (the same names). */
export class ConverseStreamAccumulator implements StreamAccumulator<ConverseStreamEvent> {
  #outcome: CallOutcome = {};
  #text: string[] = [];
  #ended = false;
  readonly #signal: { readonly aborted?: boolean } | undefined;

  constructor(signal?: { readonly aborted?: boolean }) {
    this.#signal = signal;
  }

  add(event: ConverseStreamEvent): boolean {
    const delta = event?.contentBlockDelta?.delta;
    if (delta) {
      const piece = delta.text ?? delta.reasoningContent?.text ?? delta.toolUse?.input;
      if (typeof piece === 'string') this.#text.push(piece);
      return true;
    }
    const stop = str(event?.messageStop?.stopReason);
    if (stop) this.#outcome.finishReasons = [stop];
    const metadata = event?.metadata;
    if (event?.messageStop || metadata) this.#ended = true;
    if (metadata) {
      this.#outcome.usage = fromBedrockUsage(metadata.usage) ?? this.#outcome.usage;
      this.#outcome.serviceTier = servedTier(metadata) ?? this.#outcome.serviceTier;
      this.#outcome.attributes = latencyAttributes(metadata.metrics) ?? this.#outcome.attributes;
    }
    return false;
  }

  outcome(): CallOutcome {
    return { ...this.#outcome };
  }

  outputText(): string {
    return this.#text.join('');
  }

  incompleteError(): unknown {
    return this.#ended ? undefined : incompleteStreamError(this.#signal);
  }
}

/** What a stream that stopped before its final event failed of: the app's abort, else a cut connection. */
export function incompleteStreamError(signal: { readonly aborted?: boolean } | undefined): { name: string; message: string } {
  return signal?.aborted
    ? { name: 'AbortError', message: 'The request was aborted while streaming.' }
    : { name: 'IncompleteStreamError', message: 'The stream ended before its final event.' };
}

/** A token count: a non-negative safe integer; anything else is no count. */
export function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
