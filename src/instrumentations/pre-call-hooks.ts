import { diag } from '@opentelemetry/api';
import * as A from '../semconv.js';
import type { LlmCall } from './llm-call.js';

/** What a pre-call hook knows about a call before it is sent. */
export interface PreCallInfo {
  provider: string;
  operation: string;
  requestModel: string | undefined;
  /** Upper bound on output tokens if the request sets one (for reserving cost). */
  maxOutputTokens: number | undefined;
}

/**
 * A check run before every instrumented call. To block the call, throw an error with
 * `blocksCall: true` (e.g. `BudgetExceededError`): the request is not sent and the
 * caller receives that error. Any other throw is a bug in the hook: logged, call proceeds.
 */
export type PreCallHook = (call: PreCallInfo) => void;

const hooks: PreCallHook[] = [];

/** Registers a hook; returns a function that removes it. */
export function addPreCallHook(hook: PreCallHook): () => void {
  hooks.push(hook);
  return () => {
    const i = hooks.indexOf(hook);
    if (i >= 0) hooks.splice(i, 1);
  };
}

export function preCallHooks(): readonly PreCallHook[] {
  return hooks;
}

/**
 * Runs every hook for a call about to be sent; returns the error of the first hook that blocks
 * it. A hook that throws anything else is a bug in the hook: logged, and the call proceeds.
 */
export function checkBeforeCall(info: PreCallInfo): (Error & { blocksCall: true }) | undefined {
  for (const hook of hooks) {
    try {
      hook(info);
    } catch (err) {
      if (isBlockingError(err)) return err;
      diag.error('genai-usage: a pre-call hook failed; the call proceeds', err);
    }
  }
  return undefined;
}

export function isBlockingError(err: unknown): err is Error & { blocksCall: true } {
  return err instanceof Error && (err as { blocksCall?: unknown }).blocksCall === true;
}

/** Runs the pre-call hooks for a started call; a blocked call is failed (marked as blocked by a budget) and its error returned. */
export function runPreCallHooks(call: LlmCall): Error | undefined {
  if (preCallHooks().length === 0) return undefined;
  const blocked = checkBeforeCall({
    provider: call.spec.provider,
    operation: call.spec.operation,
    requestModel: call.spec.requestModel,
    maxOutputTokens: call.spec.maxOutputTokens,
  });
  if (blocked) {
    call.span.setAttribute(A.ATTR_BLOCKED_BY_BUDGET, true);
    call.fail(blocked);
  }
  return blocked;
}
