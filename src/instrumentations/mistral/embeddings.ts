import * as A from '../../semconv.js';
import type { CallMapping } from '../wrap-call.js';
import { requestAttributes, str } from '../request-attributes.js';
import { mistralEndpoint } from './chat-completions.js';
import { fromMistralUsage, type MistralUsage } from './mistral-usage.js';

interface EmbeddingParams {
  model?: string;
  inputs?: unknown;
  outputDimension?: number;
  encodingFormat?: string;
}

interface EmbeddingResponse {
  id?: string;
  model?: string;
  usage?: MistralUsage;
}

/** `embeddings.create`: input tokens only. */
export const embeddingsMapping: CallMapping<EmbeddingParams, EmbeddingResponse, never> = {
  describe(self, params) {
    return {
      operation: A.OP_EMBEDDINGS,
      ...mistralEndpoint(self),
      requestModel: str(params?.model),
      stream: false,
      attributes: requestAttributes([
        [A.ATTR_GEN_AI_REQUEST_ENCODING_FORMATS, params?.encodingFormat],
        ['gen_ai.embeddings.dimension.count', params?.outputDimension],
      ]),
    };
  },
  fromResult(response) {
    const usage = fromMistralUsage(response?.usage);
    return { responseModel: str(response?.model), responseId: str(response?.id), usage: usage ? { ...usage, output: 0 } : undefined };
  },
  accumulator() {
    throw new Error('embeddings do not stream');
  },
  inputMessages: (params) => params?.inputs,
};
