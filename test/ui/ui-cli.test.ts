// `genai-usage ui` as a user runs it: the compiled CLI in a child process.
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { generateRecords } from '../store/reference.js';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'genai-usage-ui-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `genai-usage ui`, resolves with its URL (first stdout line) and a stop function. */
function startUi(args: string[]): Promise<{ url: string; stderr: () => string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [cli, 'ui', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GENAI_USAGE_STORE: '' } });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line) resolve({ url: line, stderr: () => stderr, stop: () => (child.kill('SIGINT'), exited) });
    });
    void exited.then((code) => reject(new Error(`ui exited ${code}: ${stderr}`)));
  });
}

describe('genai-usage ui', () => {
  it('serves the explorer on 127.0.0.1, reads the store without writing it, and stops on SIGINT', async () => {
    const url = `sqlite:${join(dir, 'usage.db')}`;
    const writer = await openStore(url);
    await writer.insert(generateRecords(50));
    await writer.close();
    const before = statSync(join(dir, 'usage.db')).mtimeMs;
    const ui = await startUi(['--store', url]);
    expect(ui.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const data = (await (await fetch(`${ui.url}/overview.json?range=all`)).json()) as { totals: { requests: number } };
    expect(data.totals.requests).toBe(50);
    expect((await fetch(`${ui.url}/users?range=all`)).status).toBe(200);
    expect(await ui.stop()).toBe(0);
    expect(ui.stderr()).toContain('(read-only)');
    expect(statSync(join(dir, 'usage.db')).mtimeMs).toBe(before);
  });

  it('without a store yet: a page saying how to record calls, no file created; the store is picked up once it exists', async () => {
    const file = join(dir, 'later', 'usage.db');
    const ui = await startUi(['--store', `sqlite:${file}`]);
    try {
      const res = await fetch(`${ui.url}/`);
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(text).toContain('No usage store yet');
      expect(text).toContain('startUsageTracking');
      expect(text).toContain('genai-usage demo');
      expect(existsSync(join(dir, 'later'))).toBe(false);
      const writer = await openStore(`sqlite:${file}`);
      await writer.insert(generateRecords(5));
      await writer.close();
      expect((await fetch(`${ui.url}/overview.json?range=all`)).status).toBe(200);
    } finally {
      await ui.stop();
    }
  });

  it('rejects bad flags with one line and exit code 2', async () => {
    const bad = await promisify(execFile)(process.execPath, [cli, 'ui', '--port', 'eighty']).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr.trim()).toBe('genai-usage ui: --port must be an integer >= 0, got "eighty"');
    const help = await promisify(execFile)(process.execPath, [cli, 'ui', '--help']);
    expect(help.stdout).toContain('--budgets <file>');
  });
});
