/**
 * Every panel query of every dashboard, run on a real Prometheus scraping a real app that
 * recorded a known workload under a few soft budgets, with the recording and alerting rules
 * loaded. Core panels must show exactly what was recorded; budget panels exactly what the
 * budgets status API reports. Needs the `prometheus` binary (skipped locally without it,
 * with the reason printed; fails in CI).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { recordUsage, startUsageTracking, type BudgetStatus, type UsageTracking } from '../../src/index.js';
import { APP_METRICS, BUDGET_METRICS, BUDGET_UTILIZATION, BUDGET_USED, L } from '../../dashboards/src/contract.js';
import { loadDashboards, panelQueries, ROOT, type DashboardFile } from './dashboard-files.js';
import { BUDGET_PANELS, budgetRowKey, EXACT, rawCounterQuery } from './panel-expectations.js';
import { skipWithout, startPrometheus, type PrometheusServer, type QueryResponse, type ScrapeJob } from './prometheus-server.js';
import { BUDGETS, CALLS, JOB, rowKey, toCall, type Call, type Rows } from './workload.js';

const MACROS: Record<string, string> = { __range: '1h', __rate_interval: '1m', __interval: '15s' };
const skip = skipWithout('prometheus', 'dashboards e2e');

/** Variable values per scenario, as Grafana would substitute them (multi-value regex: `(a|b)`). */
interface Scenario { uid: string; name: string; vars: Record<string, string> }
const SCENARIOS: Scenario[] = [
  { uid: 'genai-usage-spend', name: 'all providers', vars: { service: JOB, provider: '.*', model: '.*' } },
  { uid: 'genai-usage-tokens-traffic', name: 'openai + anthropic', vars: { service: JOB, provider: '(openai|anthropic)', model: '.*' } },
  { uid: 'genai-usage-budgets', name: 'all budgets', vars: { service: JOB, budget: '.*' } },
  { uid: 'genai-usage-budgets', name: 'per-user and per-agent budgets', vars: { service: JOB, budget: '(per-user-daily|agent-requests)' } },
  { uid: 'genai-usage-drilldown', name: 'user alice', vars: { service: JOB, user: 'alice', agent: '.*', provider: '.*', model: '.*' } },
  { uid: 'genai-usage-drilldown', name: 'agent Billing', vars: { service: JOB, user: '.*', agent: 'Billing', provider: '.*', model: '.*' } },
];

/** The value a call has for a variable's label ('' when absent). */
function callLabel(c: Call, v: string): string {
  const values: Record<string, string | undefined> = { service: JOB, provider: c.provider, model: c.model, agent: c.agent, user: c.user };
  if (!(v in values)) throw new Error(`no call label for variable $${v}`);
  return values[v] ?? '';
}
const matches = (c: Call, vars: Record<string, string>) => Object.entries(vars).every(([k, re]) => k === 'budget' || new RegExp(`^(?:${re})$`).test(callLabel(c, k)));

function substitute(expr: string, vars: Record<string, string>, where: string): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (_, name: string) => {
    const value = MACROS[name] ?? vars[name];
    if (value === undefined) throw new Error(`${where}: no value for $${name} in ${expr}`);
    return value;
  });
}

function rows(res: QueryResponse): Rows {
  return new Map((res.data?.result ?? []).map((s) => [rowKey(s.metric), Number(s.value[1])] as const).filter(([, v]) => v !== 0));
}
/** Every row, zeros included (a gauge at 0 is a value; a counter at 0 is no call), in result order. */
function allRows(res: QueryResponse): Rows {
  const out: Rows = new Map();
  for (const s of res.data?.result ?? []) {
    const k = rowKey(s.metric);
    if (out.has(k)) throw new Error(`two result rows with the labels ${k}`);
    out.set(k, Number(s.value[1]));
  }
  return out;
}
const nonZero = (r: Rows) => new Map([...r].filter(([, v]) => v !== 0));
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
/** Same, and equal when both are within 1e-12 of each other (a remaining of 0 against 1e-17). */
const near = (a: number, b: number) => close(a, b) || Math.abs(a - b) <= 1e-12;
const show = (r: Rows) => JSON.stringify(Object.fromEntries(r));

let tracking: UsageTracking;
/** `tracking.budgets.status()` once Prometheus has scraped the final workload. */
let statuses: BudgetStatus[];
/** The budget copies a `$budget` regex selects. */
const budgetsMatching = (re: string) => statuses.filter((s) => new RegExp(`^(?:${re})$`).test(s.budget));
let prom: PrometheusServer;
let metricsUrl: string;
let sim: Server;
const calls: Call[] = [...CALLS, ...CALLS].map(toCall);

/** What the OpenTelemetry Collector's prometheus exporter serves (unit suffixes added). */
const COLLECTOR_STYLE = `# TYPE genai_usage_cost_USD_total counter
genai_usage_cost_USD_total{job="checkout",instance="i-1",gen_ai_provider_name="openai"} 1.25
# TYPE gen_ai_client_operation_duration_seconds histogram
gen_ai_client_operation_duration_seconds_bucket{job="checkout",instance="i-1",le="1"} 2
gen_ai_client_operation_duration_seconds_bucket{job="checkout",instance="i-1",le="+Inf"} 3
gen_ai_client_operation_duration_seconds_sum{job="checkout",instance="i-1"} 4.5
gen_ai_client_operation_duration_seconds_count{job="checkout",instance="i-1"} 3
`;

async function scalar(expr: string): Promise<number | undefined> {
  const r = await prom.query(expr);
  const v = r.data?.result[0]?.value[1];
  return v === undefined ? undefined : Number(v);
}

describe.skipIf(skip)('dashboards on a real Prometheus', () => {
  beforeAll(async () => {
    // Calendar budgets reset at UTC midnight (day, week, month); a run straddling it would
    // compare the new period's status with the old period's scrapes. Start after it instead.
    const toMidnight = 86_400_000 - (Date.now() % 86_400_000);
    if (toMidnight < 30_000) await new Promise((r) => setTimeout(r, toMidnight + 1000));
    tracking = startUsageTracking({ serviceName: JOB, store: false, prometheus: { host: '127.0.0.1', port: 0 }, instrumentations: { openai: false, anthropic: false }, budgets: BUDGETS });
    metricsUrl = (await tracking.prometheusUrl) ?? '';
    if (!metricsUrl) throw new Error('the tracking did not start its Prometheus endpoint');
    sim = createServer((_, res) => res.end(COLLECTOR_STYLE));
    await new Promise<void>((r) => sim.listen(0, '127.0.0.1', r));
    const simPort = (sim.address() as { port: number }).port;
    const deploy = parse(readFileSync(join(ROOT, 'deploy/prometheus.yaml'), 'utf8')) as { scrape_configs: ScrapeJob[] };
    const collectorJob = deploy.scrape_configs.find((j) => j.job_name === 'otel-collector');
    const app = new URL(metricsUrl);
    prom = await startPrometheus({
      ruleFiles: [join(ROOT, 'dashboards/prometheus/recording-rules.yaml'), join(ROOT, 'dashboards/prometheus/alerts.yaml')],
      jobs: [
        { job_name: JOB, metrics_path: app.pathname, static_configs: [{ targets: [app.host] }] },
        { job_name: 'otel-collector-sim', honor_labels: true, static_configs: [{ targets: [`127.0.0.1:${simPort}`] }], metric_relabel_configs: collectorJob?.metric_relabel_configs },
      ],
    });
    // Phase 1, then phase 2 once Prometheus holds phase 1: every series then has two
    // distinct samples, so rate() and increase() panels have something to show.
    const requests = `sum(genai_usage_requests_total{job="${JOB}"})`;
    for (const u of CALLS) recordUsage(u);
    await prom.waitFor(`${requests} == ${CALLS.length}`, async () => (await scalar(requests)) === CALLS.length);
    for (const u of CALLS) recordUsage(u);
    await prom.waitFor(`${requests} == ${calls.length}`, async () => (await scalar(requests)) === calls.length);
    // The gauges are read at scrape time, like the counters: wait until Prometheus holds the
    // final status of every budget copy (the per-copy values are compared by the panel tests).
    statuses = tracking.budgets?.status() ?? [];
    const copies = `count(${BUDGET_UTILIZATION}{job="${JOB}"})`;
    const used = `sum(${BUDGET_USED}{job="${JOB}"})`;
    const usedTotal = statuses.reduce((s, b) => s + b.used, 0);
    await prom.waitFor(`${copies} == ${statuses.length} and ${used} == ${usedTotal}`, async () => (await scalar(copies)) === statuses.length && near((await scalar(used)) ?? NaN, usedTotal));
    const pricedModels = new Set(calls.filter((c) => c.cost !== undefined).map((c) => `${c.provider}/${c.model}`)).size;
    const rule = `count(job_provider_model:genai_usage_cost:rate5m{job="${JOB}"} > 0)`;
    await prom.waitFor(`${rule} == ${pricedModels}`, async () => (await scalar(rule)) === pricedModels);
    const alert = `ALERTS{alertname="GenAiUsageUnpricedModelCalls", alertstate="firing", job="${JOB}"}`;
    await prom.waitFor(alert, async () => (await scalar(`count(${alert})`)) === 1);
  });

  afterAll(async () => {
    await prom?.stop();
    await tracking?.shutdown();
    await new Promise((r) => (sim ? sim.close(r) : r(undefined)));
  });

  it('the app exports every metric of the contract, and Prometheus has target_info for it', async () => {
    const text = await (await fetch(metricsUrl)).text();
    const missing = [...APP_METRICS, ...BUDGET_METRICS].filter((m) => !new RegExp(`^${m}\\{`, 'm').test(text));
    expect(missing, `metrics missing from ${metricsUrl}`).toEqual([]);
    expect(await scalar(`count(target_info{job="${JOB}", service_name="${JOB}"})`)).toBe(1);
  });

  it('every recording and alerting rule evaluates without error on real data', async () => {
    const res = (await (await fetch(`${prom.url}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> } };
    const all = res.data.groups.flatMap((g) => g.rules);
    expect(all.length).toBe(11);
    expect(all.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`)).toEqual([]);
  });

  it('deploy/prometheus.yaml maps the OTel Collector exporter names back to the contract', async () => {
    const cost = 'genai_usage_cost_total{job="checkout"}';
    await prom.waitFor(cost, async () => (await scalar(cost)) !== undefined, 15_000);
    expect(await scalar(cost)).toBe(1.25);
    expect(await scalar('gen_ai_client_operation_duration_count{job="checkout"}')).toBe(3);
    expect(await scalar('sum(gen_ai_client_operation_duration_bucket{job="checkout"})')).toBe(5);
    expect(await scalar('count({__name__=~".*_(USD|seconds)_.*", job="checkout"})')).toBeUndefined();
  });

  it('the budgets cover what the Budgets dashboard shows: every metric and scope label, at-risk and exhausted copies', () => {
    const byName = new Map(statuses.map((s) => [s.budget, s]));
    expect([...byName.keys()].sort()).toEqual(BUDGETS.map((b) => b.name).sort());
    expect(new Set(statuses.map((s) => s.metric))).toEqual(new Set(['cost', 'tokens', 'requests']));
    expect(new Set(statuses.flatMap((s) => Object.keys(s.scope)))).toEqual(new Set(['user', 'agent', 'provider', 'service', 'group']));
    expect(statuses.filter((s) => s.enforce !== 'soft' || s.reserved !== 0).map(budgetRowKey), 'soft budgets, no reservations').toEqual([]);
    const atRisk = statuses.filter((s) => s.utilization >= 0.8 && !s.exceeded).map(budgetRowKey);
    const exhausted = statuses.filter((s) => s.exceeded).map(budgetRowKey);
    expect(atRisk.length, `at risk: ${atRisk.join('; ')}`).toBeGreaterThanOrEqual(2);
    expect(exhausted.length, `exhausted: ${exhausted.join('; ')}`).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s.utilization < 0.8).length).toBeGreaterThanOrEqual(2);
    // Two copies of an `each` budget that differ only in a scope label other than user:
    // a panel keyed on too few labels would merge them.
    expect(statuses.filter((s) => s.budget === 'team-daily').length).toBe(2);
  });

  it('covers every dashboard with a scenario', () => {
    expect(new Set(SCENARIOS.map((s) => s.uid))).toEqual(new Set(loadDashboards().map((d) => d.json.uid)));
  });

  for (const scenario of SCENARIOS) {
    const dashboard = (): DashboardFile => {
      const d = loadDashboards().find((x) => x.json.uid === scenario.uid);
      if (!d) throw new Error(`no dashboard with uid ${scenario.uid}`);
      return d;
    };

    it(`${scenario.uid} (${scenario.name}): variable queries list what was recorded`, async () => {
      const problems: string[] = [];
      for (const v of dashboard().json.templating.list) {
        if (v.type !== 'query') continue;
        const m = /^label_values\((.*), (\w+)\)$/.exec(v.definition);
        if (!m) { problems.push(`$${v.name}: not a label_values() query: ${v.definition}`); continue; }
        const res = await prom.labelValues(m[2]!, substitute(m[1]!, scenario.vars, `$${v.name}`));
        if (res.status !== 'success') { problems.push(`$${v.name}: ${res.error}`); continue; }
        const prior = Object.fromEntries(Object.entries(scenario.vars).filter(([k]) => k !== v.name && v.definition.includes(`$${k}`)));
        // $budget lists the budgets the status API reports (every copy of the service's budgets).
        const expected =
          v.name === 'budget'
            ? [...new Set(statuses.map((s) => s.budget))].sort()
            : [...new Set(calls.filter((c) => matches(c, prior)).map((c) => callLabel(c, v.name)).filter(Boolean))].sort();
        if (JSON.stringify(res.data) !== JSON.stringify(expected)) problems.push(`${dashboard().json.title} [${scenario.name}] / variable $${v.name}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(res.data)}\n    query: ${v.definition}`);
      }
      expect(problems).toEqual([]);
    });

    it(`${scenario.uid} (${scenario.name}): every panel query parses; core panels show the recorded values`, async () => {
      const d = dashboard();
      const selected = calls.filter((c) => matches(c, scenario.vars));
      const failures: string[] = [];
      let exact = 0;
      let budgetChecks = 0;
      const queries = panelQueries(d);
      for (const q of queries) {
        const where = `${d.json.title} [${scenario.name}] / panel "${q.panel}" / ${q.refId}`;
        const expr = substitute(q.expr, scenario.vars, where);
        const res = await prom.query(expr);
        if (res.status !== 'success') { failures.push(`${where}: ${res.errorType}: ${res.error}\n    query: ${expr}`); continue; }
        const got = rows(res);
        const expectation = EXACT[d.json.uid]?.[q.panel];
        if (expectation) {
          const want = nonZero(expectation(selected));
          const rawExpr = substitute(rawCounterQuery(q.expr), scenario.vars, where);
          const raw = rows(await prom.query(rawExpr));
          const wrong = [...new Set([...want.keys(), ...raw.keys()])].filter((k) => !close(want.get(k) ?? 0, raw.get(k) ?? 0));
          if (rawExpr === expr) failures.push(`${where}: has no increase(...[$__range]) to check exactly: ${expr}`);
          else if (wrong.length) failures.push(`${where}: wrong values for ${wrong.join('; ')}\n    expected ${show(want)}\n    got      ${show(raw)}\n    query: ${rawExpr}`);
          const keys = (r: Rows) => [...r.keys()].sort().join(' | ');
          if (keys(got) !== keys(want)) failures.push(`${where}: the panel's own query shows rows [${keys(got)}], expected [${keys(want)}]\n    query: ${expr}`);
          exact++;
        } else if (expr.includes('genai_usage_budget_')) {
          const budgetExpectation = BUDGET_PANELS[q.panel];
          if (!budgetExpectation) { failures.push(`${where}: reads the budget gauges but has no expectation in BUDGET_PANELS (test/dashboards/panel-expectations.ts)\n    query: ${expr}`); continue; }
          budgetChecks++;
          failures.push(...checkBudgetPanel(where, expr, allRows(res), budgetExpectation.exact, budgetExpectation.rows(budgetsMatching(scenario.vars.budget ?? '.*'))));
          if (q.panel.startsWith('Budgets at risk')) {
            const values = [...allRows(res).values()];
            if (values.some((x, i) => i > 0 && x > values[i - 1]!)) failures.push(`${where}: not sorted by utilization, highest first: ${show(allRows(res))}\n    query: ${expr}`);
          }
        } else if (got.size === 0 || [...got.values()].some((v) => !(v > 0) || !Number.isFinite(v))) {
          failures.push(`${where}: expected data > 0, got ${show(got)}\n    query: ${expr}`);
        }
      }
      console.info(`${d.json.title} [${scenario.name}]: ${queries.length} queries of ${d.json.panels.length} panels ran, ${exact} checked exactly against the workload, ${budgetChecks} against budgets.status()`);
      expect(failures, failures.join('\n')).toEqual([]);
      if (EXACT[d.json.uid]) expect(exact).toBe(Object.keys(EXACT[d.json.uid]!).length);
      if (d.json.uid === 'genai-usage-budgets') expect(budgetChecks).toBe(Object.keys(BUDGET_PANELS).length);
    });
  }
});

/**
 * A budget panel against the status API: the same rows (one per budget copy, keyed by its
 * labels), each equal within float tolerance (`exact`), or each finite and > 0.
 */
function checkBudgetPanel(where: string, expr: string, got: Rows, exact: boolean, want: Rows): string[] {
  const keys = (r: Rows) => [...r.keys()].sort();
  const failures: string[] = [];
  const missing = keys(want).filter((k) => !got.has(k));
  const extra = keys(got).filter((k) => !want.has(k));
  if (missing.length || extra.length) {
    failures.push(`${where}: rows differ from budgets.status()${missing.length ? `\n    missing: ${missing.join(' | ')}` : ''}${extra.length ? `\n    unexpected: ${extra.join(' | ')}` : ''}\n    expected ${show(want)}\n    got      ${show(got)}\n    query: ${expr}`);
  }
  const common = keys(want).filter((k) => got.has(k));
  const wrong = exact ? common.filter((k) => !near(want.get(k)!, got.get(k)!)) : common.filter((k) => !(got.get(k)! > 0) || !Number.isFinite(got.get(k)!));
  if (wrong.length) {
    const detail = wrong.map((k) => `${k}: ${exact ? `expected ${want.get(k)}, ` : 'expected > 0, '}got ${got.get(k)}`).join('\n    ');
    failures.push(`${where}: wrong values\n    ${detail}\n    query: ${expr}`);
  }
  return failures;
}
