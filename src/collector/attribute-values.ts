import type { AttributeValue } from '@opentelemetry/api';
import { SPAN_LIMITS } from './span-limits.js';

export type Attributes = Record<string, AttributeValue>;

/** A JSON-like value: what an OTLP AnyValue becomes before it is made an attribute value. */
export type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

/** An attribute value beyond {@link SPAN_LIMITS}: the attribute is set aside with this reason. */
export class ValueLimitError extends Error {
  override readonly name = 'ValueLimitError';
}

/**
 * The size of one nested attribute value, counted while it is walked, so the walk stops at
 * the first level or character beyond the limits: work stays linear in the bytes received.
 */
export class ValueBudget {
  private chars: number = SPAN_LIMITS.maxValueChars;

  /** Called before descending into an array or key-value list at `depth` (a flat array is 1). */
  enter(depth: number): void {
    if (depth > SPAN_LIMITS.maxValueDepth) throw new ValueLimitError(`is nested deeper than ${SPAN_LIMITS.maxValueDepth} levels`);
    this.spend(2);
  }

  spend(chars: number): void {
    this.chars -= chars;
    if (this.chars < 0) throw new ValueLimitError(`is larger than ${SPAN_LIMITS.maxValueChars} characters`);
  }

  /** Counts a leaf inside an array or key-value list. */
  leaf(value: Plain): Plain {
    this.spend(typeof value === 'string' ? value.length + 3 : 8);
    return value;
  }
}

/** A key-value list in the making: plain object without a prototype, so `__proto__` is just a key. */
export function emptyObject(): { [key: string]: Plain } {
  return Object.create(null) as { [key: string]: Plain };
}

/**
 * A walked AnyValue → an OpenTelemetry attribute value. Arrays of one primitive type stay
 * arrays, as the attribute API allows; anything else nested becomes JSON text, serialised
 * once at the top (serialising each level would escape the levels below again and again).
 */
export function toAttributeValue(value: Plain | undefined): AttributeValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value) && homogeneousPrimitives(value)) return value as string[];
  const text = JSON.stringify(value);
  if (text.length > SPAN_LIMITS.maxValueChars) throw new ValueLimitError(`is larger than ${SPAN_LIMITS.maxValueChars} characters`);
  return text;
}

function homogeneousPrimitives(values: Plain[]): boolean {
  if (values.length === 0) return true;
  const type = typeof values[0];
  if (type !== 'string' && type !== 'number' && type !== 'boolean') return false;
  for (const v of values) if (typeof v !== type) return false;
  return true;
}

/** Attributes of one span or resource, and those set aside for breaking a limit. */
export class AttributeSet {
  // A plain object, not a prototype-less one: V8 keeps those in slow dictionary mode, and
  // every attribute read of the mapping would pay for it. `__proto__` is refused in `add`.
  readonly values: Attributes = {};
  setAside: Record<string, string> | undefined;

  /** Adds a primitive value (undefined: no value). */
  set(key: string, value: AttributeValue | undefined): void {
    if (key === '__proto__') return;
    if (value === undefined) delete this.values[key];
    else this.values[key] = value;
  }

  /** Adds `key` with the value `convert` returns, or sets it aside when it breaks a limit. */
  add(key: string, convert: () => AttributeValue | undefined): void {
    try {
      this.set(key, convert());
    } catch (error) {
      if (!(error instanceof ValueLimitError)) throw error;
      this.setAsideValue(key, error.message);
    }
  }

  /** Records that `key`'s value broke a limit (and drops any earlier value of it). */
  setAsideValue(key: string, reason: string): void {
    if (key === '__proto__') return;
    delete this.values[key];
    (this.setAside ??= {})[key] = reason;
  }
}
