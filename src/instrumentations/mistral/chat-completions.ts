import * as A from '../../semconv.js';
import type { CallOutcome, StreamAccumulator } from '../call-outcome.js';
import type { LlmCallSpec } from '../llm-call.js';
import type { CallMapping } from '../wrap-call.js';
import { num, requestAttributes, serverOf, str } from '../request-attributes.js';
import { fromMistralUsage, type MistralUsage } from './mistral-usage.js';

/** Chat and FIM requests share these fields (the SDK's camelCase). */
interface CompletionParams {
  model?: string;
  messages?: unknown[];
  prompt?: string;
  suffix?: string;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string | string[];
  randomSeed?: number;
  n?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
}

type Content = string | Array<{ type?: string; text?: string; thinking?: Array<{ text?: string }> }> | null | undefined;

interface Choice {
  finishReason?: string | null;
  message?: { content?: Content; toolCalls?: unknown[] | null };
  delta?: { content?: Content; toolCalls?: unknown[] | null };
}

interface CompletionResponse {
  id?: string;
  model?: string;
  usage?: MistralUsage;
  choices?: Choice[];
}

/** A streamed event: the SDK wraps each chunk in `{ data }`. */
interface CompletionEvent {
  data?: CompletionResponse;
}

export function mistralEndpoint(self: unknown): Pick<LlmCallSpec, 'provider' | 'serverAddress' | 'serverPort'> {
  const base = (self as { _baseURL?: unknown } | undefined)?._baseURL;
  const server = serverOf(base === undefined || base === null ? undefined : String(base));
  return { provider: 'mistral_ai', serverAddress: server?.host, serverPort: server?.port };
}

function describe(operation: string, stream: boolean) {
  return (self: unknown, params: CompletionParams | undefined): LlmCallSpec => ({
    operation,
    ...mistralEndpoint(self),
    requestModel: str(params?.model),
    stream,
    maxOutputTokens: num(params?.maxTokens),
    attributes: requestAttributes([
      [A.ATTR_GEN_AI_REQUEST_TEMPERATURE, params?.temperature],
      [A.ATTR_GEN_AI_REQUEST_TOP_P, params?.topP],
      [A.ATTR_GEN_AI_REQUEST_MAX_TOKENS, params?.maxTokens],
      [A.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES, params?.stop],
      [A.ATTR_GEN_AI_REQUEST_SEED, params?.randomSeed],
      [A.ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY, params?.presencePenalty],
      [A.ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY, params?.frequencyPenalty],
      [A.ATTR_GEN_AI_REQUEST_CHOICE_COUNT, params?.n === 1 ? undefined : params?.n],
    ]),
  });
}

function fromResponse(response: CompletionResponse | undefined): CallOutcome {
  return {
    responseModel: str(response?.model),
    responseId: str(response?.id),
    finishReasons: finishReasons(response?.choices),
    usage: fromMistralUsage(response?.usage),
    serviceTier: str(response?.usage?.serviceTier),
  };
}

function finishReasons(choices: Choice[] | undefined): string[] | undefined {
  if (!Array.isArray(choices)) return undefined;
  const out: string[] = [];
  for (const c of choices) if (typeof c?.finishReason === 'string') out.push(c.finishReason);
  return out.length ? out : undefined;
}

function text(content: Content, out: string[]): boolean {
  if (typeof content === 'string') {
    if (content !== '') out.push(content);
    return content !== '';
  }
  let any = false;
  if (Array.isArray(content)) {
    for (const chunk of content) {
      if (typeof chunk?.text === 'string') out.push(chunk.text);
      if (Array.isArray(chunk?.thinking)) for (const t of chunk.thinking) if (typeof t?.text === 'string') out.push(t.text);
      any = true;
    }
  }
  return any;
}

const outputMessages = (response: CompletionResponse | undefined) =>
  response?.choices?.map((c) => ({ role: 'assistant', content: c.message?.content ?? null, finish_reason: c.finishReason }));

function mapping(operation: string, stream: boolean, input: (p: CompletionParams | undefined) => unknown): CallMapping<CompletionParams, CompletionResponse, CompletionEvent> {
  return {
    describe: describe(operation, stream),
    fromResult: fromResponse,
    accumulator: () => new CompletionStreamAccumulator(),
    inputMessages: input,
    outputMessages,
  };
}

const chatInput = (p: CompletionParams | undefined) => p?.messages;
const fimInput = (p: CompletionParams | undefined) => ({ prompt: p?.prompt, suffix: p?.suffix });

/** `chat.complete` and `chat.parse` (which does not go through `complete`). */
export const chatCompleteMapping = mapping(A.OP_CHAT, false, chatInput);
/** `chat.stream` and `chat.parseStream`. */
export const chatStreamMapping = mapping(A.OP_CHAT, true, chatInput);
/** `fim.complete`: fill-in-the-middle is a text completion. */
export const fimCompleteMapping = mapping(A.OP_TEXT_COMPLETION, false, fimInput);
export const fimStreamMapping = mapping(A.OP_TEXT_COMPLETION, true, fimInput);

/** Mistral sends usage with the last chunk (the one with a finish reason). */
class CompletionStreamAccumulator implements StreamAccumulator<CompletionEvent> {
  #outcome: CallOutcome = {};
  #finish: string[] = [];
  #text: string[] = [];

  add(event: CompletionEvent): boolean {
    const chunk = event?.data;
    if (!chunk) return false;
    const o = this.#outcome;
    o.responseId ??= str(chunk.id);
    o.responseModel ??= str(chunk.model);
    if (chunk.usage) {
      o.usage = fromMistralUsage(chunk.usage);
      o.serviceTier = str(chunk.usage.serviceTier);
    }
    let content = false;
    const choices = chunk.choices;
    if (Array.isArray(choices)) {
      for (const c of choices) {
        if (text(c?.delta?.content, this.#text) || (Array.isArray(c?.delta?.toolCalls) && c.delta.toolCalls.length > 0)) content = true;
        if (typeof c?.finishReason === 'string') this.#finish.push(c.finishReason);
      }
    }
    return content;
  }

  outcome(): CallOutcome {
    return this.#finish.length ? { ...this.#outcome, finishReasons: [...this.#finish] } : { ...this.#outcome };
  }

  outputText(): string {
    return this.#text.join('');
  }
}
