/** promtool check rules / test rules on the shipped rules (Debian's promtool; fails in CI without it). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMPONENT } from '../../dashboards/src/contract.js';
import { ROOT } from './dashboard-files.js';
import { skipWithout } from './prometheus-server.js';

const DIR = join(ROOT, 'dashboards/prometheus');
const RULES = [join(DIR, 'recording-rules.yaml'), join(DIR, 'alerts.yaml')];
const TESTS = [join(DIR, 'tests/alerts.test.yaml'), join(DIR, 'tests/recording-rules.test.yaml')];

function promtool(...args: string[]) {
  const r = spawnSync('promtool', args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

interface AlertRule { alert: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }
const alerts = (parse(readFileSync(join(DIR, 'alerts.yaml'), 'utf8')) as { groups: Array<{ rules: AlertRule[] }> }).groups.flatMap((g) => g.rules);

describe('alert rules: content', () => {
  it('has the four general alerts, each with severity, component, summary, description and a runbook in docs/alerts.md', () => {
    expect(alerts.map((a) => a.alert)).toEqual(['GenAiUsageProviderErrorRateHigh', 'GenAiUsageLatencyP95Regression', 'GenAiUsageUnpricedModelCalls', 'GenAiUsageCardinalityOverflow']);
    const runbooks = readFileSync(join(ROOT, 'docs/alerts.md'), 'utf8');
    for (const a of alerts) {
      expect(a.labels, a.alert).toMatchObject({ severity: expect.stringMatching(/^(warning|critical)$/), component: COMPONENT });
      expect(a.annotations?.summary, `${a.alert} summary`).toBeTruthy();
      expect(a.annotations?.description, `${a.alert} description`).toBeTruthy();
      expect(a.annotations?.runbook, `${a.alert} runbook`).toBe(`docs/alerts.md#${a.alert.toLowerCase()}`);
      expect(runbooks, `docs/alerts.md has no "## ${a.alert}" section`).toContain(`\n## ${a.alert}\n`);
    }
  });

  it('every alert has promtool unit tests that expect it to fire and to stay silent', () => {
    const text = readFileSync(TESTS[0]!, 'utf8');
    for (const a of alerts) {
      const cases = [...text.matchAll(new RegExp(`alertname: ${a.alert}\\n\\s+exp_alerts:(.*)`, 'g'))].map((m) => m[1]!.trim());
      expect(cases.filter((c) => c === '[]').length, `${a.alert}: a silent case`).toBeGreaterThan(0);
      expect(cases.filter((c) => c === '').length, `${a.alert}: a firing case`).toBeGreaterThan(0);
    }
  });
});

describe.skipIf(skipWithout('promtool', 'promtool rule checks'))('alert and recording rules: promtool', () => {
  it('promtool check rules passes', () => {
    const r = promtool('check', 'rules', ...RULES);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('SUCCESS: 7 rules found');
    expect(r.out).toContain('SUCCESS: 4 rules found');
  });

  it('promtool test rules passes (each alert fires and stays silent as specified)', () => {
    const r = promtool('test', 'rules', ...TESTS);
    expect(r.status, r.out).toBe(0);
    expect(r.out.match(/SUCCESS/g)?.length).toBe(TESTS.length);
  });

  it('the unit tests catch a broken alert (an "or" turned into "and", thresholds raised)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genai-usage-rules-'));
    try {
      mkdirSync(join(dir, 'tests'));
      copyFileSync(RULES[0]!, join(dir, 'recording-rules.yaml'));
      copyFileSync(TESTS[0]!, join(dir, 'tests/alerts.test.yaml'));
      const broken = readFileSync(RULES[1]!, 'utf8').replace(') > 0.1\n', ') > 0.3\n').replace('> 1.5 *', '> 5 *').replace('\n          or\n', '\n          and\n');
      writeFileSync(join(dir, 'alerts.yaml'), broken);
      const r = promtool('test', 'rules', join(dir, 'tests/alerts.test.yaml'));
      expect(r.status).not.toBe(0);
      for (const name of ['GenAiUsageProviderErrorRateHigh', 'GenAiUsageLatencyP95Regression', 'GenAiUsageUnpricedModelCalls']) expect(r.out).toContain(`alertname: ${name}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('promtool check rules rejects a bad expression (so the check can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genai-usage-rules-'));
    try {
      const file = join(dir, 'bad.yaml');
      writeFileSync(file, 'groups:\n  - name: bad\n    rules:\n      - record: x:y:z\n        expr: sum by (job (rate(genai_usage_cost_total[5m]))\n');
      const r = promtool('check', 'rules', file);
      expect(r.status).not.toBe(0);
      expect(r.out).toMatch(/parse error|unexpected/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
