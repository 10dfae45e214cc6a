import { parseDuration, parseInstant } from '../../store/filter.js';
import { CliUsageError, type CliCommand } from '../command.js';
import { parseFlags, storeUrl, withStore } from '../flags.js';

const HELP = `Usage: genai-usage prune --older-than <age|date> [options]

Deletes usage records older than an age (90d, 12h, 2w, 30m) or an ISO date/time (UTC),
keeping the rollup tables in step. Typically run from cron for retention.

Options:
  --older-than <v>   required: 90d | 2025-01-01 | 2025-01-01T00:00:00Z
  --dry-run          count what would be deleted, delete nothing
  --json             print {"deleted": n, "cutoff": "..."} instead of a sentence
  --store <url>      sqlite:<path> | postgres://... | clickhouse://... (default: env GENAI_USAGE_STORE,
                     else sqlite:./genai-usage.db)`;

const OPTIONS = {
  'older-than': { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  store: { type: 'string' },
} as const;

export const command: CliCommand = {
  meta: { name: 'prune', summary: 'delete usage records older than an age or date (retention)', help: HELP },
  async handler(argv, io) {
    const values = parseFlags(argv, OPTIONS);
    const olderThan = values['older-than'];
    if (olderThan === undefined) throw new CliUsageError('--older-than is required, e.g. --older-than 90d or --older-than 2025-01-01');
    const cutoff = toCutoff(olderThan);
    const dryRun = values['dry-run'];
    const deleted = await withStore(storeUrl(values, io.env), async (store) =>
      dryRun ? ((await store.aggregate({ to: cutoff }))[0]?.requests ?? 0) : store.prune({ olderThan: cutoff }),
    { write: !dryRun });
    if (values.json) io.stdout.write(`${JSON.stringify({ deleted, cutoff: cutoff.toISOString(), dryRun })}\n`);
    else io.stdout.write(`${dryRun ? 'would delete' : 'deleted'} ${deleted.toLocaleString('en-US')} records older than ${cutoff.toISOString()}\n`);
    return 0;
  },
};

function toCutoff(value: string): Date {
  try {
    return /^\d+[a-z]+$/.test(value.trim()) ? new Date(Date.now() - parseDuration('--older-than', value)) : parseInstant('--older-than', value);
  } catch {
    throw new CliUsageError(`--older-than must be an age (90d, 12h, 2w, 30m) or an ISO date/time, got ${JSON.stringify(value)}`);
  }
}
