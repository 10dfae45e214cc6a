import { TOP_METRICS, type AggregateRow, type GroupByDimension, type TopMetric, type UsageFilter } from '../../store/usage-store.js';
import { html } from '../html.js';
import { seriesOf, type Page, type PageContext, type Section } from '../page.js';
import { STANDARD_MEASURES, renderTable, type Table } from '../table.js';
import { ViewError, filterOf, href, type View } from '../view.js';
import { callTable, charts, keyColumn, noCallsText, rankedTable, totalsCards } from './common.js';

export const PAGE_SIZE = 50;

interface DimensionSpec {
  section: Section;
  by: GroupByDimension;
  /** The filter key a detail page sets. */
  filterKey: keyof UsageFilter & ('userId' | 'agentName' | 'model' | 'provider');
  /** The shared filter a detail page replaces. */
  viewKey: 'user' | 'agent' | 'model' | 'provider';
  singular: string;
  plural: string;
  /** Breakdowns on the detail page: each answered by a rollup (or the user index) for this filter. */
  breakdowns: Array<[GroupByDimension, string]>;
  sessions: boolean;
}

const SPECS: DimensionSpec[] = [
  { section: 'users', by: 'user', filterKey: 'userId', viewKey: 'user', singular: 'User', plural: 'Users', breakdowns: [['model', 'Model'], ['agent', 'Agent']], sessions: true },
  { section: 'agents', by: 'agent', filterKey: 'agentName', viewKey: 'agent', singular: 'Agent', plural: 'Agents', breakdowns: [['model', 'Model'], ['provider', 'Provider']], sessions: false },
  { section: 'models', by: 'model', filterKey: 'model', viewKey: 'model', singular: 'Model', plural: 'Models', breakdowns: [['provider', 'Provider'], ['agent', 'Agent']], sessions: false },
  { section: 'providers', by: 'provider', filterKey: 'provider', viewKey: 'provider', singular: 'Provider', plural: 'Providers', breakdowns: [['model', 'Model'], ['agent', 'Agent']], sessions: false },
];

/** The `sort` parameter as a top() metric (default cost). */
export function sortMetric(view: View): TopMetric {
  const sort = view.sort ?? 'costUsd';
  if (!(TOP_METRICS as readonly string[]).includes(sort)) throw new ViewError('sort', `invalid sort ${JSON.stringify(sort)}; valid: ${TOP_METRICS.join(', ')}`);
  return sort as TopMetric;
}

/** A ranked, sortable, paged list of one dimension. */
export async function rankedList(ctx: PageContext, opts: { by: GroupByDimension; name: string; title: string; label: string; path: string }): Promise<{ table: Table<AggregateRow>; rows: AggregateRow[]; more: boolean }> {
  const { store, view } = ctx;
  const metric = sortMetric(view);
  const fetched = await store.top({ ...filterOf(view), by: opts.by, metric, limit: PAGE_SIZE + 1, offset: view.offset });
  const rows = fetched.slice(0, PAGE_SIZE);
  const more = fetched.length > PAGE_SIZE;
  const paging = [
    ...(view.offset > 0 ? [{ label: '← Previous', href: href(opts.path, view, { sort: view.sort, offset: String(Math.max(0, view.offset - PAGE_SIZE)) }) }] : []),
    ...(more ? [{ label: 'Next →', href: href(opts.path, view, { sort: view.sort, offset: String(view.offset + PAGE_SIZE) }) }] : []),
  ];
  const table: Table<AggregateRow> = {
    name: opts.name,
    title: `${opts.title}${view.offset > 0 || more ? ` (${view.offset + 1}–${view.offset + rows.length})` : ''}`,
    columns: [keyColumn(opts.by, opts.label, view), ...STANDARD_MEASURES],
    rows,
    empty: noCallsText(view),
    sorted: { current: metric, link: (sort) => href(opts.path, view, { sort }) },
    more: paging,
  };
  return { table, rows, more };
}

function listPage(spec: DimensionSpec): Page {
  return {
    section: spec.section,
    kind: 'list',
    async load(ctx) {
      const path = `/${spec.section}`;
      const { table, rows, more } = await rankedList(ctx, { by: spec.by, name: spec.section, title: `${spec.plural} by ${sortLabel(ctx.view)}`, label: spec.singular, path });
      return {
        title: spec.plural,
        section: spec.section,
        data: { [spec.section]: rows, sort: sortMetric(ctx.view), offset: ctx.view.offset, more },
        tables: [table],
        body: (exports) => html`<p class="hint">Click a column title to sort; a row opens its detail with the same filters.</p>${renderTable(table, exports(table.name))}`,
      };
    },
  };
}

function sortLabel(view: View): string {
  return { costUsd: 'cost', totalTokens: 'total tokens', inputTokens: 'input tokens', outputTokens: 'output tokens', requests: 'calls' }[sortMetric(view)];
}

function detailPage(spec: DimensionSpec): Page {
  return {
    section: spec.section,
    kind: 'detail',
    async load({ store, view, id, now }) {
      const key = id as string;
      const scoped: View = { ...view, [spec.viewKey]: key };
      const filter = { ...filterOf(view), [spec.filterKey]: key };
      const [totals] = (await store.aggregate(filter)) as [AggregateRow];
      const title = `${spec.singular}: ${key}`;
      const empty = `No calls for ${spec.singular.toLowerCase()} ${JSON.stringify(key)} with these filters. ${noCallsText(view)}`;
      if (totals.requests === 0) {
        return { title, section: spec.section, status: 404, data: { [spec.by]: key, totals }, tables: [], body: () => html`<p class="empty" role="status">${empty}</p>` };
      }
      const buckets = await store.aggregate({ ...filter, bucket: view.bucket });
      const breakdowns: Table[] = [];
      const data: Record<string, unknown> = { [spec.by]: key, totals, series: buckets };
      for (const [dim, label] of spec.breakdowns) {
        const rows = await store.top({ ...filter, by: dim, limit: 20 });
        data[`by${label}`] = rows;
        breakdowns.push(rankedTable(`by${label}`, `By ${label.toLowerCase()}`, dim, label, rows, scoped, empty));
      }
      if (spec.sessions) {
        const rows = await store.top({ ...filter, by: 'session', limit: 20 });
        data['sessions'] = rows;
        breakdowns.push({ ...rankedTable('sessions', 'Top sessions', 'session', 'Session', rows, scoped, empty), more: [{ label: 'All sessions →', href: href('/sessions', scoped) }] });
      }
      const calls = await store.records({ ...filter, limit: 20 });
      data['recentCalls'] = calls;
      const callsTable = callTable('recentCalls', 'Latest calls', calls, view, empty, spec.by === 'user' ? ['user'] : []);
      const tables = [...breakdowns, callsTable];
      return {
        title,
        section: spec.section,
        data,
        tables,
        body: (exports) => html`<p class="hint"><a href="${href('/', scoped)}">Overview filtered to this ${spec.singular.toLowerCase()}</a> · <a href="${href(`/${spec.section}`, view)}">All ${spec.plural.toLowerCase()}</a></p>
${totalsCards(totals)}
${charts(seriesOf(buckets, view.bucket, view.from, view.to, now))}
<div class="grid">${breakdowns.map((t) => renderTable(t, exports(t.name)))}</div>
${renderTable(callsTable, exports(callsTable.name))}`,
      };
    },
  };
}

export const dimensionPages: Page[] = SPECS.flatMap((spec) => [listPage(spec), detailPage(spec)]);
