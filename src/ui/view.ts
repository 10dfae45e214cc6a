import { parseInstant } from '../store/filter.js';
import { StoreQueryError } from '../store/errors.js';
import { TIME_BUCKETS, type TimeBucket, type UsageFilter } from '../store/usage-store.js';

/**
 * The filters every page shares, read from and written back to the query string so a view
 * is a URL that can be bookmarked and shared. Ranges are whole UTC days so that pages read
 * the daily rollups.
 */
export const RANGES = ['today', '7d', '30d', '90d', 'all'] as const;
export type Range = (typeof RANGES)[number];
export const DEFAULT_RANGE: Range = '30d';
export const RANGE_LABELS: Record<Range, string> = { today: 'Today', '7d': 'Last 7 days', '30d': 'Last 30 days', '90d': 'Last 90 days', all: 'All time' };

/** Shared filter parameters, in the order links write them. */
export const FILTER_PARAMS = ['range', 'from', 'to', 'bucket', 'user', 'agent', 'model', 'provider', 'tag'] as const;
/** Page parameters: sorting, paging and which table an export is of. */
export const PAGE_PARAMS = ['sort', 'offset', 'table'] as const;
type Param = (typeof FILTER_PARAMS)[number] | (typeof PAGE_PARAMS)[number];

/** Longest accepted parameter value; ids longer than this are not worth a query. */
const MAX_VALUE = 512;
const MAX_TAGS = 10;

export interface View {
  /** The preset, or `custom` when `from`/`to` were given. */
  range: Range | 'custom';
  /** Inclusive start and exclusive end; undefined = unbounded. */
  from?: Date;
  to?: Date;
  bucket: TimeBucket;
  /** True when `bucket` was chosen in the URL, not derived from the range. */
  bucketSet: boolean;
  user?: string;
  agent?: string;
  model?: string;
  provider?: string;
  /** `key=value` pairs, all must match. */
  tags: string[];
  sort?: string;
  offset: number;
  table?: string;
  /** The raw parameters, to write links that keep them. */
  params: URLSearchParams;
}

/** A parameter the explorer cannot use; becomes a 400 page naming it. */
export class ViewError extends Error {
  override readonly name = 'ViewError';
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

const DAY = 864e5;

/**
 * Reads the view from the query string. Empty values (an unfilled form field) are ignored.
 * @throws ViewError naming the parameter and what is valid.
 */
export function parseView(search: URLSearchParams, now: Date): View {
  const valid: readonly string[] = [...FILTER_PARAMS, ...PAGE_PARAMS];
  const kept = new URLSearchParams();
  for (const [name, value] of search) {
    if (!valid.includes(name)) throw new ViewError(name, `unknown parameter ${JSON.stringify(name)}; valid: ${valid.join(', ')}`);
    if (value.length > MAX_VALUE) throw new ViewError(name, `${name} is longer than ${MAX_VALUE} characters`);
    if (value.includes('\u0000')) throw new ViewError(name, `${name} contains a NUL character`);
    if (value.trim() === '') continue;
    if (name !== 'tag' && kept.has(name)) throw new ViewError(name, `${name} may be given once`);
    kept.append(name, value);
  }
  const get = (name: Param): string | undefined => kept.get(name) ?? undefined;
  const tags = kept.getAll('tag');
  if (tags.length > MAX_TAGS) throw new ViewError('tag', `at most ${MAX_TAGS} tag filters`);
  for (const tag of tags) if (tag.indexOf('=') <= 0) throw new ViewError('tag', `tag must be key=value, got ${JSON.stringify(tag)}`);

  const fromText = get('from');
  const toText = get('to');
  const rangeText = get('range');
  let range: View['range'];
  let from: Date | undefined;
  let to: Date | undefined;
  if (fromText !== undefined || toText !== undefined) {
    range = 'custom';
    from = fromText === undefined ? undefined : instant('from', fromText);
    // A bare day is inclusive in the picker: through the end of that day.
    to = toText === undefined ? undefined : /^\d{4}-\d{2}-\d{2}$/.test(toText.trim()) ? new Date(instant('to', toText).getTime() + DAY) : instant('to', toText);
    if (from && to && from.getTime() >= to.getTime()) throw new ViewError('to', `to (${toText}) must be after from (${fromText})`);
  } else {
    if (rangeText !== undefined && !(RANGES as readonly string[]).includes(rangeText)) {
      throw new ViewError('range', `invalid range ${JSON.stringify(rangeText)}; valid: ${RANGES.join(', ')} (or from/to dates)`);
    }
    range = (rangeText as Range | undefined) ?? DEFAULT_RANGE;
    from = rangeStart(range, now);
  }
  const bucketText = get('bucket');
  if (bucketText !== undefined && !(TIME_BUCKETS as readonly string[]).includes(bucketText)) {
    throw new ViewError('bucket', `invalid bucket ${JSON.stringify(bucketText)}; valid: ${TIME_BUCKETS.join(', ')}`);
  }
  const offsetText = get('offset') ?? '0';
  if (!/^\d{1,9}$/.test(offsetText)) throw new ViewError('offset', `offset must be a non-negative integer, got ${JSON.stringify(offsetText)}`);
  return {
    range,
    from,
    to,
    bucket: (bucketText as TimeBucket | undefined) ?? defaultBucket(from, to, now),
    bucketSet: bucketText !== undefined,
    user: get('user'),
    agent: get('agent'),
    model: get('model'),
    provider: get('provider'),
    tags,
    sort: get('sort'),
    offset: Number(offsetText),
    table: get('table'),
    params: kept,
  };
}

function instant(param: string, text: string): Date {
  try {
    return parseInstant(param, text);
  } catch (error) {
    if (error instanceof StoreQueryError) throw new ViewError(param, error.message);
    throw error;
  }
}

/** Midnight UTC starting the range: `7d` is today and the 6 days before it. */
export function rangeStart(range: Range, now: Date): Date | undefined {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days = { today: 1, '7d': 7, '30d': 30, '90d': 90, all: 0 }[range];
  return days === 0 ? undefined : new Date(today - (days - 1) * DAY);
}

/** Hours for up to two days, days up to ~13 months, weeks beyond; days when unbounded. */
function defaultBucket(from: Date | undefined, to: Date | undefined, now: Date): TimeBucket {
  if (!from) return 'day';
  const span = (to ?? now).getTime() - from.getTime();
  return span <= 2 * DAY ? 'hour' : span <= 400 * DAY ? 'day' : 'week';
}

/** The store filter for a view (without paging, which each page sets). */
export function filterOf(view: View): UsageFilter {
  const filter: UsageFilter = {};
  if (view.from) filter.from = view.from;
  if (view.to) filter.to = view.to;
  if (view.user !== undefined) filter.userId = view.user;
  if (view.agent !== undefined) filter.agentName = view.agent;
  if (view.model !== undefined) filter.model = view.model;
  if (view.provider !== undefined) filter.provider = view.provider;
  if (view.tags.length > 0) filter.tags = view.tags;
  return filter;
}

/** True when any narrowing filter besides the time range is set. */
export function hasFilters(view: View): boolean {
  return view.user !== undefined || view.agent !== undefined || view.model !== undefined || view.provider !== undefined || view.tags.length > 0;
}

/**
 * A link to `path` with this view's parameters, changed by `changes` (`undefined` removes a
 * parameter; an array sets a repeated one). Page parameters (sort, offset, table) are dropped
 * unless `keepPage`.
 */
export function href(path: string, view: View, changes: Partial<Record<Param, string | string[] | undefined>> = {}, keepPage = false): string {
  const params = new URLSearchParams();
  for (const [name, value] of view.params) {
    if (name in changes) continue;
    if (!keepPage && (PAGE_PARAMS as readonly string[]).includes(name)) continue;
    params.append(name, value);
  }
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  }
  // A preset range and custom dates exclude each other.
  if ('range' in changes) (params.delete('from'), params.delete('to'));
  if ('from' in changes || 'to' in changes) params.delete('range');
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}
