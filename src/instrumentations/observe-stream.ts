import { diag } from '@opentelemetry/api';

/** Receives a stream's chunks as the app reads them. Must not throw. */
export interface StreamObserver<Chunk> {
  chunk(chunk: Chunk): void;
  /** The stream ended, or the app stopped reading (`early`: break, return). */
  end(early: boolean): void;
  error(err: unknown): void;
}

/**
 * Makes a Stainless SDK stream (openai, @anthropic-ai/sdk) report its chunks by wrapping
 * the one method that iteration and `tee()` both use. Returns false when the object does
 * not look like such a stream (the caller then ends the call without stream data).
 */
export function observeSdkStream<Chunk>(stream: unknown, observer: StreamObserver<Chunk>): boolean {
  const target = stream as { iterator?: unknown };
  if (!target || typeof target.iterator !== 'function') return false;
  const original = target.iterator as (this: unknown) => AsyncIterator<Chunk>;
  target.iterator = function (this: unknown): AsyncIterator<Chunk> {
    return observeIterator(original.call(this), observer);
  };
  return true;
}

/**
 * Makes a plain async iterable (the AWS SDK's event streams) report its chunks by wrapping its
 * `Symbol.asyncIterator` in place: the app keeps the very object the SDK returned. Returns
 * false when there is nothing to wrap (the caller then ends the call without stream data).
 */
export function observeAsyncIterable<Chunk>(iterable: unknown, observer: StreamObserver<Chunk>): boolean {
  const target = iterable as Record<symbol, unknown> | null | undefined;
  const original = target?.[Symbol.asyncIterator];
  if (typeof original !== 'function') return false;
  try {
    target![Symbol.asyncIterator] = function (this: unknown): AsyncIterator<Chunk> {
      return observeIterator((original as (this: unknown) => AsyncIterator<Chunk>).call(this), observer);
    };
  } catch {
    return false; // a frozen object: leave it alone
  }
  return true;
}

/**
 * Yields exactly what `inner` yields: the app awaits the SDK's own promise for each step, and
 * our reaction, registered first, sees the chunk just before the app does. (Returning a
 * derived promise instead costs the app an extra promise hop per chunk: ~2× the overhead
 * under an active AsyncLocalStorage context, measured.)
 */
export function observeIterator<Chunk>(inner: AsyncIterator<Chunk>, observer: StreamObserver<Chunk>): AsyncIterator<Chunk> {
  const onResult = (result: IteratorResult<Chunk>): void => {
    try {
      if (result.done) observer.end(false);
      else observer.chunk(result.value);
    } catch (err) {
      diag.error('genai-usage: stream observer failed', err);
    }
  };
  // Observes only: the rejection reaches the app through the promise it awaits.
  const onError = (err: unknown): void => {
    try {
      observer.error(err);
    } catch (e) {
      diag.error('genai-usage: stream observer failed', e);
    }
  };
  const wrapped: AsyncIterator<Chunk> & AsyncIterable<Chunk> = {
    next: (...args: [] | [undefined]) => {
      const step = inner.next(...args);
      step.then(onResult, onError);
      return step;
    },
    return: (value?: unknown) => {
      try {
        observer.end(true);
      } catch (e) {
        diag.error('genai-usage: stream observer failed', e);
      }
      return inner.return ? inner.return(value) : Promise.resolve({ done: true, value: value as Chunk });
    },
    throw: (err?: unknown) => {
      onError(err);
      return inner.throw ? inner.throw(err) : Promise.reject(err);
    },
    [Symbol.asyncIterator]() {
      return wrapped;
    },
  };
  return wrapped;
}
