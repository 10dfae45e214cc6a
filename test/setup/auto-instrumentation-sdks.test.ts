import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplayServer, type ReplayServer } from '../support/replay-server.js';

const run = promisify(execFile);
const apps = fileURLToPath(new URL('../apps/', import.meta.url));
let server: ReplayServer;
beforeAll(async () => {
  server = await startReplayServer();
});
afterAll(() => server.close());

const SDK_APP_FIXTURES = ['gemini/generate-content', 'gemini/generate-content-stream', 'mistral/chat-completion', 'mistral/chat-completion-stream'];

async function runApp(file: string, nodeArgs: string[] = ['--import', 'genai-usage/register'], fixtures = SDK_APP_FIXTURES) {
  server.enqueue(...fixtures);
  const env = { ...process.env, REPLAY_URL: server.url, GENAI_USAGE_STORE: 'false', OTEL_METRICS_EXPORTER: 'none', OTEL_SERVICE_NAME: 'child-app' };
  const { stdout } = await run(process.execPath, [...nodeArgs, file], { cwd: apps, env, timeout: 30_000 });
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('RECORD '))
    .map((l) => JSON.parse(l.slice('RECORD '.length)));
}

describe('@google/genai and @mistralai/mistralai under node --import genai-usage/register', () => {
  it.each([
    ['esm-sdks-app.mjs', 'u-esm'],
    ['cjs-sdks-app.cjs', 'u-cjs'],
  ])('%s: both SDKs patched, one record per call, attributed', async (file, userId) => {
    const records = await runApp(file);
    expect(records.map((r) => [r.provider, r.streaming])).toEqual([
      ['gcp.gemini', false],
      ['gcp.gemini', true],
      ['mistral_ai', false],
      ['mistral_ai', true],
    ]);
    for (const r of records) {
      expect(r).toMatchObject({ userId, serviceName: 'child-app', success: true, usageEstimated: false, costSource: 'table' });
      expect(r.inputTokens).toBeGreaterThan(0);
    }
  });

  it('without the hook an ESM app is not patched', async () => {
    expect(await runApp('esm-sdks-app.mjs', [])).toEqual([]);
    expect(server.pending()).toBe(0);
  });
});

describe('LangChain under node --import genai-usage/register', () => {
  it('ChatOpenAI, ChatAnthropic (its own nested @anthropic-ai/sdk) and ChatGoogleGenerativeAI (@google/generative-ai) are tracked, one record per call', async () => {
    const records = await runApp('langchain-app.mjs', undefined, ['openai/chat-completion', 'anthropic/message-stream', 'gemini/generate-content']);
    expect(records.map((r) => [r.provider, r.streaming, r.userId, r.agentName])).toEqual([
      ['openai', false, 'u-lc', 'LangChainAgent'],
      ['anthropic', true, 'u-lc', 'LangChainAgent'],
      ['gcp.gemini', false, 'u-lc', 'LangChainAgent'],
    ]);
    expect(records[2]).toMatchObject({ inputTokens: 4213, outputTokens: 187 + 412, reasoningTokens: 412 });
    expect(records[0]).toMatchObject({ inputTokens: 1356, outputTokens: 27, cacheReadTokens: 1152 });
    expect(records[1]).toMatchObject({ inputTokens: 18 + 1843 + 256, outputTokens: 23, usageEstimated: false });
  });
});
