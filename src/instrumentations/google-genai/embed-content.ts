import * as A from '../../semconv.js';
import type { CallUsage } from '../call-outcome.js';
import type { CallMapping } from '../wrap-call.js';
import { num, requestAttributes } from '../request-attributes.js';
import { genaiEndpoint, modelId } from './genai-client.js';
import type { GeminiUsageMetadata } from './usage-metadata.js';

interface EmbedContentParams {
  model?: string;
  contents?: unknown;
  config?: { outputDimensionality?: number; taskType?: string };
}

interface EmbedContentResponse {
  embeddings?: Array<{ statistics?: { tokenCount?: number } }>;
  usageMetadata?: GeminiUsageMetadata;
}

/**
 * `Models.embedContentInternal`: input tokens only, from `usageMetadata.promptTokenCount`, or
 * on Vertex AI's predict endpoint from each embedding's `statistics.tokenCount`. Older Gemini
 * API responses carry neither: the call is then recorded without usage (its cost unknown).
 */
export const embedContentMapping: CallMapping<EmbedContentParams, EmbedContentResponse, never> = {
  describe(self, params) {
    return {
      operation: A.OP_EMBEDDINGS,
      ...genaiEndpoint(self),
      requestModel: modelId(params?.model),
      stream: false,
      attributes: requestAttributes([['gen_ai.embeddings.dimension.count', params?.config?.outputDimensionality]]),
    };
  },
  fromResult(response) {
    return { usage: embeddingUsage(response) };
  },
  accumulator() {
    throw new Error('embedContent does not stream');
  },
  inputMessages: (params) => params?.contents,
};

function embeddingUsage(response: EmbedContentResponse | undefined): CallUsage | undefined {
  const prompt = num(response?.usageMetadata?.promptTokenCount);
  if (prompt !== undefined) return { input: prompt, output: 0 };
  const embeddings = response?.embeddings;
  if (!Array.isArray(embeddings)) return undefined;
  let total = 0;
  let counted = false;
  for (const e of embeddings) {
    const n = num(e?.statistics?.tokenCount);
    if (n !== undefined) {
      total += n;
      counted = true;
    }
  }
  return counted ? { input: total, output: 0 } : undefined;
}
