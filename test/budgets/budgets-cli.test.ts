import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { BudgetStatus } from '../../src/budgets/budget-types.js';
import { CliUsageError } from '../../src/cli/command.js';
import { command as budgetsCommand } from '../../src/cli/commands/budgets.js';
import { command as rulesCommand } from '../../src/cli/commands/rules.js';
import { ConfigError } from '../../src/setup/config-error.js';
import { openStore } from '../../src/store/open-store.js';
import { skipWithout } from '../dashboards/prometheus-server.js';
import { makeRecord } from './records.js';
import { captureIo } from '../support/cli-io.js';

const dir = mkdtempSync(join(tmpdir(), 'genai-usage-budgets-cli-'));
const store = `sqlite:${join(dir, 'usage.db')}`;
const file = join(dir, 'budgets.yaml');

const io = (env: NodeJS.ProcessEnv = {}) => captureIo(env);

beforeAll(async () => {
  writeFileSync(
    file,
    [
      'budgets:',
      '  - name: org-monthly',
      '    limit: { costUsd: 100 }',
      '    period: monthly',
      '    warnAt: [0.5, 0.9]',
      '  - name: per-user-daily',
      '    limit: { costUsd: 5 }',
      '    period: daily',
      '    scope: { user: each }',
      '    enforce: hard',
      '  - name: calls',
      '    limit: { requests: 1000 }',
      '    period: { rolling: 24h }',
    ].join('\n'),
  );
  const s = await openStore(store);
  const now = new Date(Date.now() - 1000);
  await s.insert([
    makeRecord({ userId: 'alice', costUsd: 6, recordedAt: now }),
    makeRecord({ userId: 'bob', costUsd: 1.5, recordedAt: now }),
    makeRecord({ userId: 'carol', costUsd: 50, recordedAt: new Date(Date.now() - 40 * 864e5) }),
  ]);
  await s.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('genai-usage budgets', () => {
  it('--json: one status per budget copy, computed from the store', async () => {
    const cli = io({ GENAI_USAGE_STORE: store, GENAI_USAGE_BUDGETS: file });
    expect(await budgetsCommand.handler(['--json'], cli)).toBe(0);
    const rows = JSON.parse(cli.out()) as BudgetStatus[];
    expect(rows.map((r) => [r.budget, r.scope, r.used, r.exceeded])).toEqual([
      ['org-monthly', {}, 7.5, false],
      ['per-user-daily', { user: 'alice' }, 6, true],
      ['per-user-daily', { user: 'bob' }, 1.5, false],
      ['calls', {}, 2, false],
    ]);
    expect(rows[1]).toMatchObject({ limit: 5, remaining: 0, utilization: 1.2, crossed: [0.8, 1], enforce: 'hard', period: 'daily' });
  });

  it('prints an aligned table, most used first within a budget; --budget selects one', async () => {
    const cli = io({ GENAI_USAGE_STORE: store });
    expect(await budgetsCommand.handler(['--budgets', file, '--budget', 'per-user-daily'], cli)).toBe(0);
    const lines = cli.out().trim().split('\n');
    expect(lines[0]).toMatch(/^budget\s+scope\s+period\s+enforce\s+used\s+limit\s+remaining\s+used %\s+status\s+resets \(UTC\)\s+projected$/);
    expect(lines.slice(2).map((l) => l.split(/\s{2,}/).slice(0, 9))).toEqual([
      ['per-user-daily', 'user=alice', 'daily', 'hard', '$6.00', '$5.00', '$0.00', '120.0%', 'EXCEEDED'],
      ['per-user-daily', 'user=bob', 'daily', 'hard', '$1.50', '$5.00', '$3.50', '30.0%', 'ok'],
    ]);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });

  it('names per-user budgets that have no copy yet, rather than dropping them silently', async () => {
    const empty = `sqlite:${join(dir, 'empty.db')}`;
    await (await openStore(empty)).close(); // a store with nothing recorded yet (readers never create one)
    const cli = io({ GENAI_USAGE_STORE: empty, GENAI_USAGE_BUDGETS: file });
    await budgetsCommand.handler([], cli);
    expect(cli.out().trim().split('\n').slice(2).map((l) => l.split(/\s{2,}/)[0])).toEqual(['org-monthly', 'calls', 'no use yet this period: per-user-daily (per user)']);
  });

  it('fails with a clear message: no budgets file, an unknown budget, an invalid definition', async () => {
    await expect(budgetsCommand.handler([], io({ GENAI_USAGE_STORE: store }))).rejects.toThrow(CliUsageError);
    await expect(budgetsCommand.handler(['--budgets', file, '--budget', 'nope'], io({ GENAI_USAGE_STORE: store }))).rejects.toThrow(/no budget named "nope" in .*; budgets: org-monthly, per-user-daily, calls/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'budgets:\n  - name: x\n    limit: { dollars: 5 }\n    period: daily\n');
    await expect(budgetsCommand.handler(['--budgets', bad], io({ GENAI_USAGE_STORE: store }))).rejects.toThrow(ConfigError);
  });
});

describe('genai-usage rules', () => {
  it('prints Prometheus rules for the file; --format prometheusrule prints a manifest', async () => {
    const cli = io();
    expect(await rulesCommand.handler(['--budgets', file], cli)).toBe(0);
    const rules = parse(cli.out()) as { groups: Array<{ name: string }> };
    expect(rules.groups.map((g) => g.name)).toEqual(['genai-usage-budget-org-monthly', 'genai-usage-budget-per-user-daily', 'genai-usage-budget-calls']);
    const k8s = io({ GENAI_USAGE_BUDGETS: file });
    await rulesCommand.handler(['--format', 'prometheusrule', '--namespace', 'mon', '--label', 'release=kps', '--name', 'budgets'], k8s);
    expect(parse(k8s.out())).toMatchObject({ kind: 'PrometheusRule', metadata: { name: 'budgets', namespace: 'mon', labels: { release: 'kps' } } });
  });

  it('rejects bad flags listing the valid values', async () => {
    await expect(rulesCommand.handler(['--budgets', file, '--format', 'json'], io())).rejects.toThrow(/invalid --format "json"; valid values: prometheus, prometheusrule/);
    await expect(rulesCommand.handler(['--budgets', file, '--burn-rate-factor', '0'], io())).rejects.toThrow(/--burn-rate-factor must be a positive number/);
    await expect(rulesCommand.handler([], io())).rejects.toThrow(/--budgets <file> is required/);
  });

  it.skipIf(skipWithout('promtool', 'promtool check rules of the CLI output'))('--out writes a file promtool accepts', async () => {
    const out = join(dir, 'rules.yaml');
    const cli = io();
    await rulesCommand.handler(['--budgets', file, '--out', out, '--burn-rate-factor', '5'], cli);
    expect(cli.err()).toBe(`wrote 3 budgets' alert rules to ${out}\n`);
    expect(readFileSync(out, 'utf8')).toContain('> 25\n');
    expect(execFileSync('promtool', ['check', 'rules', out], { encoding: 'utf8' })).toMatch(/SUCCESS: 12 rules found/);
  });
});
