import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { startReplayServer, type ReplayServer } from '../support/replay-server.js';

// What a start loads, read from a child process (the built dist) with a probe that lists every
// loaded module: the parts a start does not use must not load (each module costs startup time),
// and loading them on first use must lose nothing. Deterministic: module lists, not timings.
const run = promisify(execFile);
const apps = fileURLToPath(new URL('../apps/', import.meta.url));
const probe = join(apps, 'loaded-modules-probe.mjs');
let server: ReplayServer;
beforeAll(async () => {
  server = await startReplayServer();
});
afterAll(() => server.close());

const dist = `${sep}dist${sep}`;
const pkg = (name: string) => `${sep}node_modules${sep}${name.split('/').join(sep)}${sep}`;
/** Loaded by no start without budgets, a call, a store write, a scrape or a second SDK. */
const NOT_AT_START: Array<[string, (file: string) => boolean]> = [
  ['@pydantic/genai-prices (the price table)', (f) => f.includes(pkg('@pydantic/genai-prices'))],
  ['@opentelemetry/instrumentation', (f) => f.includes(pkg('@opentelemetry/instrumentation'))],
  ['require-in-the-middle', (f) => f.includes(pkg('require-in-the-middle'))],
  ['import-in-the-middle', (f) => f.includes(pkg('import-in-the-middle'))],
  ['@opentelemetry/sdk-trace', (f) => f.includes(pkg('@opentelemetry/sdk-trace'))],
  ['@opentelemetry/sdk-metrics', (f) => f.includes(pkg('@opentelemetry/sdk-metrics'))],
  ['@opentelemetry/exporter-prometheus', (f) => f.includes(pkg('@opentelemetry/exporter-prometheus'))],
  ['gpt-tokenizer', (f) => f.includes(pkg('gpt-tokenizer'))],
  ['yaml', (f) => f.includes(pkg('yaml'))],
  ['better-sqlite3', (f) => f.includes(pkg('better-sqlite3'))],
  ['pg', (f) => f.includes(pkg('pg'))],
  ['@clickhouse/client', (f) => f.includes(pkg('@clickhouse/client'))],
  ['the budgets runtime', (f) => f.includes(`${dist}budgets${sep}`) && !/budgets-api\.js$|wire-budgets\.js$|budget-errors\.js$/.test(f)],
  ['the store engines', (f) => /dist[/\\]store[/\\](sqlite-store|postgres-store|clickhouse)/.test(f)],
  ['wrapCall (loads with the first call)', (f) => f.endsWith(`${dist}instrumentations${sep}wrap-call.js`)],
  // Each SDK folder's definition loads at start; its mappings with the first call. (The AI SDK
  // budget middleware is a public function, not a mapping.)
  ['any SDK mapping', (f) => /dist[/\\]instrumentations[/\\][\w-]+[/\\](?!\w[\w-]*-definition\.js$)[\w-]+\.js$/.test(f) && !f.endsWith('budget-middleware.js')],
  ['the CLI, collector, UI and demo', (f) => /dist[/\\](cli|collector|ui|demo)[/\\]/.test(f)],
];

/** Runs the startup app and returns the modules it loaded before and after its "started" marker. */
async function loadedModules(nodeArgs: string[], env: Record<string, string> = {}) {
  const out = join(mkdtempSync(join(tmpdir(), 'genai-usage-modules-')), 'loaded.txt');
  await run(process.execPath, ['--import', probe, ...nodeArgs, 'startup-openai-app.mjs'], {
    cwd: apps,
    env: { ...process.env, LOADED_MODULES_OUT: out, REPLAY_URL: server.url, GENAI_USAGE_STORE: 'false', OTEL_EXPORTER_PROMETHEUS_PORT: '0', GENAI_USAGE_BUDGETS: '', ...env },
    timeout: 20_000,
  });
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  const marker = lines.indexOf('--- started');
  expect(marker).toBeGreaterThan(0);
  return { atStart: lines.slice(0, marker), later: lines.slice(marker + 1) };
}

function unexpected(files: readonly string[]): string[] {
  return NOT_AT_START.filter(([, matches]) => files.some(matches)).map(([name]) => name);
}

describe('what a start loads', () => {
  it.each([
    ['node --import genai-usage/register', ['--import', 'genai-usage/register'], {}],
    ['startUsageTracking() in code', [], { IN_CODE: '1' }],
  ])('%s: tracking, the openai patch, and none of the parts it has not used yet', async (_name, nodeArgs, env) => {
    const { atStart, later } = await loadedModules(nodeArgs, env);
    expect(atStart.some((f) => f.endsWith(`${dist}setup${sep}start-usage-tracking.js`))).toBe(true);
    expect(atStart.some((f) => f.endsWith(`${sep}openai-definition.js`))).toBe(true);
    expect(unexpected(atStart)).toEqual([]);
    expect(unexpected(later)).toEqual([]);
  });

  it('budgets configured: their runtime loads at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'genai-usage-modules-budgets-'));
    const file = join(dir, 'budgets.json');
    await import('node:fs').then((fs) => fs.writeFileSync(file, JSON.stringify({ budgets: [{ name: 'daily', limit: { costUsd: 5 }, period: 'daily' }] })));
    const { atStart } = await loadedModules(['--import', 'genai-usage/register'], { GENAI_USAGE_BUDGETS: file });
    expect(unexpected(atStart)).toContain('the budgets runtime');
  });

  it.each([
    ['node --import genai-usage/register', ['--import', 'genai-usage/register'], {}],
    ['startUsageTracking() in code', [], { IN_CODE: '1' }],
  ])('%s, one call right after start: loaded then, tracked, priced and stored', async (_name, nodeArgs, env) => {
    const db = join(mkdtempSync(join(tmpdir(), 'genai-usage-modules-call-')), 'usage.db');
    server.enqueue('openai/chat-completion');
    const { atStart, later } = await loadedModules(nodeArgs, { ...env, CALL: '1', GENAI_USAGE_STORE: `sqlite:${db}` });
    expect(server.pending()).toBe(0);
    expect(unexpected(atStart)).toEqual([]);
    // The call brought in what it needed: wrapCall, the chat mapping, the price table. No other SDK's mappings.
    const after = unexpected(later);
    expect(after).toEqual(expect.arrayContaining(['@pydantic/genai-prices (the price table)', 'wrapCall (loads with the first call)', 'any SDK mapping']));
    expect(later.some((f) => f.endsWith(`openai${sep}chat-completions.js`) && f.includes(dist))).toBe(true);
    expect(later.filter((f) => /dist[/\\]instrumentations[/\\](anthropic|bedrock|mistral|google-genai|google-generative-ai)[/\\]/.test(f) && !f.endsWith('-definition.js'))).toEqual([]);
    const store = await openStore(`sqlite:${db}`, { readOnly: true });
    try {
      const rows = await store.records({});
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ provider: 'openai', success: true, costSource: 'table' });
      expect(rows[0]!.costUsd).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });
});
