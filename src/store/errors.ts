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
  /** The engine's error code when known (`SQLITE_…`, a PostgreSQL SQLSTATE), for {@link isDataError}. */
  readonly code: string | undefined;
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options);
    this.code = options?.code;
  }
}

/**
 * True when the engine refused the records themselves — a value it cannot hold, a constraint —
 * rather than being unavailable: retrying the same records cannot succeed. PostgreSQL
 * SQLSTATE classes 22 (data exception), 23 (integrity) and 54 (program limit, e.g. an index
 * row too large); SQLite TOOBIG, CONSTRAINT, MISMATCH and RANGE.
 */
export function isDataError(error: unknown): boolean {
  for (let e = error, hops = 0; e !== null && typeof e === 'object' && hops < 4; e = (e as { cause?: unknown }).cause, hops++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return /^(22|23|54)[0-9A-Z]{3}$/.test(code) || /^SQLITE_(TOOBIG|CONSTRAINT|MISMATCH|RANGE)/.test(code);
  }
  return false;
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
