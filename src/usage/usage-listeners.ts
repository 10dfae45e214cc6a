import { diag } from '@opentelemetry/api';
import type { UsageRecord } from './usage-record.js';

export type UsageHandler = (record: UsageRecord) => void | Promise<void>;
export interface OnUsageOptions {
  /** Receives what the handler throws or rejects with; default: logged through `diag`. */
  onError?: (error: unknown, record: UsageRecord) => void;
}

interface Listener {
  handler: UsageHandler;
  onError: ((error: unknown, record: UsageRecord) => void) | undefined;
}

const listeners: Listener[] = [];

/**
 * Calls `handler` with every recorded LLM call. Handlers run after the call has returned
 * to the app (on `setImmediate`), so a slow, throwing or rejecting handler never affects it.
 * Returns a function that unsubscribes.
 */
export function onUsage(handler: UsageHandler, options: OnUsageOptions = {}): () => void {
  const listener: Listener = { handler, onError: options.onError };
  listeners.push(listener);
  return () => {
    const i = listeners.indexOf(listener);
    if (i >= 0) listeners.splice(i, 1);
  };
}

export function hasUsageListeners(): boolean {
  return listeners.length > 0;
}

export function emitUsage(record: UsageRecord): void {
  if (listeners.length === 0) return;
  const snapshot = listeners.slice();
  setImmediate(() => {
    for (const listener of snapshot) {
      try {
        const result = listener.handler(record);
        if (result && typeof (result as Promise<void>).then === 'function') {
          (result as Promise<void>).then(undefined, (err) => reportError(listener, err, record));
        }
      } catch (err) {
        reportError(listener, err, record);
      }
    }
  });
}

function reportError(listener: Listener, err: unknown, record: UsageRecord): void {
  try {
    if (listener.onError) listener.onError(err, record);
    else diag.error('genai-usage: an onUsage handler failed', err);
  } catch (e) {
    diag.error('genai-usage: an onUsage onError handler failed', e);
  }
}
