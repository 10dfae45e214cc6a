import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplayServer, type ReplayServer } from '../support/replay-server.js';

// Child processes run the built dist (`genai-usage` resolves to this package): `npm run build` first.
const run = promisify(execFile);
const apps = fileURLToPath(new URL('../apps/', import.meta.url));
let server: ReplayServer;
beforeAll(async () => {
  server = await startReplayServer();
});
afterAll(() => server.close());

async function start(file: string, env: Record<string, string> = {}, nodeArgs: string[] = []) {
  if (env.APP_MODE !== 'no-sdk') server.enqueue('openai/chat-completion');
  const child = await run(process.execPath, [...nodeArgs, file], {
    cwd: apps,
    env: { ...process.env, REPLAY_URL: server.url, GENAI_USAGE_STORE: 'false', OTEL_METRICS_EXPORTER: 'none', ...env },
    timeout: 30_000,
  });
  expect(server.pending()).toBe(0);
  return { ...child, warnings: child.stderr.split('\n').filter((l) => l.includes('GENAI_USAGE_SDK_NOT_PATCHED')) };
}

describe('an SDK loaded before an in-code start and never patched is said once on stderr', () => {
  it('ESM app (the README snippet without the loader hook): exit 0 as before, but one warning with the fix', async () => {
    const { warnings, stderr } = await start('in-code-esm-app.mjs');
    expect(warnings, stderr).toHaveLength(1);
    expect(warnings[0]).toContain('genai-usage: openai was loaded before tracking started and was never patched, so its calls are not tracked.');
    expect(warnings[0]).toContain('node --import genai-usage/register app.mjs');
    expect(warnings[0]).toContain('instrumentModules: { openai: OpenAI }');
  });

  it('also when the app shuts tracking down itself (once, not twice)', async () => {
    const { warnings } = await start('in-code-esm-app.mjs', { APP_SHUTDOWN: '1' });
    expect(warnings).toHaveLength(1);
  });

  it('CommonJS app that required the SDK first: the require-order fix', async () => {
    const { warnings } = await start('in-code-late-require.cjs');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("Call startUsageTracking() before the first require('openai')");
  });

  it.each([
    ['instrumentModules given', 'in-code-esm-app.mjs', { APP_MODE: 'modules' }, []],
    ['the SDK never loaded', 'in-code-esm-app.mjs', { APP_MODE: 'no-sdk' }, []],
    ['under the loader hook', 'first-call-app.mjs', {}, ['--import', 'genai-usage/register']],
  ])('no warning when %s', async (_case, file, env, nodeArgs) => {
    const { warnings, stderr } = await start(file, env, nodeArgs);
    expect(warnings, stderr).toEqual([]);
  });
});
