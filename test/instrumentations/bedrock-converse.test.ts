import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Bedrock from '@aws-sdk/client-bedrock-runtime';
import { BedrockRuntime, BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, CountTokensCommand } from '@aws-sdk/client-bedrock-runtime';
import { estimateCost, withUsageContext } from '../../src/index.js';
import { bedrockFixture, startBedrockServer, type BedrockServer } from '../support/bedrock-server.js';
import { sumWhere, useHarness } from '../support/tracking-harness.js';

const h = useHarness({ instrumentModules: { bedrock: Bedrock } });
let server: BedrockServer;
beforeAll(async () => {
  server = await startBedrockServer();
});
afterAll(() => server.close());

const CLAUDE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const messages = [{ role: 'user' as const, content: [{ text: 'Can I still return the blender I bought 12 days ago? It is unopened.' }] }];
const system = [{ text: 'You are the returns assistant of an online shop. Policy: unopened items can be returned within 30 days.' }, { cachePoint: { type: 'default' as const } }];

function port(): number {
  return Number(new URL(server.url).port);
}

describe('Converse through BedrockRuntimeClient.send', () => {
  it('Claude with thinking and a prompt cache: input includes cache reads and writes; priced at Bedrock rates', async () => {
    const u = bedrockFixture('bedrock/converse-claude-thinking').body.usage;
    server.enqueue('bedrock/converse-claude-thinking');
    const client = new BedrockRuntimeClient(server.clientConfig());
    const output = await withUsageContext({ userId: 'u-17', agentName: 'Returns' }, () =>
      client.send(
        new ConverseCommand({
          modelId: CLAUDE,
          system,
          messages,
          inferenceConfig: { maxTokens: 2048, temperature: 1 },
          additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 1024 } },
        }),
      ),
    );
    // The app gets the SDK's own output, untouched.
    expect(output.usage).toEqual(u);
    expect(output.output?.message?.content?.[0]?.reasoningContent?.reasoningText?.text).toContain('refund applies');

    const [span] = await h.callSpans();
    const input = u.inputTokens + u.cacheReadInputTokens + u.cacheWriteInputTokens;
    // Claude Sonnet 4.5 on Bedrock, in-Region / US profile (AWS price list): $3.30 input, $0.33 cache
    // read, $4.125 cache write, $16.50 output per 1M tokens; Anthropic's own API charges $3 / $15.
    const inputUsd = (u.inputTokens * 3.3 + u.cacheReadInputTokens * 0.33 + u.cacheWriteInputTokens * 4.125) / 1e6;
    const outputUsd = (u.outputTokens * 16.5) / 1e6;
    expect(span!.name).toBe(`chat ${CLAUDE}`);
    expect(span!.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.system': 'aws.bedrock',
      'gen_ai.request.model': CLAUDE,
      'gen_ai.request.max_tokens': 2048,
      'gen_ai.request.temperature': 1,
      'server.address': '127.0.0.1',
      'server.port': port(),
      'cloud.region': 'us-east-1',
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': input,
      'gen_ai.usage.output_tokens': u.outputTokens,
      'gen_ai.usage.cache_read.input_tokens': u.cacheReadInputTokens,
      'gen_ai.usage.cache_creation.input_tokens': u.cacheWriteInputTokens,
      'gen_ai.usage.cache_write.input_tokens': u.cacheWriteInputTokens,
      'genai_usage.provider.latency_ms': 6843,
      'user.id': 'u-17',
      'gen_ai.agent.name': 'Returns',
      'genai_usage.cost.source': 'table',
      'genai_usage.cost.usd': expect.closeTo(inputUsd + outputUsd, 12),
      'genai_usage.cost.input_usd': expect.closeTo(inputUsd, 12),
      'genai_usage.cost.output_usd': expect.closeTo(outputUsd, 12),
      // What the cache saved against uncached input, and what writing it cost beyond that.
      'genai_usage.cost.cache_read_savings_usd': expect.closeTo((u.cacheReadInputTokens * (3.3 - 0.33)) / 1e6, 12),
      'genai_usage.cost.cache_write_premium_usd': expect.closeTo((u.cacheWriteInputTokens * (4.125 - 3.3)) / 1e6, 12),
      'genai_usage.cost.price_version': expect.stringMatching(/^genai-prices@/),
    });
    const firstParty = estimateCost({ provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', inputTokens: input, outputTokens: u.outputTokens, cacheReadTokens: u.cacheReadInputTokens, cacheWriteTokens: u.cacheWriteInputTokens });
    expect(firstParty.costUsd).not.toBeCloseTo(inputUsd + outputUsd, 6);

    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({
      provider: 'aws.bedrock',
      operation: 'chat',
      requestModel: CLAUDE,
      inputTokens: input,
      outputTokens: u.outputTokens,
      totalTokens: input + u.outputTokens,
      cacheReadTokens: u.cacheReadInputTokens,
      cacheWriteTokens: u.cacheWriteInputTokens,
      costSource: 'table',
      success: true,
      streaming: false,
      finishReason: 'end_turn',
      userId: 'u-17',
    });
    expect(record!.costUsd).toBeCloseTo(inputUsd + outputUsd, 12);
    expect(h.records).toHaveLength(1);
    // The request went out as the SDK builds it.
    expect(server.requests.at(-1)!.path).toBe(`/model/${encodeURIComponent(CLAUDE)}/converse`);
  });

  it('the aggregated client (promise and callback) is one call, one count', async () => {
    server.enqueue('bedrock/converse-nova', 'bedrock/converse-nova');
    const client = new BedrockRuntime(server.clientConfig());
    const before = sumWhere(await h.metric('genai_usage.requests'), { 'gen_ai.provider.name': 'aws.bedrock' });
    const viaPromise = await client.converse({ modelId: 'us.amazon.nova-pro-v1:0', messages });
    const viaCallback = await new Promise<unknown>((resolve, reject) =>
      client.converse({ modelId: 'us.amazon.nova-pro-v1:0', messages }, (err: unknown, data?: unknown) => (err ? reject(err) : resolve(data))),
    );
    expect(viaPromise.usage).toEqual(bedrockFixture('bedrock/converse-nova').body.usage);
    expect((viaCallback as typeof viaPromise).usage).toEqual(viaPromise.usage);
    const records = await h.waitForRecords(2);
    expect(records).toHaveLength(2);
    for (const r of records) expect(r).toMatchObject({ provider: 'aws.bedrock', requestModel: 'us.amazon.nova-pro-v1:0', inputTokens: 1250, outputTokens: 86, costSource: 'table' });
    // Nova Pro: $0.80 / $3.20 per 1M tokens.
    expect(records[0]!.costUsd).toBeCloseTo((1250 * 0.8 + 86 * 3.2) / 1e6, 12);
    const after = sumWhere(await h.metric('genai_usage.requests'), { 'gen_ai.provider.name': 'aws.bedrock' });
    expect(after - before).toBe(2);
    expect(await h.callSpans()).toHaveLength(2);
  });

  it('a callback sees the SDK error; the call is recorded as failed', async () => {
    server.enqueue('bedrock/error-validation');
    const client = new BedrockRuntime(server.clientConfig());
    const err = await new Promise<unknown>((resolve) => client.converse({ modelId: 'not-a-model', messages }, (e: unknown) => resolve(e)));
    expect((err as Error).name).toBe('ValidationException');
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ success: false, errorType: 'ValidationException', provider: 'aws.bedrock' });
  });

  it.each([
    ['flex', { serviceTier: { type: 'flex' } }, 'flex'],
    ['latency-optimized', { performanceConfig: { latency: 'optimized' } }, 'latency_optimized'],
  ])('the %s tier the response reports is recorded; with no table price for it the cost is unknown, not the standard rate', async (_name, extra, tier) => {
    const body = { ...bedrockFixture('bedrock/converse-nova').body, ...extra };
    server.enqueue({ body });
    await new BedrockRuntimeClient(server.clientConfig()).send(new ConverseCommand({ modelId: 'us.amazon.nova-pro-v1:0', messages }));
    const [span] = await h.callSpans();
    expect(span!.attributes).toMatchObject({ 'genai_usage.service_tier': tier, 'genai_usage.cost.source': 'unknown', 'gen_ai.usage.input_tokens': 1250 });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ costSource: 'unknown', costUsd: undefined, inputTokens: 1250 });
  });

  it('commands other than the four model calls pass through without a span', async () => {
    server.enqueue({ body: { inputTokens: 42 } });
    const client = new BedrockRuntimeClient(server.clientConfig());
    const out = await client.send(new CountTokensCommand({ modelId: 'anthropic.claude-sonnet-4-5-20250929-v1:0', input: { converse: { messages } } }));
    expect(out.inputTokens).toBe(42);
    expect(await h.callSpans()).toEqual([]);
  });
});

describe('ConverseStream', () => {
  it('every event reaches the app unchanged; usage from the metadata event; time to first token', async () => {
    const fixture = bedrockFixture('bedrock/converse-stream-claude');
    server.enqueue({ fixture: 'bedrock/converse-stream-claude', chunkDelayMs: 3 });
    const client = new BedrockRuntimeClient(server.clientConfig());
    const response = await client.send(new ConverseStreamCommand({ modelId: CLAUDE, system, messages, inferenceConfig: { maxTokens: 512 } }));
    const seen: unknown[] = [];
    for await (const event of response.stream!) seen.push(event);
    expect(seen).toEqual(fixture.events!.map((e) => ({ [e.event!]: e.data })));

    const u = fixture.events!.at(-1)!.data as { usage: Record<string, number> };
    const input = u.usage.inputTokens! + u.usage.cacheReadInputTokens!;
    const [span] = await h.callSpans();
    expect(span!.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.system': 'aws.bedrock',
      'gen_ai.request.model': CLAUDE,
      'gen_ai.request.max_tokens': 512,
      'gen_ai.request.stream': true,
      'server.address': '127.0.0.1',
      'server.port': port(),
      'cloud.region': 'us-east-1',
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': input,
      'gen_ai.usage.output_tokens': u.usage.outputTokens,
      'gen_ai.usage.cache_read.input_tokens': u.usage.cacheReadInputTokens,
      'genai_usage.provider.latency_ms': 2311,
      'gen_ai.response.time_to_first_chunk': expect.any(Number),
      'genai_usage.cost.source': 'table',
      'genai_usage.cost.usd': expect.any(Number),
      'genai_usage.cost.input_usd': expect.any(Number),
      'genai_usage.cost.output_usd': expect.any(Number),
      'genai_usage.cost.cache_read_savings_usd': expect.closeTo((2048 * (3.3 - 0.33)) / 1e6, 12),
      'genai_usage.cost.price_version': expect.stringMatching(/^genai-prices@/),
    });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ streaming: true, inputTokens: input, outputTokens: 96, cacheReadTokens: 2048, usageEstimated: false, finishReason: 'end_turn' });
    expect(record!.timeToFirstTokenMs).toBeGreaterThan(0);
    expect(record!.costUsd).toBeCloseTo((21 * 3.3 + 2048 * 0.33 + 96 * 16.5) / 1e6, 12);
  });

  it('tokens and requests reach the metrics', async () => {
    const match = { 'gen_ai.provider.name': 'aws.bedrock', 'gen_ai.request.model': 'us.amazon.nova-pro-v1:0' };
    const tokens = async (type: string) => sumWhere(await h.metric('genai_usage.tokens'), { ...match, 'gen_ai.token.type': type });
    const before = { input: await tokens('input'), output: await tokens('output') };
    server.enqueue('bedrock/converse-nova');
    await new BedrockRuntimeClient(server.clientConfig()).send(new ConverseCommand({ modelId: 'us.amazon.nova-pro-v1:0', messages }));
    await h.waitForRecords(1);
    expect((await tokens('input')) - before.input).toBe(1250);
    expect((await tokens('output')) - before.output).toBe(86);
  });
});
