import type { AggregateMeasures } from '../store/usage-store.js';
import * as fmt from './format.js';
import { html, type SafeHtml } from './html.js';

/** How a cell is shown; the exported value is always the raw one. */
export type CellKind = 'text' | 'usd' | 'count' | 'ms' | 'time' | 'percent';

export interface Column<R> {
  /** The CSV header and JSONL key. */
  key: string;
  label: string;
  kind: CellKind;
  value(row: R): string | number | null | undefined;
  /** Makes the cell a link (a drill-down). */
  href?(row: R): string | undefined;
  /** Text shown instead of the value (e.g. "(no user)" for null keys); not exported. */
  display?(row: R): string | undefined;
  /** A tooltip with more detail than fits (e.g. the response model). */
  title?(row: R): string | undefined;
  /** A `sort` value that orders the table by this column, when the table can. */
  sort?: string;
}

/** One table on a page: what is on screen, and what its CSV/JSONL export contains. */
export interface Table<R = any> {
  /** `table=` of the export link. */
  name: string;
  title: string;
  columns: readonly Column<R>[];
  rows: readonly R[];
  /** What to say (and do) when there are no rows. */
  empty: string;
  /** `sort` param in effect and the link maker for sortable headers. */
  sorted?: { current: string; link(sort: string): string };
  /** A link to the full list or the next page, shown under the table. */
  more?: Array<{ label: string; href: string }>;
}

function cellText<R>(col: Column<R>, row: R): string {
  const shown = col.display?.(row);
  if (shown !== undefined) return shown;
  const v = col.value(row);
  switch (col.kind) {
    case 'usd':
      return fmt.usd(v as number | null);
    case 'count':
      return fmt.count(v as number | null);
    case 'ms':
      return fmt.duration(v as number | null);
    case 'time':
      return v === null || v === undefined ? '–' : fmt.utc(String(v));
    case 'percent':
      return v === null || v === undefined ? '–' : fmt.percent(v as number);
    default:
      return v === null || v === undefined ? '–' : String(v);
  }
}

/** The table as HTML: a caption, sortable headers as links, numbers right-aligned with their exact value in `data-value`. */
export function renderTable<R>(table: Table<R>, exports: { csv: string; jsonl: string } | undefined): SafeHtml {
  const numeric = (col: Column<R>): boolean => col.kind !== 'text' && col.kind !== 'time';
  const header = table.columns.map((col) => {
    const sortable = table.sorted && col.sort;
    const active = sortable && table.sorted?.current === col.sort;
    return html`<th scope="col" class="${numeric(col) ? 'num' : ''}"${active ? html` aria-sort="descending"` : ''}>${
      sortable ? html`<a href="${table.sorted?.link(col.sort as string) ?? ''}">${col.label}${active ? html` <span aria-hidden="true">▼</span>` : ''}</a>` : col.label
    }</th>`;
  });
  const body = table.rows.map(
    (row) =>
      html`<tr>${table.columns.map((col, i) => {
        const value = col.value(row);
        const text = cellText(col, row);
        const link = col.href?.(row);
        const tip = col.title?.(row);
        const content = link ? html`<a href="${link}"${tip ? html` title="${tip}"` : ''}>${text}</a>` : tip ? html`<span title="${tip}">${text}</span>` : text;
        const data = numeric(col) && typeof value === 'number' ? html` data-value="${String(value)}"` : '';
        const cls = numeric(col) ? 'num' : col.kind === 'time' ? 'time' : '';
        return i === 0 ? html`<th scope="row" class="${cls}"${data}>${content}</th>` : html`<td class="${cls}" data-col="${col.key}"${data}>${content}</td>`;
      })}</tr>`,
  );
  return html`<section class="table-block" aria-labelledby="t-${table.name}">
<div class="table-head"><h2 id="t-${table.name}">${table.title}</h2>${
    exports ? html`<p class="exports">Export: <a href="${exports.csv}">CSV</a> · <a href="${exports.jsonl}">JSONL</a></p>` : ''
  }</div>
${
  table.rows.length === 0
    ? html`<p class="empty">${table.empty}</p>`
    : html`<div class="scroll" tabindex="0" role="region" aria-label="${table.title}"><table data-table="${table.name}"><thead><tr>${header}</tr></thead><tbody>${body}</tbody></table></div>`
}${table.more?.length ? html`<p class="more">${table.more.map((m) => html`<a href="${m.href}">${m.label}</a> `)}</p>` : ''}
</section>`;
}

/** CSV (RFC 4180, CRLF) of a table's raw values. Text starting with = + - @ is prefixed with ' so spreadsheets do not run it. */
export function tableCsv<R>(table: Table<R>): string {
  const lines = [table.columns.map((c) => csvCell(c.key)).join(',')];
  for (const row of table.rows) lines.push(table.columns.map((c) => csvCell(c.value(row))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** One JSON object per row, keyed by column key, raw values. */
export function tableJsonl<R>(table: Table<R>): string {
  return table.rows.map((row) => `${JSON.stringify(Object.fromEntries(table.columns.map((c) => [c.key, c.value(row) ?? null])))}\n`).join('');
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

type Measured = AggregateMeasures;

/** The measure columns of aggregate rows, by name; `sort` values are the TopMetric names. */
export const MEASURES = {
  requests: { key: 'requests', label: 'Calls', kind: 'count', value: (r: Measured) => r.requests, sort: 'requests' },
  failures: { key: 'failures', label: 'Failed', kind: 'count', value: (r: Measured) => r.failures },
  inputTokens: { key: 'inputTokens', label: 'Input tokens', kind: 'count', value: (r: Measured) => r.inputTokens, sort: 'inputTokens' },
  cacheReadTokens: { key: 'cacheReadTokens', label: 'Cache read', kind: 'count', value: (r: Measured) => r.cacheReadTokens },
  cacheWriteTokens: { key: 'cacheWriteTokens', label: 'Cache write', kind: 'count', value: (r: Measured) => r.cacheWriteTokens },
  outputTokens: { key: 'outputTokens', label: 'Output tokens', kind: 'count', value: (r: Measured) => r.outputTokens, sort: 'outputTokens' },
  reasoningTokens: { key: 'reasoningTokens', label: 'Reasoning', kind: 'count', value: (r: Measured) => r.reasoningTokens },
  totalTokens: { key: 'totalTokens', label: 'Total tokens', kind: 'count', value: (r: Measured) => r.totalTokens, sort: 'totalTokens' },
  costUsd: { key: 'costUsd', label: 'Cost (USD)', kind: 'usd', value: (r: Measured) => r.costUsd, sort: 'costUsd' },
  unpricedRequests: { key: 'unpricedRequests', label: 'Unpriced', kind: 'count', value: (r: Measured) => r.unpricedRequests },
  cacheReadSavingsUsd: { key: 'cacheReadSavingsUsd', label: 'Cache savings', kind: 'usd', value: (r: Measured) => r.cacheReadSavingsUsd },
  avgDurationMs: { key: 'avgDurationMs', label: 'Avg duration', kind: 'ms', value: (r: Measured) => r.avgDurationMs },
  p95DurationMs: { key: 'p95DurationMs', label: 'p95 duration', kind: 'ms', value: (r: Measured) => r.p95DurationMs },
} as const satisfies Record<string, Column<Measured>>;

/** The usual columns after a key column: calls, failures, tokens, cost, durations. */
export const STANDARD_MEASURES: ReadonlyArray<Column<Measured>> = [
  MEASURES.costUsd,
  MEASURES.requests,
  MEASURES.failures,
  MEASURES.inputTokens,
  MEASURES.outputTokens,
  MEASURES.totalTokens,
  MEASURES.unpricedRequests,
  MEASURES.avgDurationMs,
  MEASURES.p95DurationMs,
];
