import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { exportSpans, expectSuccess, genAiSpans, otlpExporter, request, tempDir } from './harness.js';

const APP = join(import.meta.dirname, 'apps/run-collector.mjs');
const BUILT = join(import.meta.dirname, '../../dist/cli/commands/collector.js');
const tmp = tempDir('genai-usage-collector-cli-');
afterAll(() => tmp.cleanup());

function run(args: string[], env: Record<string, string> = {}): { child: ChildProcess; stderr: () => string; exit: Promise<number | null> } {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run npm run build first`);
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GENAI_USAGE_')));
  const child = spawn(process.execPath, [APP, ...args], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exit };
}

async function listening(stderr: () => string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const match = /listening on (http:\/\/\S+?),/.exec(stderr());
    if (match) return match[1] as string;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`collector did not start:\n${stderr()}`);
}

describe('genai-usage collector (the built command in its own process)', () => {
  it('ingests, then on SIGTERM drains, closes the store and exits 0', async () => {
    const db = join(tmp.dir, 'cli.db');
    const secret = 'cli-secret-token-0123456789';
    const proc = run(['--port', '0', '--store', `sqlite:${db}`], { GENAI_USAGE_COLLECTOR_TOKENS: `${secret}:ingest+read` });
    const url = await listening(proc.stderr);
    expectSuccess(await exportSpans(otlpExporter('protobuf', url, { token: secret }), genAiSpans([{ model: 'gpt-4o', input: 3, output: 4, user: 'u-cli' }])));
    expect((await request(url, '/api/v1/records', { token: secret })).json.records).toHaveLength(1);
    proc.child.kill('SIGTERM');
    expect(await proc.exit).toBe(0);
    expect(proc.stderr()).toMatch(/shutting down[\s\S]*stopped/);
    expect(proc.stderr()).not.toContain(secret);
    const store = await openStore(`sqlite:${db}`);
    expect((await store.records({ userId: 'u-cli' })).length).toBe(1);
    await store.close();
  });

  it('refuses a non-loopback address without tokens, saying why (exit 2)', async () => {
    const proc = run(['--host', '0.0.0.0', '--port', '0', '--store', 'sqlite::memory:']);
    expect(await proc.exit).toBe(2);
    expect(proc.stderr()).toMatch(/refusing to listen on 0\.0\.0\.0 without tokens/);
  });

  it('a store that cannot be opened exits 1 with the reason', async () => {
    const proc = run(['--port', '0', '--store', 'mysql://nope']);
    expect(await proc.exit).toBe(1);
    expect(proc.stderr()).toMatch(/unsupported store URL/);
  });
});
