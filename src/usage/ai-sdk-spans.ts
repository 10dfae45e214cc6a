import type { AttributeValue } from '@opentelemetry/api';
import { lazyOwnModule } from '../setup/load-own.js';
import * as A from '../semconv.js';
import type { SpanLike } from './span-like.js';

// Gemini's usage metadata reader, for AI SDK spans of Google providers only (the call
// detector, which needs none of it, loads at every start).
const usageMetadata = lazyOwnModule(new URL('../instrumentations/google-genai/usage-metadata.js', import.meta.url), () => import('../instrumentations/google-genai/usage-metadata.js'));

/**
 * What the Vercel AI SDK's own spans say beyond the GenAI conventions: ai 5's
 * `experimental_telemetry` (and ai 7's legacy integration) name the provider call
 * `ai.<fn>.doGenerate`, `.doStream` or `.doEmbed` and put part of the usage under `ai.usage.*`;
 * ai 7 with `@ai-sdk/otel` writes semconv attributes and needs none of this.
 */
type Attrs = SpanLike['attributes'];

const OPERATION_ID = 'ai.operationId';

/** The `ai.usage.*` counts this module reads (the collector bounds them like the semconv ones). */
export const AI_SDK_TOKEN_ATTRIBUTES = ['ai.usage.tokens', 'ai.usage.inputTokens', 'ai.usage.outputTokens', 'ai.usage.totalTokens', 'ai.usage.cachedInputTokens', 'ai.usage.reasoningTokens'] as const;
/** More than any model's context in one call: a corrupt value, not usage. */
const MAX_TOKENS = 100_000_000;
const MAX_METADATA_CHARS = 64 * 1024;

/** `embeddings` for a `doEmbed` span, `chat` for `doGenerate`/`doStream`, else undefined (outer spans are no calls). */
export function aiSdkOperation(attrs: Attrs): string | undefined {
  const id = attrs[OPERATION_ID];
  if (typeof id !== 'string') return undefined;
  if (id.endsWith('.doEmbed')) return A.OP_EMBEDDINGS;
  if (id.endsWith('.doGenerate') || id.endsWith('.doStream')) return A.OP_CHAT;
  return undefined;
}

export function aiSdkStreaming(attrs: Attrs): boolean {
  const id = attrs[OPERATION_ID];
  return typeof id === 'string' && id.endsWith('.doStream');
}

/** Milliseconds from the request to the first chunk (`ai.response.msToFirstChunk`). */
export function aiSdkMsToFirstChunk(attrs: Attrs): number | undefined {
  const ms = attrs['ai.response.msToFirstChunk'];
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

export interface AiSdkTokens {
  input?: number;
  output?: number;
  cacheRead?: number;
  reasoning?: number;
}

/**
 * The usage parts an AI SDK span has only under its own names. The provider's own Gemini
 * usage (`ai.response.providerMetadata` → `google.usageMetadata`) wins: @ai-sdk/google 2.x
 * reports `outputTokens` without the thinking tokens Gemini bills as output. Otherwise, when
 * `ai.usage.totalTokens` shows reasoning beside output rather than inside it, it is added.
 */
export function aiSdkTokens(attrs: Attrs): AiSdkTokens | undefined {
  if (typeof attrs[OPERATION_ID] !== 'string') return undefined;
  const gemini = geminiUsage(attrs['ai.response.providerMetadata']);
  if (gemini) return { input: gemini.input, output: gemini.output, cacheRead: gemini.cacheRead, reasoning: gemini.reasoning };
  const out: AiSdkTokens = {};
  const embedded = count(attrs['ai.usage.tokens']);
  if (embedded !== undefined) out.input = embedded;
  const cacheRead = count(attrs['ai.usage.cachedInputTokens']);
  if (cacheRead !== undefined) out.cacheRead = cacheRead;
  const reasoning = count(attrs['ai.usage.reasoningTokens']);
  if (reasoning !== undefined) {
    out.reasoning = reasoning;
    const input = count(attrs[A.ATTR_GEN_AI_USAGE_INPUT_TOKENS]) ?? count(attrs['ai.usage.inputTokens']);
    const output = count(attrs[A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]) ?? count(attrs['ai.usage.outputTokens']);
    const total = count(attrs['ai.usage.totalTokens']);
    if (reasoning > 0 && input !== undefined && output !== undefined && total === input + output + reasoning) out.output = output + reasoning;
  }
  return out;
}

function geminiUsage(metadata: AttributeValue | undefined) {
  if (typeof metadata !== 'string' || metadata.length > MAX_METADATA_CHARS || !metadata.includes('usageMetadata')) return undefined;
  try {
    const parsed = JSON.parse(metadata) as { google?: { usageMetadata?: unknown }; vertex?: { usageMetadata?: unknown } };
    const usage = usageMetadata().fromUsageMetadata((parsed.google?.usageMetadata ?? parsed.vertex?.usageMetadata) as never);
    // Spans are hostile input too (the collector): whole, bounded counts or nothing.
    const sane = (n: number | undefined) => n === undefined || (Number.isSafeInteger(n) && n >= 0 && n <= MAX_TOKENS);
    return usage && [usage.input, usage.output, usage.cacheRead, usage.reasoning].every(sane) ? usage : undefined;
  } catch {
    return undefined;
  }
}

/** As in the mapping: OTLP JSON sends int64 values as strings. */
function count(value: AttributeValue | undefined): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
