// The budget check on the hot path: µs per pre-call check (and per recorded call) with 10, 100
// and 1,000 budgets defined. Needs `npm run build`. Run: node bench/budget-check.mjs [--calls N]
// Prints one JSON line per scenario; not asserted anywhere (see bench/README.md).
//
// "indexed": budgets with distinct fixed scopes (per user, agent, model, group), a few global
// and per-user `each` budgets: a check looks up the budgets that can apply, not all of them.
// "all apply": every budget covers the call (global or `each` scopes): the check must visit
// each one, so this is linear by nature; it bounds the worst case.
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context } from '@opentelemetry/api';
import { parseArgs } from 'node:util';
import { BudgetTracker } from '../dist/budgets/budget-tracker.js';
import { parseBudgets } from '../dist/budgets/parse-budgets.js';
import { withUsageContext } from '../dist/context/usage-context.js';

const { values } = parseArgs({ options: { calls: { type: 'string' }, runs: { type: 'string', default: '5' } } });
/** Calls per run: fewer where each call visits many budgets, so every scenario takes about as long. */
const callsFor = (n) => Number(values.calls ?? Math.min(200_000, Math.round(4e6 / n)));
const runs = Number(values.runs);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const DIMS = ['user', 'agent', 'model', 'group'];
function indexedBudgets(n) {
  const defs = [
    { name: 'org-monthly', limit: { costUsd: 1e9 }, period: 'monthly', enforce: 'hard' },
    { name: 'per-user-daily', limit: { costUsd: 1e9 }, period: 'daily', scope: { user: 'each' }, enforce: 'hard' },
    { name: 'rolling', limit: { requests: 1e9 }, period: { rolling: '24h' }, enforce: 'hard' },
  ];
  for (let i = defs.length; i < n; i++) {
    const dim = DIMS[i % DIMS.length];
    defs.push({ name: `b-${i}`, limit: { tokens: 1e12 }, period: 'weekly', scope: { [dim]: `${dim}-${i}` }, enforce: i % 2 ? 'hard' : 'soft' });
  }
  return defs.slice(0, n);
}
function allApplyBudgets(n) {
  return Array.from({ length: n }, (_, i) => ({
    name: `g-${i}`,
    limit: { costUsd: 1e9 },
    period: ['daily', 'weekly', 'monthly', { rolling: '24h' }][i % 4],
    scope: i % 2 ? { user: 'each' } : undefined,
    enforce: 'hard',
  }));
}

const record = (userId) => ({
  id: 'x', traceId: 't', spanId: 's', recordedAt: new Date(), durationMs: 1, serviceName: 'svc', provider: 'openai', operation: 'chat',
  requestModel: 'gpt-4o-mini', responseModel: 'gpt-4o-mini', userId, agentName: 'agent-1', handoffChain: undefined, group: 'group-3',
  sessionId: undefined, conversationId: undefined, inputTokens: 100, outputTokens: 50, totalTokens: 150, cacheReadTokens: 0,
  cacheWriteTokens: 0, reasoningTokens: 0, costUsd: 0.0001, costSource: 'table', usageEstimated: false, success: true,
  errorType: undefined, finishReason: 'stop', streaming: false, timeToFirstTokenMs: undefined, tags: {},
});

function measure(tracker, fn, calls) {
  fn(tracker, calls); // warm-up, discarded
  const samples = [];
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    fn(tracker, calls);
    samples.push(Number(process.hrtime.bigint() - start) / 1000 / calls);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)];
}

const info = { provider: 'openai', operation: 'chat', requestModel: 'gpt-4o-mini', maxOutputTokens: 256 };
const checkLoop = (tracker, n) => withUsageContext({ userId: 'user-5', agentName: 'agent-1', group: 'group-3' }, () => {
  for (let i = 0; i < n; i++) tracker.check(info);
});
const recordLoop = (tracker, n) => {
  const r = record('user-5');
  for (let i = 0; i < n; i++) tracker.record(r);
};
// Baseline: what the instrumentation pays per call without budgets (the context lookup alone).
const emptyCheck = measure(new BudgetTracker([]), checkLoop, 200_000);

const rows = [];
for (const [scenario, make] of [['indexed', indexedBudgets], ['all apply', allApplyBudgets]]) {
  for (const n of [10, 100, 1000]) {
    const budgets = parseBudgets(make(n));
    const tracker = new BudgetTracker(budgets);
    const calls = callsFor(n);
    const checkUs = measure(tracker, checkLoop, calls);
    const recordUs = measure(tracker, recordLoop, calls);
    const row = { scenario, budgets: n, hard: budgets.filter((b) => b.enforce === 'hard').length, checkUs: +checkUs.toFixed(3), recordUs: +recordUs.toFixed(3), noBudgetsCheckUs: +emptyCheck.toFixed(3), calls, runs };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
}
const { mkdirSync, writeFileSync } = await import('node:fs');
const { cpus } = await import('node:os');
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/budgets.json', import.meta.url),
  `${JSON.stringify({ machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`, date: new Date().toISOString(), rows }, null, 2)}\n`,
);
