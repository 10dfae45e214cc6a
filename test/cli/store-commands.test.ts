import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliUsageError } from '../../src/cli/command.js';
import { command as exportCommand } from '../../src/cli/commands/export.js';
import { command as prune } from '../../src/cli/commands/prune.js';
import { command as report } from '../../src/cli/commands/report.js';
import { openStore } from '../../src/store/open-store.js';
import type { AggregateRow } from '../../src/store/usage-store.js';
import { generateRecords } from '../store/reference.js';
import { captureIo } from '../support/cli-io.js';

const dir = mkdtempSync(join(tmpdir(), 'genai-usage-cli-'));
const url = `sqlite:${join(dir, 'cli.db')}`;
const RECORDS = generateRecords(300, 3);

const io = (env: NodeJS.ProcessEnv = { GENAI_USAGE_STORE: url }) => captureIo(env);

beforeAll(async () => {
  const store = await openStore(url);
  await store.insert(RECORDS);
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('genai-usage report', () => {
  it('prints an aligned table grouped by model, matching the store', async () => {
    const cli = io();
    expect(await report.handler(['--by', 'model'], cli)).toBe(0);
    const lines = cli.out().trim().split('\n');
    expect(lines[0]).toMatch(/^model\s+requests\s+failed\s+input/);
    const store = await openStore(url);
    const rows = await store.aggregate({ groupBy: 'model' });
    await store.close();
    expect(lines.slice(2, 2 + rows.length).map((l) => l.split(/\s{2,}/)[0])).toEqual(rows.map((r) => r.model ?? '(none)'));
    // Right-aligned numbers: every table line has the same length up to the last column.
    const widths = new Set(lines.slice(0, 2 + rows.length).map((l) => l.length));
    expect(widths.size).toBe(1);
  });

  it('--json prints the rows; --by user --top ranks by cost; filters and --bucket apply', async () => {
    const cli = io();
    await report.handler(['--by', 'user', '--top', '2', '--provider', 'openai', '--json'], cli);
    const rows = JSON.parse(cli.out()) as AggregateRow[];
    expect(rows).toHaveLength(2);
    expect((rows[0]?.costUsd ?? 0) >= (rows[1]?.costUsd ?? 0)).toBe(true);
    const totals = io();
    await report.handler(['--bucket', 'week', '--json', '--from', '2025-01-27', '--to', '2025-02-10'], totals);
    const weeks = JSON.parse(totals.out()) as AggregateRow[];
    expect(weeks.map((w) => w.bucket)).toEqual(['2025-01-27T00:00:00.000Z', '2025-02-03T00:00:00.000Z']);
  });

  it('rejects bad flags with the flag name and the valid values', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--by', 'team'], /--by.*"team".*user, agent, group, model/],
      [['--bucket', 'year'], /--bucket.*hour, day, week, month/],
      [['--colour'], /Unknown option '--colour'.*valid flags: .*--by/],
      [['--by', 'user', '--top', 'x'], /--top must be an integer/],
      [['--by', 'user', '--by', 'model', '--top', '3'], /exactly one --by/],
      [['--from', 'last tuesday'], /--from "last tuesday" is not a time; use a duration ago \(30d, 12h, 2w, 90m\) or an ISO date\/time/],
      [['--to', 'yesterday'], /--to "yesterday" is not a time; use a duration ago \(30d/],
      [['--success', 'maybe'], /--success.*true, false/],
    ];
    for (const [argv, message] of cases) {
      const error = await report.handler(argv, io()).catch((e: unknown) => e);
      expect(error, argv.join(' ')).toBeInstanceOf(CliUsageError);
      expect((error as Error).message).toMatch(message);
    }
    const unsupported = await report.handler([], io({ GENAI_USAGE_STORE: 'mysql://x' })).catch((e: unknown) => e);
    expect(unsupported).toBeInstanceOf(CliUsageError);
    expect((unsupported as CliUsageError).exitCode).toBe(1);
  });
});

describe('reading commands never create a store', () => {
  it('report, export and prune on a missing SQLite file fail with one line and create nothing', async () => {
    const missing = join(dir, 'nope', 'nope.db');
    const env = { GENAI_USAGE_STORE: `sqlite:${missing}` };
    for (const [name, run] of [
      ['report', () => report.handler([], io(env))],
      ['export', () => exportCommand.handler(['--format', 'csv'], io(env))],
      ['prune', () => prune.handler(['--older-than', '90d'], io(env))],
    ] as const) {
      const error = await run().catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(CliUsageError);
      expect((error as CliUsageError).exitCode).toBe(1);
      expect((error as Error).message).toBe(`no usage store at ${missing}: the file does not exist (nothing recorded there yet, or another path?); name the store with --store <url> or GENAI_USAGE_STORE`);
    }
    expect(existsSync(join(dir, 'nope'))).toBe(false);
  });
});

describe('genai-usage export and prune', () => {
  it('exports CSV to a file atomically', async () => {
    const out = join(dir, 'out.csv');
    const cli = io();
    expect(await exportCommand.handler(['--format', 'csv', '--out', out, '--user', 'u-1'], cli)).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\r\n');
    expect(lines[0]?.startsWith('id,traceId,spanId,recordedAt')).toBe(true);
    expect(lines.length - 1).toBe(RECORDS.filter((r) => r.userId === 'u-1').length);
    expect(existsSync(`${out}.partial`)).toBe(false);
    expect(cli.err()).toMatch(/exported \d+ records to/);
  });

  it('exports JSON Lines to stdout by default, and rejects an unknown format', async () => {
    const cli = io();
    await exportCommand.handler(['--store', url, '--limit', '5'], cli);
    expect(cli.out().trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id)).toHaveLength(5);
    await expect(exportCommand.handler(['--format', 'xml'], io())).rejects.toThrow(/--format.*json, csv, jsonl/);
  });

  it('prunes by age, with a dry run first', async () => {
    const cli = io();
    await prune.handler(['--older-than', '2025-02-10', '--dry-run', '--json'], cli);
    const expected = RECORDS.filter((r) => r.recordedAt < new Date('2025-02-10T00:00:00Z')).length;
    expect(JSON.parse(cli.out())).toMatchObject({ deleted: expected, dryRun: true });
    const real = io();
    await prune.handler(['--older-than', '2025-02-10'], real);
    expect(real.out()).toContain(`deleted ${expected} records older than 2025-02-10T00:00:00.000Z`);
    await expect(prune.handler([], io())).rejects.toThrow(/--older-than is required/);
    await expect(prune.handler(['--older-than', 'soon'], io())).rejects.toThrow(/--older-than must be/);
  });
});
