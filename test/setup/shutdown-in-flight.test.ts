import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type UsageRecord } from '../../src/index.js';
import { startReplayServer, type ReplayServer } from '../support/replay-server.js';

// Child processes run the built dist (`genai-usage` resolves to this package): `npm run build` first.
const run = promisify(execFile);
const apps = fileURLToPath(new URL('../apps/', import.meta.url));
let server: ReplayServer;
beforeAll(async () => {
  server = await startReplayServer();
});
afterAll(() => server.close());

const tempDb = () => join(mkdtempSync(join(tmpdir(), 'genai-usage-inflight-')), 'usage.db');
const env = (db: string, extra: Record<string, string> = {}) => ({
  ...process.env,
  REPLAY_URL: server.url,
  GENAI_USAGE_STORE: `sqlite:${db}`,
  OTEL_METRICS_EXPORTER: 'none',
  OTEL_SERVICE_NAME: 'child-app',
  ...extra,
});

async function storedRecords(db: string): Promise<UsageRecord[]> {
  const store = await openStore(`sqlite:${db}`);
  try {
    return await store.records({});
  } finally {
    await store.close();
  }
}

/** Starts an app under `--import genai-usage/register`, sends SIGTERM the moment it prints READY. */
async function sigtermAtReady(app: string, db: string, extra: Record<string, string> = {}): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, ['--import', 'genai-usage/register', app], { cwd: apps, env: env(db, extra) });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('READY')) {
        child.kill('SIGTERM');
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`app exited before READY with ${code}: ${stderr}`)));
  });
  return exited;
}

// Each test starts Node under the ESM hook: seconds on a quiet machine, far more on a loaded one.
const CHILD_TIMEOUT = 120_000;

describe('shutdown waits for calls whose span has not ended', () => {
  it('SIGTERM right after a stream without usage: its estimated record is stored', async () => {
    const db = tempDb();
    server.enqueue('openai/chat-completion-stream-no-usage');
    expect(await sigtermAtReady('stream-then-idle.mjs', db)).toBe('SIGTERM');
    const rows = await storedRecords(db);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ provider: 'openai', streaming: true, success: true, usageEstimated: true, serviceName: 'child-app' });
    expect(rows[0]!.outputTokens).toBeGreaterThan(0);
  }, CHILD_TIMEOUT);

  it('SIGTERM mid-stream: the open call is stored as interrupted, with what it delivered', async () => {
    const db = tempDb();
    // Later chunks are far away: the stream is still open when SIGTERM comes.
    server.enqueue({ fixture: 'openai/chat-completion-stream-no-usage', chunkDelayMs: 30_000 });
    expect(await sigtermAtReady('stream-then-idle.mjs', db, { STREAM_OPEN: '1' })).toBe('SIGTERM');
    const rows = await storedRecords(db);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ provider: 'openai', streaming: true, success: false, errorType: 'InterruptedByShutdown', usageEstimated: true });
    // The prompt was sent: its tokens are counted (estimated), and priced, not left at $0 or dropped.
    expect(rows[0]!.inputTokens).toBeGreaterThan(0);
    expect(rows[0]!.costSource).toBe('table');
  }, CHILD_TIMEOUT);
});

describe('forceFlush waits for calls whose span has not ended', () => {
  it('a stream without usage, forceFlush(), process.exit(): the record is in the store', async () => {
    const db = tempDb();
    server.enqueue('openai/chat-completion-stream-no-usage');
    await run(process.execPath, ['flush-then-exit.mjs'], { cwd: apps, env: env(db), timeout: CHILD_TIMEOUT });
    const rows = await storedRecords(db);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ provider: 'openai', streaming: true, success: true, usageEstimated: true });
  }, CHILD_TIMEOUT);
});
