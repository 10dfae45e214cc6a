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

export function isBlockingError(err: unknown): err is Error & { blocksCall: true } {
  return err instanceof Error && (err as { blocksCall?: unknown }).blocksCall === true;
}
