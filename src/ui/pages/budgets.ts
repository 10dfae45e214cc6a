import { BudgetTracker } from '../../budgets/budget-tracker.js';
import type { BudgetStatus } from '../../budgets/budget-types.js';
import { syncRuntime } from '../../budgets/store-sync.js';
import * as fmt from '../format.js';
import { html, type SafeHtml } from '../html.js';
import type { Page } from '../page.js';
import type { Column, Table } from '../table.js';

/** Copies of one budget shown on the page; the CSV/JSONL/JSON carry all of them. */
const SHOWN_PER_BUDGET = 200;

function amount(s: BudgetStatus, value: number | undefined): string {
  if (value === undefined) return '–';
  return s.metric === 'cost' ? fmt.usd(value) : `${fmt.count(value)} ${s.metric === 'tokens' ? 'tokens' : 'calls'}`;
}

function state(s: BudgetStatus): string {
  if (s.exceeded) return 'EXCEEDED';
  const warn = s.crossed.filter((t) => t < 1);
  return warn.length ? `warning (≥ ${fmt.percent(Math.max(...warn))})` : 'ok';
}

const scopeText = (s: BudgetStatus): string => Object.entries(s.scope).map(([k, v]) => `${k}=${v}`).join(', ') || 'everything';

const COLUMNS: Column<BudgetStatus>[] = [
  { key: 'budget', label: 'Budget', kind: 'text', value: (s) => s.budget },
  { key: 'scope', label: 'Scope', kind: 'text', value: (s) => scopeText(s) },
  { key: 'metric', label: 'Metric', kind: 'text', value: (s) => s.metric },
  { key: 'period', label: 'Period', kind: 'text', value: (s) => s.period },
  { key: 'enforce', label: 'Enforce', kind: 'text', value: (s) => s.enforce },
  { key: 'used', label: 'Used', kind: 'count', value: (s) => s.used, display: (s) => amount(s, s.used) },
  { key: 'limit', label: 'Limit', kind: 'count', value: (s) => s.limit, display: (s) => amount(s, s.limit) },
  { key: 'remaining', label: 'Remaining', kind: 'count', value: (s) => s.remaining, display: (s) => amount(s, s.remaining) },
  { key: 'utilization', label: 'Used %', kind: 'percent', value: (s) => s.utilization },
  { key: 'status', label: 'Status', kind: 'text', value: (s) => state(s) },
  { key: 'resetsAt', label: 'Resets', kind: 'time', value: (s) => s.resetsAt?.toISOString() ?? null, display: (s) => (s.resetsAt ? undefined : 'rolling window') },
  { key: 'projected', label: 'Projected at reset', kind: 'count', value: (s) => s.projected ?? null, display: (s) => amount(s, s.projected) },
];

/** `/budgets` — every budget and every `each` copy with use this period, from the store. */
export const budgetsPage: Page = {
  section: 'budgets',
  kind: 'list',
  async load({ store, budgets, now }) {
    const base = { title: 'Budgets', section: 'budgets' as const, filtered: false };
    if (!budgets) {
      return {
        ...base,
        data: { budgets: [], configured: false },
        tables: [],
        body: () => html`<div class="empty" role="status"><p>No budgets file is configured.</p>
<p>Start the explorer with <code>genai-usage ui --budgets budgets.yaml</code> (the collector with <code>--budgets</code>), or set <code>GENAI_USAGE_BUDGETS</code>. The file format is in docs/budgets.md.</p></div>`,
      };
    }
    if ('error' in budgets) {
      return { ...base, status: 500, data: { error: budgets.error, file: budgets.file }, tables: [], body: () => html`<p class="error" role="alert">Cannot use the budgets file ${budgets.file}: ${budgets.error}</p>` };
    }
    const tracker = new BudgetTracker(budgets.budgets, { now: () => now.getTime() });
    for (const runtime of tracker.runtimes) await syncRuntime(store, runtime, tracker);
    const statuses = tracker.status();
    const order = new Map(budgets.budgets.map((b, i) => [b.name, i]));
    statuses.sort((a, b) => (order.get(a.budget) ?? 0) - (order.get(b.budget) ?? 0) || b.utilization - a.utilization || scopeText(a).localeCompare(scopeText(b)));
    const table: Table<BudgetStatus> = { name: 'budgets', title: 'All budgets', columns: COLUMNS, rows: statuses, empty: 'No budget has use in its current period.' };
    return {
      ...base,
      data: { file: budgets.file, budgets: statuses },
      tables: [table],
      body: (exports) => html`<p class="hint">Use in each budget's current period, read from the store (${budgets.file}). The filters of the other pages do not apply here. Export: <a href="${exports('budgets').csv}">CSV</a> · <a href="${exports('budgets').jsonl}">JSONL</a></p>
${budgets.budgets.map((b) => budgetSection(b.name, b.each.length > 0, b.description, statuses.filter((s) => s.budget === b.name)))}`,
    };
  },
};

function budgetSection(name: string, each: boolean, description: string | undefined, rows: BudgetStatus[]): SafeHtml {
  const first = rows[0];
  const shown = rows.slice(0, SHOWN_PER_BUDGET);
  return html`<section class="budget" aria-labelledby="b-${name}">
<h2 id="b-${name}">${name}</h2>
${description ? html`<p>${description}</p>` : ''}
${first ? html`<p class="muted">${first.metric} · ${first.period} · enforce ${first.enforce}${first.resetsAt ? html` · resets ${fmt.utc(first.resetsAt)}` : ' · rolling window'}</p>` : ''}
${
  rows.length === 0
    ? html`<p class="empty">${each ? 'No copy has use in this period yet (one appears per value as calls arrive).' : 'No use in this period yet.'}</p>`
    : html`<div class="scroll" tabindex="0" role="region" aria-label="Budget ${name}"><table data-table="budget"><thead><tr><th scope="col">Scope</th><th scope="col" class="num">Used</th><th scope="col" class="num">Limit</th><th scope="col">Utilization</th><th scope="col">Status</th><th scope="col" class="num">Projected at reset</th></tr></thead><tbody>${shown.map(
        (s) => html`<tr class="${s.exceeded ? 'exceeded' : s.crossed.length ? 'warn' : ''}"><th scope="row">${scopeText(s)}</th><td class="num" data-col="used" data-value="${String(s.used)}">${amount(s, s.used)}</td><td class="num" data-value="${String(s.limit)}">${amount(s, s.limit)}</td><td class="util"><meter min="0" max="1" low="${String(Math.min(...s.crossed.filter((t) => t < 1), 0.8))}" high="0.9999" optimum="0" value="${String(Math.min(s.utilization, 1))}" aria-label="${fmt.percent(s.utilization)} used">${fmt.percent(s.utilization)}</meter> <span data-col="utilization" data-value="${String(s.utilization)}">${fmt.percent(s.utilization)}</span></td><td>${s.exceeded ? html`<strong>${state(s)}</strong>` : state(s)}</td><td class="num">${amount(s, s.projected)}</td></tr>`,
      )}</tbody></table></div>${rows.length > shown.length ? html`<p class="more">${rows.length - shown.length} more copies in the CSV, JSONL and JSON exports.</p>` : ''}`
}
</section>`;
}
