import { describe, expect, it } from 'vitest';
import { calendarWindow, parseWindow, startOfDay } from '../../src/budgets/periods.js';
import { secondsToPeriodEnd, utcOffsetSeconds } from '../../src/budgets/promql-time.js';

const iso = (ms: number) => new Date(ms).toISOString();
const at = (text: string) => Date.parse(text);
const window = (text: string, unit: Parameters<typeof calendarWindow>[1], tz = 'UTC') => {
  const w = calendarWindow(at(text), unit, tz);
  return [iso(w.start), iso(w.end)];
};

describe('calendar periods in UTC', () => {
  it('daily: the last millisecond of a day and the first of the next fall in different periods', () => {
    expect(window('2025-01-31T23:59:59.999Z', 'daily')).toEqual(['2025-01-31T00:00:00.000Z', '2025-02-01T00:00:00.000Z']);
    expect(window('2025-02-01T00:00:00.000Z', 'daily')).toEqual(['2025-02-01T00:00:00.000Z', '2025-02-02T00:00:00.000Z']);
  });

  it('monthly: month ends of 28, 29, 30 and 31 days, leap years by the Gregorian rules', () => {
    expect(window('2025-02-28T12:00:00Z', 'monthly')).toEqual(['2025-02-01T00:00:00.000Z', '2025-03-01T00:00:00.000Z']);
    expect(window('2024-02-29T23:59:59.999Z', 'monthly')).toEqual(['2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z']);
    expect(window('2000-02-29T00:00:00Z', 'monthly')[1]).toBe('2000-03-01T00:00:00.000Z'); // divisible by 400: leap
    expect(window('2100-02-28T23:00:00Z', 'monthly')[1]).toBe('2100-03-01T00:00:00.000Z'); // divisible by 100: not
    expect(window('2025-04-30T23:59:59Z', 'monthly')[1]).toBe('2025-05-01T00:00:00.000Z');
    expect(window('2025-12-31T23:59:59Z', 'monthly')).toEqual(['2025-12-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z']);
  });

  it('yearly: 366 days in a leap year, 365 otherwise', () => {
    const leap = calendarWindow(at('2024-07-01T00:00:00Z'), 'yearly', 'UTC');
    expect((leap.end - leap.start) / 864e5).toBe(366);
    const common = calendarWindow(at('2025-12-31T23:59:59.999Z'), 'yearly', 'UTC');
    expect([iso(common.start), (common.end - common.start) / 864e5]).toEqual(['2025-01-01T00:00:00.000Z', 365]);
  });

  it('weekly: ISO weeks from Monday, including week 53 across a year end', () => {
    // 2020 has an ISO week 53: Mon 2020-12-28 .. Sun 2021-01-03.
    expect(window('2020-12-31T10:00:00Z', 'weekly')).toEqual(['2020-12-28T00:00:00.000Z', '2021-01-04T00:00:00.000Z']);
    expect(window('2021-01-03T23:59:59.999Z', 'weekly')).toEqual(['2020-12-28T00:00:00.000Z', '2021-01-04T00:00:00.000Z']);
    expect(window('2021-01-04T00:00:00Z', 'weekly')[0]).toBe('2021-01-04T00:00:00.000Z');
    // 2026 also has 53 ISO weeks; its last week spans into 2027.
    expect(window('2027-01-02T00:00:00Z', 'weekly')).toEqual(['2026-12-28T00:00:00.000Z', '2027-01-04T00:00:00.000Z']);
    // A Sunday belongs to the week that started six days before, a Monday starts one.
    expect(window('2025-03-09T12:00:00Z', 'weekly')[0]).toBe('2025-03-03T00:00:00.000Z');
  });
});

describe('calendar periods in a time zone', () => {
  it('starts at local midnight: Europe/Berlin is UTC+1 in winter, UTC+2 in summer', () => {
    expect(window('2025-01-15T23:30:00Z', 'daily', 'Europe/Berlin')).toEqual(['2025-01-15T23:00:00.000Z', '2025-01-16T23:00:00.000Z']);
    expect(window('2025-01-15T22:59:59.999Z', 'daily', 'Europe/Berlin')[0]).toBe('2025-01-14T23:00:00.000Z');
    expect(window('2025-07-01T12:00:00Z', 'monthly', 'Europe/Berlin')).toEqual(['2025-06-30T22:00:00.000Z', '2025-07-31T22:00:00.000Z']);
  });

  it('a day is 23 hours when DST starts and 25 hours when it ends', () => {
    const spring = calendarWindow(at('2025-03-30T12:00:00Z'), 'daily', 'Europe/Berlin');
    expect([iso(spring.start), (spring.end - spring.start) / 36e5]).toEqual(['2025-03-29T23:00:00.000Z', 23]);
    const autumn = calendarWindow(at('2025-10-26T12:00:00Z'), 'daily', 'Europe/Berlin');
    expect([iso(autumn.start), (autumn.end - autumn.start) / 36e5]).toEqual(['2025-10-25T22:00:00.000Z', 25]);
    const ny = calendarWindow(at('2025-11-02T12:00:00Z'), 'daily', 'America/New_York');
    expect((ny.end - ny.start) / 36e5).toBe(25);
  });

  it('where DST skips midnight, the day starts at the first local instant (01:00)', () => {
    // Brazil sprang forward at 00:00 on 2018-11-04: 00:00-00:59 did not exist in Sao Paulo.
    expect(iso(startOfDay(2018, 10, 4, 'America/Sao_Paulo'))).toBe('2018-11-04T03:00:00.000Z');
    const day = calendarWindow(at('2018-11-04T12:00:00Z'), 'daily', 'America/Sao_Paulo');
    expect([iso(day.start), (day.end - day.start) / 36e5]).toEqual(['2018-11-04T03:00:00.000Z', 23]);
  });

  it('half-hour offsets and zones east of UTC put the period start on the previous UTC day', () => {
    expect(window('2025-06-01T00:00:00Z', 'monthly', 'Asia/Kolkata')).toEqual(['2025-05-31T18:30:00.000Z', '2025-06-30T18:30:00.000Z']);
    expect(window('2025-01-01T10:00:00Z', 'yearly', 'Pacific/Kiritimati')).toEqual(['2024-12-31T10:00:00.000Z', '2025-12-31T10:00:00.000Z']);
  });

  it('a week in a zone is seven local days from local Monday midnight', () => {
    // Sunday 23:30 UTC is Monday 00:30 in Berlin: a new week there, not yet in UTC.
    expect(window('2025-03-02T23:30:00Z', 'weekly', 'Europe/Berlin')[0]).toBe('2025-03-02T23:00:00.000Z');
    expect(window('2025-03-02T23:30:00Z', 'weekly')[0]).toBe('2025-02-24T00:00:00.000Z');
  });
});

describe('rolling windows and PromQL horizons', () => {
  it('parses m, h, d, w windows of at least a minute and rejects the rest', () => {
    expect([parseWindow('30m'), parseWindow('24h'), parseWindow('7d'), parseWindow('2w')]).toEqual([18e5, 864e5, 6048e5, 12096e5]);
    expect([parseWindow('0h'), parseWindow('24'), parseWindow('1.5h'), parseWindow('30s'), parseWindow('h')]).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('UTC offsets for the PromQL horizon follow the zone and DST', () => {
    expect(utcOffsetSeconds('Europe/Berlin', at('2025-01-15T00:00:00Z'))).toBe(3600);
    expect(utcOffsetSeconds('Europe/Berlin', at('2025-07-15T00:00:00Z'))).toBe(7200);
    expect(utcOffsetSeconds('America/New_York', at('2025-01-15T00:00:00Z'))).toBe(-18000);
    expect(secondsToPeriodEnd('daily', 0)).toBe('(86400 - time() % 86400)');
    expect(secondsToPeriodEnd('daily', 3600)).toBe('(86400 - (time() + 3600) % 86400)');
  });
});
