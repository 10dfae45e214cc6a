import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplayServer, type ReplayServer } from '../support/replay-server.js';

// Child processes run the built dist (`genai-usage` resolves to this package): `npm run build` first.
const run = promisify(execFile);
const apps = fileURLToPath(new URL('../apps/', import.meta.url));
const CHILD_TIMEOUT = 120_000;
let server: ReplayServer;
beforeAll(async () => {
  server = await startReplayServer();
});
afterAll(() => server.close());

describe('zero-code start: an app that reaches Claude only through @anthropic-ai/bedrock-sdk', () => {
  it.each(['bedrock-only-app.mjs', 'bedrock-only-app.cjs'])('%s: our instrumentation records the call (SDK spans off)', async (file) => {
    server.enqueue('anthropic/bedrock-message');
    const { stdout } = await run(process.execPath, ['--import', 'genai-usage/register', file], {
      cwd: apps,
      // With the SDK's own spans off, a record can only come from our patch.
      env: { ...process.env, REPLAY_URL: server.url, ANTHROPIC_OPEN_TELEMETRY: 'false', GENAI_USAGE_STORE: 'false', OTEL_METRICS_EXPORTER: 'none' },
      timeout: CHILD_TIMEOUT,
    });
    const records = stdout.split('\n').filter((l) => l.startsWith('RECORD ')).map((l) => JSON.parse(l.slice(7)));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ provider: 'aws.bedrock', requestModel: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', success: true, costSource: 'table' });
    expect(server.requests.at(-1)!.path).toBe('/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke');
  }, CHILD_TIMEOUT);
});
