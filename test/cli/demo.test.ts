import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

describe('genai-usage demo', () => {
  it('runs the workload through the real SDKs, prints spend, and leaves the records in the store', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'genai-usage-demo-')), 'demo.db');
    const { stdout } = await run(process.execPath, [cli, 'demo', '--rounds', '1', '--port', '0', '--store', `sqlite:${db}`], { timeout: 110_000 });
    // 14 OpenAI and Anthropic calls, 6 Gemini, 4 Mistral and 2 Bedrock ones (their SDKs are dev dependencies here).
    expect(stdout).toMatch(/Tracked 26 LLM calls \(26 made by the app, \d+ failed\); spend \$0\.\d+/);
    expect(stdout).toContain('gcp.gemini/gemini-2.5-flash');
    expect(stdout).toContain('mistral_ai/mistral-small-latest');
    expect(stdout).toContain('aws.bedrock/us.amazon.nova-pro-v1:0');
    expect(stdout).toContain('Spend by model');
    expect(stdout).toContain('Triage > Billing');
    expect(stdout).toMatch(/Prometheus metrics: {2}http:\/\/127\.0\.0\.1:\d+\/metrics/);
    // The closing report is read back from the store.
    expect(stdout).toContain(`read back by \`genai-usage report --by model --store sqlite:${db}\``);
    const store = await openStore(`sqlite:${db}`);
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
  }, 120_000);

  it('--json prints machine-readable groups and nothing else on stdout', async () => {
    const { stdout } = await run(process.execPath, [cli, 'demo', '--rounds', '1', '--port', '0', '--store', 'false', '--json'], { timeout: 110_000 });
    const summary = JSON.parse(stdout);
    expect(Object.keys(summary)).toEqual(['byModel', 'byUser', 'byAgent']);
    expect(summary.byUser.map((r: { key: string }) => r.key).sort()).toEqual(['alice', 'bob', 'carol', 'dave']);
  }, 120_000);
});

describe('genai-usage', () => {
  it('lists the commands and rejects an unknown one with the valid choices', async () => {
    const help = await run(process.execPath, [cli, '--help']);
    expect(help.stdout).toMatch(/demo .*\n.*report/);
    const bad = await run(process.execPath, [cli, 'nope']).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toContain('unknown command "nope"; valid commands: demo, report');
  });

  it('rejects a bad flag value with one clear line and exit code 2', async () => {
    const bad = await run(process.execPath, [cli, 'demo', '--rounds', 'many']).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr.trim()).toBe('genai-usage demo: --rounds: expected a non-negative integer, got "many"');
  });
});
