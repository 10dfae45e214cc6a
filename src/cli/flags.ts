import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { StoreError, StoreNotFoundError, StoreQueryError } from '../store/errors.js';
import { parseDuration, parseInstant } from '../store/filter.js';
import { DEFAULT_STORE_URL, openStore } from '../store/open-store.js';
import type { UsageFilter, UsageStore } from '../store/usage-store.js';
import { CliUsageError } from './command.js';

/** Flags every store-reading command takes: the store and one flag per filter key. */
export const FILTER_FLAGS = {
  store: { type: 'string' },
  user: { type: 'string' },
  agent: { type: 'string' },
  group: { type: 'string' },
  model: { type: 'string' },
  provider: { type: 'string' },
  service: { type: 'string' },
  session: { type: 'string' },
  conversation: { type: 'string' },
  trace: { type: 'string' },
  tier: { type: 'string' },
  success: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  date: { type: 'string' },
  tag: { type: 'string', multiple: true },
  limit: { type: 'string' },
  offset: { type: 'string' },
  order: { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

/** Help text for FILTER_FLAGS, shared by the commands' --help. */
export const FILTER_HELP = `Filters (combine with AND):
  --user <id>  --agent <name>  --group <name>  --model <name>  --provider <name>
  --service <name>  --session <id>  --conversation <id>  --success true|false
  --trace <id>                   one agent run (trace id)
  --tier <tier>                  served service tier: default, flex, priority, batch, scale
  --from <time>  --to <time>     ISO date/time (UTC unless an offset is given), or a
                                 duration ago: 7d, 12h, 2w (--to is exclusive)
  --date YYYY-MM-DD              one UTC day
  --tag key=value                repeatable; all must match
  --limit <n>  --offset <n>  --order asc|desc
Store:
  --store <url>                  sqlite:<path> | postgres://... | clickhouse://... (default: env
                                 GENAI_USAGE_STORE, else ${DEFAULT_STORE_URL})`;

/** Filter key → the flag that sets it, for error messages. */
const FLAG_OF: Record<string, string> = {
  userId: '--user',
  agentName: '--agent',
  group: '--group',
  model: '--model',
  provider: '--provider',
  serviceName: '--service',
  sessionId: '--session',
  conversationId: '--conversation',
  traceId: '--trace',
  serviceTier: '--tier',
  success: '--success',
  from: '--from',
  to: '--to',
  date: '--date',
  tags: '--tag',
  limit: '--limit',
  offset: '--offset',
  order: '--order',
  groupBy: '--by',
  bucket: '--bucket',
  metric: '--metric',
  by: '--by',
  format: '--format',
  olderThan: '--older-than',
};

/** node:util parseArgs, strict; unknown flags become a CliUsageError listing the valid ones. */
export function parseFlags<T extends ParseArgsOptionsConfig>(argv: string[], options: T): ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>>['values'] {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const valid = Object.keys(options).map((name) => `--${name}`).join(', ');
    throw new CliUsageError(`${(error as Error).message.replace(/\. To specify.*$/s, '')}; valid flags: ${valid}, --help`);
  }
}

type FilterValues = { [K in keyof typeof FILTER_FLAGS]?: K extends 'tag' ? string[] : string };

/** The store URL: `--store`, else `GENAI_USAGE_STORE`, else the default file. */
export function storeUrl(values: { store?: string }, env: NodeJS.ProcessEnv): string {
  return values.store ?? env['GENAI_USAGE_STORE'] ?? DEFAULT_STORE_URL;
}

/** The budgets file: `--budgets`, else `GENAI_USAGE_BUDGETS`; required. */
export function budgetsFile(values: { budgets?: string }, env: NodeJS.ProcessEnv): string {
  const file = values.budgets ?? env['GENAI_USAGE_BUDGETS'];
  if (!file) throw new CliUsageError('--budgets <file> is required (or set GENAI_USAGE_BUDGETS)');
  return file;
}

/** Builds a store filter from the filter flags; the store validates the values. */
export function filterFromFlags(values: FilterValues): UsageFilter {
  const filter: UsageFilter = {};
  const text: Array<[keyof FilterValues, keyof UsageFilter]> = [
    ['user', 'userId'],
    ['agent', 'agentName'],
    ['group', 'group'],
    ['model', 'model'],
    ['provider', 'provider'],
    ['service', 'serviceName'],
    ['session', 'sessionId'],
    ['conversation', 'conversationId'],
    ['trace', 'traceId'],
    ['tier', 'serviceTier'],
    ['date', 'date'],
  ];
  for (const [flag, key] of text) if (values[flag] !== undefined) (filter as Record<string, unknown>)[key] = values[flag];
  if (values.success !== undefined) filter.success = choice('--success', values.success, ['true', 'false'] as const) === 'true';
  if (values.from !== undefined) filter.from = instantOrAgo('--from', values.from);
  if (values.to !== undefined) filter.to = instantOrAgo('--to', values.to);
  if (values.tag !== undefined) filter.tags = values.tag;
  if (values.limit !== undefined) filter.limit = integer('--limit', values.limit, 1);
  if (values.offset !== undefined) filter.offset = integer('--offset', values.offset, 0);
  if (values.order !== undefined) filter.order = choice('--order', values.order, ['asc', 'desc'] as const);
  return filter;
}

/** `7d` → that long ago; else an ISO date/time. The error names both forms. */
function instantOrAgo(flag: string, value: string): Date {
  if (/^\d+(ms|s|m|h|d|w)$/.test(value.trim())) return new Date(Date.now() - parseDuration(flag, value));
  try {
    return parseInstant(flag, value);
  } catch {
    throw new CliUsageError(`${flag} ${JSON.stringify(value)} is not a time; use a duration ago (30d, 12h, 2w, 90m) or an ISO date/time (2025-01-31, 2025-01-31T09:00Z; UTC unless an offset is given)`);
  }
}

export function choice<T extends string>(flag: string, value: string, valid: readonly T[]): T {
  if ((valid as readonly string[]).includes(value)) return value as T;
  throw new CliUsageError(`invalid ${flag} ${JSON.stringify(value)}; valid values: ${valid.join(', ')}`);
}

export function integer(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) throw new CliUsageError(`${flag} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * Opens the store, runs `fn`, closes it. Readers open it read-only (`write: true` for prune):
 * a store that does not exist is never created. Store errors become one-line CLI errors: a bad
 * query names its flag (exit 2), a store that is missing or cannot be opened exits 1.
 */
export async function withStore<T>(url: string, fn: (store: UsageStore) => Promise<T>, { write = false }: { write?: boolean } = {}): Promise<T> {
  let store: UsageStore | undefined;
  try {
    // Even a writer (prune) never creates a store: it must exist first.
    if (write) await (await openStore(url, { readOnly: true })).close();
    store = await openStore(url, { readOnly: !write });
    return await fn(store);
  } catch (error) {
    if (error instanceof StoreQueryError) {
      const flag = FLAG_OF[error.key];
      throw new CliUsageError(flag ? `${flag}: ${error.message}` : error.message);
    }
    if (error instanceof StoreNotFoundError) throw new CliUsageError(`${error.message}; name the store with --store <url> or GENAI_USAGE_STORE`, 1);
    if (error instanceof StoreError) throw new CliUsageError(error.message, 1);
    throw error;
  } finally {
    await store?.close();
  }
}
