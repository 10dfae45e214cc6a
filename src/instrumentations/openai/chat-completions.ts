import * as A from '../../semconv.js';
import type { CallOutcome, StreamAccumulator } from '../call-outcome.js';
import type { CallMapping } from '../wrap-call.js';
import { num, requestAttributes, str } from '../request-attributes.js';
import { fromOpenAiUsage, openAiEndpoint, requestedTier, servedTier, type OpenAiUsage } from './openai-client.js';

interface ChatParams {
  model?: string;
  messages?: unknown[];
  stream?: boolean;
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  stop?: string | string[];
  seed?: number;
  n?: number;
  service_tier?: string | null;
}

interface ChatChoice {
  finish_reason?: string | null;
  message?: { content?: string | null };
  delta?: { content?: string | null; tool_calls?: ToolCallDelta[] | null; refusal?: string | null };
}

/** A streamed tool call: the name comes once, the arguments in pieces. */
interface ToolCallDelta {
  function?: { name?: string | null; arguments?: string | null } | null;
}

interface ChatCompletion {
  id?: string;
  model?: string;
  choices?: ChatChoice[];
  usage?: OpenAiUsage | null;
  service_tier?: string | null;
}

/** `chat.completions.create`, plain and streamed (also what `.stream()` and `.parse()` call). */
export const chatCompletionsMapping: CallMapping<ChatParams, ChatCompletion, ChatCompletion> = {
  describe(self, params) {
    const maxTokens = params?.max_completion_tokens ?? params?.max_tokens;
    return {
      operation: A.OP_CHAT,
      ...openAiEndpoint(self),
      requestModel: str(params?.model),
      stream: params?.stream === true,
      maxOutputTokens: num(maxTokens),
      attributes: {
        ...requestAttributes([
          [A.ATTR_GEN_AI_REQUEST_TEMPERATURE, params?.temperature],
          [A.ATTR_GEN_AI_REQUEST_TOP_P, params?.top_p],
          [A.ATTR_GEN_AI_REQUEST_MAX_TOKENS, maxTokens],
          [A.ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY, params?.frequency_penalty],
          [A.ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY, params?.presence_penalty],
          [A.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES, params?.stop],
          [A.ATTR_GEN_AI_REQUEST_SEED, params?.seed],
          [A.ATTR_GEN_AI_REQUEST_CHOICE_COUNT, params?.n === 1 ? undefined : params?.n],
        ]),
        ...requestedTier(params?.service_tier),
      },
    };
  },
  fromResult(result) {
    return {
      responseModel: str(result?.model),
      responseId: str(result?.id),
      finishReasons: finishReasons(result?.choices),
      usage: fromOpenAiUsage(result?.usage),
      providerCostUsd: num(result?.usage?.cost),
      ...servedTier(result?.service_tier),
    };
  },
  accumulator: () => new ChatStreamAccumulator(),
  inputMessages: (params) => params?.messages,
  outputMessages: (result) => result?.choices?.map((c) => ({ role: 'assistant', content: c.message?.content ?? null, finish_reason: c.finish_reason })),
};

function finishReasons(choices: ChatChoice[] | undefined): string[] | undefined {
  if (!Array.isArray(choices)) return undefined;
  const out: string[] = [];
  for (const c of choices) if (typeof c.finish_reason === 'string') out.push(c.finish_reason);
  return out.length ? out : undefined;
}

class ChatStreamAccumulator implements StreamAccumulator<ChatCompletion> {
  #outcome: CallOutcome = {};
  #text: string[] = [];
  #finish: string[] = [];

  add(chunk: ChatCompletion): boolean {
    const o = this.#outcome;
    if (o.responseId === undefined && chunk.id) o.responseId = chunk.id;
    if (o.responseModel === undefined && chunk.model) o.responseModel = chunk.model;
    if (o.serviceTier === undefined && chunk.service_tier) Object.assign(o, servedTier(chunk.service_tier));
    if (chunk.usage) {
      o.usage = fromOpenAiUsage(chunk.usage);
      o.providerCostUsd = num(chunk.usage.cost);
    }
    let content = false;
    const choices = chunk.choices;
    if (choices) {
      for (let i = 0; i < choices.length; i++) {
        const c = choices[i]!;
        const delta = c.delta;
        if (delta) {
          if (delta.content) {
            this.#text.push(delta.content);
            content = true;
          } else if (delta.tool_calls) {
            // Tool calls are generated tokens too: without usage in the stream they are estimated.
            for (const call of delta.tool_calls) {
              const fn = call?.function;
              if (typeof fn?.name === 'string') this.#text.push(fn.name);
              if (typeof fn?.arguments === 'string') this.#text.push(fn.arguments);
            }
            content = true;
          } else if (delta.refusal) {
            this.#text.push(delta.refusal);
            content = true;
          }
        }
        if (c.finish_reason) this.#finish.push(c.finish_reason);
      }
    }
    return content;
  }

  outcome(): CallOutcome {
    return this.#finish.length ? { ...this.#outcome, finishReasons: this.#finish } : { ...this.#outcome };
  }

  outputText(): string {
    return this.#text.join('');
  }
}
