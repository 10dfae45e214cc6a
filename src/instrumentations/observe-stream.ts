import { diag } from '@opentelemetry/api';

/** Receives a stream's chunks as the app reads them. Must not throw. */
export interface StreamObserver<Chunk> {
  chunk(chunk: Chunk): void;
  /** The stream ended, or the app stopped reading (`early`: break, return). */
  end(early: boolean): void;
  error(err: unknown): void;
}

/**
 * Makes an SDK stream report its chunks as the app reads them, keeping the object the SDK
 * returned (its class, methods and identity). Three shapes are known:
 * - a Stainless stream (openai, @anthropic-ai/sdk): the one `iterator()` method that both
 *   iteration and `tee()` use is wrapped;
 * - an async generator (@google/genai): its own `next`/`return`/`throw` are shadowed on the
 *   instance, so `for await` and direct `next()` calls are both seen;
 * - a WHATWG `ReadableStream` (@mistralai/mistralai's `EventStream`): `[Symbol.asyncIterator]`
 *   and `getReader()` are wrapped (`tee()` and `pipeTo()` bypass both and are not observed).
 * Returns false for anything else (the caller then ends the call without stream data).
 */
export function observeSdkStream<Chunk>(stream: unknown, observer: StreamObserver<Chunk>): boolean {
  const target = stream as Record<PropertyKey, unknown> | null | undefined;
  if (!target || (typeof target !== 'object' && typeof target !== 'function')) return false;
  if (typeof target.iterator === 'function') {
    const original = target.iterator as (this: unknown) => AsyncIterator<Chunk>;
    target.iterator = function (this: unknown): AsyncIterator<Chunk> {
      return observeIterator(original.call(this), observer);
    };
    return true;
  }
  if (typeof target[Symbol.asyncIterator] !== 'function') return false;
  if (typeof target.next === 'function') {
    observeGeneratorInPlace(target as unknown as AsyncGenerator<Chunk>, observer);
    return true;
  }
  if (typeof target.getReader === 'function') {
    observeReadableStream(target as unknown as ReadableStream<Chunk>, observer);
    return true;
  }
  return false;
}

function observeGeneratorInPlace<Chunk>(gen: AsyncGenerator<Chunk>, observer: StreamObserver<Chunk>): void {
  const { next, return: ret, throw: thr } = gen;
  const observed = observeIterator<Chunk>(
    {
      next: (...args: [] | [unknown]) => next.apply(gen, args),
      return: (value?: unknown) => ret.call(gen, value as Chunk),
      throw: (err?: unknown) => thr.call(gen, err),
    },
    observer,
  );
  gen.next = observed.next as AsyncGenerator<Chunk>['next'];
  gen.return = observed.return as AsyncGenerator<Chunk>['return'];
  gen.throw = observed.throw as AsyncGenerator<Chunk>['throw'];
}

function observeReadableStream<Chunk>(stream: ReadableStream<Chunk>, observer: StreamObserver<Chunk>): void {
  const iterate = (stream as unknown as AsyncIterable<Chunk>)[Symbol.asyncIterator];
  Object.defineProperty(stream, Symbol.asyncIterator, {
    configurable: true,
    writable: true,
    value: function (this: unknown, ...args: unknown[]): AsyncIterator<Chunk> {
      return observeIterator((iterate as (...a: unknown[]) => AsyncIterator<Chunk>).apply(this, args), observer);
    },
  });
  const getReader = stream.getReader;
  stream.getReader = function (this: ReadableStream<Chunk>, ...args: unknown[]) {
    const reader = (getReader as (...a: unknown[]) => ReadableStreamDefaultReader<Chunk>).apply(this, args);
    const read = reader.read.bind(reader);
    const cancel = reader.cancel.bind(reader);
    const observed = observeIterator<Chunk>(
      { next: () => read() as Promise<IteratorResult<Chunk>>, return: (reason?: unknown) => cancel(reason).then(() => ({ done: true as const, value: undefined as Chunk })) },
      observer,
    );
    reader.read = observed.next as ReadableStreamDefaultReader<Chunk>['read'];
    reader.cancel = (reason?: unknown) => observed.return!(reason).then(() => undefined);
    return reader;
  } as ReadableStream<Chunk>['getReader'];
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
