import * as A from '../../semconv.js';
import type { CallOutcome, StreamAccumulator } from '../call-outcome.js';
import type { LlmCallSpec } from '../llm-call.js';
import type { CallMapping } from '../wrap-call.js';
import { num, requestAttributes, str } from '../request-attributes.js';
import { genaiEndpoint, modelId } from './genai-client.js';
import { fromUsageMetadata, servedTier, type GeminiUsageMetadata } from './usage-metadata.js';

interface GenerateContentConfig {
  temperature?: number;
  topP?: number;
  topK?: number;
  candidateCount?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  presencePenalty?: number;
  frequencyPenalty?: number;
  seed?: number;
  systemInstruction?: unknown;
}

interface GenerateContentParams {
  model?: string;
  contents?: unknown;
  config?: GenerateContentConfig;
}

interface Part {
  text?: string;
  thought?: boolean;
  functionCall?: unknown;
  inlineData?: unknown;
  executableCode?: unknown;
}

interface Candidate {
  content?: { role?: string; parts?: Part[] };
  finishReason?: string;
}

interface GenerateContentResponse {
  responseId?: string;
  modelVersion?: string;
  candidates?: Candidate[];
  usageMetadata?: GeminiUsageMetadata;
  /** Set when the prompt itself was blocked: no candidates then. */
  promptFeedback?: { blockReason?: string };
}

function describe(self: unknown, params: GenerateContentParams | undefined, stream: boolean): LlmCallSpec {
  const config = params?.config;
  return {
    operation: A.OP_GENERATE_CONTENT,
    ...genaiEndpoint(self),
    requestModel: modelId(params?.model),
    stream,
    maxOutputTokens: num(config?.maxOutputTokens),
    attributes: requestAttributes([
      [A.ATTR_GEN_AI_REQUEST_TEMPERATURE, config?.temperature],
      [A.ATTR_GEN_AI_REQUEST_TOP_P, config?.topP],
      [A.ATTR_GEN_AI_REQUEST_TOP_K, config?.topK],
      [A.ATTR_GEN_AI_REQUEST_MAX_TOKENS, config?.maxOutputTokens],
      [A.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES, config?.stopSequences],
      [A.ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY, config?.presencePenalty],
      [A.ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY, config?.frequencyPenalty],
      [A.ATTR_GEN_AI_REQUEST_SEED, config?.seed],
      [A.ATTR_GEN_AI_REQUEST_CHOICE_COUNT, config?.candidateCount === 1 ? undefined : config?.candidateCount],
    ]),
  };
}

function fromResponse(response: GenerateContentResponse | undefined): CallOutcome {
  return {
    responseModel: str(response?.modelVersion),
    responseId: str(response?.responseId),
    finishReasons: finishReasons(response),
    usage: fromUsageMetadata(response?.usageMetadata),
    serviceTier: servedTier(response?.usageMetadata),
  };
}

function finishReasons(response: GenerateContentResponse | undefined): string[] | undefined {
  const out: string[] = [];
  const candidates = response?.candidates;
  if (Array.isArray(candidates)) for (const c of candidates) if (typeof c?.finishReason === 'string') out.push(c.finishReason);
  const blocked = response?.promptFeedback?.blockReason;
  if (out.length === 0 && typeof blocked === 'string') out.push(blocked);
  return out.length ? out : undefined;
}

const inputMessages = (params: GenerateContentParams | undefined) => ({ system: params?.config?.systemInstruction, contents: params?.contents });
const outputMessages = (response: GenerateContentResponse | undefined) =>
  response?.candidates?.map((c) => ({ role: c.content?.role ?? 'model', parts: c.content?.parts ?? [], finish_reason: c.finishReason }));

/** `Models.generateContentInternal`: one HTTP request (what `generateContent`, chats and each automatic continuation or function-calling turn send). */
export const generateContentMapping: CallMapping<GenerateContentParams, GenerateContentResponse, never> = {
  describe: (self, params) => describe(self, params, false),
  fromResult: fromResponse,
  accumulator() {
    throw new Error('generateContent does not stream');
  },
  inputMessages,
  outputMessages,
};

/** `Models.generateContentStreamInternal`: one streamed request (`?alt=sse`). */
export const generateContentStreamMapping: CallMapping<GenerateContentParams, unknown, GenerateContentResponse> = {
  describe: (self, params) => describe(self, params, true),
  fromResult: () => ({}),
  accumulator: () => new GenerateContentStreamAccumulator(),
  inputMessages,
};

/**
 * Each streamed chunk carries `usageMetadata` as a running total, not a delta: the last one
 * wins. A stream that ends before a finish reason arrived (an early break) keeps the provider's
 * running count but is marked estimated, since tokens generated after it may still be billed.
 */
class GenerateContentStreamAccumulator implements StreamAccumulator<GenerateContentResponse> {
  #last: GeminiUsageMetadata | undefined;
  #tier: string | undefined;
  #responseId: string | undefined;
  #model: string | undefined;
  #finish: string[] = [];
  #text: string[] = [];

  add(chunk: GenerateContentResponse): boolean {
    const usage = chunk.usageMetadata;
    if (usage) {
      // Vertex AI's first chunks may carry only the traffic type: keep the last one with counts.
      if (usage.promptTokenCount !== undefined || usage.candidatesTokenCount !== undefined) this.#last = usage;
      this.#tier = servedTier(usage) ?? this.#tier;
    }
    this.#responseId ??= str(chunk.responseId);
    this.#model ??= str(chunk.modelVersion);
    let content = false;
    const candidates = chunk.candidates;
    if (Array.isArray(candidates)) {
      for (const candidate of candidates) {
        if (typeof candidate?.finishReason === 'string') this.#finish.push(candidate.finishReason);
        const parts = candidate?.content?.parts;
        if (!Array.isArray(parts)) continue;
        for (const part of parts) {
          if (typeof part?.text === 'string' && part.text !== '') {
            this.#text.push(part.text);
            content = true;
          } else if (part?.functionCall || part?.inlineData || part?.executableCode) content = true;
        }
      }
    }
    const blocked = chunk.promptFeedback?.blockReason;
    if (typeof blocked === 'string' && this.#finish.length === 0) this.#finish.push(blocked);
    return content;
  }

  outcome(): CallOutcome {
    const usage = fromUsageMetadata(this.#last);
    if (usage && this.#finish.length === 0) usage.estimated = true;
    return {
      responseModel: this.#model,
      responseId: this.#responseId,
      finishReasons: this.#finish.length ? [...this.#finish] : undefined,
      usage,
      serviceTier: this.#tier,
    };
  }

  outputText(): string {
    return this.#text.join('');
  }
}
