import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplayServer, type ReplayServer } from '../support/replay-server.js';

/**
 * The README's install path until the package is published: `npm pack` in a clone, then
 * `npm install <tarball> openai` in the app. Here the app installs offline, from npm's cache
 * (filled by the project's own `npm ci`), through a lockfile pinned to the versions this
 * project locks; the tarball is the real one, installed into node_modules like any package.
 */
const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'genai-usage-tarball-'));
const app = join(dir, 'app');
let server: ReplayServer;
beforeAll(async () => {
  server = await startReplayServer();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

type LockEntry = Record<string, unknown> & { dev?: boolean; devOptional?: boolean; version?: string };

/** The app's package.json and a lockfile: the tarball, openai, and the production packages this project locks. */
function writeApp(tarball: string): void {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; license: string; dependencies: object; engines: object; bin: object };
  const dependencies = { 'genai-usage': `file:../${tarball}`, openai: lock.packages['node_modules/openai']!.version! };
  const packages: Record<string, unknown> = {
    '': { name: 'throwaway-app', dependencies },
    'node_modules/genai-usage': {
      version: own.version,
      resolved: `file:../${tarball}`,
      integrity: `sha512-${createHash('sha512').update(readFileSync(join(dir, tarball))).digest('base64')}`,
      license: own.license,
      dependencies: own.dependencies,
      engines: own.engines,
      bin: own.bin,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || ((entry.dev || entry.devOptional) && path !== 'node_modules/openai')) continue;
    const { dev: _dev, devOptional: _devOptional, ...rest } = entry;
    packages[path] = rest;
  }
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'throwaway-app', private: true, type: 'module', dependencies }, null, 2));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify({ name: 'throwaway-app', lockfileVersion: 3, requires: true, packages }, null, 2));
  writeFileSync(
    join(app, 'app.mjs'),
    `import OpenAI from 'openai';\nconst client = new OpenAI({ apiKey: 'k', baseURL: process.env.REPLAY_URL + '/v1', maxRetries: 0 });\nawait client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });\n`,
  );
}

describe('installing the packed tarball into a throwaway app', () => {
  it('npm pack → npm install → node --import genai-usage/register records the call → npx genai-usage reads it', async () => {
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: root, timeout: 120_000 });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    writeApp(tarball);
    await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: app, timeout: 300_000 }).catch((err: { stderr?: string }) => {
      throw new Error(`offline install failed (does npm's cache hold every locked package? run \`npm ci\` in the project first): ${err.stderr ?? err}`);
    });
    // A fresh shell's PATH: the project's own bins are not on it.
    const env = { ...process.env, PATH: (process.env.PATH ?? '').split(delimiter).filter((p) => !p.includes('node_modules')).join(delimiter), REPLAY_URL: server.url, OTEL_METRICS_EXPORTER: 'none', GENAI_USAGE_STORE: 'sqlite:./usage.db' };
    server.enqueue('openai/chat-completion');
    await run(process.execPath, ['--import', 'genai-usage/register', 'app.mjs'], { cwd: app, env, timeout: 60_000 });
    expect(server.pending()).toBe(0);
    const { stdout } = await run('npx', ['--offline', 'genai-usage', 'report', '--by', 'model', '--json'], { cwd: app, env, timeout: 60_000 });
    const rows = JSON.parse(stdout) as Array<{ model: string; requests: number; costUsd: number | null }>;
    expect(rows).toEqual([expect.objectContaining({ model: 'gpt-4o-mini', requests: 1 })]);
    expect(rows[0]!.costUsd).toBeGreaterThan(0);
  }, 600_000);
});
