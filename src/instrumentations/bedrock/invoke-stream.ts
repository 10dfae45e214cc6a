import { messagesMapping } from '../anthropic/messages.js';
import type { CallOutcome, CallUsage, StreamAccumulator } from '../call-outcome.js';
import { ConverseStreamAccumulator, incompleteStreamError } from './converse.js';
import { cohereBilled, invocationMetricsUsage, isJson, openAiStyle, pair, parseJsonBody, reasons, type Json } from './invoke-body.js';

/** One InvokeModelWithResponseStream event: a chunk of the model's own stream, JSON in `bytes`. */
export interface InvokeStreamEvent {
  chunk?: { bytes?: unknown };
}

/** A chunk larger than this is not read (model chunks are small; an image model's are not usage). */
const MAX_CHUNK_BYTES = 1024 * 1024;

const METRICS_KEY = 'amazon-bedrock-invocationMetrics';
const CLAUDE_EVENTS: ReadonlySet<string> = new Set(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop', 'ping']);

/**
 * Reads each chunk's JSON as the model family streams it: Anthropic Claude events (the
 * Anthropic mapping's own accumulator), Amazon Nova (Converse-style names), Meta Llama,
 * OpenAI-style chat chunks (Mistral, open-weight models), Mistral text, Cohere. Claude and Nova
 * streams carry a complete usage (with the cache parts): it is kept. For the others Bedrock's
 * `invocationMetrics` from the last chunk (AWS's own count, for any model) come first, the
 * counts in the family's chunks second; with neither there is no usage.
 */
export class InvokeStreamAccumulator implements StreamAccumulator<InvokeStreamEvent> {
  #family: StreamAccumulator<unknown> | undefined;
  #own: CallOutcome = {};
  #text: string[] = [];
  #promptTokens: number | undefined;
  #metrics: CallUsage | undefined;
  readonly #signal: { readonly aborted?: boolean } | undefined;

  constructor(signal?: { readonly aborted?: boolean }) {
    this.#signal = signal;
  }

  add(event: InvokeStreamEvent): boolean {
    const chunk = parseJsonBody(event?.chunk?.bytes, MAX_CHUNK_BYTES);
    if (!chunk) return false;
    if (chunk[METRICS_KEY] !== undefined) this.#metrics = invocationMetricsUsage(chunk[METRICS_KEY]) ?? this.#metrics;
    if (typeof chunk.type === 'string' && CLAUDE_EVENTS.has(chunk.type)) {
      this.#family ??= messagesMapping.accumulator(undefined as never) as StreamAccumulator<unknown>;
      return this.#family.add(chunk);
    }
    if (chunk.messageStart !== undefined || chunk.contentBlockDelta !== undefined || chunk.messageStop !== undefined || chunk.metadata !== undefined) {
      this.#family ??= new ConverseStreamAccumulator() as StreamAccumulator<unknown>;
      return this.#family.add(chunk);
    }
    return this.#addOther(chunk);
  }

  /** Llama, OpenAI-style, Mistral text and Cohere chunks: text, stop reason, counts. */
  #addOther(chunk: Json): boolean {
    let text: unknown;
    if (chunk.generation !== undefined) {
      // Meta Llama: prompt count on the first chunk, a running generation count on each.
      text = chunk.generation;
      this.#promptTokens ??= typeof chunk.prompt_token_count === 'number' ? chunk.prompt_token_count : undefined;
      const usage = pair(this.#promptTokens, chunk.generation_token_count);
      if (usage) this.#own.usage = usage;
      this.#own.finishReasons = reasons(chunk.stop_reason) ?? this.#own.finishReasons;
    } else if (Array.isArray(chunk.choices) || Array.isArray(chunk.outputs)) {
      const first = ((chunk.choices ?? chunk.outputs) as unknown[])[0] as Json | undefined;
      const delta = isJson(first?.delta) ? first.delta : isJson(first?.message) ? first.message : undefined;
      text = delta?.content ?? first?.text;
      this.#own.finishReasons = reasons(first?.finish_reason ?? first?.stop_reason) ?? this.#own.finishReasons;
      this.#own.usage = openAiStyle(isJson(chunk.usage) ? chunk.usage : undefined) ?? this.#own.usage;
    } else if (typeof chunk.text === 'string' || chunk.is_finished !== undefined) {
      // Cohere: text events, then a finished event with the reason (and, in some versions, billed units).
      text = chunk.text;
      this.#own.finishReasons = reasons(chunk.finish_reason) ?? this.#own.finishReasons;
      const response = isJson(chunk.response) ? chunk.response : chunk;
      this.#own.usage = cohereBilled(response) ?? this.#own.usage;
    } else return false;
    if (typeof text !== 'string' || text === '') return false;
    this.#text.push(text);
    return true;
  }

  outcome(): CallOutcome {
    if (this.#family) {
      const outcome = this.#family.outcome();
      outcome.usage ??= this.#metrics;
      return outcome;
    }
    return { ...this.#own, usage: this.#metrics ?? this.#own.usage };
  }

  outputText(): string {
    return this.#family ? this.#family.outputText() : this.#text.join('');
  }

  partialUsage(): Omit<CallUsage, 'output'> | undefined {
    if (this.#family) return this.#family.partialUsage?.();
    return this.#promptTokens === undefined ? undefined : { input: this.#promptTokens };
  }

  /** Complete once Bedrock's metrics (last chunk), a final usage or a stop reason arrived. */
  incompleteError(): unknown {
    const outcome = this.outcome();
    return this.#metrics || outcome.usage || outcome.finishReasons ? undefined : incompleteStreamError(this.#signal);
  }
}
