// Cost per agent run, end to end: real SDK calls inside agent spans and usage contexts, written
// to a store by the tracking itself and, over OTLP, to a collector; then read back through the
// CLI (`report --by trace`) and the collector's API. A run costs the sum of its calls, never
// its parent agent spans too.
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command as report } from '../../src/cli/commands/report.js';
import { withUsageContext } from '../../src/index.js';
import type { AggregateRow } from '../../src/store/usage-store.js';
import type { UsageRecord } from '../../src/usage/usage-record.js';
import { otlpExporter, request, startTestCollector, tempDir, type TestCollector } from '../collector/harness.js';
import { captureIo } from '../support/cli-io.js';
import { startHarness, type Harness } from '../support/tracking-harness.js';

const tmp = tempDir('genai-usage-agent-runs-');
const storeUrl = `sqlite:${join(tmp.dir, 'app.db')}`;
let collector: TestCollector;
let h: Harness;
let records: UsageRecord[];

const chat = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'hi' }] });

beforeAll(async () => {
  collector = await startTestCollector(`sqlite:${join(tmp.dir, 'collector.db')}`);
  h = await startHarness({ store: storeUrl, spanProcessors: [new SimpleSpanProcessor({ exporter: otlpExporter('protobuf', collector.url) })] });
  h.server.enqueue('openai/chat-completion', 'openai/chat-completion-flex', 'anthropic/message', 'openai/chat-completion');
  const tracer = trace.getTracer('my-agent-framework');
  // Run 1: Triage hands off to Billing; the agent span carries totals of its own, which must not count.
  await withUsageContext({ agentName: 'Triage', userId: 'u-1' }, () =>
    tracer.startActiveSpan('invoke_agent Triage', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.usage.input_tokens': 99_999 } }, async (span) => {
      await h.openai().chat.completions.create(chat('gpt-4o-mini'));
      await withUsageContext({ agentName: 'Billing' }, async () => {
        await h.openai().chat.completions.create({ ...chat('gpt-5-mini'), service_tier: 'flex' });
        await h.anthropic().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 300, messages: [{ role: 'user', content: 'hi' }] });
      });
      span.end();
    }),
  );
  // Run 2: another trace, one call.
  await withUsageContext({ agentName: 'Support', userId: 'u-2' }, () =>
    tracer.startActiveSpan('invoke_agent Support', { attributes: { 'gen_ai.operation.name': 'invoke_agent' } }, async (span) => {
      await h.openai().chat.completions.create(chat('gpt-4o-mini'));
      span.end();
    }),
  );
  records = [...(await h.waitForRecords(4))];
  await h.tracking.forceFlush();
});

afterAll(async () => {
  await h?.close();
  await collector?.close();
  tmp.cleanup();
});

function expectedRuns(): Map<string, { records: UsageRecord[]; cost: number; savings: number }> {
  const runs = new Map<string, { records: UsageRecord[]; cost: number; savings: number }>();
  for (const r of records) {
    const run = runs.get(r.traceId) ?? { records: [], cost: 0, savings: 0 };
    run.records.push(r);
    run.cost += r.costUsd!;
    run.savings += r.cacheReadSavingsUsd!;
    runs.set(r.traceId, run);
  }
  return runs;
}

async function cli(args: string[]): Promise<AggregateRow[]> {
  const io = captureIo({ GENAI_USAGE_STORE: storeUrl });
  expect(await report.handler([...args, '--json'], io)).toBe(0);
  return JSON.parse(io.out()) as AggregateRow[];
}

describe('cost per agent run', () => {
  it('the calls were priced and are four records in two traces (the agent spans are not records)', () => {
    expect(records).toHaveLength(4);
    for (const r of records) expect(r.costUsd, r.requestModel).toBeGreaterThan(0);
    expect(new Set(records.map((r) => r.traceId)).size).toBe(2);
    expect(records.find((r) => r.serviceTier === 'flex')?.handoffChain).toBe('Triage > Billing');
  });

  it('report --by trace: one row per run, its cost the sum of its calls; --top ranks the runs', async () => {
    const runs = expectedRuns();
    const rows = await cli(['--by', 'trace']);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const run = runs.get(row.trace!)!;
      expect(row.requests).toBe(run.records.length);
      expect(row.costUsd).toBeCloseTo(run.cost, 12);
      expect(row.cacheReadSavingsUsd).toBeCloseTo(run.savings, 12);
      expect(row.inputTokens).toBe(run.records.reduce((s, r) => s + r.inputTokens, 0));
    }
    const [top] = await cli(['--by', 'trace', '--top', '1']);
    const costliest = [...runs.entries()].sort((a, b) => b[1].cost - a[1].cost)[0]!;
    expect(top!.trace).toBe(costliest[0]);
    expect(costliest[1].records).toHaveLength(3);
  });

  it('report --by rootAgent: Billing\'s calls count for Triage, who started the run', async () => {
    const rows = await cli(['--by', 'rootAgent']);
    expect(rows.map((r) => [r.rootAgent, r.requests])).toEqual([
      ['Support', 1],
      ['Triage', 3],
    ]);
    const byAgent = await cli(['--by', 'agent']);
    expect(byAgent.map((r) => [r.agent, r.requests])).toEqual([
      ['Billing', 2],
      ['Support', 1],
      ['Triage', 1],
    ]);
  });

  it('report --trace <id> and --tier flex filter; the table shows what caching saved', async () => {
    const flex = records.find((r) => r.serviceTier === 'flex')!;
    const [run] = await cli(['--trace', flex.traceId]);
    expect(run!.requests).toBe(3);
    const [tiered] = await cli(['--tier', 'flex']);
    expect(tiered!.costUsd).toBeCloseTo(flex.costUsd!, 12);
    const io = captureIo({ GENAI_USAGE_STORE: storeUrl });
    await report.handler(['--by', 'trace'], io);
    const [header] = io.out().split('\n');
    expect(header).toMatch(/cost\s+unpriced\s+cache saved\s+write extra/);
  });

  it('the collector API answers the same: aggregate groupBy=trace, top by=trace, records?trace=', async () => {
    const runs = expectedRuns();
    const agg = await request(collector.url, '/api/v1/aggregate?groupBy=trace,rootAgent');
    expect(agg.status).toBe(200);
    // The Anthropic SDK's own span of the same call reached the collector too, marked as a duplicate: not counted.
    expect((await request(collector.url, '/api/v1/records')).json.records).toHaveLength(4);
    expect(agg.json.rows).toHaveLength(2);
    for (const row of agg.json.rows as AggregateRow[]) {
      expect(row.costUsd).toBeCloseTo(runs.get(row.trace!)!.cost, 12);
      expect(row.rootAgent).toBe(runs.get(row.trace!)!.records.some((r) => r.agentName === 'Support') ? 'Support' : 'Triage');
    }
    const top = await request(collector.url, '/api/v1/top?by=trace&limit=1');
    expect(top.json.rows[0].trace).toBe([...runs.entries()].sort((a, b) => b[1].cost - a[1].cost)[0]![0]);
    const flex = records.find((r) => r.serviceTier === 'flex')!;
    const one = await request(collector.url, `/api/v1/records?trace=${flex.traceId}&tier=flex`);
    expect(one.json.records).toHaveLength(1);
    expect(one.json.records[0]).toMatchObject({ serviceTier: 'flex', priceVersion: flex.priceVersion, costUsd: flex.costUsd });
  });
});
