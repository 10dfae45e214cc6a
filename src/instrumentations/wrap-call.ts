import { context, diag, type Tracer } from '@opentelemetry/api';
import { isTracingSuppressed } from '../context/suppress-tracing.js';
import * as A from '../semconv.js';
import { collectText, countTokensOffThread, messageTokens, toolDefinitionsText } from '../tokens/estimate-tokens.js';
import type { CallOutcome, StreamAccumulator } from './call-outcome.js';
import { IN_LLM_CALL, LlmCall, safeJson, type LlmCallSpec } from './llm-call.js';
import { observeSdkStream, type StreamObserver } from './observe-stream.js';
import { runPreCallHooks } from './pre-call-hooks.js';
import { markTwinOfOurCall } from '../usage/duplicate-calls.js';

/** How one SDK method maps to a GenAI call. Mappings only read fields; they never build spans. */
export interface CallMapping<Params = any, Result = any, Chunk = any> {
  /** Describes the call from `this` (the SDK resource) and its params; undefined skips it. */
  describe(self: unknown, params: Params): LlmCallSpec | undefined;
  fromResult(result: Result): CallOutcome;
  accumulator(params: Params): StreamAccumulator<Chunk>;
  /** Request content for `gen_ai.input.messages` (content capture only). */
  inputMessages?(params: Params): unknown;
  /** Response content for `gen_ai.output.messages` (content capture only). */
  outputMessages?(result: Result): unknown;
  /**
   * The span the SDK itself started for this call before calling the method (from the
   * method's second argument, its request options), so it is not counted beside ours.
   */
  sdkSpan?(options: unknown): unknown;
  /**
   * For a result whose final response arrives later through a promise it holds (the older
   * `@google/generative-ai`'s `{ stream, response }`): the call ends when that settles, read
   * with `fromResult`; its stream is not observed.
   */
  settled?(result: unknown): PromiseLike<unknown> | undefined;
  /** Hooks the streamed result's chunks (default: a Stainless SDK stream's `iterator`); false if it cannot. */
  observeStream?(result: Result, observer: StreamObserver<Chunk>): boolean;
  /** The request content to count when a stream ends without usage (default: the params' message fields). */
  estimateInput?(params: Params): unknown;
}

export interface WrapOptions {
  tracer(): Tracer;
  /** False once the instrumentation is disabled: the wrapper then only calls the original. */
  enabled?(): boolean;
  captureContent(): boolean;
  /** The rejected result of a call a pre-call hook blocked (default: a rejected Promise). */
  rejected?(self: unknown, error: Error): unknown;
}

type AnyFn = (this: unknown, ...args: any[]) => any;

/**
 * Wraps an SDK method: start span → pre-call hooks → original → observe the SDK's own
 * promise (and stream) → end span. The caller gets the SDK's result object, errors and
 * stream unchanged; a failure in our code is logged and the original runs regardless.
 */
export function wrapCall(original: AnyFn, mapping: CallMapping, options: WrapOptions): AnyFn {
  return function instrumentedCall(this: unknown, ...args: any[]) {
    const active = context.active();
    if (active.getValue(IN_LLM_CALL) || isTracingSuppressed(active) || options.enabled?.() === false) return original.apply(this, args);
    const params = args[0];
    let call: LlmCall;
    try {
      const spec = mapping.describe(this, params);
      if (!spec) return original.apply(this, args);
      call = new LlmCall(options.tracer(), spec, active);
      if (mapping.sdkSpan) markTwinOfOurCall(mapping.sdkSpan(args[1]));
      if (options.captureContent() && mapping.inputMessages) {
        call.span.setAttribute(A.ATTR_GEN_AI_INPUT_MESSAGES, safeJson(mapping.inputMessages(params)));
      }
    } catch (err) {
      diag.error('genai-usage: could not start the call span', err);
      return original.apply(this, args);
    }
    const blocked = runPreCallHooks(call);
    if (blocked) return options.rejected ? options.rejected(this, blocked) : rejectedCall(blocked);

    let result: unknown;
    try {
      result = context.with(call.context, () => original.apply(this, args));
    } catch (err) {
      call.fail(err);
      throw err;
    }
    try {
      return observeResult(result, call, mapping, params, options);
    } catch (err) {
      diag.error('genai-usage: could not observe the call result', err);
      return result;
    }
  };
}

/**
 * A call a pre-call hook blocked, as a rejected promise that also has the `withResponse()` and
 * `asResponse()` of an SDK `APIPromise` (the SDKs' own helpers call them), for when the SDK's
 * promise class is not at hand.
 */
export function rejectedCall(error: Error): Promise<never> {
  const rejected = Promise.reject(error);
  return Object.assign(rejected, { withResponse: () => rejected, asResponse: () => rejected });
}

/** Stainless SDKs return an `APIPromise`: keep that class (it has `withResponse()`, `asResponse()`). */
interface ApiPromiseLike {
  _thenUnwrap?(transform: (data: unknown, props: unknown) => unknown): unknown;
  asResponse?(): Promise<unknown>;
  /** Set once something awaited the promise (its body is then consumed). */
  parsedPromise?: unknown;
  /** The raw response, before parsing; `asResponse()` derives one more promise from it. */
  responsePromise?: PromiseLike<unknown>;
  then(onfulfilled: (v: unknown) => unknown, onrejected: (e: unknown) => unknown): unknown;
}

function observeResult(result: unknown, call: LlmCall, mapping: CallMapping, params: unknown, options: WrapOptions): unknown {
  const onData = (data: unknown): unknown => {
    try {
      const later = mapping.settled?.(data);
      if (later && typeof later.then === 'function') {
        later.then(
          (final) => call.succeed(mapping.fromResult(final)),
          (err) => call.fail(err),
        );
      } else if (call.spec.stream) observeStream(data, call, mapping, params, options.captureContent());
      else {
        const outcome = mapping.fromResult(data);
        if (options.captureContent() && mapping.outputMessages) outcome.outputMessages = mapping.outputMessages(data);
        call.succeed(outcome);
      }
    } catch (err) {
      diag.error('genai-usage: could not read the call result', err);
      if (!call.ended) call.succeed({});
    }
    return data;
  };
  const onError = (err: unknown): void => call.fail(err);
  const promise = result as ApiPromiseLike | undefined;
  // Already parsed (another instrumentation inside ours awaited it): a derived promise would read
  // the consumed body again, so observe the parsed result instead.
  if (promise && typeof promise._thenUnwrap === 'function' && typeof promise.asResponse === 'function' && promise.parsedPromise === undefined) {
    // A new APIPromise of the SDK's own class, lazily parsed like the original.
    const wrapped = promise._thenUnwrap(onData) as ApiPromiseLike;
    // HTTP and network errors reject the response promise before any parsing happens. Observed
    // on it directly where it is exposed: under the context manager every promise costs a hook call.
    const response = promise.responsePromise;
    if (response && typeof response.then === 'function') response.then(undefined, onError);
    else wrapped.asResponse!().then(undefined, onError);
    return wrapped;
  }
  if (promise && typeof promise.then === 'function') {
    promise.then(onData, onError);
    return result;
  }
  onData(result);
  return result;
}

function observeStream(stream: unknown, call: LlmCall, mapping: CallMapping, params: unknown, capture: boolean): void {
  const acc = mapping.accumulator(params);
  const finish = (early: boolean, error?: unknown, interrupted = false) => {
    if (call.ended || call.pendingEnd) return;
    // The SDKs end iteration quietly when the app aborts mid-stream: that is a failed call.
    if (error === undefined && !early && (stream as { controller?: AbortController }).controller?.signal?.aborted) {
      error = { name: 'APIUserAbortError', message: 'Request was aborted.' };
    }
    if (error === undefined && !early) error = acc.incompleteError?.();
    const outcome = acc.outcome();
    if (capture) outcome.outputMessages = [{ role: 'assistant', parts: [{ type: 'text', content: acc.outputText() }] }];
    if (error !== undefined && (outcome.usage || !interrupted)) {
      call.fail(error, outcome.usage ? outcome : undefined);
      return;
    }
    if (outcome.usage) {
      call.succeed(outcome);
      return;
    }
    // No usage in the stream (OpenAI without `stream_options.include_usage`, an early break, or
    // shutdown mid-stream): estimate what was sent and delivered. The span ends when the
    // estimate does; until then shutdown and forceFlush wait for it.
    const end = (o: CallOutcome) => (error === undefined ? call.succeed(o) : call.fail(error, o));
    const work = estimateUsage(params, acc, outcome, mapping).then(end, (err) => {
      diag.error('genai-usage: token estimate failed', err);
      end(outcome);
    });
    call.endAfter(work, () => end(outcome));
  };
  call.onInterrupt((err) => finish(false, err, true));
  const observer: StreamObserver<unknown> = {
    chunk(chunk) {
      if (acc.add(chunk)) call.firstChunk();
    },
    end: (early) => finish(early),
    error: (err) => finish(false, err ?? new Error('stream failed')),
  };
  const observed = mapping.observeStream ? mapping.observeStream(stream, observer) : observeSdkStream(stream, observer);
  if (!observed) call.succeed({});
}

async function estimateUsage(params: unknown, acc: StreamAccumulator<unknown>, outcome: CallOutcome, mapping: CallMapping): Promise<CallOutcome> {
  const p = (params ?? {}) as Record<string, unknown>;
  // Input counts the provider already sent (Anthropic's message_start) beat an estimate.
  const known = acc.partialUsage?.();
  const input = mapping.estimateInput ? mapping.estimateInput(params) : [p.system, p.instructions, p.messages, p.input, p.prompt, p.contents];
  const inputTexts = known ? [] : [...collectText(input), ...toolDefinitionsText(p.tools)];
  const counts = await countTokensOffThread([acc.outputText(), ...inputTexts]);
  const output = counts[0] ?? 0;
  const usage = known ? { ...known, output, estimated: true } : { input: messageTokens(counts.slice(1)), output, estimated: true };
  return { ...outcome, usage };
}
