import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBedrockServer, type BedrockServer } from '../support/bedrock-server.js';

const run = promisify(execFile);
// `--import genai-usage/register` takes ~7 s of CPU to load the AWS SDK through the ESM hook (measured); on a loaded machine, much longer.
const SLOW = 120_000;
const apps = fileURLToPath(new URL('../apps/', import.meta.url));
let server: BedrockServer;
beforeAll(async () => {
  server = await startBedrockServer();
});
afterAll(() => server.close());

/** Runs an app under `--import genai-usage/register` (the built dist) and returns its records. */
async function runApp(file: string, nodeArgs: string[] = ['--import', 'genai-usage/register']) {
  server.enqueue('bedrock/converse-nova', 'bedrock/converse-nova', 'bedrock/converse-stream-claude');
  const env = { ...process.env, BEDROCK_URL: server.url, GENAI_USAGE_STORE: 'false', OTEL_METRICS_EXPORTER: 'none', OTEL_SERVICE_NAME: 'bedrock-app' };
  const { stdout } = await run(process.execPath, [...nodeArgs, file], { cwd: apps, env, timeout: SLOW });
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('RECORD '))
    .map((l) => JSON.parse(l.slice('RECORD '.length)));
}

describe('@aws-sdk/client-bedrock-runtime under node --import genai-usage/register', () => {
  it.each([
    ['bedrock-esm-app.mjs', 'u-esm', 'EsmAgent'],
    ['bedrock-cjs-app.cjs', 'u-cjs', 'CjsAgent'],
  ])('%s: send, the aggregated client and a stream: one record each, attributed and priced', async (file, userId, agentName) => {
    const records = await runApp(file);
    expect(records.map((r) => [r.requestModel, r.streaming, r.inputTokens, r.outputTokens])).toEqual([
      ['us.amazon.nova-pro-v1:0', false, 1250, 86],
      ['us.amazon.nova-pro-v1:0', false, 1250, 86],
      ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', true, 21 + 2048, 96],
    ]);
    for (const r of records) expect(r).toMatchObject({ provider: 'aws.bedrock', userId, agentName, serviceName: 'bedrock-app', success: true, costSource: 'table' });
  }, SLOW);

  it('without the hook an ESM app is not patched (what the hook is for)', async () => {
    const records = await runApp('bedrock-esm-app.mjs', []);
    expect(records).toEqual([]);
    expect(server.pending()).toBe(0);
  }, SLOW);
});
