import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BudgetDefinitionError } from '../../src/budgets/budget-errors.js';
import { loadBudgetsFile, parseBudgets } from '../../src/budgets/parse-budgets.js';
import { wireBudgets } from '../../src/budgets/wire-budgets.js';
import { ConfigError } from '../../src/setup/config-error.js';

const dir = mkdtempSync(join(tmpdir(), 'genai-usage-budgets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ok = { name: 'b', limit: { costUsd: 5 }, period: 'daily' };

/** Each invalid definition, and what its error must name: the budget, the field, the valid values. */
const INVALID: Array<[string, unknown, RegExp]> = [
  ['no limit', { name: 'b', period: 'daily' }, /budget "b", field limit: expected \{ costUsd: <USD> \}, \{ tokens: <n>, tokenType\?: <type> \} or \{ requests: <n> \}, got nothing/],
  ['two limits', { ...ok, limit: { costUsd: 5, tokens: 10 } }, /budget "b", field limit: expected exactly one of costUsd, tokens, requests/],
  ['negative limit', { ...ok, limit: { costUsd: -1 } }, /budget "b", field limit.costUsd: expected a positive number, got -1/],
  ['limit as a string', { ...ok, limit: { requests: '100' } }, /field limit.requests: expected a positive number, got "100"/],
  ['bad token type', { ...ok, limit: { tokens: 10, tokenType: 'prompt' } }, /field limit.tokenType: got "prompt"; valid values: total, input, output, cache_read, cache_write, reasoning/],
  ['tokenType on a cost limit', { ...ok, limit: { costUsd: 1, tokenType: 'input' } }, /field limit.tokenType: unknown key; valid keys with costUsd: costUsd/],
  ['unknown period', { ...ok, period: 'hourly' }, /budget "b", field period: got "hourly"; valid values: daily, weekly, monthly, yearly, or \{ rolling: <n>m\|h\|d\|w \}/],
  ['bad rolling window', { ...ok, period: { rolling: '90s' } }, /field period.rolling: got "90s"; valid: a window like 30m, 24h, 7d, 2w/],
  ['bad time zone', { ...ok, timeZone: 'Mars/Olympus' }, /budget "b", field timeZone: "Mars\/Olympus" is not a time zone; valid values: UTC or an IANA zone/],
  ['time zone on a rolling window', { ...ok, period: { rolling: '24h' }, timeZone: 'Europe/Berlin' }, /field timeZone: a rolling window has no calendar/],
  ['unknown scope key', { ...ok, scope: { customer: 'x' } }, /field scope.customer: unknown scope key; valid keys: user, agent, model, provider, service, group, tags/],
  ['empty scope value', { ...ok, scope: { user: '' } }, /field scope.user: expected a non-empty string \(a fixed value\) or "each", got ""/],
  ['tags not an object', { ...ok, scope: { tags: 'feature=chat' } }, /field scope.tags: expected an object of tag values/],
  ['warnAt above 1', { ...ok, warnAt: [0.5, 80] }, /budget "b", field warnAt: 80 is not a fraction in \(0, 1\]; e.g. 0.8 for 80 %/],
  ['warnAt not a list', { ...ok, warnAt: 0.8 }, /field warnAt: expected a list of fractions in \(0, 1\]/],
  ['bad enforce', { ...ok, enforce: 'block' }, /budget "b", field enforce: got "block"; valid values: hard, soft/],
  ['unknown field', { ...ok, limits: {} }, /budget "b", field limits: unknown field; valid fields: name, limit, period, timeZone, scope, warnAt, enforce, description/],
  ['bad name', { ...ok, name: 'my budget!' }, /budget "budgets\[0\]", field name: expected a name of letters, digits/],
  ['not an object', 'daily', /budget "budgets\[0\]": expected an object with name, limit, period/],
];

describe('budget definitions', () => {
  it.each(INVALID)('rejects %s with an error naming the budget, field and valid values', (_, def, message) => {
    let error: unknown;
    try {
      parseBudgets([def as never]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BudgetDefinitionError);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });

  it('rejects duplicate names, naming the budget', () => {
    expect(() => parseBudgets([ok as never, ok as never])).toThrow(/budget "b", field name: the name is used by another budget/);
  });

  it('normalizes: defaults, sorted deduplicated thresholds plus 1, fixed and each scopes, tags', () => {
    const [b] = parseBudgets([{ name: 'x', limit: { tokens: 1000, tokenType: 'output' }, period: 'weekly', warnAt: [0.95, 0.5, 0.95], scope: { user: 'each', model: 'gpt-4o', tags: { feature: 'chat', tenant: 'each' } } }]);
    expect(b).toMatchObject({
      name: 'x',
      metric: 'tokens',
      tokenType: 'output',
      limit: 1000,
      enforce: 'soft',
      warnAt: [0.5, 0.95],
      thresholds: [0.5, 0.95, 1],
      fixed: [['model', 'gpt-4o'], ['tag.feature', 'chat']],
      each: ['tag.tenant', 'user'],
      period: { kind: 'calendar', unit: 'weekly', timeZone: 'UTC', label: 'weekly' },
    });
    const [d] = parseBudgets([ok as never]);
    expect([d!.warnAt, d!.thresholds, d!.enforce]).toEqual([[0.8], [0.8, 1], 'soft']);
  });

  it('loads YAML and JSON files; a file-level timeZone applies to budgets without their own', () => {
    const yamlPath = join(dir, 'budgets.yaml');
    writeFileSync(yamlPath, 'timeZone: Europe/Berlin\nbudgets:\n  - name: a\n    limit: { costUsd: 500 }\n    period: monthly\n  - name: b\n    limit: { requests: 10 }\n    period: daily\n    timeZone: UTC\n  - name: c\n    limit: { tokens: 5 }\n    period: { rolling: 24h }\n');
    const budgets = loadBudgetsFile(yamlPath);
    expect(budgets.map((b) => [b.name, b.period.kind === 'calendar' ? b.period.timeZone : b.period.label])).toEqual([['a', 'Europe/Berlin'], ['b', 'UTC'], ['c', 'rolling:24h']]);
    const jsonPath = join(dir, 'budgets.json');
    writeFileSync(jsonPath, JSON.stringify([{ name: 'j', limit: { requests: 3 }, period: 'yearly', enforce: 'hard' }]));
    expect(loadBudgetsFile(jsonPath).map((b) => [b.name, b.metric, b.enforce])).toEqual([['j', 'requests', 'hard']]);
  });

  it('names the file for unreadable or malformed files and unknown top-level keys', () => {
    expect(() => loadBudgetsFile(join(dir, 'missing.yaml'))).toThrow(/cannot read the budgets file .*missing\.yaml/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'budgets: [\n  { name: a');
    expect(() => loadBudgetsFile(bad)).toThrow(/bad\.yaml is not valid YAML or JSON/);
    const extra = join(dir, 'extra.yaml');
    writeFileSync(extra, 'budget:\n  - name: a\n');
    expect(() => loadBudgetsFile(extra)).toThrow(/extra\.yaml: unknown key "budget"; valid keys: budgets, timeZone/);
  });

  it('wireBudgets: the option wins, else GENAI_USAGE_BUDGETS, else no budgets', async () => {
    const file = join(dir, 'env.yaml');
    writeFileSync(file, 'budgets:\n  - name: from-env\n    limit: { costUsd: 1 }\n    period: daily\n');
    expect(wireBudgets(undefined, { store: false, serviceName: undefined, env: {} })).toBeUndefined();
    const fromEnv = wireBudgets(undefined, { store: false, serviceName: undefined, env: { GENAI_USAGE_BUDGETS: file } });
    expect(fromEnv?.names).toEqual(['from-env']);
    const fromOption = wireBudgets([{ name: 'coded', limit: { requests: 1 }, period: 'daily' }], { store: false, serviceName: undefined, env: { GENAI_USAGE_BUDGETS: file } });
    expect(fromOption?.names).toEqual(['coded']);
    expect(() => wireBudgets(undefined, { store: false, serviceName: undefined, env: { GENAI_USAGE_BUDGETS: join(dir, 'nope.yaml') } })).toThrow(ConfigError);
    await Promise.all([fromEnv?.shutdown(), fromOption?.shutdown()]);
  });
});
