import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Bedrock from '@aws-sdk/client-bedrock-runtime';
import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { bedrockFixture, startBedrockServer, type BedrockServer } from '../support/bedrock-server.js';
import { useHarness } from '../support/tracking-harness.js';

const h = useHarness({ instrumentModules: { bedrock: Bedrock }, captureContent: true });
let server: BedrockServer;
beforeAll(async () => {
  server = await startBedrockServer();
});
afterAll(() => server.close());

const messages = [{ role: 'user' as const, content: [{ text: 'Where is order 48213?' }] }];
const system = [{ text: 'You are a shipping assistant.' }];
const client = () => new BedrockRuntimeClient(server.clientConfig());

describe('content capture (captureContent: true)', () => {
  it('Converse: the request messages and the response message', async () => {
    server.enqueue('bedrock/converse-nova');
    await client().send(new ConverseCommand({ modelId: 'us.amazon.nova-pro-v1:0', system, messages }));
    const [span] = await h.callSpans();
    expect(JSON.parse(span!.attributes['gen_ai.input.messages'] as string)).toEqual({ system, messages });
    expect(JSON.parse(span!.attributes['gen_ai.output.messages'] as string)).toEqual([
      { role: 'assistant', content: bedrockFixture('bedrock/converse-nova').body.output.message.content, finish_reason: 'end_turn' },
    ]);
    await h.waitForRecords(1);
  });

  it('ConverseStream: the streamed text, thinking included', async () => {
    server.enqueue('bedrock/converse-stream-claude');
    const { stream } = await client().send(new ConverseStreamCommand({ modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', messages }));
    for await (const _ of stream!);
    const [span] = await h.callSpans();
    expect(JSON.parse(span!.attributes['gen_ai.output.messages'] as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Checking the refund window against the order date first.Refunds are accepted within 30 days of delivery.' }] },
    ]);
    await h.waitForRecords(1);
  });

  it('InvokeModel: the family body\'s messages and content', async () => {
    server.enqueue('bedrock/invoke-claude');
    const request = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 300, system: 'Be brief.', messages: [{ role: 'user', content: 'Is a cracked hinge covered?' }] };
    await client().send(new InvokeModelCommand({ modelId: 'anthropic.claude-sonnet-4-5-20250929-v1:0', body: JSON.stringify(request) }));
    const [span] = await h.callSpans();
    expect(JSON.parse(span!.attributes['gen_ai.input.messages'] as string)).toEqual({ system: 'Be brief.', messages: request.messages });
    expect(JSON.parse(span!.attributes['gen_ai.output.messages'] as string)).toEqual([
      { role: 'assistant', content: bedrockFixture('bedrock/invoke-claude').body.content, finish_reason: 'end_turn' },
    ]);
    await h.waitForRecords(1);
  });
});
