import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBudgets, type Budgets } from '../../src/budgets/create-budgets.js';
import { startUsageTracking, type UsageTracking } from '../../src/setup/start-usage-tracking.js';
import { makeRecord } from './records.js';

let tracking: UsageTracking;
let budgets: Budgets;
let url: string;

beforeAll(async () => {
  tracking = startUsageTracking({ serviceName: 'gauges', store: false, prometheus: { host: '127.0.0.1', port: 0 }, instrumentations: { openai: false, anthropic: false } });
  url = (await tracking.prometheusUrl)!;
  budgets = createBudgets(
    [
      { name: 'org-monthly', limit: { costUsd: 500 }, period: 'monthly' },
      { name: 'per-user-daily', limit: { costUsd: 5 }, period: 'daily', scope: { user: 'each' }, enforce: 'hard' },
      { name: 'gpt-tokens', limit: { tokens: 1000 }, period: { rolling: '24h' }, scope: { provider: 'openai', tags: { feature: 'chat' } } },
    ],
    { serviceName: 'gauges' },
  );
  budgets.install(); // after the SDK registered its meter provider
});
afterAll(async () => {
  await budgets.shutdown();
  await tracking.shutdown();
});

/** `name{labels} value` lines of the exposition, labels parsed. */
async function scrape(name: string): Promise<Array<{ labels: Record<string, string>; value: number }>> {
  const text = await (await fetch(url)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`))
    .map((line) => {
      const [, labelText, value] = /^[^{]+\{(.*)\} (\S+)/.exec(line)!;
      const labels = Object.fromEntries([...labelText!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { labels, value: Number(value) };
    });
}

const pick = (labels: Record<string, string>, keys: string[]) => Object.fromEntries(keys.filter((k) => k in labels).map((k) => [k, labels[k]]));
const KEYS = ['budget', 'metric', 'period', 'user', 'provider', 'tag_feature'];

describe('budget gauges on a real Prometheus /metrics endpoint', () => {
  it('exports genai_usage_budget_limit, _used and _utilization with budget, metric, period and scope labels', async () => {
    const at = new Date();
    budgets.sink.write(makeRecord({ userId: 'alice', costUsd: 4, inputTokens: 300, outputTokens: 100, tags: { feature: 'chat' }, recordedAt: at }));
    budgets.sink.write(makeRecord({ userId: 'bob', costUsd: 1, recordedAt: at }));
    const used = (await scrape('genai_usage_budget_used')).map((s) => [pick(s.labels, KEYS), s.value]);
    expect(used).toEqual(
      expect.arrayContaining([
        [{ budget: 'org-monthly', metric: 'cost', period: 'monthly' }, 5],
        [{ budget: 'per-user-daily', metric: 'cost', period: 'daily', user: 'alice' }, 4],
        [{ budget: 'per-user-daily', metric: 'cost', period: 'daily', user: 'bob' }, 1],
        [{ budget: 'gpt-tokens', metric: 'tokens', period: 'rolling:24h', provider: 'openai', tag_feature: 'chat' }, 400],
      ]),
    );
    expect(used).toHaveLength(4);
    const limits = (await scrape('genai_usage_budget_limit')).map((s) => [s.labels['budget'], s.labels['user'], s.value]);
    expect(limits).toEqual(expect.arrayContaining([['org-monthly', undefined, 500], ['per-user-daily', 'alice', 5], ['gpt-tokens', undefined, 1000]]));
    const utilization = (await scrape('genai_usage_budget_utilization')).map((s) => [s.labels['budget'], s.labels['user'], s.value]);
    expect(utilization).toEqual(expect.arrayContaining([['org-monthly', undefined, 0.01], ['per-user-daily', 'alice', 0.8], ['gpt-tokens', undefined, 0.4]]));
  });

  it('the exposition declares them as gauges', async () => {
    const text = await (await fetch(url)).text();
    for (const name of ['genai_usage_budget_limit', 'genai_usage_budget_used', 'genai_usage_budget_utilization']) {
      expect(text).toContain(`# TYPE ${name} gauge`);
    }
  });
});

describe('budget gauges across a period reset', () => {
  it('a copy that left status() is exported once more as unused, not with yesterday’s value', async () => {
    const { BudgetTracker } = await import('../../src/budgets/budget-tracker.js');
    const { parseBudgets } = await import('../../src/budgets/parse-budgets.js');
    const { registerBudgetGauges } = await import('../../src/budgets/budget-gauges.js');
    const { MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');
    class Reader extends MetricReader {
      protected override async onForceFlush() {}
      protected override async onShutdown() {}
    }
    const reader = new Reader();
    const provider = new MeterProvider({ readers: [reader] });
    let now = Date.parse('2026-11-20T23:59:00Z');
    const tracker = new BudgetTracker(parseBudgets([{ name: 'daily-user', limit: { costUsd: 10 }, period: 'daily', scope: { user: 'each' } }]), { now: () => now });
    registerBudgetGauges(tracker, provider);
    const used = async () => {
      const { resourceMetrics } = await reader.collect();
      const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'genai_usage.budget.used');
      return Object.fromEntries((metric?.dataPoints ?? []).map((p) => [String(p.attributes['user']), p.value]));
    };
    tracker.record(makeRecord({ userId: 'alice', costUsd: 8, recordedAt: new Date(now) }));
    expect(await used()).toEqual({ alice: 8 });
    now = Date.parse('2026-11-21T00:02:00Z'); // a new day: alice has no use yet
    expect(await used()).toEqual({ alice: 0 });
    expect(tracker.status().filter((s) => s.scope.user === 'alice')).toEqual([]);
    await provider.shutdown();
  });
});
