import * as A from '../../semconv.js';
import type { CallOutcome, StreamAccumulator } from '../call-outcome.js';
import type { CallMapping } from '../wrap-call.js';
import { num, requestAttributes, str } from '../request-attributes.js';
import { fromOpenAiUsage, openAiEndpoint, type OpenAiUsage } from './openai-client.js';

interface CompletionParams {
  model?: string;
  prompt?: unknown;
  stream?: boolean;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  stop?: string | string[] | null;
  seed?: number;
  n?: number;
}

interface Completion {
  id?: string;
  model?: string;
  choices?: Array<{ text?: string; finish_reason?: string | null }>;
  usage?: OpenAiUsage | null;
}

/** Legacy `completions.create` (text in, text out), plain and streamed: operation `text_completion`. */
export const completionsMapping: CallMapping<CompletionParams, Completion, Completion> = {
  describe(self, params) {
    return {
      operation: A.OP_TEXT_COMPLETION,
      ...openAiEndpoint(self),
      requestModel: str(params?.model),
      stream: params?.stream === true,
      maxOutputTokens: num(params?.max_tokens),
      attributes: requestAttributes([
        [A.ATTR_GEN_AI_REQUEST_TEMPERATURE, params?.temperature],
        [A.ATTR_GEN_AI_REQUEST_TOP_P, params?.top_p],
        [A.ATTR_GEN_AI_REQUEST_MAX_TOKENS, params?.max_tokens],
        [A.ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY, params?.frequency_penalty],
        [A.ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY, params?.presence_penalty],
        [A.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES, params?.stop ?? undefined],
        [A.ATTR_GEN_AI_REQUEST_SEED, params?.seed],
        [A.ATTR_GEN_AI_REQUEST_CHOICE_COUNT, params?.n === 1 ? undefined : params?.n],
      ]),
    };
  },
  fromResult(result) {
    return {
      responseModel: str(result?.model),
      responseId: str(result?.id),
      finishReasons: finishReasons(result?.choices),
      usage: fromOpenAiUsage(result?.usage),
      providerCostUsd: num(result?.usage?.cost),
    };
  },
  accumulator: () => new CompletionStreamAccumulator(),
  inputMessages: (params) => params?.prompt,
  outputMessages: (result) => result?.choices?.map((c) => ({ role: 'assistant', content: c.text ?? null, finish_reason: c.finish_reason })),
};

function finishReasons(choices: Completion['choices']): string[] | undefined {
  if (!Array.isArray(choices)) return undefined;
  const out: string[] = [];
  for (const c of choices) if (typeof c?.finish_reason === 'string') out.push(c.finish_reason);
  return out.length ? out : undefined;
}

class CompletionStreamAccumulator implements StreamAccumulator<Completion> {
  #outcome: CallOutcome = {};
  #text: string[] = [];
  #finish: string[] = [];

  add(chunk: Completion): boolean {
    const o = this.#outcome;
    if (o.responseId === undefined && chunk.id) o.responseId = chunk.id;
    if (o.responseModel === undefined && chunk.model) o.responseModel = chunk.model;
    if (chunk.usage) {
      o.usage = fromOpenAiUsage(chunk.usage);
      o.providerCostUsd = num(chunk.usage.cost);
    }
    let content = false;
    for (const c of chunk.choices ?? []) {
      if (typeof c?.text === 'string' && c.text !== '') {
        this.#text.push(c.text);
        content = true;
      }
      if (typeof c?.finish_reason === 'string') this.#finish.push(c.finish_reason);
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
