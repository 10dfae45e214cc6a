import type { CallUsage } from '../call-outcome.js';
import { num } from '../request-attributes.js';

/** Mistral's usage as the SDK hands it over: known fields camelCased, unknown ones passed through as sent. */
export interface MistralUsage {
  promptTokens?: number;
  completionTokens?: number;
  totalTokens?: number;
  /** `standard` | `priority`. */
  serviceTier?: string | null;
  /** Prompt caching: cached tokens are a part of `prompt_tokens`. */
  promptTokensDetails?: { cachedTokens?: number | null } | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
}

/** Semconv counts: `promptTokens` already includes cached tokens; reasoning is folded into `completionTokens`. */
export function fromMistralUsage(usage: MistralUsage | null | undefined): CallUsage | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const input = num(usage.promptTokens);
  if (input === undefined) return undefined;
  const out: CallUsage = { input, output: num(usage.completionTokens) ?? 0 };
  const cached = num(usage.promptTokensDetails?.cachedTokens) ?? num(usage.prompt_tokens_details?.cached_tokens);
  if (cached) out.cacheRead = cached;
  return out;
}
