import { GROUP_BY_DIMENSIONS, TIME_BUCKETS, TOP_METRICS, type AggregateRow, type GroupByDimension } from '../../store/usage-store.js';
import { CliUsageError, type CliCommand } from '../command.js';
import { FILTER_FLAGS, FILTER_HELP, choice, filterFromFlags, integer, parseFlags, storeUrl, withStore } from '../flags.js';
import { formatTable, formatUsd } from '../format-table.js';

const HELP = `Usage: genai-usage report [options]

Prints usage totals from the store, or grouped rows as an aligned table.

Options:
  --by <dims>        group by one or more of ${GROUP_BY_DIMENSIONS.join(', ')}
                     (repeat the flag or separate with commas)
  --bucket <size>    also group by time: ${TIME_BUCKETS.join(', ')} (UTC; weeks start Monday)
  --top <n>          the n largest by --metric (needs exactly one --by)
  --metric <name>    ranking for --top: ${TOP_METRICS.join(', ')} (default costUsd)
  --json             print rows as JSON instead of a table
${FILTER_HELP}

Columns: tokens by kind (cache, reasoning: parts of input/output), cost, calls of
unknown price, what cached reads saved against the uncached price ("cache saved") and
what cache writes cost above it ("write extra"), duration. With --json every measure,
audio/image token parts, 1-hour cache writes and web searches included.

Examples:
  genai-usage report --by model
  genai-usage report --by user --top 10 --from 30d
  genai-usage report --by trace --top 10 --from 7d      (the costliest agent runs)
  genai-usage report --by rootAgent --by tier --from 30d
  genai-usage report --bucket day --from 2025-01-01 --to 2025-02-01 --provider openai`;

const OPTIONS = {
  ...FILTER_FLAGS,
  by: { type: 'string', multiple: true },
  bucket: { type: 'string' },
  top: { type: 'string' },
  metric: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export const command: CliCommand = {
  meta: { name: 'report', summary: 'usage and spend totals, grouped by model, user, agent, time, ...', help: HELP },
  async handler(argv, io) {
    const values = parseFlags(argv, OPTIONS);
    const filter = filterFromFlags(values);
    const groupBy = (values.by ?? []).flatMap((v) => v.split(',')).map((v) => choice('--by', v.trim(), GROUP_BY_DIMENSIONS));
    const bucket = values.bucket === undefined ? undefined : choice('--bucket', values.bucket, TIME_BUCKETS);
    const metric = values.metric === undefined ? undefined : choice('--metric', values.metric, TOP_METRICS);
    const top = values.top === undefined ? undefined : integer('--top', values.top, 1);
    if (top !== undefined && (groupBy.length !== 1 || bucket !== undefined)) {
      throw new CliUsageError(`--top needs exactly one --by dimension and no --bucket (e.g. --by user --top 10)`);
    }
    if (metric !== undefined && top === undefined) throw new CliUsageError('--metric ranks --top rows; add --top <n>');
    const rows = await withStore(storeUrl(values, io.env), (store) =>
      top !== undefined && groupBy[0]
        ? store.top({ ...filter, by: groupBy[0], metric, limit: top })
        : store.aggregate({ ...filter, groupBy, bucket }),
    );
    if (values.json) {
      io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    io.stdout.write(`${renderTable(rows, groupBy, bucket !== undefined)}\n`);
    io.stdout.write('(cache read/write tokens are part of input, reasoning part of output; cache saved/write extra: against the uncached input price; p95 is estimated)\n');
    return 0;
  },
};

/** A measure column of the report table: its header and how a row's value is shown. */
export interface MeasureColumn {
  header: string;
  cell(row: AggregateRow): string;
}

export const MEASURE_COLUMNS: readonly MeasureColumn[] = [
  { header: 'requests', cell: (r) => count(r.requests) },
  { header: 'failed', cell: (r) => count(r.failures) },
  { header: 'input', cell: (r) => count(r.inputTokens) },
  { header: 'output', cell: (r) => count(r.outputTokens) },
  { header: 'cache read', cell: (r) => count(r.cacheReadTokens) },
  { header: 'cache write', cell: (r) => count(r.cacheWriteTokens) },
  { header: 'reasoning', cell: (r) => count(r.reasoningTokens) },
  { header: 'total tokens', cell: (r) => count(r.totalTokens) },
  { header: 'cost', cell: (r) => (r.costUsd === null ? 'unknown' : formatUsd(r.costUsd)) },
  { header: 'unpriced', cell: (r) => count(r.unpricedRequests) },
  { header: 'cache saved', cell: (r) => formatUsd(r.cacheReadSavingsUsd) },
  { header: 'write extra', cell: (r) => formatUsd(r.cacheWritePremiumUsd) },
  { header: 'avg ms', cell: (r) => (r.avgDurationMs === null ? '-' : Math.round(r.avgDurationMs).toString()) },
  { header: 'p95 ms', cell: (r) => (r.p95DurationMs === null ? '-' : `~${Math.round(r.p95DurationMs)}`) },
];

/** The rows as an aligned table: keys first, then the measures (all, or the named ones). */
export function renderTable(rows: readonly AggregateRow[], groupBy: readonly GroupByDimension[], bucketed: boolean, measures: readonly string[] = MEASURE_COLUMNS.map((c) => c.header)): string {
  const keyHeaders = [...(bucketed ? ['bucket'] : []), ...groupBy];
  const columns = MEASURE_COLUMNS.filter((c) => measures.includes(c.header));
  const headers = [...(keyHeaders.length ? keyHeaders : ['total']), ...columns.map((c) => c.header)];
  const body = rows.map((row) => [
    ...(keyHeaders.length ? keyHeaders.map((key) => (key === 'bucket' ? shortBucket(row.bucket) : (row[key as GroupByDimension] ?? '(none)'))) : ['all']),
    ...columns.map((c) => c.cell(row)),
  ]);
  if (rows.length === 0) return 'no usage records match';
  return formatTable(headers, body);
}

const count = (n: number): string => n.toLocaleString('en-US');

/** `2025-01-31T00:00:00.000Z` → `2025-01-31`; hours keep `T09:00Z`. */
function shortBucket(bucket: string | undefined): string {
  if (!bucket) return '';
  return bucket.endsWith('T00:00:00.000Z') ? bucket.slice(0, 10) : `${bucket.slice(0, 16)}Z`;
}
