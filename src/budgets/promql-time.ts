import type { CalendarPeriod } from './budget-types.js';
import type { PeriodSpec } from './periods.js';

/**
 * PromQL for "seconds until the current period ends", a scalar. PromQL's date functions are
 * UTC: a budget in another time zone is shifted by that zone's UTC offset at generation time
 * (`at`), so across a DST change the projection horizon is off by the DST shift (one hour)
 * until the rules are regenerated.
 */
export function secondsToPeriodEnd(unit: CalendarPeriod, offsetSeconds: number): string {
  const t = offsetSeconds === 0 ? 'time()' : `(time() ${offsetSeconds > 0 ? '+' : '-'} ${Math.abs(offsetSeconds)})`;
  const v = `vector(${t})`;
  const restOfDay = `(86400 - ${t} % 86400)`;
  switch (unit) {
    case 'daily':
      return restOfDay;
    case 'weekly':
      // Full days left after today until next Monday: 6 on Monday, 0 on Sunday.
      return `scalar((6 - (day_of_week(${v}) + 6) % 7) * 86400) + ${restOfDay}`;
    case 'monthly':
      return `scalar((days_in_month(${v}) - day_of_month(${v})) * 86400) + ${restOfDay}`;
    case 'yearly': {
      const leap = `(year(${v}) % 4 == bool 0) - (year(${v}) % 100 == bool 0) + (year(${v}) % 400 == bool 0)`;
      return `scalar((365 + ${leap} - day_of_year(${v})) * 86400) + ${restOfDay}`;
    }
  }
}

/** The zone's UTC offset in seconds at `at` (0 for UTC). */
export function utcOffsetSeconds(timeZone: string, at: number): number {
  if (timeZone === 'UTC') return 0;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((local - Math.floor(at / 1000) * 1000) / 1000);
}

/** A representative period length in seconds (months: 30 days, years: 365 days; rolling: the window). */
export function periodSeconds(period: PeriodSpec): number {
  if (period.kind === 'rolling') return period.windowMs / 1000;
  return { daily: 86_400, weekly: 604_800, monthly: 2_592_000, yearly: 31_536_000 }[period.unit];
}

/** How far back `predict_linear` looks, per period. */
export function projectionLookback(unit: CalendarPeriod): string {
  return { daily: '1h', weekly: '6h', monthly: '6h', yearly: '1d' }[unit];
}
