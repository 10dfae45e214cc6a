import * as A from '../../semconv.js';
import type { CallOutcome, CallUsage, StreamAccumulator } from '../call-outcome.js';
import type { CallMapping } from '../wrap-call.js';
import { num, requestAttributes, serverOf, str } from '../request-attributes.js';

interface MessagesParams {
  model?: string;
  messages?: unknown[];
  system?: unknown;
  stream?: boolean;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop_sequences?: string[];
}

/** Anthropic's usage: `input_tokens` EXCLUDES cache reads and writes (semconv input includes them). */
interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  /** Newer API versions: thinking tokens, a part of `output_tokens`. */
  output_tokens_details?: { thinking_tokens?: number | null } | null;
}

interface Message {
  id?: string;
  model?: string;
  stop_reason?: string | null;
  usage?: AnthropicUsage;
  content?: Array<{ type?: string; text?: string }>;
}

interface StreamEvent {
  type?: string;
  message?: Message;
  delta?: { type?: string; text?: string; thinking?: string; partial_json?: string; stop_reason?: string | null };
  usage?: AnthropicUsage;
}

/** `messages.create`, plain and streamed; `messages.stream()` goes through it too. */
export const messagesMapping: CallMapping<MessagesParams, Message, StreamEvent> = {
  describe(self, params) {
    const server = serverOf((self as { _client?: { baseURL?: unknown } } | undefined)?._client?.baseURL);
    return {
      operation: A.OP_CHAT,
      provider: 'anthropic',
      serverAddress: server?.host,
      serverPort: server?.port,
      requestModel: str(params?.model),
      stream: params?.stream === true,
      maxOutputTokens: num(params?.max_tokens),
      attributes: requestAttributes([
        [A.ATTR_GEN_AI_REQUEST_MAX_TOKENS, params?.max_tokens],
        [A.ATTR_GEN_AI_REQUEST_TEMPERATURE, params?.temperature],
        [A.ATTR_GEN_AI_REQUEST_TOP_P, params?.top_p],
        [A.ATTR_GEN_AI_REQUEST_TOP_K, params?.top_k],
        [A.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES, params?.stop_sequences],
      ]),
    };
  },
  fromResult(message) {
    return {
      responseModel: str(message?.model),
      responseId: str(message?.id),
      finishReasons: message?.stop_reason ? [message.stop_reason] : undefined,
      usage: fromAnthropicUsage(message?.usage, message?.usage?.output_tokens),
    };
  },
  accumulator: () => new MessagesStreamAccumulator(),
  inputMessages: (params) => ({ system: params?.system, messages: params?.messages }),
  outputMessages: (message) => [{ role: 'assistant', content: message?.content ?? null, finish_reason: message?.stop_reason }],
};

function fromAnthropicUsage(usage: AnthropicUsage | undefined, output: number | null | undefined): CallUsage | undefined {
  const base = inputPart(usage);
  if (!base || typeof output !== 'number') return undefined;
  const reasoning = usage?.output_tokens_details?.thinking_tokens;
  return typeof reasoning === 'number' ? { ...base, output, reasoning } : { ...base, output };
}

function inputPart(usage: AnthropicUsage | undefined): Omit<CallUsage, 'output'> | undefined {
  if (!usage || typeof usage.input_tokens !== 'number') return undefined;
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  return { input: usage.input_tokens + cacheRead + cacheWrite, cacheRead, cacheWrite };
}

class MessagesStreamAccumulator implements StreamAccumulator<StreamEvent> {
  #outcome: CallOutcome = {};
  #startUsage: AnthropicUsage | undefined;
  #text: string[] = [];

  add(event: StreamEvent): boolean {
    switch (event.type) {
      case 'message_start': {
        const m = event.message;
        this.#outcome.responseId = str(m?.id);
        this.#outcome.responseModel = str(m?.model);
        this.#startUsage = m?.usage;
        return false;
      }
      case 'content_block_delta': {
        const d = event.delta;
        const piece = d?.text ?? d?.thinking ?? d?.partial_json;
        if (typeof piece === 'string') this.#text.push(piece);
        return true;
      }
      case 'message_delta': {
        if (event.delta?.stop_reason) this.#outcome.finishReasons = [event.delta.stop_reason];
        // The final counts: output is cumulative; input fields, when present, override the start's.
        const merged = { ...this.#startUsage, ...definedFields(event.usage), output_tokens_details: event.usage?.output_tokens_details ?? this.#startUsage?.output_tokens_details };
        this.#outcome.usage = fromAnthropicUsage(merged, event.usage?.output_tokens);
        return false;
      }
      default:
        return false;
    }
  }

  outcome(): CallOutcome {
    return { ...this.#outcome };
  }

  outputText(): string {
    return this.#text.join('');
  }

  partialUsage(): Omit<CallUsage, 'output'> | undefined {
    return inputPart(this.#startUsage);
  }
}

function definedFields(usage: AnthropicUsage | undefined): AnthropicUsage {
  const out: Record<string, number> = {};
  if (usage) for (const [k, v] of Object.entries(usage)) if (typeof v === 'number') out[k] = v;
  return out;
}
