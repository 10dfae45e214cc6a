import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateCost, openStore } from '../../src/index.js';
import { startReplayServer, type ReplayServer } from '../support/replay-server.js';

const run = promisify(execFile);
const apps = fileURLToPath(new URL('../apps/', import.meta.url));
let server: ReplayServer;
beforeAll(async () => {
  server = await startReplayServer();
});
afterAll(() => server.close());

const env = () => ({
  ...process.env,
  REPLAY_URL: server.url,
  GENAI_USAGE_STORE: 'false',
  OTEL_METRICS_EXPORTER: 'none',
  OTEL_SERVICE_NAME: 'child-app',
});

/** Runs an app (by default under `--import genai-usage/register`, from the built dist) and returns its records. */
async function runApp(file: string, nodeArgs: string[] = ['--import', 'genai-usage/register']) {
  server.enqueue('openai/chat-completion', 'anthropic/message');
  const { stdout } = await run(process.execPath, [...nodeArgs, file], { cwd: apps, env: env(), timeout: 20_000 });
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('RECORD '))
    .map((l) => JSON.parse(l.slice('RECORD '.length)));
}

describe('zero-code start with node --import genai-usage/register', () => {
  it.each([
    ['esm-app.mjs', 'u-esm', 'EsmAgent'],
    ['cjs-app.cjs', 'u-cjs', 'CjsAgent'],
  ])('%s: both SDKs patched, one record per call, attributed', async (file, userId, agentName) => {
    const records = await runApp(file);
    expect(records.map((r) => r.provider).sort()).toEqual(['anthropic', 'openai']);
    for (const r of records) {
      expect(r).toMatchObject({ userId, agentName, serviceName: 'child-app', success: true, costSource: 'table' });
      expect(r.inputTokens).toBeGreaterThan(0);
    }
  });

  // Also the fallback of older Node versions for require(): @opentelemetry/instrumentation's require-in-the-middle.
  it.each([
    ['esm-app.mjs', 'u-esm'],
    ['cjs-app.cjs', 'u-cjs'],
  ])('%s with the hook on a loader thread (Node versions without working in-thread hooks)', async (file, userId) => {
    const previous = process.env.GENAI_USAGE_LOADER_HOOK;
    process.env.GENAI_USAGE_LOADER_HOOK = 'thread';
    try {
      const records = await runApp(file);
      expect(records.map((r) => r.provider).sort()).toEqual(['anthropic', 'openai']);
      for (const r of records) expect(r).toMatchObject({ userId, success: true, costSource: 'table' });
    } finally {
      if (previous === undefined) delete process.env.GENAI_USAGE_LOADER_HOOK;
      else process.env.GENAI_USAGE_LOADER_HOOK = previous;
    }
  });

  it('without the hook an ESM app is not patched (what the hook is for)', async () => {
    const records = await runApp('esm-app.mjs', []);
    expect(records).toEqual([]);
    expect(server.pending()).toBe(0);
  });
});

describe('nothing is lost by loading on first use', () => {
  // The price table, the store engine and its write thread load when the first call needs them.
  it.each([
    ['first-call-app.mjs', ['--import', 'genai-usage/register']],
    ['first-call-in-code.cjs', []],
  ])('%s: a call in the first statement is tracked, priced and stored', async (file, nodeArgs) => {
    const db = join(mkdtempSync(join(tmpdir(), 'genai-usage-first-call-')), 'usage.db');
    server.enqueue('openai/chat-completion');
    await run(process.execPath, [...nodeArgs, file], { cwd: apps, env: { ...env(), GENAI_USAGE_STORE: `sqlite:${db}` }, timeout: 20_000 });
    expect(server.pending()).toBe(0);
    const store = await openStore(`sqlite:${db}`, { readOnly: true });
    try {
      const rows = await store.records({});
      expect(rows).toHaveLength(1);
      const row = rows[0]!;
      expect(row).toMatchObject({ provider: 'openai', success: true, costSource: 'table' });
      const expected = estimateCost({ provider: 'openai', model: row.responseModel ?? row.requestModel!, inputTokens: row.inputTokens, outputTokens: row.outputTokens, cacheReadTokens: row.cacheReadTokens, reasoningTokens: row.reasoningTokens });
      expect(row.costUsd).toBeGreaterThan(0);
      expect(row.costUsd).toBeCloseTo(expected.costUsd!, 12);
    } finally {
      await store.close();
    }
  });
});

describe('SIGTERM', () => {
  it('flushes the store and exits the way SIGTERM would', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'genai-usage-sigterm-')), 'usage.db');
    server.enqueue('openai/chat-completion');
    const child = spawn(process.execPath, ['--import', 'genai-usage/register', 'long-running-app.mjs'], {
      cwd: apps,
      env: { ...env(), GENAI_USAGE_STORE: `sqlite:${db}` },
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('READY') && resolve());
      child.once('exit', (code) => reject(new Error(`app exited early with ${code}`)));
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGTERM');
    expect(await exited).toBe('SIGTERM');
    const store = await openStore(`sqlite:${db}`);
    try {
      const rows = await store.records({});
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ provider: 'openai', serviceName: 'child-app', success: true });
    } finally {
      await store.close();
    }
  });
});
