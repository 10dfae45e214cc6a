import type { AggregateRow, GroupByDimension } from '../../store/usage-store.js';
import type { UsageRecord } from '../../usage/usage-record.js';
import * as fmt from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { cards } from '../layout.js';
import { detailPath, type Section, type SeriesData } from '../page.js';
import { MEASURES, type Column, type Table } from '../table.js';
import { href, type View } from '../view.js';

/** The page a dimension's rows link to. */
export const SECTION_OF: Partial<Record<GroupByDimension, Section>> = {
  user: 'users',
  agent: 'agents',
  model: 'models',
  provider: 'providers',
  session: 'sessions',
  trace: 'traces',
};

const NONE: Partial<Record<GroupByDimension, string>> = {
  user: '(no user)',
  agent: '(no agent)',
  model: '(no model)',
  session: '(no session)',
  provider: '(none)',
};

/** The first column of a grouped table: the key, linking to its detail page (null keys do not link). */
export function keyColumn(dim: GroupByDimension, label: string, view: View): Column<AggregateRow> {
  const section = SECTION_OF[dim];
  return {
    key: dim,
    label,
    kind: 'text',
    value: (row) => row[dim] ?? null,
    display: (row) => (row[dim] === null || row[dim] === undefined ? (NONE[dim] ?? '(none)') : undefined),
    href: (row) => {
      const id = row[dim];
      return section && typeof id === 'string' ? href(detailPath(section, id), view) : undefined;
    },
  };
}

/** Totals as headline cards; cost notes the calls it cannot include. */
export function totalsCards(t: AggregateRow): SafeHtml {
  const failureRate = t.requests > 0 ? t.failures / t.requests : 0;
  return cards([
    { id: 'cost', label: 'Spend', text: fmt.usd(t.costUsd), value: t.costUsd, note: t.unpricedRequests > 0 ? `+ ${fmt.count(t.unpricedRequests)} calls at unknown prices` : undefined },
    { id: 'requests', label: 'Calls', text: fmt.count(t.requests), value: t.requests },
    { id: 'failures', label: 'Failed calls', text: fmt.count(t.failures), value: t.failures, note: t.requests > 0 ? `${fmt.percent(failureRate)} of calls` : undefined },
    { id: 'inputTokens', label: 'Input tokens', text: fmt.compact(t.inputTokens), value: t.inputTokens, note: t.cacheReadTokens > 0 ? `${fmt.compact(t.cacheReadTokens)} read from cache` : undefined },
    { id: 'outputTokens', label: 'Output tokens', text: fmt.compact(t.outputTokens), value: t.outputTokens, note: t.reasoningTokens > 0 ? `${fmt.compact(t.reasoningTokens)} reasoning` : undefined },
    { id: 'unpricedRequests', label: 'Unpriced calls', text: fmt.count(t.unpricedRequests), value: t.unpricedRequests },
    {
      id: 'cacheReadSavingsUsd',
      label: 'Saved by caching',
      text: fmt.usd(t.cacheReadSavingsUsd),
      value: t.cacheReadSavingsUsd,
      note: t.cacheWritePremiumUsd > 0 ? `cache writes cost ${fmt.usd(t.cacheWritePremiumUsd)} extra` : undefined,
    },
    { id: 'avgDurationMs', label: 'Avg / p95 duration', text: `${fmt.duration(t.avgDurationMs)} / ${fmt.duration(t.p95DurationMs)}`, value: t.avgDurationMs },
  ]);
}

/** Spend and token charts (drawn by the client script) with the same numbers as a table for reading without them. */
export function charts(series: SeriesData): SafeHtml {
  const label = (x: number): string => fmt.bucketLabel(new Date(x * 1000).toISOString(), series.bucket);
  const spend = { title: 'Spend (USD)', unit: 'usd', x: series.x, series: [{ label: 'Cost (USD)', values: series.cost }] };
  const tokens = {
    title: 'Tokens',
    unit: 'tokens',
    x: series.x,
    series: [
      { label: 'Input', values: series.input },
      { label: 'Output', values: series.output },
      { label: 'Cache read (part of input)', values: series.cacheRead },
    ],
  };
  return html`<section class="charts" aria-label="Over time">
<figure class="chart" data-chart="${JSON.stringify(spend)}"><figcaption>Spend per ${series.bucket} (USD)</figcaption><div class="plot" aria-hidden="true"></div></figure>
<figure class="chart" data-chart="${JSON.stringify(tokens)}"><figcaption>Tokens per ${series.bucket}</figcaption><div class="plot" aria-hidden="true"></div></figure>
<details class="chart-data"><summary>Chart data as a table</summary>
<div class="scroll" tabindex="0" role="region" aria-label="Chart data"><table><thead><tr><th scope="col">${series.bucket}</th><th scope="col" class="num">Cost (USD)</th><th scope="col" class="num">Calls</th><th scope="col" class="num">Input</th><th scope="col" class="num">Output</th><th scope="col" class="num">Cache read</th></tr></thead>
<tbody>${series.x.map(
    (x, i) => html`<tr><th scope="row">${label(x)}</th><td class="num">${fmt.usd(series.cost[i])}</td><td class="num">${fmt.count(series.requests[i])}</td><td class="num">${fmt.count(series.input[i])}</td><td class="num">${fmt.count(series.output[i])}</td><td class="num">${fmt.count(series.cacheRead[i])}</td></tr>`,
  )}</tbody></table></div></details>
</section>`;
}

/** Columns of one call, in the order a reader follows a session or trace. */
export function callColumns(view: View): Column<UsageRecord>[] {
  const model = (r: UsageRecord): string | undefined => r.requestModel ?? r.responseModel;
  return [
    { key: 'recordedAt', label: 'Time', kind: 'time', value: (r) => r.recordedAt.toISOString() },
    { key: 'agents', label: 'Agent (hand-offs)', kind: 'text', value: (r) => r.handoffChain ?? r.agentName ?? null, display: (r) => (r.handoffChain ?? r.agentName ? undefined : '–') },
    {
      key: 'model',
      label: 'Model',
      kind: 'text',
      value: (r) => model(r) ?? null,
      title: (r) => (r.responseModel && r.requestModel && r.responseModel !== r.requestModel ? `requested ${r.requestModel}, answered by ${r.responseModel}` : undefined),
      href: (r) => (model(r) ? href(detailPath('models', model(r) as string), view) : undefined),
    },
    { key: 'user', label: 'User', kind: 'text', value: (r) => r.userId ?? null, href: (r) => (r.userId ? href(detailPath('users', r.userId), view) : undefined) },
    { key: 'inputTokens', label: 'Input', kind: 'count', value: (r) => r.inputTokens },
    { key: 'cacheReadTokens', label: 'Cache read', kind: 'count', value: (r) => r.cacheReadTokens },
    { key: 'cacheWriteTokens', label: 'Cache write', kind: 'count', value: (r) => r.cacheWriteTokens },
    { key: 'outputTokens', label: 'Output', kind: 'count', value: (r) => r.outputTokens },
    { key: 'reasoningTokens', label: 'Reasoning', kind: 'count', value: (r) => r.reasoningTokens },
    { key: 'costUsd', label: 'Cost (USD)', kind: 'usd', value: (r) => r.costUsd ?? null },
    { key: 'durationMs', label: 'Duration', kind: 'ms', value: (r) => r.durationMs },
    { key: 'timeToFirstTokenMs', label: 'TTFT', kind: 'ms', value: (r) => r.timeToFirstTokenMs ?? null },
    { key: 'error', label: 'Error', kind: 'text', value: (r) => (r.success ? null : (r.errorType ?? 'error')), display: (r) => (r.success ? 'ok' : undefined) },
    { key: 'traceId', label: 'Trace', kind: 'text', value: (r) => r.traceId, display: (r) => r.traceId.slice(0, 8), href: (r) => href(detailPath('traces', r.traceId), view) },
  ];
}

/** A table of calls. */
export function callTable(name: string, title: string, records: readonly UsageRecord[], view: View, empty: string, omit: readonly string[] = []): Table<UsageRecord> {
  return { name, title, columns: callColumns(view).filter((c) => !omit.includes(c.key)), rows: records, empty };
}

/** A ranked table of one dimension with the standard measures. */
export function rankedTable(name: string, title: string, dim: GroupByDimension, label: string, rows: readonly AggregateRow[], view: View, empty: string): Table<AggregateRow> {
  return {
    name,
    title,
    columns: [keyColumn(dim, label, view), MEASURES.costUsd, MEASURES.requests, MEASURES.failures, MEASURES.totalTokens],
    rows,
    empty,
  };
}

/** What to do when a range holds no calls. */
export function noCallsText(view: View): string {
  return view.range === 'all' ? 'No calls match these filters. Clear the filters, or record calls into this store.' : 'No calls in this range. Pick a longer range (All time) or clear the filters.';
}
