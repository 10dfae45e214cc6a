/**
 * A query the store cannot run as asked: an unknown filter key, a bad date, a `groupBy`,
 * `bucket` or `metric` value outside the valid set. Thrown before any SQL runs.
 */
export class StoreQueryError extends Error {
  override readonly name = 'StoreQueryError';
  constructor(
    message: string,
    /** The option or filter key that was wrong, e.g. `groupBy` or `from`. */
    readonly key: string,
    /** The value that was rejected. */
    readonly value: unknown,
    /** The values that would have been accepted, when they form a closed set. */
    readonly validValues?: readonly string[],
  ) {
    super(message);
  }
}

/** A store that cannot be opened or used: a bad URL, a schema newer than this version, an unreachable server. */
export class StoreError extends Error {
  override readonly name: string = 'StoreError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A store opened read-only (`openStore(url, { readOnly: true })`) that does not exist: nothing was created. */
export class StoreNotFoundError extends StoreError {
  override readonly name: string = 'StoreNotFoundError';
}

/** A store URL with its password masked, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/** Quotes a value for an error message; values are never put into SQL this way. */
export function show(value: unknown): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
