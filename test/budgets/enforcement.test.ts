import Anthropic from '@anthropic-ai/sdk';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BudgetExceededError } from '../../src/budgets/budget-errors.js';
import type { BudgetDefinition } from '../../src/budgets/budget-types.js';
import { createBudgets, type Budgets, type BudgetsOptions } from '../../src/budgets/create-budgets.js';
import { startMockLlmServer, type MockLlmServer } from '../../src/demo/mock-llm-server.js';
import { withUsageContext } from '../../src/context/usage-context.js';
import { trackCall } from '../../src/manual/track-call.js';
import { startUsageTracking, type UsageTracking } from '../../src/setup/start-usage-tracking.js';
import { GenAiUsageProcessor } from '../../src/usage/genai-usage-processor.js';

let mock: MockLlmServer;
let tracking: UsageTracking;
const spans = new InMemorySpanExporter();
/** The budgets under test; the processor below feeds whichever is current. */
let budgets: Budgets | undefined;
const active: Budgets[] = [];

// Until startUsageTracking wires `budgets` itself, a second usage processor feeds the budget
// sink exactly as the built-in one will (synchronously, in onEnd); its metrics go nowhere.
const budgetProcessor = new GenAiUsageProcessor({
  meterProvider: new MeterProvider(),
  sinks: [{ write: (r) => budgets?.sink.write(r), forceFlush: async () => {}, shutdown: async () => {} }],
});

beforeAll(async () => {
  mock = await startMockLlmServer({ seed: 5, failureRate: 0, latencyMs: { min: 1, max: 3 } });
  tracking = startUsageTracking({
    serviceName: 'budget-enforcement',
    store: false,
    prometheus: false,
    instrumentModules: { openai: OpenAI, anthropic: Anthropic },
    spanProcessors: [budgetProcessor, new SimpleSpanProcessor({ exporter: spans })],
  });
});
afterEach(async () => {
  await Promise.all(active.splice(0).map((b) => b.shutdown()));
  budgets = undefined;
  spans.reset();
});
afterAll(async () => {
  await tracking.shutdown();
  await mock.close();
});

function use(defs: BudgetDefinition[], options: BudgetsOptions = {}): Budgets {
  budgets = createBudgets(defs, { gauges: false, ...options });
  budgets.install();
  active.push(budgets);
  return budgets;
}

const openai = () => new OpenAI({ apiKey: 'k', baseURL: `${mock.url}/v1`, maxRetries: 0 });
const anthropic = () => new Anthropic({ apiKey: 'k', baseURL: mock.url, maxRetries: 0 });
const chat = (maxTokens?: number) => openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...(maxTokens ? { max_tokens: maxTokens } : {}) });
const asUser = <T>(userId: string, fn: () => Promise<T>) => withUsageContext({ userId }, fn);

describe('hard budgets block before the request is sent', () => {
  it('a per-user hard budget rejects the exhausted user with a typed error; the mock server sees no request', async () => {
    use([{ name: 'per-user', limit: { requests: 2 }, period: 'daily', scope: { user: 'each' }, enforce: 'hard' }]);
    await asUser('alice', () => chat());
    await asUser('alice', () => chat());
    const before = mock.stats().requests;
    const error = await asUser('alice', () => chat()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(error).toMatchObject({ budget: 'per-user', scope: { user: 'alice' }, metric: 'requests', limit: 2, used: 2, period: 'daily' });
    // Any SDK is blocked the same way, and nothing left the process.
    await expect(asUser('alice', () => anthropic().messages.create({ model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }))).rejects.toBeInstanceOf(BudgetExceededError);
    await expect(asUser('alice', () => trackCall({ provider: 'openai', model: 'gpt-4o-mini' }, async () => 'sent'))).rejects.toBeInstanceOf(BudgetExceededError);
    expect(mock.stats().requests).toBe(before);
    // Another user is unaffected.
    await asUser('bob', () => chat());
    expect(mock.stats().requests).toBe(before + 1);
  });

  it('the blocked attempt is recorded: span marked blocked, call failed with error.type BudgetExceededError', async () => {
    use([{ name: 'tiny', limit: { costUsd: 0.000001 }, period: 'monthly', enforce: 'hard' }]);
    await chat(); // costs more than the limit
    await expect(chat()).rejects.toThrow(/budget "tiny" is exhausted/);
    await tracking.forceFlush();
    const calls = spans.getFinishedSpans().filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
    expect(calls.map((s) => [s.attributes['genai_usage.budget.blocked'], s.attributes['error.type']])).toEqual([
      [undefined, undefined],
      [true, 'BudgetExceededError'],
    ]);
  });

  it('soft budgets never block, however far over', async () => {
    const b = use([{ name: 'soft', limit: { requests: 1 }, period: 'daily' }]);
    const before = mock.stats().requests;
    for (let i = 0; i < 4; i++) await chat();
    expect(mock.stats().requests).toBe(before + 4);
    expect(b.checkBudget('soft')).toMatchObject({ used: 4, exceeded: true });
  });
});

describe('many parallel calls against one nearly full hard budget', () => {
  const N = 8;

  it('without reservation every call checked before the first finishes passes: overshoot = N - 1', async () => {
    const b = use([{ name: 'calls', limit: { requests: 3 }, period: 'daily', enforce: 'hard' }]);
    await chat();
    await chat();
    const before = mock.stats().requests;
    const results = await Promise.allSettled(Array.from({ length: N }, () => chat()));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(N);
    expect(mock.stats().requests - before).toBe(N);
    expect(b.checkBudget('calls').used).toBe(2 + N); // the limit, overshot by N - 1
  });

  it('with reservation exactly the remaining calls are sent; the rest are rejected unsent', async () => {
    const b = use([{ name: 'calls', limit: { requests: 3 }, period: 'daily', enforce: 'hard' }], { reserve: true });
    await chat();
    await chat();
    const before = mock.stats().requests;
    const results = await Promise.allSettled(Array.from({ length: N }, () => chat()));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof BudgetExceededError)).toHaveLength(N - 1);
    expect(mock.stats().requests - before).toBe(1);
    expect(b.checkBudget('calls')).toMatchObject({ used: 3, reserved: 0 });
  });

  it('a cost reservation of max_tokens × output price blocks a call that could blow through the limit', async () => {
    // gpt-4o-mini output: $0.60 per 1M tokens; $0.01 leaves room for ~16,600 output tokens.
    use([{ name: 'usd', limit: { costUsd: 0.01 }, period: 'daily', enforce: 'hard' }], { reserve: true });
    const before = mock.stats().requests;
    await expect(chat(100_000)).rejects.toBeInstanceOf(BudgetExceededError);
    expect(mock.stats().requests).toBe(before);
    await chat(1_000);
    expect(mock.stats().requests).toBe(before + 1);
  });
});
