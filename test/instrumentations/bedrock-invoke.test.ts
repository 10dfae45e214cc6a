import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Bedrock from '@aws-sdk/client-bedrock-runtime';
import { BedrockRuntimeClient, InvokeModelCommand, InvokeModelWithResponseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { bedrockFixture, startBedrockServer, type BedrockServer } from '../support/bedrock-server.js';
import { useHarness } from '../support/tracking-harness.js';

const h = useHarness({ instrumentModules: { bedrock: Bedrock } });
let server: BedrockServer;
beforeAll(async () => {
  server = await startBedrockServer();
});
afterAll(() => server.close());

const client = () => new BedrockRuntimeClient(server.clientConfig());
const json = (value: unknown) => JSON.stringify(value);
const userTurn = (text: string) => [{ role: 'user', content: [{ type: 'text', text }] }];

describe('InvokeModel: each model family body', () => {
  it('Anthropic Claude (Messages API body): a global profile is priced at the global rate, not by the body\'s model name', async () => {
    const body = bedrockFixture('bedrock/invoke-claude').body;
    const u = body.usage;
    server.enqueue('bedrock/invoke-claude');
    const modelId = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
    const out = await client().send(
      new InvokeModelCommand({
        modelId,
        contentType: 'application/json',
        body: json({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 1024, thinking: { type: 'enabled', budget_tokens: 512 }, messages: userTurn('My laptop hinge cracked after 14 months. Is that covered?') }),
      }),
    );
    // The app reads the body itself, as always.
    expect(JSON.parse(new TextDecoder().decode(out.body))).toEqual(body);

    const input = u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;
    // Global cross-Region profile of Claude Sonnet 4.5: $3 input, $0.30 cache read, $15 output per 1M
    // (the regional rate, which the body's `claude-sonnet-4-5-20250929` would match, is $3.30 / $16.50).
    const inputUsd = (u.input_tokens * 3 + u.cache_read_input_tokens * 0.3) / 1e6;
    const outputUsd = (u.output_tokens * 15) / 1e6;
    const [span] = await h.callSpans();
    expect(span!.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.system': 'aws.bedrock',
      'gen_ai.request.model': modelId,
      'gen_ai.request.max_tokens': 1024,
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(server.url).port),
      'cloud.region': 'us-east-1',
      'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
      'gen_ai.response.id': body.id,
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': input,
      'gen_ai.usage.output_tokens': u.output_tokens,
      'gen_ai.usage.cache_read.input_tokens': u.cache_read_input_tokens,
      'genai_usage.cost.source': 'table',
      'genai_usage.cost.usd': expect.closeTo(inputUsd + outputUsd, 12),
      'genai_usage.cost.input_usd': expect.closeTo(inputUsd, 12),
      'genai_usage.cost.output_usd': expect.closeTo(outputUsd, 12),
      'genai_usage.cost.cache_read_savings_usd': expect.closeTo((u.cache_read_input_tokens * (3 - 0.3)) / 1e6, 12),
      'genai_usage.cost.price_version': expect.stringMatching(/^genai-prices@/),
    });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ provider: 'aws.bedrock', requestModel: modelId, responseModel: 'claude-sonnet-4-5-20250929', inputTokens: input, outputTokens: 318, cacheReadTokens: 2816, success: true });
  });

  // [fixture, modelId, request body, expected record fields, USD per 1M (input, cache read, output) or undefined for unknown]
  const families: Array<[string, string, unknown, Record<string, unknown>, [number, number, number] | undefined]> = [
    [
      'bedrock/invoke-nova',
      'us.amazon.nova-lite-v1:0',
      { messages: [{ role: 'user', content: [{ text: 'When does my subscription renew?' }] }], inferenceConfig: { maxTokens: 300, temperature: 0.3, topP: 0.9 } },
      { operation: 'chat', inputTokens: 412 + 1024, outputTokens: 58, cacheReadTokens: 1024, finishReason: 'end_turn' },
      [0.06, 0.015, 0.24],
    ],
    [
      'bedrock/invoke-llama',
      'meta.llama3-3-70b-instruct-v1:0',
      { prompt: '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\nTell me about the Eiffel Tower.<|eot_id|>', max_gen_len: 256, temperature: 0.5, top_p: 0.9 },
      { operation: 'text_completion', inputTokens: 43, outputTokens: 61, finishReason: 'stop' },
      [0.72, 0.72, 0.72],
    ],
    [
      'bedrock/invoke-mistral-chat',
      'mistral.mistral-large-2407-v1:0',
      { messages: [{ role: 'user', content: 'Bonjour' }], max_tokens: 200 },
      // Tokens exact; Mistral Large 24.07 has no Bedrock price in the table: unknown, not another model's.
      { operation: 'chat', inputTokens: 31, outputTokens: 22, finishReason: 'stop', responseModel: 'mistral-large-2407' },
      undefined,
    ],
    [
      'bedrock/invoke-cohere',
      'cohere.command-r-plus-v1:0',
      { message: 'When can I call support?', max_tokens: 200, p: 0.75, k: 0 },
      { operation: 'chat', inputTokens: 52, outputTokens: 14, finishReason: 'COMPLETE' },
      undefined,
    ],
  ];

  it.each(families)('%s: usage read from the body', async (fixture, modelId, request, expected, prices) => {
    server.enqueue(fixture);
    await client().send(new InvokeModelCommand({ modelId, body: json(request) }));
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ provider: 'aws.bedrock', requestModel: modelId, success: true, streaming: false, usageEstimated: false, ...expected });
    if (prices) {
      const cacheRead = (expected.cacheReadTokens as number | undefined) ?? 0;
      const usd = (((expected.inputTokens as number) - cacheRead) * prices[0] + cacheRead * prices[1] + (expected.outputTokens as number) * prices[2]) / 1e6;
      expect(record).toMatchObject({ costSource: 'table' });
      expect(record!.costUsd).toBeCloseTo(usd, 12);
    } else {
      expect(record).toMatchObject({ costSource: 'unknown', costUsd: undefined });
    }
  });

  it('request parameters are read from the family body', async () => {
    server.enqueue('bedrock/invoke-nova');
    await client().send(new InvokeModelCommand({ modelId: 'us.amazon.nova-lite-v1:0', body: json({ messages: [], inferenceConfig: { maxTokens: 300, temperature: 0.3, topP: 0.9, topK: 20, stopSequences: ['END'] } }) }));
    const [span] = await h.callSpans();
    expect(span!.attributes).toMatchObject({
      'gen_ai.request.max_tokens': 300,
      'gen_ai.request.temperature': 0.3,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.top_k': 20,
      'gen_ai.request.stop_sequences': ['END'],
    });
    await h.waitForRecords(1);
  });

  it('a request body above 64 KiB is not parsed: no request parameters, the usage still read', async () => {
    server.enqueue('bedrock/invoke-nova');
    const long = 'The quarterly figures follow. '.repeat(3000);
    await client().send(new InvokeModelCommand({ modelId: 'us.amazon.nova-lite-v1:0', body: json({ messages: [{ role: 'user', content: [{ text: long }] }], inferenceConfig: { maxTokens: 300 } }) }));
    const [span] = await h.callSpans();
    expect(span!.attributes['gen_ai.request.max_tokens']).toBeUndefined();
    expect(span!.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 412 + 1024, 'gen_ai.usage.output_tokens': 58 });
    await h.waitForRecords(1);
  });

  it.each([
    ['Mistral text completion (no usage in the body)', 'bedrock/invoke-mistral-text', 'mistral.mistral-7b-instruct-v0:2', { prompt: '<s>[INST] Name the primary colours. [/INST]', max_tokens: 100 }, 'stop'],
    ['a body no family describes (an image model)', 'bedrock/invoke-unknown', 'stability.sd3-5-large-v1:0', { prompt: 'a lighthouse at dusk', mode: 'text-to-image' }, undefined],
  ])('%s: no usage, cost unknown, never a guessed number', async (_name, fixture, modelId, request, finishReason) => {
    server.enqueue(fixture);
    await client().send(new InvokeModelCommand({ modelId, body: json(request) }));
    const [span] = await h.callSpans();
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(span!.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: true, costUsd: undefined, costSource: 'unknown', finishReason });
  });

  it('a body that is not JSON is left alone', async () => {
    server.enqueue({ headers: { 'content-type': 'application/octet-stream' }, raw: '\x00\x01 not json' });
    const out = await client().send(new InvokeModelCommand({ modelId: 'amazon.titan-embed-text-v2:0', body: json({ inputText: 'hello' }) }));
    expect(new TextDecoder().decode(out.body)).toBe('\x00\x01 not json');
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ operation: 'embeddings', success: true, costSource: 'unknown' });
  });
});

describe('InvokeModelWithResponseStream', () => {
  async function drain(modelId: string, body: unknown) {
    const out = await client().send(new InvokeModelWithResponseStreamCommand({ modelId, body: json(body) }));
    const chunks: unknown[] = [];
    for await (const event of out.body!) chunks.push(JSON.parse(new TextDecoder().decode(event.chunk!.bytes)));
    return chunks;
  }

  it('Claude: chunks unchanged; usage from message_start + message_delta; cache write priced', async () => {
    const fixture = bedrockFixture('bedrock/invoke-stream-claude');
    server.enqueue({ fixture: 'bedrock/invoke-stream-claude', chunkDelayMs: 3 });
    const modelId = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
    const chunks = await drain(modelId, { anthropic_version: 'bedrock-2023-05-31', max_tokens: 200, messages: userTurn('When does my order ship?') });
    expect(chunks).toEqual(fixture.events!.map((e) => e.chunk));
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({
      streaming: true,
      inputTokens: 19 + 1024,
      outputTokens: 9,
      cacheWriteTokens: 1024,
      responseModel: 'claude-haiku-4-5-20251001',
      finishReason: 'end_turn',
      usageEstimated: false,
      costSource: 'table',
    });
    expect(record!.timeToFirstTokenMs).toBeGreaterThan(0);
    // Claude Haiku 4.5, US profile: $1.10 input, $1.375 cache write, $5.50 output per 1M.
    expect(record!.costUsd).toBeCloseTo((19 * 1.1 + 1024 * 1.375 + 9 * 5.5) / 1e6, 12);
  });

  it.each([
    ['Nova (Converse-style chunks)', 'bedrock/invoke-stream-nova', 'amazon.nova-micro-v1:0', { messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }, 12, 4, 'end_turn'],
    ['Llama (prompt and generation counts)', 'bedrock/invoke-stream-llama', 'us.meta.llama3-3-70b-instruct-v1:0', { prompt: 'Capital of France?' }, 27, 7, 'stop'],
    ['Mistral text (Bedrock invocation metrics only)', 'bedrock/invoke-stream-mistral-text', 'mistral.mistral-7b-instruct-v0:2', { prompt: '<s>[INST] Primary colours? [/INST]' }, 14, 6, 'stop'],
  ])('%s', async (_name, fixture, modelId, body, input, output, finishReason) => {
    server.enqueue(fixture);
    const chunks = await drain(modelId, body);
    expect(chunks).toEqual(bedrockFixture(fixture).events!.map((e) => e.chunk));
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ streaming: true, inputTokens: input, outputTokens: output, finishReason, usageEstimated: false, costSource: 'table' });
    expect(record!.costUsd).toBeGreaterThan(0);
  });
});
