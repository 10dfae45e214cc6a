/**
 * What one OTLP span may carry into the store. A call span that breaks a limit is rejected
 * (reported per span in `partialSuccess`), never truncated, never stored as something else.
 * docs/collector.md ("Limits") lists them; they are not configurable on purpose: they bound
 * the collector's work per byte received, which is what keeps hostile input cheap.
 */
export const SPAN_LIMITS = {
  /** Nesting of `arrayValue`/`kvlistValue` inside one attribute value (a flat array is depth 1). */
  maxValueDepth: 8,
  /** Characters of one nested or array attribute value once flattened to JSON text. */
  maxValueChars: 65_536,
  /** Characters of each stored text field: user, agent, model, provider, service, session, ... */
  maxTextChars: 256,
  /** The hand-off chain joins several agent names. */
  maxHandoffChainChars: 1024,
  maxTags: 32,
  maxTagKeyChars: 128,
  maxTagValueChars: 256,
  /**
   * Any one token count. The largest context windows are ~10M tokens; a batch embeddings call
   * can reach tens of millions. Beyond this a count is corrupt or hostile, not usage.
   */
  maxTokens: 100_000_000,
  /** A cost above this for one call is treated as corrupt. */
  maxCostUsd: 100_000,
} as const;

/**
 * Why a text value cannot be stored as it is, or undefined. NUL and unpaired UTF-16 surrogates
 * are rejected rather than stripped: stripping would quietly merge two different ids
 * (`a\0b` and `ab`), and PostgreSQL refuses NUL in text where SQLite stores it.
 */
export function textProblem(value: string, maxChars: number): string | undefined {
  if (value.length > maxChars) return `is ${value.length} characters; the limit is ${maxChars}`;
  // One regex pass finds the rare candidates; the exact checks run only then.
  if (SUSPECT.test(value)) {
    if (value.includes('\u0000')) return 'contains NUL (U+0000)';
    if (LONE_SURROGATE.test(value)) return 'contains an unpaired UTF-16 surrogate (not valid Unicode)';
  }
  return undefined;
}

const SUSPECT = /[\u0000\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
