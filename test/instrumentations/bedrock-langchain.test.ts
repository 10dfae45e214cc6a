import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Bedrock from '@aws-sdk/client-bedrock-runtime';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { ChatBedrockConverse } from '@langchain/aws';
import type { AIMessageChunk } from '@langchain/core/messages';
import { bedrockFixture, startBedrockServer, type BedrockServer } from '../support/bedrock-server.js';
import { useHarness } from '../support/tracking-harness.js';

const h = useHarness({ instrumentModules: { bedrock: Bedrock } });
let server: BedrockServer;
beforeAll(async () => {
  server = await startBedrockServer();
});
afterAll(() => server.close());

const CLAUDE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const chat = () => new ChatBedrockConverse({ model: CLAUDE, region: 'us-east-1', client: new BedrockRuntimeClient(server.clientConfig()) });

describe('@langchain/aws ChatBedrockConverse, read through the Bedrock patch', () => {
  it('invoke: one record per model call, tokens exactly as LangChain reports them', async () => {
    server.enqueue('bedrock/converse-claude-thinking');
    const message = await chat().invoke('Can I return an unopened blender after 12 days?');
    const [record] = await h.waitForRecords(1);
    expect(h.records).toHaveLength(1);
    const u = bedrockFixture('bedrock/converse-claude-thinking').body.usage;
    expect(record).toMatchObject({
      provider: 'aws.bedrock',
      requestModel: CLAUDE,
      inputTokens: u.inputTokens + u.cacheReadInputTokens + u.cacheWriteInputTokens,
      outputTokens: u.outputTokens,
      cacheReadTokens: u.cacheReadInputTokens,
      cacheWriteTokens: u.cacheWriteInputTokens,
      costSource: 'table',
      success: true,
    });
    // LangChain's own accounting of the same call agrees.
    expect(message.usage_metadata).toMatchObject({ input_tokens: record!.inputTokens, output_tokens: record!.outputTokens });
  });

  it('stream: one record for the whole stream', async () => {
    server.enqueue('bedrock/converse-stream-claude');
    let final: AIMessageChunk | undefined;
    for await (const chunk of await chat().stream('Refund window?')) final = final ? final.concat(chunk) : chunk;
    const [record] = await h.waitForRecords(1);
    expect(h.records).toHaveLength(1);
    expect(record).toMatchObject({ streaming: true, inputTokens: 21 + 2048, outputTokens: 96, cacheReadTokens: 2048, usageEstimated: false, success: true });
    expect(final!.usage_metadata).toMatchObject({ input_tokens: record!.inputTokens, output_tokens: record!.outputTokens });
  });

  it('a batch of two prompts is two records', async () => {
    server.enqueue('bedrock/converse-nova', 'bedrock/converse-nova');
    await new ChatBedrockConverse({ model: 'us.amazon.nova-pro-v1:0', region: 'us-east-1', client: new BedrockRuntimeClient(server.clientConfig()) }).batch(['a', 'b']);
    const records = await h.waitForRecords(2);
    expect(records).toHaveLength(2);
    expect(records.every((r) => r.inputTokens === 1250 && r.outputTokens === 86)).toBe(true);
  });
});
