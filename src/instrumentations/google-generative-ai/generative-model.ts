import * as A from '../../semconv.js';
import type { CallOutcome } from '../call-outcome.js';
import type { LlmCallSpec } from '../llm-call.js';
import type { CallMapping } from '../wrap-call.js';
import { num, requestAttributes, serverOf, str } from '../request-attributes.js';
import { modelId } from '../google-genai/genai-client.js';
import { fromUsageMetadata, servedTier, type GeminiUsageMetadata } from '../google-genai/usage-metadata.js';

const DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';

interface GenerationConfig {
  temperature?: number;
  topP?: number;
  topK?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  candidateCount?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
}

/** A `GenerativeModel` or a `ChatSession` (the model name, its defaults, its request options). */
interface ModelLike {
  model?: string;
  generationConfig?: GenerationConfig;
  params?: { generationConfig?: GenerationConfig };
  _requestOptions?: { baseUrl?: string };
}

interface GenerateContentResponse {
  responseId?: string;
  modelVersion?: string;
  candidates?: Array<{ finishReason?: string; content?: { role?: string; parts?: unknown[] } }>;
  usageMetadata?: GeminiUsageMetadata;
  promptFeedback?: { blockReason?: string };
}

/** `generateContent` resolves to `{ response }`; the streamed calls to `{ stream, response }`. */
interface Result {
  response?: GenerateContentResponse | PromiseLike<GenerateContentResponse>;
}

function describe(self: unknown, request: unknown, stream: boolean, operation: string): LlmCallSpec {
  const model = self as ModelLike | undefined;
  const own = (request !== null && typeof request === 'object' && !Array.isArray(request) ? (request as { generationConfig?: GenerationConfig }).generationConfig : undefined) ?? {};
  const config: GenerationConfig = { ...(model?.generationConfig ?? model?.params?.generationConfig), ...own };
  const server = serverOf(model?._requestOptions?.baseUrl ?? DEFAULT_BASE_URL);
  return {
    operation,
    provider: 'gcp.gemini',
    serverAddress: server?.host,
    serverPort: server?.port,
    requestModel: modelId(model?.model),
    stream,
    maxOutputTokens: num(config.maxOutputTokens),
    attributes:
      operation === A.OP_EMBEDDINGS
        ? {}
        : requestAttributes([
            [A.ATTR_GEN_AI_REQUEST_TEMPERATURE, config.temperature],
            [A.ATTR_GEN_AI_REQUEST_TOP_P, config.topP],
            [A.ATTR_GEN_AI_REQUEST_TOP_K, config.topK],
            [A.ATTR_GEN_AI_REQUEST_MAX_TOKENS, config.maxOutputTokens],
            [A.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES, config.stopSequences],
            [A.ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY, config.presencePenalty],
            [A.ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY, config.frequencyPenalty],
            [A.ATTR_GEN_AI_REQUEST_CHOICE_COUNT, config.candidateCount === 1 ? undefined : config.candidateCount],
          ]),
  };
}

function fromResponse(response: GenerateContentResponse | undefined): CallOutcome {
  const finish: string[] = [];
  for (const c of response?.candidates ?? []) if (typeof c?.finishReason === 'string') finish.push(c.finishReason);
  if (finish.length === 0 && typeof response?.promptFeedback?.blockReason === 'string') finish.push(response.promptFeedback.blockReason);
  return {
    responseModel: str(response?.modelVersion),
    responseId: str(response?.responseId),
    finishReasons: finish.length ? finish : undefined,
    usage: fromUsageMetadata(response?.usageMetadata),
    serviceTier: servedTier(response?.usageMetadata),
  };
}

const notStreamed = () => {
  throw new Error('observed through its response promise');
};

/** `generateContent` and `ChatSession.sendMessage`: `{ response }`, already complete. */
export const generateContentMapping: CallMapping<unknown, Result, never> = {
  describe: (self, request) => describe(self, request, false, A.OP_GENERATE_CONTENT),
  fromResult: (result) => fromResponse(result?.response as GenerateContentResponse | undefined),
  accumulator: notStreamed,
  inputMessages: (request) => request,
  outputMessages: (result) => (result?.response as GenerateContentResponse | undefined)?.candidates?.map((c) => ({ role: c.content?.role ?? 'model', parts: c.content?.parts ?? [], finish_reason: c.finishReason })),
};

/**
 * `generateContentStream` and `ChatSession.sendMessageStream`: `{ stream, response }`. The SDK
 * tees the HTTP stream: `response` resolves with the aggregated response (the last usage)
 * whether or not the app reads `stream`, so the call ends when it settles. (No time to first
 * chunk: the app may never iterate `stream`.)
 */
export const generateContentStreamMapping: CallMapping<unknown, GenerateContentResponse, never> = {
  describe: (self, request) => describe(self, request, true, A.OP_GENERATE_CONTENT),
  settled: (result) => (result as { response?: PromiseLike<unknown> } | undefined)?.response,
  fromResult: fromResponse,
  accumulator: notStreamed,
  inputMessages: (request) => request,
};

/** `embedContent` / `batchEmbedContents`: this SDK's responses carry no token counts (cost unknown). */
export const embedMapping: CallMapping<unknown, unknown, never> = {
  describe: (self, request) => describe(self, request, false, A.OP_EMBEDDINGS),
  fromResult: () => ({}),
  accumulator: notStreamed,
};
