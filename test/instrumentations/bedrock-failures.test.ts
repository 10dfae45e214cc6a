import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Bedrock from '@aws-sdk/client-bedrock-runtime';
import { BedrockRuntime, BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, ThrottlingException, ValidationException } from '@aws-sdk/client-bedrock-runtime';
import { addPreCallHook } from '../../src/index.js';
import { startBedrockServer, type BedrockServer } from '../support/bedrock-server.js';
import { useHarness } from '../support/tracking-harness.js';

const h = useHarness({ instrumentModules: { bedrock: Bedrock } });
let server: BedrockServer;
beforeAll(async () => {
  server = await startBedrockServer();
});
afterAll(() => server.close());

const NOVA = 'us.amazon.nova-pro-v1:0';
const CLAUDE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const messages = [{ role: 'user' as const, content: [{ text: 'Where is my parcel?' }] }];

describe('Bedrock failures end the span with error.type', () => {
  it('ThrottlingException (429): the app gets the SDK error; the span and record say so', async () => {
    server.enqueue('bedrock/error-throttling');
    const client = new BedrockRuntimeClient(server.clientConfig());
    const error = await client.send(new ConverseCommand({ modelId: NOVA, messages })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottlingException);
    const [span] = await h.callSpans();
    expect(span!.status).toEqual({ code: 2, message: 'Too many requests, please wait before trying again.' });
    expect(span!.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.system': 'aws.bedrock',
      'gen_ai.request.model': NOVA,
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(server.url).port),
      'cloud.region': 'us-east-1',
      'error.type': 'ThrottlingException',
      // Providers do not bill rejected requests.
      'genai_usage.cost.source': 'table',
      'genai_usage.cost.usd': 0,
      'genai_usage.cost.input_usd': 0,
      'genai_usage.cost.output_usd': 0,
      'genai_usage.cost.price_version': expect.stringMatching(/^genai-prices@/),
    });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: 'ThrottlingException', inputTokens: 0, outputTokens: 0 });
  });

  it('ValidationException (400) through the aggregated client', async () => {
    server.enqueue('bedrock/error-validation');
    const error = await new BedrockRuntime(server.clientConfig()).converse({ modelId: 'anthropic.nope', messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationException);
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: 'ValidationException', requestModel: 'anthropic.nope' });
  });

  it('SDK retries stay inside one call: a 429 then a 200 is one successful record', async () => {
    server.enqueue('bedrock/error-throttling', 'bedrock/converse-nova');
    const client = new BedrockRuntimeClient(server.clientConfig({ maxAttempts: 2, retryStrategy: undefined }));
    const out = await client.send(new ConverseCommand({ modelId: NOVA, messages }));
    expect(out.$metadata.attempts).toBe(2);
    expect(await h.callSpans()).toHaveLength(1);
    const records = await h.waitForRecords(1);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ success: true, inputTokens: 1250, outputTokens: 86 });
  });

  it('an abort before the response (abortSignal) fails the call', async () => {
    server.enqueue({ hang: true });
    const controller = new AbortController();
    const sent = server.requests.length;
    const pending = new BedrockRuntimeClient(server.clientConfig()).send(new ConverseCommand({ modelId: NOVA, messages }), { abortSignal: controller.signal });
    // Abort once the request is at the server (so the queued hang is not left for the next test).
    while (server.requests.length === sent) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const error = (await pending.catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('AbortError');
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: 'AbortError' });
  });

  it('an exception event mid-stream reaches the app; the call fails', async () => {
    server.enqueue('bedrock/converse-stream-error');
    const response = await new BedrockRuntimeClient(server.clientConfig()).send(new ConverseStreamCommand({ modelId: CLAUDE, messages }));
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const event of response.stream!) seen.push(event);
    })().catch((e: unknown) => e);
    expect(seen).toHaveLength(2);
    expect((error as Error).name).toBe('ModelStreamErrorException');
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: 'ModelStreamErrorException', streaming: true });
  });

  // The SDK ends iteration quietly in both cases (measured with 3.1164): the app sees a short
  // stream, and the call is recorded as failed because the stream's final event never came.
  it('an abort mid-stream (abortSignal) fails the call', async () => {
    server.enqueue({ fixture: 'bedrock/converse-stream-claude', chunkDelayMs: 40 });
    const controller = new AbortController();
    const response = await new BedrockRuntimeClient(server.clientConfig()).send(new ConverseStreamCommand({ modelId: CLAUDE, messages }), { abortSignal: controller.signal });
    const seen: unknown[] = [];
    for await (const event of response.stream!) {
      seen.push(event);
      if ('contentBlockDelta' in event) controller.abort();
    }
    expect(seen.length).toBeLessThan(10);
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: 'AbortError', streaming: true });
  });

  it('a connection dropped mid-stream fails the call', async () => {
    server.enqueue({ fixture: 'bedrock/converse-stream-claude', destroyAfterEvents: 3 });
    const response = await new BedrockRuntimeClient(server.clientConfig()).send(new ConverseStreamCommand({ modelId: CLAUDE, messages }));
    const seen: unknown[] = [];
    for await (const event of response.stream!) seen.push(event);
    expect(seen).toHaveLength(3);
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: 'IncompleteStreamError', streaming: true });
  });

  it('an early break is a success with estimated usage', async () => {
    server.enqueue({ fixture: 'bedrock/converse-stream-claude', chunkDelayMs: 2 });
    const response = await new BedrockRuntimeClient(server.clientConfig()).send(new ConverseStreamCommand({ modelId: CLAUDE, messages }));
    for await (const event of response.stream!) if ('contentBlockDelta' in event) break;
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: true, usageEstimated: true, streaming: true });
    expect(record!.inputTokens).toBeGreaterThan(0);
    expect(record!.outputTokens).toBeGreaterThan(0);
  });
});

describe('a pre-call hook that blocks (budgets)', () => {
  const blocked = Object.assign(new Error('budget exhausted'), { blocksCall: true as const });

  it('rejects send() and the aggregated call with its error; no request is sent', async () => {
    const remove = addPreCallHook(() => {
      throw blocked;
    });
    try {
      const sent = server.requests.length;
      await expect(new BedrockRuntimeClient(server.clientConfig()).send(new ConverseCommand({ modelId: NOVA, messages }))).rejects.toBe(blocked);
      const viaCallback = await new Promise((resolve) => new BedrockRuntime(server.clientConfig()).converse({ modelId: NOVA, messages }, (e: unknown) => resolve(e)));
      expect(viaCallback).toBe(blocked);
      expect(server.requests.length).toBe(sent);
      const records = await h.waitForRecords(2);
      expect(records.map((r) => r.success)).toEqual([false, false]);
    } finally {
      remove();
    }
  });
});
