import * as A from '../../semconv.js';
import type { CallOutcome, CallUsage, StreamAccumulator } from '../call-outcome.js';
import type { LlmCallSpec } from '../llm-call.js';
import type { CallMapping } from '../wrap-call.js';
import { num, requestAttributes, serverOf, str } from '../request-attributes.js';
import { fromAnthropicUsage, inputUsage, mergeUsage, type AnthropicUsage } from './anthropic-usage.js';

interface MessagesParams {
  model?: string;
  messages?: unknown[];
  system?: unknown;
  tools?: unknown[];
  stream?: boolean;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop_sequences?: string[];
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
  content_block?: { type?: string; name?: string };
  delta?: { type?: string; text?: string; thinking?: string; partial_json?: string; stop_reason?: string | null };
  usage?: AnthropicUsage;
}

/** What the SDK's client says about itself: its provider name (SDK 1.x) or its class. */
interface AnthropicClientLike {
  baseURL?: unknown;
  _genAIProviderName?: unknown;
  constructor?: { name?: string };
}

/** Anthropic's clients for other clouds reuse its resource classes; the client tells them apart. */
const PROVIDER_BY_CLIENT: Readonly<Record<string, string>> = {
  AnthropicBedrock: 'aws.bedrock',
  AnthropicBedrockMantle: 'aws.bedrock',
  AnthropicVertex: 'gcp.vertex_ai',
};
const KNOWN_PROVIDERS: ReadonlySet<string> = new Set(['anthropic', 'aws.bedrock', 'gcp.vertex_ai', 'azure.ai.inference']);

export function anthropicProvider(client: AnthropicClientLike | undefined): string {
  const named = client?._genAIProviderName;
  if (typeof named === 'string' && KNOWN_PROVIDERS.has(named)) return named;
  return PROVIDER_BY_CLIENT[client?.constructor?.name ?? ''] ?? 'anthropic';
}

function describeMessages(self: unknown, params: MessagesParams | undefined): LlmCallSpec {
  const client = (self as { _client?: AnthropicClientLike } | undefined)?._client;
  const server = serverOf(client?.baseURL);
  return {
    operation: A.OP_CHAT,
    provider: anthropicProvider(client),
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
}

/**
 * `messages.create` and `beta.messages.create`, plain and streamed; `.stream()` of both goes
 * through them. The same mapping serves the Bedrock and Vertex clients.
 */
export const messagesMapping: CallMapping<MessagesParams, Message, StreamEvent> = {
  describe: describeMessages,
  fromResult(message) {
    return {
      responseModel: str(message?.model),
      responseId: str(message?.id),
      finishReasons: message?.stop_reason ? [message.stop_reason] : undefined,
      usage: fromAnthropicUsage(message?.usage, message?.usage?.output_tokens),
      serviceTier: str(message?.usage?.service_tier),
    };
  },
  accumulator: () => new MessagesStreamAccumulator(),
  inputMessages: (params) => ({ system: params?.system, messages: params?.messages }),
  outputMessages: (message) => [{ role: 'assistant', content: message?.content ?? null, finish_reason: message?.stop_reason }],
  // `messages.stream()` starts the SDK's span itself and hands it to `create` as `options.__span`.
  sdkSpan: (options) => (options as { __span?: { span?: unknown } } | undefined)?.__span?.span,
};

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
        this.#outcome.serviceTier = str(m?.usage?.service_tier);
        this.#startUsage = m?.usage;
        return false;
      }
      case 'content_block_start': {
        // A tool call's name is generated output too (its arguments follow as input_json deltas).
        const name = event.content_block?.type === 'tool_use' ? event.content_block.name : undefined;
        if (typeof name === 'string') this.#text.push(name);
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
        this.#outcome.usage = fromAnthropicUsage(mergeUsage(this.#startUsage, event.usage), event.usage?.output_tokens);
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
    return inputUsage(this.#startUsage);
  }
}
