import type { AggregateRow } from '../../store/usage-store.js';
import { html } from '../html.js';
import { seriesOf, type Page } from '../page.js';
import { MEASURES, renderTable, type Table } from '../table.js';
import { filterOf, href } from '../view.js';
import { callTable, charts, keyColumn, noCallsText, rankedTable, totalsCards } from './common.js';

const TOP = 10;

/**
 * `/` — totals, spend and tokens over time, the largest models, providers, users and agents,
 * failures, and the models that need a price. Every query here is answered by a rollup
 * unless a tag filter (or a user filter combined with another dimension) needs the raw rows.
 */
export const overviewPage: Page = {
  section: 'overview',
  kind: 'list',
  async load({ store, view, now }) {
    const filter = filterOf(view);
    const [totals] = (await store.aggregate(filter)) as [AggregateRow];
    const buckets = await store.aggregate({ ...filter, bucket: view.bucket });
    const [models, providers, users, agents] = await Promise.all(
      (['model', 'provider', 'user', 'agent'] as const).map((by) => store.top({ ...filter, by, limit: TOP })),
    );
    const failures = (await store.aggregate({ ...filter, success: false, groupBy: ['provider', 'model'] }))
      .sort((a, b) => b.failures - a.failures)
      .slice(0, TOP);
    const recentFailures = await store.records({ ...filter, success: false, limit: TOP });
    // Successful calls only: a failed call usually has no tokens and so no price, which is not a missing price.
    const unpriced = (await store.aggregate({ ...filter, success: true, groupBy: ['provider', 'model'] }))
      .filter((r) => r.unpricedRequests > 0)
      .sort((a, b) => b.unpricedRequests - a.unpricedRequests);
    const series = seriesOf(buckets, view.bucket, view.from, view.to, now);
    const empty = noCallsText(view);
    const tables: Table[] = [
      { name: 'series', title: `Per ${view.bucket}`, columns: [{ key: 'bucket', label: 'Bucket start', kind: 'time', value: (r: AggregateRow) => r.bucket ?? null }, ...Object.values(MEASURES)], rows: buckets, empty },
      { ...rankedTable('models', 'Spend by model', 'model', 'Model', models as AggregateRow[], view, empty), more: [{ label: 'All models →', href: href('/models', view) }] },
      { ...rankedTable('providers', 'Spend by provider', 'provider', 'Provider', providers as AggregateRow[], view, empty), more: [{ label: 'All providers →', href: href('/providers', view) }] },
      { ...rankedTable('users', 'Top users', 'user', 'User', users as AggregateRow[], view, empty), more: [{ label: 'All users →', href: href('/users', view) }] },
      { ...rankedTable('agents', 'Spend by agent', 'agent', 'Agent', agents as AggregateRow[], view, empty), more: [{ label: 'All agents →', href: href('/agents', view) }] },
      {
        name: 'failures',
        title: 'Failures by model',
        columns: [keyColumn('provider', 'Provider', view), keyColumn('model', 'Model', view), MEASURES.failures, MEASURES.avgDurationMs],
        rows: failures,
        empty: 'No failed calls in this view.',
      },
      callTable('recentFailures', 'Latest failed calls', recentFailures, view, 'No failed calls in this view.', ['cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens']),
      {
        name: 'unpriced',
        title: 'Models to price',
        columns: [keyColumn('provider', 'Provider', view), keyColumn('model', 'Model', view), { ...MEASURES.unpricedRequests, label: 'Calls without a price' }, MEASURES.inputTokens, MEASURES.outputTokens],
        rows: unpriced,
        empty: 'Every successful call in this view has a price.',
      },
    ];
    return {
      title: 'Overview',
      section: 'overview',
      data: { totals, series: buckets, models, providers, users, agents, failures, recentFailures, unpriced },
      tables,
      body: (exports) => {
        const [seriesTable, ...rest] = tables as [Table, ...Table[]];
        const byName = (name: string): Table => rest.find((t) => t.name === name) as Table;
        return html`${totals.requests === 0 ? html`<p class="empty" role="status">${empty}</p>` : ''}
${totalsCards(totals)}
${charts(series)}
<p class="exports">Export the series: <a href="${exports(seriesTable.name).csv}">CSV</a> · <a href="${exports(seriesTable.name).jsonl}">JSONL</a></p>
<div class="grid">
${['models', 'providers', 'users', 'agents'].map((name) => renderTable(byName(name), exports(name)))}
</div>
<div class="grid">
${renderTable(byName('failures'), exports('failures'))}
${renderTable(byName('unpriced'), exports('unpriced'))}
</div>
${unpriced.length ? html`<p class="hint">Give these models a price with <code>startUsageTracking({ prices: { 'model-name': { input: 1.0, output: 2.0 } } })</code> (USD per million tokens) or a <code>GENAI_USAGE_PRICES</code> file; their calls are recorded with cost "unknown" until then, never $0.</p>` : ''}
${renderTable(byName('recentFailures'), exports('recentFailures'))}`;
      },
    };
  },
};
