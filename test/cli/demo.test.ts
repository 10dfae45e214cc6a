import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import type { AggregateRow } from '../../src/store/usage-store.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The rows of an aligned table (after its header and rule), split on runs of 2+ spaces. */
function tableAfter(text: string, title: string): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(title)) + 1;
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (line.trim() === '' || line.startsWith('(')) break;
    rows.push(line.trim().split(/\s{2,}/));
  }
  return rows;
}

describe('genai-usage demo', () => {
  it('runs the workload through the real SDKs, prints spend, and the store reads back the same numbers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'genai-usage-demo-'));
    const { stdout } = await run(process.execPath, [cli, 'demo', '--rounds', '1', '--port', '0', '--store', 'sqlite:./demo.db'], { cwd: dir, timeout: 170_000 });
    // 14 OpenAI and Anthropic calls, 6 Gemini, 4 Mistral and 2 Bedrock ones (their SDKs are dev dependencies here).
    expect(stdout).toMatch(/Tracked 26 LLM calls \(26 made by the app, \d+ failed\); spend \$0\.\d+/);
    expect(stdout).toMatch(/^gcp\.gemini\s+gemini-2\.5-flash\s/m);
    expect(stdout).toMatch(/^mistral_ai\s+mistral-small-latest\s/m);
    expect(stdout).toMatch(/^aws\.bedrock\s+us\.amazon\.nova-pro-v1:0\s/m);
    expect(stdout).toContain('Spend by agent');
    // One truth: the live table (requests, failed, total tokens, cost, unpriced) is what the store report shows.
    const live = tableAfter(stdout, 'Spend by model');
    const stored = tableAfter(stdout, 'The same calls read back from sqlite:./demo.db');
    expect(live.length).toBeGreaterThan(3);
    expect(live).toEqual(stored.map((r) => [r[0], r[1], r[2], r[3], r[9], r[10], r[11]]));
    const store = await openStore(`sqlite:${join(dir, 'demo.db')}`, { readOnly: true });
    try {
      const rows = await store.aggregate({ groupBy: ['agent'] });
      expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(26);
      // Gemini's thinking tokens are recorded as reasoning, a part of output.
      const gemini = await store.records({ provider: 'gcp.gemini', success: true });
      expect(gemini.filter((r) => r.operation === 'generate_content').every((r) => r.reasoningTokens > 0 && r.outputTokens > r.reasoningTokens)).toBe(true);
      // Bedrock Converse through the mock's HTTP/2 listener, priced at Bedrock's rates.
      const bedrock = await store.records({ provider: 'aws.bedrock' });
      expect(bedrock).toHaveLength(2);
      expect(bedrock.filter((r) => r.success).every((r) => r.costSource === 'table' && r.costUsd! > 0 && r.requestModel === 'us.amazon.nova-pro-v1:0')).toBe(true);
      const unpriced = await store.records({ model: 'acme-local-7b' });
      expect(unpriced.filter((r) => r.success).every((r) => r.costUsd === undefined && r.costSource === 'unknown')).toBe(true);
    } finally {
      await store.close();
    }
  }, 180_000);

  it('--json prints the report rows by model, user and agent, and nothing else on stdout', async () => {
    const { stdout } = await run(process.execPath, [cli, 'demo', '--rounds', '1', '--port', '0', '--store', 'false', '--json'], { timeout: 120_000 });
    const summary = JSON.parse(stdout) as Record<string, AggregateRow[]>;
    expect(Object.keys(summary)).toEqual(['total', 'byModel', 'byUser', 'byAgent']);
    expect(summary.byUser!.map((r) => r.user).sort()).toEqual(['alice', 'bob', 'carol', 'dave']);
  }, 180_000);

  it('a --port in use is one line, not a silent switch', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const error = await run(process.execPath, [cli, 'demo', '--port', String(port), '--store', 'false'], { timeout: 60_000 }).catch((e: { code: number; stderr: string }) => e);
      expect(error).toMatchObject({ code: 2, stderr: `genai-usage demo: --port ${port} is in use; pick another (0 picks a free one)\n` });
    } finally {
      blocker.close();
    }
  });

  it('every next step it prints runs as printed, in a fresh shell, from the folder it ran in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'genai-usage-demo-next-'));
    const port = await freePort();
    const { stdout } = await run(process.execPath, [cli, 'demo', '--rounds', '1', '--port', String(port), '--store', 'sqlite:./demo.db'], { cwd: dir, timeout: 120_000 });
    const steps = stdout.slice(stdout.indexOf('Next (each runs as shown, from this folder):')).split('\n').slice(1).filter((l) => l.startsWith('  ') && !l.startsWith('  #')).map((l) => l.trim());
    expect(steps.length).toBeGreaterThanOrEqual(4);
    // A fresh shell: no package bin folders on PATH (genai-usage is not installed there).
    const env = { ...process.env, PATH: (process.env.PATH ?? '').split(delimiter).filter((p) => !p.includes('node_modules')).join(delimiter) };
    for (const step of steps.filter((s) => !s.includes('--keep-running'))) {
      const { stdout: out } = await run('bash', ['-c', step], { cwd: dir, env, timeout: 120_000 });
      if (step.includes('report --by user')) expect(out).toMatch(/^user\s+requests/m);
      if (step.includes('report --by agent')) expect(out).toMatch(/Researcher/);
      if (step.startsWith('sqlite3')) expect(out).toMatch(/^(alice|bob|carol|dave)\|/m);
    }
    // Prometheus: the long-running demo, then the curl from its comment line.
    const keep = steps.find((s) => s.includes('--keep-running'))!;
    expect(keep).toContain(`--port ${port}`);
    const curl = stdout.match(/from another shell: (curl .*)$/m)![1]!;
    const demo = spawn('bash', ['-c', `exec ${keep}`], { cwd: dir, env });
    try {
      await new Promise<void>((resolve, reject) => {
        let err = '';
        demo.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          if (err.includes('demo: serving')) resolve();
        });
        demo.once('exit', (code) => reject(new Error(`demo exited ${code}: ${err}`)));
      });
      const { stdout: metrics } = await run('bash', ['-c', curl], { env });
      expect(metrics).toMatch(/^genai_usage_cost_total\{/m);
    } finally {
      const exited = new Promise((resolve) => demo.once('exit', resolve));
      demo.kill('SIGINT');
      await exited;
    }
  }, 300_000);
});
