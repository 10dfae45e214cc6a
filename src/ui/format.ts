import { formatUsd } from '../cli/format-table.js';

/** Display forms of the numbers on the pages. Every number cell also carries its exact value (`data-value`). */

/** USD, or "unknown" for null (no call in the row had a known price): $11,024.12, $0.017227, $0.0000900. */
export function usd(value: number | null | undefined): string {
  if (value === null || value === undefined) return 'unknown';
  if (Math.abs(value) >= 1) return `${value < 0 ? '-' : ''}$${Math.abs(value).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  return formatUsd(value);
}

/** An integer with thousands separators: 1,234,567. */
export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : Math.round(value).toLocaleString('en-US');
}

/** Short token counts for headline cards: 950, 12.3k, 4.56M, 1.2B. */
export function compact(value: number): string {
  const abs = Math.abs(value);
  const fmt = (n: number, suffix: string): string => `${n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)}${suffix}`;
  if (abs >= 1e9) return fmt(value / 1e9, 'B');
  if (abs >= 1e6) return fmt(value / 1e6, 'M');
  if (abs >= 1e4) return fmt(value / 1e3, 'k');
  return count(value);
}

/** Milliseconds as "850 ms" or "2.4 s"; "–" when unknown. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** A fraction as a percentage with one decimal: 0.1234 → "12.3%". */
export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** An instant as "2025-01-31 09:15:03 UTC" (the pages are in UTC, like the store's buckets). */
export function utc(value: Date | string | undefined): string {
  if (value === undefined) return '–';
  const date = typeof value === 'string' ? new Date(value) : value;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A bucket start for a given bucket size: the day for days, with the hour for hours. */
export function bucketLabel(iso: string, bucket: string): string {
  if (bucket === 'hour') return `${iso.slice(0, 13).replace('T', ' ')}:00`;
  if (bucket === 'month') return iso.slice(0, 7);
  return iso.slice(0, 10);
}
