import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { staleGeneratedFiles, writeGeneratedFiles } from '../../dashboards/generate.js';
import { SCOPE_DIMENSIONS } from '../../src/budgets/budget-types.js';
import { BUDGET_SCOPE_LABELS, KNOWN_METRICS, TOKENS, UnknownMetricError } from '../../dashboards/src/contract.js';
import { DASHBOARDS } from '../../dashboards/src/index.js';
import { assertKnownMetric, sel } from '../../dashboards/src/promql.js';
import { metricNames } from './promql-names.js';
import { loadDashboards, panelQueries, ROOT } from './dashboard-files.js';

const GRAFANA_VARS = new Set(['__range', '__rate_interval', '__interval', 'datasource']);

describe('dashboards as code', () => {
  it('the committed JSON and recording rules equal the generated ones', () => {
    if (process.env.GENERATE === '1') {
      const written = writeGeneratedFiles(ROOT);
      console.log(written.length ? `generated: ${written.join(', ')}` : 'generated files were already up to date');
    }
    const stale = staleGeneratedFiles(ROOT);
    expect(stale, `out of date (regenerate: GENERATE=1 npx vitest run test/dashboards/generator.test.ts): ${stale.join(', ')}`).toEqual([]);
  });

  it('ships exactly the four generated dashboards', () => {
    const files = readdirSync(join(ROOT, 'dashboards/grafana')).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(Object.keys(DASHBOARDS).sort());
  });

  it('every expression selects only contract metrics or recording rules', () => {
    const rules = parse(readFileSync(join(ROOT, 'dashboards/prometheus/recording-rules.yaml'), 'utf8')) as { groups: Array<{ rules: Array<{ record: string; expr: string }> }> };
    const alerts = parse(readFileSync(join(ROOT, 'dashboards/prometheus/alerts.yaml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
    const recorded = rules.groups.flatMap((g) => g.rules.map((r) => r.record));
    const allowed = new Set([...KNOWN_METRICS]);
    // Every recording rule the generator knows is in the committed file, and nothing else.
    expect(recorded.sort()).toEqual(KNOWN_METRICS.filter((m) => m.includes(':')).sort());
    const bad: string[] = [];
    const check = (where: string, expr: string) => {
      for (const name of metricNames(expr)) if (!allowed.has(name)) bad.push(`${where}: unknown metric "${name}" in ${expr}`);
    };
    let count = 0;
    for (const d of loadDashboards()) {
      for (const q of panelQueries(d)) { check(`${d.file} / ${q.panel} / ${q.refId}`, q.expr); count++; }
      for (const v of d.json.templating.list) if (v.type === 'query') { check(`${d.file} / variable ${v.name}`, v.definition); count++; }
    }
    for (const g of rules.groups) for (const r of g.rules) { check(`recording rule ${r.record}`, r.expr); count++; }
    for (const g of alerts.groups) for (const r of g.rules) { check(`alert ${r.alert}`, r.expr); count++; }
    expect(bad).toEqual([]);
    expect(count).toBeGreaterThan(60);
  });

  it('the metric scanner finds names outside the contract (so the check above can fail)', () => {
    expect(metricNames('sum by (user_id) (increase(genai_usage_cost{job=~"$service"}[$__range])) / on(job) group_left sum(foo_total offset 1h) > 0.5')).toEqual(['genai_usage_cost', 'foo_total']);
    expect(metricNames('label_values(genai_usage_requests_total{job=~"$service"}, gen_ai_provider_name)')).toEqual(['genai_usage_requests_total']);
    expect(metricNames('histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m]))) * 1e3')).toEqual(['x_bucket']);
  });

  it('the generator rejects unknown metric names with a clear error', () => {
    expect(() => sel('genai_usage_cost', [['job', '=~', '$service']])).toThrow(UnknownMetricError);
    expect(() => sel('genai_usage_cost')).toThrow(/unknown metric "genai_usage_cost".*valid names: genai_usage_cost_total/);
    expect(() => assertKnownMetric('gen_ai_client_operation_duration_seconds_bucket')).toThrow(/recording rule/);
    expect(sel(TOKENS, [['gen_ai_token_type', '=', 'a"b']])).toBe('genai_usage_tokens_total{gen_ai_token_type="a\\"b"}');
  });

  it('every panel has a datasource, a unit and queries; every variable it uses is defined', () => {
    const problems: string[] = [];
    for (const d of loadDashboards()) {
      const defined = new Set(d.json.templating.list.map((v) => v.name));
      expect([...defined].slice(0, 2), d.file).toEqual(['datasource', 'service']);
      const ids = new Set<number>();
      for (const p of d.json.panels) {
        const where = `${d.file} / ${p.title}`;
        if (ids.has(p.id)) problems.push(`${where}: duplicate id ${p.id}`);
        ids.add(p.id);
        if (p.datasource?.uid !== '${datasource}') problems.push(`${where}: datasource is not \${datasource}`);
        if (!p.fieldConfig?.defaults?.unit) problems.push(`${where}: no unit`);
        if (!p.targets?.length) problems.push(`${where}: no queries`);
        if (p.gridPos.x + p.gridPos.w > 24) problems.push(`${where}: wider than the grid`);
        for (const t of p.targets ?? []) {
          for (const m of t.expr.matchAll(/\$\{?(\w+)/g)) if (!defined.has(m[1]!) && !GRAFANA_VARS.has(m[1]!)) problems.push(`${where}: undefined variable $${m[1]}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('budget panels keep one row per budget copy: they aggregate by every scope label the gauges carry', () => {
    // A scope dimension added in src/budgets must reach the dashboard's `max by (...)`.
    expect([...BUDGET_SCOPE_LABELS]).toEqual([...SCOPE_DIMENSIONS]);
    const key = ['budget', 'metric', 'period', ...SCOPE_DIMENSIONS].join(', ');
    const bad: string[] = [];
    for (const d of loadDashboards()) {
      for (const q of panelQueries(d)) {
        if (!q.expr.includes('genai_usage_budget_')) continue;
        const bys = [...q.expr.matchAll(/max by \(([^)]*)\)/g)].map((m) => m[1]);
        if (!bys.length || bys.some((b) => b !== key)) bad.push(`${d.file} / ${q.panel} / ${q.refId}: expected every gauge aggregated with max by (${key}): ${q.expr}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('stacked panels never stack token parts on wholes', () => {
    for (const d of loadDashboards()) {
      for (const p of d.json.panels) {
        if (p.fieldConfig.defaults.custom?.stacking?.mode !== 'normal') continue;
        for (const t of p.targets) expect(t.expr, `${d.file} / ${p.title}`).not.toContain(TOKENS);
      }
    }
  });

  it('units: spend in USD, token counts with SI suffixes, latency in seconds', () => {
    for (const d of loadDashboards()) {
      for (const p of d.json.panels) {
        const unit = p.fieldConfig.defaults.unit;
        const exprs = p.targets.map((t) => t.expr).join(' ');
        const where = `${d.file} / ${p.title}`;
        if (/^(sum|topk)[^/]*genai_usage_cost_total|:genai_usage_cost:/.test(exprs)) expect(unit, where).toBe('currencyUSD');
        if (/by \(gen_ai_token_type\)/.test(exprs) && !exprs.includes('histogram_quantile')) expect(unit, where).toBe('sishort');
        if (exprs.includes('operation_duration_bucket') || exprs.includes('time_to_first_chunk')) expect(unit, where).toBe('s');
      }
    }
  });
});
