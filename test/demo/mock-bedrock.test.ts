import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BedrockRuntime, ServiceUnavailableException, ThrottlingException, ValidationException } from '@aws-sdk/client-bedrock-runtime';
import { startMockLlmServer, type MockLlmServer } from '../../src/demo/mock-llm-server.js';

const LONG_SYSTEM = 'You are a meticulous support agent for Acme Corp. '.repeat(40);
let mock: MockLlmServer;
const client = (server: MockLlmServer) =>
  new BedrockRuntime({ region: 'us-east-1', endpoint: server.h2Url, credentials: { accessKeyId: 'MOCK', secretAccessKey: 'mock' }, maxAttempts: 1 });

beforeAll(async () => {
  mock = await startMockLlmServer({ seed: 11, failureRate: 0, latencyMs: { min: 0, max: 0 } });
});
afterAll(() => mock.close());

describe('the demo mock server speaks Bedrock Converse over HTTP/2 to the real AWS SDK', () => {
  it('usage as Bedrock reports it: inputTokens beside the cache reads and writes', async () => {
    const request = {
      modelId: 'us.amazon.nova-pro-v1:0',
      system: [{ text: LONG_SYSTEM }, { cachePoint: { type: 'default' as const } }],
      messages: [{ role: 'user' as const, content: [{ text: 'Where is my order?' }] }],
    };
    const first = await client(mock).converse(request);
    const second = await client(mock).converse(request);
    expect(first.output?.message?.content?.[0]?.text).toEqual(expect.any(String));
    expect(first.stopReason).toBe('end_turn');
    const cached = first.usage!.cacheWriteInputTokens!;
    expect(cached).toBeGreaterThan(400);
    expect(first.usage).toMatchObject({ cacheReadInputTokens: 0, cacheWriteInputTokens: cached });
    expect(second.usage).toMatchObject({ cacheReadInputTokens: cached, cacheWriteInputTokens: 0, inputTokens: first.usage!.inputTokens });
    expect(second.usage!.totalTokens).toBe(second.usage!.inputTokens! + cached + second.usage!.outputTokens!);
    expect(mock.stats().byRoute[`POST /model/${encodeURIComponent('us.amazon.nova-pro-v1:0')}/converse`]).toBe(2);
  });

  it('a request without messages is a ValidationException', async () => {
    const error = await client(mock).converse({ modelId: 'us.amazon.nova-pro-v1:0', messages: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationException);
  });

  it('random failures are Bedrock throttling and unavailability errors', async () => {
    const flaky = await startMockLlmServer({ seed: 5, failureRate: 1, latencyMs: { min: 0, max: 0 } });
    try {
      const errors = await Promise.all(
        Array.from({ length: 6 }, () => client(flaky).converse({ modelId: 'us.amazon.nova-pro-v1:0', messages: [{ role: 'user', content: [{ text: 'x' }] }] }).catch((e: unknown) => e)),
      );
      for (const e of errors) expect(e instanceof ThrottlingException || e instanceof ServiceUnavailableException).toBe(true);
    } finally {
      await flaky.close();
    }
  });
});
