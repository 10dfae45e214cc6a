import { BudgetTracker } from '../../budgets/budget-tracker.js';
import type { BudgetStatus } from '../../budgets/budget-types.js';
import { loadBudgetsFile } from '../../budgets/parse-budgets.js';
import { syncRuntime } from '../../budgets/store-sync.js';
import { CliUsageError, type CliCommand } from '../command.js';
import { budgetsFile, parseFlags, storeUrl, withStore } from '../flags.js';
import { formatTable, formatUsd } from '../format-table.js';

const HELP = `Usage: genai-usage budgets [options]

Prints every budget's status in its current period, computed from the usage store: used,
limit, remaining, utilization, crossed thresholds, reset time and the projected use at the
end of the period. Budgets with a per-user (or per-agent, ...) scope get one row per copy
with use in this period. Budgets split per tag value ("tags: { key: each }") are listed
only by a running process (the store cannot group by tag).

Options:
  --budgets <file>   the budgets file (default: env GENAI_USAGE_BUDGETS)
  --budget <name>    only this budget
  --json             print the statuses as JSON instead of a table
  --store <url>      sqlite:<path> | postgres://... | clickhouse://... (default: env GENAI_USAGE_STORE,
                     else sqlite:./genai-usage.db)

Examples:
  genai-usage budgets --budgets budgets.yaml
  genai-usage budgets --budgets budgets.yaml --budget per-user-daily --json`;

const OPTIONS = {
  budgets: { type: 'string' },
  budget: { type: 'string' },
  json: { type: 'boolean', default: false },
  store: { type: 'string' },
} as const;

export const command: CliCommand = {
  meta: { name: 'budgets', summary: 'budget status (used, limit, remaining, projection) from the store', help: HELP },
  async handler(argv, io) {
    const values = parseFlags(argv, OPTIONS);
    const file = budgetsFile(values, io.env);
    const budgets = loadBudgetsFile(file);
    if (values.budget !== undefined && !budgets.some((b) => b.name === values.budget)) {
      throw new CliUsageError(`no budget named ${JSON.stringify(values.budget)} in ${file}; budgets: ${budgets.map((b) => b.name).join(', ')}`);
    }
    const tracker = new BudgetTracker(budgets);
    await withStore(storeUrl(values, io.env), async (store) => {
      for (const runtime of tracker.runtimes) {
        if (values.budget === undefined || runtime.budget.name === values.budget) await syncRuntime(store, runtime, tracker);
      }
    });
    const statuses = tracker.status(values.budget === undefined ? {} : { budget: values.budget });
    if (values.json) {
      io.stdout.write(`${JSON.stringify(statuses, null, 2)}\n`);
      return 0;
    }
    io.stdout.write(`${renderBudgetTable(statuses)}\n`);
    const unused = tracker.runtimes
      .map((r) => r.budget)
      .filter((b) => b.each.length && (values.budget === undefined || b.name === values.budget) && !statuses.some((s) => s.budget === b.name));
    if (unused.length) io.stdout.write(`no use yet this period: ${unused.map((b) => `${b.name} (per ${b.each.join(', ')})`).join(', ')}\n`);
    return 0;
  },
};

/** Statuses as an aligned table, most used first within each budget. */
export function renderBudgetTable(statuses: readonly BudgetStatus[]): string {
  if (statuses.length === 0) return 'no budgets';
  const order = new Map<string, number>();
  statuses.forEach((s) => order.has(s.budget) || order.set(s.budget, order.size));
  const sorted = [...statuses].sort((a, b) => order.get(a.budget)! - order.get(b.budget)! || b.utilization - a.utilization);
  const headers = ['budget', 'scope', 'period', 'enforce', 'used', 'limit', 'remaining', 'used %', 'status', 'resets (UTC)', 'projected'];
  const rows = sorted.map((s) => [
    s.budget,
    Object.entries(s.scope).map(([k, v]) => `${k}=${v}`).join(',') || '-',
    s.period,
    s.enforce,
    amount(s, s.used),
    amount(s, s.limit),
    amount(s, s.remaining),
    `${(s.utilization * 100).toFixed(1)}%`,
    s.exceeded ? 'EXCEEDED' : s.crossed.length ? `warn ${Math.round(Math.max(...s.crossed) * 100)}%` : 'ok',
    s.resetsAt ? s.resetsAt.toISOString().slice(0, 16).replace('T', ' ') : 'rolling',
    s.projected === undefined ? '-' : amount(s, s.projected),
  ]);
  return formatTable(headers, rows);
}

function amount(s: BudgetStatus, value: number): string {
  return s.metric === 'cost' ? formatUsd(value) : `${Math.round(value).toLocaleString('en-US')} ${s.metric === 'tokens' ? 'tok' : 'req'}`;
}
