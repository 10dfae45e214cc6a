/**
 * Every panel query of every dashboard, run on a real Prometheus scraping a real app that
 * recorded a known workload, with the recording and alerting rules loaded. Core panels must
 * show exactly what was recorded. Needs the `prometheus` binary (skipped locally without it,
 * with the reason printed; fails in CI).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { recordUsage, startUsageTracking, type UsageTracking } from '../../src/index.js';
import { APP_METRICS, L } from '../../dashboards/src/contract.js';
import { loadDashboards, panelQueries, ROOT, type DashboardFile } from './dashboard-files.js';
import { EXACT, rawCounterQuery } from './panel-expectations.js';
import { skipWithout, startPrometheus, type PrometheusServer, type QueryResponse, type ScrapeJob } from './prometheus-server.js';
import { CALLS, rowKey, toCall, type Call, type Rows } from './workload.js';

const JOB = 'dash-test';
const MACROS: Record<string, string> = { __range: '1h', __rate_interval: '1m', __interval: '15s' };
const skip = skipWithout('prometheus', 'dashboards e2e');

/** Variable values per scenario, as Grafana would substitute them (multi-value regex: `(a|b)`). */
interface Scenario { uid: string; name: string; vars: Record<string, string> }
const SCENARIOS: Scenario[] = [
  { uid: 'genai-usage-spend', name: 'all providers', vars: { service: JOB, provider: '.*', model: '.*' } },
  { uid: 'genai-usage-tokens-traffic', name: 'openai + anthropic', vars: { service: JOB, provider: '(openai|anthropic)', model: '.*' } },
  { uid: 'genai-usage-budgets', name: 'all budgets', vars: { service: JOB, budget: '.*' } },
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
const nonZero = (r: Rows) => new Map([...r].filter(([, v]) => v !== 0));
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
const show = (r: Rows) => JSON.stringify(Object.fromEntries(r));

let tracking: UsageTracking;
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
    tracking = startUsageTracking({ serviceName: JOB, store: false, prometheus: { host: '127.0.0.1', port: 0 }, instrumentations: { openai: false, anthropic: false } });
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
    const missing = APP_METRICS.filter((m) => !new RegExp(`^${m}\\{`, 'm').test(text));
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
        if (v.name === 'budget') { console.info(`skipped value check of $budget: genai_usage_budget_* gauges are not implemented yet (issue 5)`); continue; }
        const prior = Object.fromEntries(Object.entries(scenario.vars).filter(([k]) => k !== v.name && v.definition.includes(`$${k}`)));
        const expected = [...new Set(calls.filter((c) => matches(c, prior)).map((c) => callLabel(c, v.name)).filter(Boolean))].sort();
        if (JSON.stringify(res.data) !== JSON.stringify(expected)) problems.push(`$${v.name}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(res.data)} (query ${v.definition})`);
      }
      expect(problems).toEqual([]);
    });

    it(`${scenario.uid} (${scenario.name}): every panel query parses; core panels show the recorded values`, async () => {
      const d = dashboard();
      const selected = calls.filter((c) => matches(c, scenario.vars));
      const failures: string[] = [];
      let exact = 0;
      const skipped: string[] = [];
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
          skipped.push(q.panel);
        } else if (got.size === 0 || [...got.values()].some((v) => !(v > 0) || !Number.isFinite(v))) {
          failures.push(`${where}: expected data > 0, got ${show(got)}\n    query: ${expr}`);
        }
      }
      if (skipped.length) console.info(`${d.json.title}: data checks skipped for ${skipped.length} queries on genai_usage_budget_* (gauges not implemented yet, issue 5; queries parsed): ${skipped.join(', ')}`);
      console.info(`${d.json.title} [${scenario.name}]: ${queries.length} queries of ${d.json.panels.length} panels ran, ${exact} checked exactly`);
      expect(failures, failures.join('\n')).toEqual([]);
      if (EXACT[d.json.uid]) expect(exact).toBe(Object.keys(EXACT[d.json.uid]!).length);
    });
  }
});
