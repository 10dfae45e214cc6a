import type { AggregateRow, UsageFilter } from '../../store/usage-store.js';
import type { UsageRecord } from '../../usage/usage-record.js';
import * as fmt from '../format.js';
import { html } from '../html.js';
import { detailPath, type Page, type Section } from '../page.js';
import { renderTable, type Table } from '../table.js';
import { filterOf, href } from '../view.js';
import { callTable, noCallsText, rankedTable, totalsCards } from './common.js';
import { rankedList } from './dimensions.js';

/** Calls per page of a session or trace. */
export const CALLS_PAGE = 200;

interface RunSpec {
  section: Extract<Section, 'sessions' | 'traces'>;
  by: 'session' | 'trace';
  filterKey: keyof UsageFilter & ('sessionId' | 'traceId');
  singular: string;
  plural: string;
  about: string;
}

const SPECS: RunSpec[] = [
  { section: 'sessions', by: 'session', filterKey: 'sessionId', singular: 'Session', plural: 'Sessions', about: 'A session is what the app passed as sessionId (a chat, a job).' },
  { section: 'traces', by: 'trace', filterKey: 'traceId', singular: 'Trace', plural: 'Traces', about: 'A trace is one request or agent run: every LLM call made under the same OpenTelemetry trace.' },
];

function listPage(spec: RunSpec): Page {
  return {
    section: spec.section,
    kind: 'list',
    async load(ctx) {
      const path = `/${spec.section}`;
      const { table, rows, more } = await rankedList(ctx, { by: spec.by, name: spec.section, title: `Top ${spec.plural.toLowerCase()}`, label: spec.singular, path });
      return {
        title: spec.plural,
        section: spec.section,
        data: { [spec.section]: rows, offset: ctx.view.offset, more },
        tables: [table],
        body: (exports) => html`<p class="hint">${spec.about} Open one to see each call in order.</p>${renderTable(table, exports(table.name))}`,
      };
    },
  };
}

function detailPage(spec: RunSpec): Page {
  return {
    section: spec.section,
    kind: 'detail',
    async load({ store, view, id }) {
      const key = id as string;
      const filter = { ...filterOf(view), [spec.filterKey]: key };
      const [totals] = (await store.aggregate(filter)) as [AggregateRow];
      const short = spec.by === 'trace' ? key.slice(0, 16) : key;
      const title = `${spec.singular}: ${short}`;
      const empty = `No calls for ${spec.singular.toLowerCase()} ${JSON.stringify(key)} with these filters. ${noCallsText(view)}`;
      if (totals.requests === 0) {
        return { title, section: spec.section, status: 404, data: { [spec.by]: key, totals }, tables: [], body: () => html`<p class="empty" role="status">${empty}</p>` };
      }
      const fetched = await store.records({ ...filter, order: 'asc', limit: CALLS_PAGE + 1, offset: view.offset });
      const calls = fetched.slice(0, CALLS_PAGE);
      const more = fetched.length > CALLS_PAGE;
      const path = detailPath(spec.section, key);
      const callsTable: Table<UsageRecord> = {
        ...callTable('calls', `Calls in order${view.offset > 0 || more ? ` (${view.offset + 1}–${view.offset + calls.length} of ${totals.requests})` : ''}`, calls, view, empty, spec.by === 'trace' ? ['traceId'] : []),
        more: [
          ...(view.offset > 0 ? [{ label: '← Earlier calls', href: href(path, view, { offset: String(Math.max(0, view.offset - CALLS_PAGE)) }) }] : []),
          ...(more ? [{ label: 'Later calls →', href: href(path, view, { offset: String(view.offset + CALLS_PAGE) }) }] : []),
        ],
      };
      const tables: Table[] = [callsTable];
      const data: Record<string, unknown> = { [spec.by]: key, totals, calls, offset: view.offset, more };
      if (spec.by === 'session') {
        const traces = await store.top({ ...filter, by: 'trace', limit: 50 });
        data['traces'] = traces;
        tables.push(rankedTable('traces', 'Traces in this session', 'trace', 'Trace', traces, view, empty));
      }
      const first = calls[0];
      const who = summary(first, spec.by);
      return {
        title,
        section: spec.section,
        data,
        tables,
        body: (exports) => html`${who.length ? html`<p class="hint">${who.map((w, i) => html`${i ? ' · ' : ''}${w.label}: ${w.href ? html`<a href="${href(w.href, view)}">${w.text}</a>` : w.text}`)}</p>` : ''}
${spec.by === 'trace' ? html`<p class="muted">Trace id <code>${key}</code></p>` : ''}
${totalsCards(totals)}
${tables.map((t) => renderTable(t, exports(t.name)))}`,
      };
    },
  };
}

/** Who and when, from the first call on the page. */
function summary(first: UsageRecord | undefined, by: 'session' | 'trace'): Array<{ label: string; text: string; href?: string }> {
  if (!first) return [];
  const out: Array<{ label: string; text: string; href?: string }> = [{ label: 'Started', text: fmt.utc(first.recordedAt) }];
  if (first.userId) out.push({ label: 'User', text: first.userId, href: detailPath('users', first.userId) });
  if (by === 'trace' && first.sessionId) out.push({ label: 'Session', text: first.sessionId, href: detailPath('sessions', first.sessionId) });
  if (first.serviceName) out.push({ label: 'Service', text: first.serviceName });
  return out;
}

export const runPages: Page[] = SPECS.flatMap((spec) => [listPage(spec), detailPage(spec)]);
