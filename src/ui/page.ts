import type { Budget } from '../budgets/parse-budgets.js';
import type { AggregateRow, TimeBucket, UsageStore } from '../store/usage-store.js';
import type { SafeHtml } from './html.js';
import type { Table } from './table.js';
import type { View } from './view.js';

/** The sections of the navigation bar, in order. */
export const SECTIONS = [
  ['overview', 'Overview', '/'],
  ['users', 'Users', '/users'],
  ['agents', 'Agents', '/agents'],
  ['models', 'Models', '/models'],
  ['providers', 'Providers', '/providers'],
  ['sessions', 'Sessions', '/sessions'],
  ['traces', 'Traces', '/traces'],
  ['budgets', 'Budgets', '/budgets'],
] as const;
export type Section = (typeof SECTIONS)[number][0];

/** What a page reads with: a store whose reads are bound to the viewer's tenant and whose writes fail. */
export interface PageContext {
  store: UsageStore;
  view: View;
  /** The page's path without a format suffix, e.g. `/users/alice`. */
  path: string;
  /** The decoded id of a detail page. */
  id?: string;
  now: Date;
  /** The budgets file's validated budgets, why it could not be read, or undefined when none is configured. */
  budgets: { budgets: readonly Budget[]; file: string } | { error: string; file: string } | undefined;
}

/** Everything a page produced: its JSON, its tables (for CSV/JSONL) and its HTML body. */
export interface PageResult {
  title: string;
  section: Section;
  /** 404 for a detail page with no calls under the filters. */
  status?: number;
  /** The `.json` answer: the data behind the page. */
  data: Record<string, unknown>;
  /** Exportable tables; `table=` picks one, the first is the default. */
  tables: Table[];
  /** The page body; `exports(name)` gives a table's CSV/JSONL links. */
  body(exports: (table: string) => { csv: string; jsonl: string }): SafeHtml;
  /** False for pages the shared filters do not apply to (budgets). */
  filtered?: boolean;
}

export interface Page {
  section: Section;
  /** `list` pages answer `/<section>`, `detail` pages `/<section>/<id>`. */
  kind: 'list' | 'detail';
  load(ctx: PageContext): Promise<PageResult>;
}

/** One point per bucket for the charts; buckets without calls are filled with zeros. */
export interface SeriesData {
  bucket: TimeBucket;
  /** Unix seconds of each bucket start. */
  x: number[];
  cost: number[];
  input: number[];
  output: number[];
  cacheRead: number[];
  requests: number[];
}

const STEP_MS: Partial<Record<TimeBucket, number>> = { hour: 36e5, day: 864e5, week: 7 * 864e5 };
const MAX_POINTS = 5000;

/** Chart series from aggregate rows (oldest first), zero-filled between `from` (or the first row) and `to` (or now). */
export function seriesOf(rows: readonly AggregateRow[], bucket: TimeBucket, from: Date | undefined, to: Date | undefined, now: Date): SeriesData {
  const byStart = new Map(rows.map((r) => [Date.parse(r.bucket as string), r]));
  let starts = [...byStart.keys()].sort((a, b) => a - b);
  const first = from ? floorBucket(from.getTime(), bucket) : starts[0];
  // Unbounded ranges span the data; bounded ones the whole range (up to now).
  const last = starts[starts.length - 1];
  const end = from || to ? Math.min((to ?? now).getTime(), now.getTime() + 1) : last === undefined ? 0 : last + 1;
  if (first !== undefined) {
    const filled: number[] = [];
    for (let t = first; t < end && filled.length < MAX_POINTS; t = nextBucket(t, bucket)) filled.push(t);
    if (filled.length < MAX_POINTS) starts = [...new Set([...filled, ...starts])].sort((a, b) => a - b);
  }
  const pick = (t: number, f: (r: AggregateRow) => number | null): number => {
    const row = byStart.get(t);
    return row ? (f(row) ?? 0) : 0;
  };
  return {
    bucket,
    x: starts.map((t) => t / 1000),
    cost: starts.map((t) => pick(t, (r) => r.costUsd)),
    input: starts.map((t) => pick(t, (r) => r.inputTokens)),
    output: starts.map((t) => pick(t, (r) => r.outputTokens)),
    cacheRead: starts.map((t) => pick(t, (r) => r.cacheReadTokens)),
    requests: starts.map((t) => pick(t, (r) => r.requests)),
  };
}

function floorBucket(ms: number, bucket: TimeBucket): number {
  const d = new Date(ms);
  if (bucket === 'month') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  if (bucket === 'week') {
    const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    return day - ((d.getUTCDay() + 6) % 7) * 864e5;
  }
  const step = STEP_MS[bucket] as number;
  return ms - (ms % step);
}

function nextBucket(ms: number, bucket: TimeBucket): number {
  if (bucket !== 'month') return ms + (STEP_MS[bucket] as number);
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** A detail page's path: ids are percent-encoded, and dots too when the id could read as a format suffix or a dot segment. */
export function detailPath(section: Section, id: string): string {
  let encoded = encodeURIComponent(id);
  if (/^\.+$/.test(id) || /\.(json|csv|jsonl)$/i.test(id)) encoded = encoded.replace(/\./g, '%2E');
  return `/${section}/${encoded}`;
}
