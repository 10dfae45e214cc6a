import { diag } from '@opentelemetry/api';

/** What the registry needs from a call; `LlmCall` implements it. */
export interface InFlightCall {
  /** Set once the SDK has finished but the span waits for more work (a token estimate). */
  readonly pendingEnd: Promise<unknown> | undefined;
  /** Shutdown: end a call the SDK has not finished as interrupted (may start a pending end). */
  interrupt(): void;
  /** Out of time: end the call now with what it has. */
  endNow(): void;
}

/** `error.type` of a call still open when tracking shut down (documented in the README). */
export const INTERRUPTED_ERROR_TYPE = 'InterruptedByShutdown';

/**
 * How many unended calls are tracked at most. A call whose result the app never reads (only
 * `.asResponse()`) never ends; past this bound the oldest is forgotten so memory stays bounded.
 */
export const MAX_TRACKED_CALLS = 10_000;

/** How long `forceFlush()` and `shutdown()` wait for pending ends by default. */
export const SETTLE_TIMEOUT_MS = 5_000;

/** A registered call's place in the registry, handed back to `callEnded`. */
export interface InFlightEntry {
  readonly call: InFlightCall;
  prev: InFlightEntry | undefined;
  next: InFlightEntry | undefined;
  listed: boolean;
}

// A doubly linked list, oldest first. A Set cost 1.6 µs per call in place (hashing the call,
// resizing its table); linking an entry costs no hashing and no table.
let oldest: InFlightEntry | undefined;
let newest: InFlightEntry | undefined;
let size = 0;
let warnedFull = false;

export function callStarted(call: InFlightCall): InFlightEntry {
  if (size >= MAX_TRACKED_CALLS && oldest) {
    unlink(oldest);
    if (!warnedFull) {
      warnedFull = true;
      diag.warn(`genai-usage: more than ${MAX_TRACKED_CALLS} LLM calls in flight; the oldest are no longer awaited at shutdown`);
    }
  }
  const entry: InFlightEntry = { call, prev: newest, next: undefined, listed: true };
  if (newest) newest.next = entry;
  else oldest = entry;
  newest = entry;
  size++;
  return entry;
}

export function callEnded(entry: InFlightEntry): void {
  if (entry.listed) unlink(entry);
}

function unlink(entry: InFlightEntry): void {
  entry.listed = false;
  if (entry.prev) entry.prev.next = entry.next;
  else oldest = entry.next;
  if (entry.next) entry.next.prev = entry.prev;
  else newest = entry.prev;
  entry.prev = entry.next = undefined;
  size--;
}

/** The registered entries, oldest first, as an array (calls end while it is walked). */
function entries(): InFlightEntry[] {
  const all: InFlightEntry[] = [];
  for (let e = oldest; e; e = e.next) all.push(e);
  return all;
}

/** Calls started and not yet ended (for tests and diagnostics). */
export function inFlightCallCount(): number {
  return size;
}

/** Waits, up to `timeoutMs`, until every call the SDK already finished has ended its span. */
export async function settleFinishedCalls(timeoutMs = SETTLE_TIMEOUT_MS): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (let e = oldest; e; e = e.next) if (e.call.pendingEnd) pending.push(e.call.pendingEnd);
  if (pending.length > 0) await within(Promise.allSettled(pending), timeoutMs);
}

/**
 * Ends every call, for shutdown: finished calls get up to `timeoutMs` to end on their own, open
 * ones end as interrupted (a stream with what it delivered so far), and whatever is still
 * unended when the time is up ends with what it has. Returns how many calls were interrupted.
 */
export async function endInFlightCalls(timeoutMs = SETTLE_TIMEOUT_MS): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  await settleFinishedCalls(timeoutMs);
  let interrupted = 0;
  for (const { call } of entries()) {
    if (call.pendingEnd) continue;
    interrupted++;
    try {
      call.interrupt();
    } catch (err) {
      diag.error('genai-usage: could not interrupt a call', err);
    }
  }
  await settleFinishedCalls(Math.max(0, deadline - performance.now()));
  for (const entry of entries()) {
    try {
      entry.call.endNow();
    } catch (err) {
      diag.error('genai-usage: could not end a call', err);
    }
    callEnded(entry);
  }
  return interrupted;
}

function within(work: Promise<unknown>, timeoutMs: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    // Not unref'd: at shutdown this timer may be what keeps the process alive until we are done.
    timer = setTimeout(resolve, timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
