import type { CallUsage } from '../call-outcome.js';
import { num } from '../request-attributes.js';

interface ModalityTokenCount {
  modality?: string;
  tokenCount?: number;
}

/** Gemini's `usageMetadata` (Gemini API and Vertex AI; generateContent and embedContent). */
export interface GeminiUsageMetadata {
  /** All prompt tokens, the cached ones included. */
  promptTokenCount?: number;
  cachedContentTokenCount?: number;
  /** Output tokens, thoughts EXCLUDED. */
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  /** Tool results (search grounding, code execution) fed back to the model: billed as input. */
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
  promptTokensDetails?: ModalityTokenCount[];
  toolUsePromptTokensDetails?: ModalityTokenCount[];
  candidatesTokensDetails?: ModalityTokenCount[];
  /** Gemini API only: `standard` | `flex` | `priority`. */
  serviceTier?: string;
  /** Vertex AI only: `ON_DEMAND`, `ON_DEMAND_PRIORITY`, `ON_DEMAND_FLEX`, `PROVISIONED_THROUGHPUT`, ... */
  trafficType?: string;
}

/**
 * Semconv counts from Gemini's usage: input = prompt (cached included) + tool-use prompt;
 * output = candidates + thoughts (Gemini bills thinking as output, and `candidatesTokenCount`
 * leaves it out); audio and image parts from the per-modality details.
 */
export function fromUsageMetadata(usage: GeminiUsageMetadata | null | undefined): CallUsage | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const prompt = num(usage.promptTokenCount);
  const candidates = num(usage.candidatesTokenCount);
  const thoughts = num(usage.thoughtsTokenCount) ?? 0;
  if (prompt === undefined && candidates === undefined) return undefined;
  const out: CallUsage = {
    input: (prompt ?? 0) + (num(usage.toolUsePromptTokenCount) ?? 0),
    output: (candidates ?? 0) + thoughts,
  };
  const cacheRead = num(usage.cachedContentTokenCount);
  if (cacheRead) out.cacheRead = cacheRead;
  if (thoughts) out.reasoning = thoughts;
  const inputDetails = [usage.promptTokensDetails, usage.toolUsePromptTokensDetails];
  setIfPositive(out, 'audioInput', modalityTokens(inputDetails, 'AUDIO'));
  setIfPositive(out, 'imageInput', modalityTokens(inputDetails, 'IMAGE'));
  setIfPositive(out, 'audioOutput', modalityTokens([usage.candidatesTokensDetails], 'AUDIO'));
  setIfPositive(out, 'imageOutput', modalityTokens([usage.candidatesTokensDetails], 'IMAGE'));
  return out;
}

/** The tier the provider served: the Gemini API says it; Vertex AI's traffic type implies it. */
export function servedTier(usage: GeminiUsageMetadata | null | undefined): string | undefined {
  if (!usage) return undefined;
  if (typeof usage.serviceTier === 'string' && usage.serviceTier !== 'unspecified') return usage.serviceTier;
  switch (usage.trafficType) {
    case 'ON_DEMAND':
      return 'standard';
    case 'ON_DEMAND_PRIORITY':
      return 'priority';
    case 'ON_DEMAND_FLEX':
      return 'flex';
    case 'PROVISIONED_THROUGHPUT':
      // Paid for by reservation, not per token: kept so pricing can say so rather than guess.
      return 'provisioned_throughput';
    default:
      return undefined;
  }
}

function modalityTokens(lists: ReadonlyArray<ModalityTokenCount[] | undefined>, modality: string): number {
  let total = 0;
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const entry of list) if (entry?.modality === modality) total += num(entry.tokenCount) ?? 0;
  }
  return total;
}

function setIfPositive(usage: CallUsage, key: 'audioInput' | 'imageInput' | 'audioOutput' | 'imageOutput', value: number): void {
  if (value > 0) usage[key] = value;
}
