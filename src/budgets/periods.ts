import type { CalendarPeriod } from './budget-types.js';

/**
 * Budget periods. Calendar periods start at local midnight in the budget's time zone
 * (UTC by default): a day, an ISO week (Monday), a month or a year. Across a DST change a
 * day is 23 or 25 hours long; where local midnight does not exist (a zone that springs
 * forward at 00:00), the period starts at the first local instant of that day. Rolling
 * windows cover the last `windowMs` before now.
 */
export type PeriodSpec =
  | { kind: 'calendar'; unit: CalendarPeriod; timeZone: string; label: CalendarPeriod }
  | { kind: 'rolling'; windowMs: number; label: string };

/** A half-open interval [start, end) in epoch milliseconds. */
export interface PeriodWindow {
  start: number;
  end: number;
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
/** The shortest rolling window: usage is kept in one-minute slots. */
export const MIN_ROLLING_MS = 60_000;

/** `'24h'` → 86 400 000; undefined when not `<positive integer><m|h|d|w>`. */
export function parseWindow(text: string): number | undefined {
  const match = /^(\d+)\s*(m|h|d|w)$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  return ms >= MIN_ROLLING_MS && Number.isSafeInteger(ms) ? ms : undefined;
}

/** True when `timeZone` is an IANA zone this runtime knows (or `UTC`). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The calendar period containing the instant `at` (ms). */
export function calendarWindow(at: number, unit: CalendarPeriod, timeZone: string): PeriodWindow {
  const [y, m, d] = localDate(at, timeZone);
  switch (unit) {
    case 'daily':
      return { start: startOfDay(y, m, d, timeZone), end: startOfDay(y, m, d + 1, timeZone) };
    case 'weekly': {
      const sinceMonday = (new Date(Date.UTC(y, m, d)).getUTCDay() + 6) % 7;
      return { start: startOfDay(y, m, d - sinceMonday, timeZone), end: startOfDay(y, m, d - sinceMonday + 7, timeZone) };
    }
    case 'monthly':
      return { start: startOfDay(y, m, 1, timeZone), end: startOfDay(y, m + 1, 1, timeZone) };
    case 'yearly':
      return { start: startOfDay(y, 0, 1, timeZone), end: startOfDay(y + 1, 0, 1, timeZone) };
  }
}

/** The window of `spec` containing `at`; a rolling window ends at `at` (exclusive end `at + 1`). */
export function periodWindow(spec: PeriodSpec, at: number): PeriodWindow {
  return spec.kind === 'calendar' ? calendarWindow(at, spec.unit, spec.timeZone) : { start: at - spec.windowMs, end: at + 1 };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', era: 'short' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** [year, month (0-11), day] of the instant in the zone. */
export function localDate(at: number, timeZone: string): [number, number, number] {
  if (timeZone === 'UTC') {
    const date = new Date(at);
    return [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()];
  }
  let y = 0;
  let m = 0;
  let d = 0;
  let bc = false;
  for (const part of formatter(timeZone).formatToParts(at)) {
    if (part.type === 'year') y = Number(part.value);
    else if (part.type === 'month') m = Number(part.value) - 1;
    else if (part.type === 'day') d = Number(part.value);
    else if (part.type === 'era') bc = part.value.startsWith('B');
  }
  return [bc ? 1 - y : y, m, d];
}

/**
 * The first instant whose local date in `timeZone` is (y, m, d) (fields may overflow:
 * day 32 is the next month). Local midnight, or the end of a DST gap that swallows it.
 */
export function startOfDay(y: number, m: number, d: number, timeZone: string): number {
  const base = Date.UTC(y, m, d);
  if (timeZone === 'UTC') return base;
  const norm = new Date(base);
  const target = dayKey(norm.getUTCFullYear(), norm.getUTCMonth(), norm.getUTCDate());
  // UTC offsets lie within -12h..+14h: at base-15h the zone is still on an earlier day, at
  // base+13h already on this one or later. Binary search for the first instant on this day.
  let lo = base - 15 * 3_600_000;
  let hi = base + 13 * 3_600_000;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const [ly, lm, ld] = localDate(mid, timeZone);
    if (dayKey(ly, lm, ld) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

function dayKey(y: number, m: number, d: number): number {
  return y * 10_000 + m * 100 + d;
}
