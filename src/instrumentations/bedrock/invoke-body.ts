import type { Attributes } from '@opentelemetry/api';
import * as A from '../../semconv.js';
import { messagesMapping } from '../anthropic/messages.js';
import type { CallOutcome, CallUsage } from '../call-outcome.js';
import { num, requestAttributes, str } from '../request-attributes.js';
import { count, fromBedrockUsage } from './converse.js';

/**
 * InvokeModel bodies are each model family's own JSON. Request bodies are read for the
 * parameters up to 64 KiB (~0.1 ms to decode and parse, measured; 256 KiB took ~0.75 ms, more
 * than the rest of the call's bookkeeping): larger ones carry long histories, images or
 * documents. Response bodies are read for the usage they carry.
 */
export const MAX_REQUEST_BODY_BYTES = 64 * 1024;
export const MAX_RESPONSE_BODY_BYTES = 4 * 1024 * 1024;

export type Json = Record<string, unknown>;

const decoder = new TextDecoder();

/** A JSON object from a string or bytes body, or undefined (too large, not JSON, not an object). */
export function parseJsonBody(body: unknown, maxBytes: number): Json | undefined {
  let text: string;
  if (typeof body === 'string') {
    if (body.length > maxBytes) return undefined;
    text = body;
  } else if (body instanceof Uint8Array) {
    if (body.byteLength > maxBytes) return undefined;
    text = decoder.decode(body);
  } else return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isJson(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What an InvokeModel request body says about the call, whatever the model family. */
export interface InvokeRequest {
  operation: string;
  maxOutputTokens: number | undefined;
  attributes: Attributes;
}

export function describeInvokeBody(body: Json | undefined, modelId: string | undefined): InvokeRequest {
  const inference = (isJson(body?.inferenceConfig) ? body.inferenceConfig : undefined) as Json | undefined; // Nova
  const titan = (isJson(body?.textGenerationConfig) ? body.textGenerationConfig : undefined) as Json | undefined;
  const maxTokens =
    num(body?.max_tokens) ?? num(body?.max_gen_len) ?? num(body?.max_completion_tokens) ?? num(inference?.maxTokens) ?? num(inference?.max_new_tokens) ?? num(titan?.maxTokenCount);
  return {
    operation: operationOf(body, modelId),
    maxOutputTokens: maxTokens,
    attributes: requestAttributes([
      [A.ATTR_GEN_AI_REQUEST_MAX_TOKENS, maxTokens],
      [A.ATTR_GEN_AI_REQUEST_TEMPERATURE, body?.temperature ?? inference?.temperature ?? titan?.temperature],
      [A.ATTR_GEN_AI_REQUEST_TOP_P, body?.top_p ?? body?.p ?? inference?.topP ?? titan?.topP],
      [A.ATTR_GEN_AI_REQUEST_TOP_K, body?.top_k ?? body?.k ?? inference?.topK],
      [A.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES, body?.stop_sequences ?? body?.stop ?? inference?.stopSequences ?? titan?.stopSequences],
    ]),
  };
}

function operationOf(body: Json | undefined, modelId: string | undefined): string {
  if (modelId?.includes('embed') || Array.isArray(body?.texts)) return A.OP_EMBEDDINGS;
  if (body?.messages !== undefined || body?.message !== undefined) return A.OP_CHAT;
  if (typeof body?.prompt === 'string' || typeof body?.inputText === 'string') return A.OP_TEXT_COMPLETION;
  return A.OP_CHAT;
}

/** The request's content fields, for content capture and token estimates. */
export function invokeInput(body: Json | undefined): unknown {
  return body ? { system: body.system, messages: body.messages, message: body.message, prompt: body.prompt } : undefined;
}

/**
 * Usage and finish reason from a response body, by the shape each family documents. A body
 * none of them describes gives no usage (cost unknown), never a guessed count.
 */
export function invokeOutcome(body: Json | undefined): CallOutcome {
  if (!body) return {};
  // Anthropic Claude, Messages API: the Anthropic body, usage beside cache reads and writes.
  if (body.type === 'message') return messagesMapping.fromResult(body as never);
  const usage = isJson(body.usage) ? body.usage : undefined;
  // Amazon Nova: Bedrock's own usage names.
  if (usage && usage.inputTokens !== undefined) return { finishReasons: reasons(body.stopReason), usage: fromBedrockUsage(usage) };
  // Meta Llama.
  if (body.prompt_token_count !== undefined || body.generation_token_count !== undefined) {
    return { finishReasons: reasons(body.stop_reason), usage: pair(body.prompt_token_count, body.generation_token_count) };
  }
  // OpenAI-style chat (Mistral chat models, OpenAI and other open-weight models): prompt_tokens includes cached ones.
  if (Array.isArray(body.choices)) return { responseId: str(body.id), responseModel: str(body.model), finishReasons: choiceReasons(body.choices), usage: openAiStyle(usage) };
  // Mistral text completion: no usage in the body.
  if (Array.isArray(body.outputs)) return { finishReasons: reasons((body.outputs[0] as Json | undefined)?.stop_reason) };
  // Cohere: billed units (Command R `meta`, newer `usage`).
  const billed = cohereBilled(body);
  if (billed || body.finish_reason !== undefined) return { responseId: str(body.response_id) ?? str(body.id), finishReasons: reasons(body.finish_reason), usage: billed };
  return {};
}

/** Cohere's `meta.billed_units` / `usage.billed_units` (`input_tokens`, `output_tokens`). */
export function cohereBilled(body: Json): CallUsage | undefined {
  const holder = (isJson(body.meta) ? body.meta : isJson(body.usage) ? body.usage : undefined) as Json | undefined;
  const billed = isJson(holder?.billed_units) ? holder.billed_units : undefined;
  return billed ? pair(billed.input_tokens, billed.output_tokens) : undefined;
}

export function openAiStyle(usage: Json | undefined): CallUsage | undefined {
  if (!usage) return undefined;
  const result = pair(usage.prompt_tokens, usage.completion_tokens);
  const details = isJson(usage.prompt_tokens_details) ? usage.prompt_tokens_details : undefined;
  const cached = count(details?.cached_tokens);
  if (result && cached) result.cacheRead = Math.min(cached, result.input);
  return result;
}

export function pair(input: unknown, output: unknown): CallUsage | undefined {
  const i = count(input);
  const o = count(output);
  return i === undefined || o === undefined ? undefined : { input: i, output: o };
}

/** Bedrock's `amazon-bedrock-invocationMetrics` (last stream chunk): its own billing counts. */
export function invocationMetricsUsage(metrics: unknown): CallUsage | undefined {
  if (!isJson(metrics)) return undefined;
  const usage = pair(metrics.inputTokenCount, metrics.outputTokenCount);
  if (!usage) return undefined;
  // Read like Converse's usage: the input count leaves out cache reads and writes.
  const cacheRead = count(metrics.cacheReadInputTokenCount) ?? 0;
  const cacheWrite = count(metrics.cacheWriteInputTokenCount) ?? 0;
  return { input: usage.input + cacheRead + cacheWrite, output: usage.output, cacheRead, cacheWrite };
}

export function reasons(value: unknown): string[] | undefined {
  const reason = str(value);
  return reason ? [reason] : undefined;
}

function choiceReasons(choices: unknown[]): string[] | undefined {
  const out: string[] = [];
  for (const choice of choices.slice(0, 16)) {
    const c = choice as Json | null;
    const reason = str(c?.finish_reason) ?? str(c?.stop_reason);
    if (reason) out.push(reason);
  }
  return out.length ? out : undefined;
}

/** The generated content of a response body, for content capture. */
export function invokeOutput(body: Json | undefined): unknown {
  if (!body) return undefined;
  const output = isJson(body.output) ? body.output : undefined;
  const content = body.content ?? (output && isJson(output.message) ? output.message.content : undefined) ?? body.generation ?? body.choices ?? body.outputs ?? body.text;
  return content === undefined ? undefined : [{ role: 'assistant', content, finish_reason: invokeOutcome(body).finishReasons?.[0] }];
}
