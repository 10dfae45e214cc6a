import * as A from '../../semconv.js';
import type { CallMapping } from '../wrap-call.js';
import { requestAttributes, str } from '../request-attributes.js';
import { openAiEndpoint } from './openai-client.js';

interface EmbeddingsParams {
  model?: string;
  input?: unknown;
  encoding_format?: string;
  dimensions?: number;
}

interface EmbeddingsResult {
  model?: string;
  data?: Array<{ embedding?: unknown }>;
  usage?: { prompt_tokens?: number; cost?: number } | null;
}

/** `embeddings.create`: input tokens only. */
export const embeddingsMapping: CallMapping<EmbeddingsParams, EmbeddingsResult, never> = {
  describe(self, params) {
    return {
      operation: A.OP_EMBEDDINGS,
      ...openAiEndpoint(self),
      requestModel: str(params?.model),
      stream: false,
      attributes: requestAttributes([
        [A.ATTR_GEN_AI_REQUEST_ENCODING_FORMATS, params?.encoding_format],
        ['gen_ai.embeddings.dimension.count', params?.dimensions],
      ]),
    };
  },
  fromResult(result) {
    const prompt = result?.usage?.prompt_tokens;
    const cost = result?.usage?.cost;
    return {
      responseModel: str(result?.model),
      usage: typeof prompt === 'number' ? { input: prompt, output: 0 } : undefined,
      providerCostUsd: typeof cost === 'number' ? cost : undefined,
    };
  },
  accumulator() {
    throw new Error('embeddings do not stream');
  },
  inputMessages: (params) => params?.input,
};
