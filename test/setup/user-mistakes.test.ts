import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/setup/config-error.js';
import { resolveOptions } from '../../src/setup/resolve-options.js';

// A user's mistake gets one line naming the problem and the fix, never a stack trace.
// Child processes run the built dist: `npm run build` first.
const run = promisify(execFile);
const apps = fileURLToPath(new URL('../apps/', import.meta.url));
const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'genai-usage-mistakes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const broken = join(dir, 'broken.yaml');
writeFileSync(broken, 'budgets: [ {\n');

async function outcome(args: string[], env: Record<string, string> = {}, node = process.execPath) {
  try {
    const { stdout, stderr } = await run(node, args, { cwd: apps, env: { ...process.env, GENAI_USAGE_STORE: 'false', OTEL_METRICS_EXPORTER: 'none', ...env }, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
const ours = (stderr: string) => stderr.split('\n').filter((l) => l.includes('genai-usage'));
const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

/** A Node older than 22.12 on this machine (Debian's 20 here), if any. */
const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => {
  if (!existsSync(path)) return false;
  const [major, minor] = execFileSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim().split('.').map(Number);
  return major! < 22 || (major === 22 && minor! < 12);
});

describe.skipIf(!oldNode)(`Node too old (${oldNode ?? 'none found'}): one line and exit 1`, () => {
  it.each([
    ['--import genai-usage/register', ['--import', 'genai-usage/register', 'first-call-app.mjs']],
    ['the CLI', [cli, 'report']],
    ['require("genai-usage")', ['-e', "require('genai-usage')"]],
  ])('%s', async (_what, args) => {
    const { code, stderr } = await outcome(args, {}, oldNode);
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(/^genai-usage: needs Node\.js >= 22\.12 \(this is v\d+\.\d+\.\d+\)\. Install Node 22 .* and run again\.$/);
  });
});

describe('bad configuration', () => {
  it('under --import genai-usage/register, a bad GENAI_USAGE_STORE is one warning, and the app runs', async () => {
    const { code, stderr } = await outcome(['--import', 'genai-usage/register', '-e', 'console.log("app ran")'], { GENAI_USAGE_STORE: 'mysql://x' });
    expect(code).toBe(0);
    expect(ours(stderr)).toEqual([expect.stringMatching(/Warning: genai-usage: not started: store: "mysql:\/\/x" is not a store URL; valid forms: sqlite:<path>, .*postgres:\/\/.*, or false$/)]);
    noStack(stderr);
  });

  it('a broken budgets file is one line, under register and in the CLI', async () => {
    const registered = await outcome(['--import', 'genai-usage/register', '-e', '0'], { GENAI_USAGE_BUDGETS: broken });
    expect(ours(registered.stderr)).toEqual([expect.stringMatching(/not started: .*broken\.yaml is not valid YAML or JSON: .* at line 2, column 1$/)]);
    noStack(registered.stderr);
    const cliRun = await outcome([cli, 'budgets', '--budgets', broken]);
    expect(cliRun.code).toBe(2);
    expect(cliRun.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^genai-usage budgets: .*broken\.yaml is not valid YAML or JSON: .* at line 2, column 1$/)]);
  });

  it('in code, the ConfigError reaches the caller with its message on one line and only the caller’s frames', () => {
    let error: Error | undefined;
    try {
      resolveOptions({ store: 'mysql://x' });
    } catch (err) {
      error = err as Error;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message).not.toContain('\n');
    const frames = error!.stack!.split('\n').slice(1);
    expect(frames.some((f) => f.includes('/test/setup/user-mistakes.test.ts'))).toBe(true);
    expect(frames.filter((f) => f.includes('/src/') || f.includes('node:internal'))).toEqual([]);
  });
});
