import type { CallUsage } from '../call-outcome.js';

/**
 * Anthropic's usage block (Messages and beta Messages, on Anthropic, Bedrock and Vertex):
 * `input_tokens` EXCLUDES cache reads and writes (semconv input includes them).
 */
export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  /** The cache write split by TTL; both parts sum to `cache_creation_input_tokens`. */
  cache_creation?: { ephemeral_5m_input_tokens?: number | null; ephemeral_1h_input_tokens?: number | null } | null;
  /** Thinking tokens, a part of `output_tokens` (newer API versions). */
  output_tokens_details?: { thinking_tokens?: number | null } | null;
  server_tool_use?: { web_search_requests?: number | null; web_fetch_requests?: number | null } | null;
  service_tier?: string | null;
}

/** Semconv usage from a complete usage block, with `output` given (a stream's final count). */
export function fromAnthropicUsage(usage: AnthropicUsage | undefined | null, output: number | null | undefined): CallUsage | undefined {
  const base = inputUsage(usage);
  if (!base || typeof output !== 'number') return undefined;
  const out: CallUsage = { ...base, output };
  const reasoning = usage?.output_tokens_details?.thinking_tokens;
  if (typeof reasoning === 'number') out.reasoning = reasoning;
  const searches = usage?.server_tool_use?.web_search_requests;
  if (typeof searches === 'number' && searches > 0) out.webSearchRequests = searches;
  return out;
}

/** The input side alone: known from a stream's `message_start` before any output. */
export function inputUsage(usage: AnthropicUsage | undefined | null): Omit<CallUsage, 'output'> | undefined {
  if (!usage || typeof usage.input_tokens !== 'number') return undefined;
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const split = usage.cache_creation;
  const write5m = split?.ephemeral_5m_input_tokens ?? 0;
  const write1h = split?.ephemeral_1h_input_tokens ?? 0;
  // The total wins; the split stands in only when the total is missing.
  const cacheWrite = usage.cache_creation_input_tokens ?? write5m + write1h;
  const out: Omit<CallUsage, 'output'> = { input: usage.input_tokens + cacheRead + cacheWrite, cacheRead, cacheWrite };
  if (write1h > 0) out.cacheWrite1h = Math.min(write1h, cacheWrite);
  return out;
}

/**
 * A stream's usage so far: `message_start` carries the first counts, each `message_delta` the
 * cumulative ones. Numbers in a delta override the start's; objects (server tool use, the
 * cache split) too when the delta has them.
 */
export function mergeUsage(start: AnthropicUsage | undefined, delta: AnthropicUsage | undefined): AnthropicUsage {
  const merged: Record<string, unknown> = { ...start };
  if (delta) for (const [key, value] of Object.entries(delta)) if (value !== null && value !== undefined) merged[key] = value;
  return merged as AnthropicUsage;
}
