import { context, diag } from '@opentelemetry/api';
import type { CallOutcome, CallUsage } from '../instrumentations/call-outcome.js';
import { LlmCall } from '../instrumentations/llm-call.js';
import { runPreCallHooks } from '../instrumentations/pre-call-hooks.js';
import * as A from '../semconv.js';
import { manualTracer } from './manual-tracer.js';
import type { BilledParts } from './record-usage.js';

export interface TrackCallMeta {
  provider: string;
  model: string;
  /** Default `chat`. */
  operation?: string;
}

export interface ExtractedUsage extends BilledParts {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
  responseModel?: string;
  costUsd?: number;
}

export interface TrackCallOptions<T> {
  /** Reads token counts from the result; without it the call is recorded with no usage (cost unknown). */
  extractUsage?: (result: T) => ExtractedUsage | undefined;
}

/**
 * Runs `fn` as one tracked LLM call: timed, recorded as success or failure, subject to
 * hard budgets. Returns `fn`'s result (or rethrows its error) unchanged.
 */
export async function trackCall<T>(meta: TrackCallMeta, fn: () => T | Promise<T>, options: TrackCallOptions<T> = {}): Promise<T> {
  let call: LlmCall | undefined;
  try {
    call = new LlmCall(manualTracer(), {
      operation: meta.operation ?? A.OP_CHAT,
      provider: meta.provider,
      requestModel: meta.model,
      stream: false,
      attributes: {},
    });
  } catch (err) {
    diag.error('genai-usage: trackCall could not start its span', err);
    return fn();
  }
  const blocked = runPreCallHooks(call);
  if (blocked) throw blocked;
  let result: T;
  try {
    result = await context.with(call.context, fn);
  } catch (err) {
    call.fail(err);
    throw err;
  }
  call.succeed(outcomeOf(result, options.extractUsage));
  return result;
}

function outcomeOf<T>(result: T, extract: TrackCallOptions<T>['extractUsage']): CallOutcome {
  if (!extract) return {};
  try {
    const u = extract(result);
    if (!u) return {};
    const usage: CallUsage = {
      input: u.inputTokens,
      output: u.outputTokens,
      cacheRead: u.cacheReadTokens,
      cacheWrite: u.cacheWriteTokens,
      reasoning: u.reasoningTokens,
      cacheWrite1h: u.cacheWrite1hTokens,
      audioInput: u.audioInputTokens,
      audioOutput: u.audioOutputTokens,
      imageInput: u.imageInputTokens,
      imageOutput: u.imageOutputTokens,
      webSearchRequests: u.webSearchRequests,
    };
    return { usage, responseModel: u.responseModel, providerCostUsd: u.costUsd, serviceTier: u.serviceTier };
  } catch (err) {
    diag.error('genai-usage: trackCall extractUsage failed', err);
    return {};
  }
}
