import { SpanKind, SpanStatusCode, context, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import * as A from '../semconv.js';
import { normaliseServiceTier } from '../prices/service-tier.js';
import type { CallOutcome, CallUsage } from './call-outcome.js';
import { INTERRUPTED_ERROR_TYPE, callEnded, callStarted, type InFlightCall, type InFlightEntry } from './in-flight-calls.js';

/** Re-exported where the SDK mappings found it first. */
export { normaliseServiceTier };

/** What an SDK mapping says about a call before it is sent. */
export interface LlmCallSpec {
  operation: string;
  provider: string;
  requestModel: string | undefined;
  serverAddress?: string;
  serverPort?: number;
  stream: boolean;
  /** Request parameters as semconv attributes (temperature, max_tokens, ...). */
  attributes: Attributes;
  maxOutputTokens?: number;
  /** Attributes known only asynchronously (an AWS client's resolved endpoint); set if they arrive before the span ends. */
  pendingAttributes?: PromiseLike<Attributes>;
}

/** Marks the context inside one of our call spans: nested SDK calls are not instrumented twice. */
export const IN_LLM_CALL = Symbol.for('genai-usage.in-llm-call');

/**
 * One instrumented LLM call: owns its span from start to end. Every SDK mapping funnels
 * through here, so spans look the same whatever the SDK. Ends exactly once. Until then it is
 * in the in-flight registry, so `forceFlush()` and `shutdown()` can wait for it or end it.
 */
export class LlmCall implements InFlightCall {
  readonly span: Span;
  readonly context: Context;
  readonly spec: LlmCallSpec;
  readonly #startedAt = performance.now();
  #firstChunkAt: number | undefined;
  #ended = false;
  #pendingEnd: Promise<unknown> | undefined;
  #endNow: (() => void) | undefined;
  #onInterrupt: ((error: Error) => void) | undefined;
  readonly #inFlight: InFlightEntry;

  constructor(tracer: Tracer, spec: LlmCallSpec, parent: Context = context.active()) {
    this.spec = spec;
    const attributes: Attributes = {
      [A.ATTR_GEN_AI_OPERATION_NAME]: spec.operation,
      [A.ATTR_GEN_AI_PROVIDER_NAME]: spec.provider,
      [A.ATTR_GEN_AI_SYSTEM]: spec.provider,
      ...spec.attributes,
    };
    if (spec.requestModel !== undefined) attributes[A.ATTR_GEN_AI_REQUEST_MODEL] = spec.requestModel;
    if (spec.serverAddress !== undefined) attributes[A.ATTR_SERVER_ADDRESS] = spec.serverAddress;
    if (spec.serverPort !== undefined) attributes[A.ATTR_SERVER_PORT] = spec.serverPort;
    if (spec.stream) attributes[A.ATTR_GEN_AI_REQUEST_STREAM] = true;
    const name = spec.requestModel ? `${spec.operation} ${spec.requestModel}` : spec.operation;
    this.span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
    this.context = trace.setSpan(parent, this.span).setValue(IN_LLM_CALL, true);
    spec.pendingAttributes?.then(
      (late) => {
        if (!this.#ended) this.span.setAttributes(late);
      },
      () => {},
    );
    this.#inFlight = callStarted(this);
  }

  get pendingEnd(): Promise<unknown> | undefined {
    return this.#pendingEnd;
  }

  /**
   * The SDK has finished, but the span ends only when `work` does (a token estimate); shutdown
   * and flush wait for it, and `fallback` ends the call if they run out of time.
   */
  endAfter(work: Promise<unknown>, fallback: () => void): void {
    this.#pendingEnd = work;
    this.#endNow = fallback;
  }

  /** How this call ends when shutdown interrupts it (a stream keeps what it delivered); default: failed, no usage. */
  onInterrupt(handler: (error: Error) => void): void {
    this.#onInterrupt = handler;
  }

  interrupt(): void {
    if (this.#ended || this.#pendingEnd) return;
    const error = new InterruptedError();
    if (this.#onInterrupt) this.#onInterrupt(error);
    else this.fail(error);
  }

  endNow(): void {
    if (this.#ended) return;
    if (this.#endNow) this.#endNow();
    if (!this.#ended) this.fail(new InterruptedError());
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Called for each streamed chunk that carries content; the first one sets time to first token. */
  firstChunk(): void {
    this.#firstChunkAt ??= performance.now();
  }

  succeed(outcome: CallOutcome): void {
    if (this.#ended) return;
    this.#setOutcome(outcome);
    this.#end();
  }

  /** Ends the call as failed; `partial` keeps what a broken stream had already delivered. */
  fail(error: unknown, partial?: CallOutcome): void {
    if (this.#ended) return;
    if (partial) this.#setOutcome(partial);
    const err = error as { name?: unknown; constructor?: { name?: unknown }; status?: unknown; statusCode?: unknown; message?: unknown } | undefined;
    const type = errorType(err);
    this.span.setAttribute(A.ATTR_ERROR_TYPE, type);
    // `status` in Stainless SDKs and @google/genai, `statusCode` in Speakeasy ones (Mistral).
    const status = typeof err?.status === 'number' ? err.status : err?.statusCode;
    if (typeof status === 'number') this.span.setAttribute(A.ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: typeof err?.message === 'string' ? err.message : type });
    this.#end();
  }

  #setOutcome(outcome: CallOutcome): void {
    // One object: provider-specific attributes first, so ours, which usage is read from, win.
    const a: Attributes = outcome.attributes ? { ...outcome.attributes } : {};
    if (outcome.responseModel) a[A.ATTR_GEN_AI_RESPONSE_MODEL] = outcome.responseModel;
    if (outcome.responseId) a[A.ATTR_GEN_AI_RESPONSE_ID] = outcome.responseId;
    if (outcome.finishReasons?.length) a[A.ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = outcome.finishReasons;
    const usage = outcome.usage;
    if (usage) {
      a[A.ATTR_GEN_AI_USAGE_INPUT_TOKENS] = usage.input;
      a[A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = usage.output;
      if (usage.cacheRead) a[A.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = usage.cacheRead;
      if (usage.cacheWrite) {
        // Semconv's name and the one the Anthropic SDK (and its readers) use.
        a[A.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = usage.cacheWrite;
        a[A.ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS] = usage.cacheWrite;
      }
      if (usage.reasoning) a[A.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = usage.reasoning;
      if (usage.cacheWrite1h) a[A.ATTR_USAGE_CACHE_WRITE_1H_INPUT_TOKENS] = usage.cacheWrite1h;
      if (usage.audioInput) a[A.ATTR_USAGE_AUDIO_INPUT_TOKENS] = usage.audioInput;
      if (usage.audioOutput) a[A.ATTR_USAGE_AUDIO_OUTPUT_TOKENS] = usage.audioOutput;
      if (usage.imageInput) a[A.ATTR_USAGE_IMAGE_INPUT_TOKENS] = usage.imageInput;
      if (usage.imageOutput) a[A.ATTR_USAGE_IMAGE_OUTPUT_TOKENS] = usage.imageOutput;
      if (usage.webSearchRequests) a[A.ATTR_USAGE_WEB_SEARCH_REQUESTS] = usage.webSearchRequests;
      if (usage.estimated) a[A.ATTR_USAGE_ESTIMATED] = true;
    }
    const tier = normaliseServiceTier(outcome.serviceTier);
    if (tier) a[A.ATTR_SERVICE_TIER] = tier;
    const cost = outcome.providerCostUsd;
    if (cost !== undefined && Number.isFinite(cost) && cost >= 0) {
      a[A.ATTR_COST_USD] = cost;
      a[A.ATTR_COST_SOURCE] = 'provider';
    }
    if (outcome.outputMessages !== undefined) a[A.ATTR_GEN_AI_OUTPUT_MESSAGES] = safeJson(outcome.outputMessages);
    this.span.setAttributes(a);
  }

  #end(): void {
    this.#ended = true;
    callEnded(this.#inFlight);
    if (this.#firstChunkAt !== undefined) {
      this.span.setAttribute(A.ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, (this.#firstChunkAt - this.#startedAt) / 1000);
    }
    this.span.end();
  }
}

/** A call still open when tracking shut down; its `error.type` is `InterruptedByShutdown`. */
class InterruptedError extends Error {
  constructor() {
    super('the process shut down before the LLM call finished');
    this.name = INTERRUPTED_ERROR_TYPE;
  }
}

/** Low-cardinality error identifier: the SDK's error class (RateLimitError, APIConnectionError, ...). */
function errorType(err: { name?: unknown; constructor?: { name?: unknown } } | undefined): string {
  if (err instanceof InterruptedError) return INTERRUPTED_ERROR_TYPE;
  const ctor = err?.constructor?.name;
  // A DOMException's class says nothing; its name does (AbortError, TimeoutError).
  if (typeof ctor === 'string' && ctor !== 'Object' && ctor !== 'Error' && ctor !== 'DOMException') return ctor;
  if (typeof err?.name === 'string' && err.name) return err.name;
  return typeof ctor === 'string' ? ctor : '_OTHER';
}

export function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '[unserializable]';
  }
}
