import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AnthropicBedrock } from '@anthropic-ai/bedrock-sdk';
import { AnthropicVertex } from '@anthropic-ai/vertex-sdk';
import { estimateCost } from '../../src/index.js';
import { bedrockEventStream } from '../support/aws-event-stream.js';
import { fixture } from '../support/replay-server.js';
import { sumWhere, useHarness } from '../support/tracking-harness.js';

const h = useHarness();

/** A server on 127.0.0.1 for the cloud clients: records each request as sent (auth headers too), replies from a queue. */
interface Reply { status?: number; contentType: string; body: Buffer | string }
const queue: Reply[] = [];
const seen: Array<{ method: string; path: string; headers: IncomingHttpHeaders; body: any }> = [];
let server: Server;
let baseUrl = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, path: req.url!, headers: req.headers, body: raw ? JSON.parse(raw) : undefined });
      const reply = queue.shift() ?? { status: 500, contentType: 'application/json', body: '{"message":"nothing queued"}' };
      res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  queue.length = 0;
  seen.length = 0;
});

const json = (name: string): Reply => ({ contentType: 'application/json', body: JSON.stringify(fixture(name).body) });
const sseEvents = (name: string) => fixture(name).events!.map((e) => e.data);

const BEDROCK_MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const bedrock = (openTelemetry = false) =>
  new AnthropicBedrock({
    awsAccessKey: 'AKIDEXAMPLE',
    awsSecretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    awsRegion: 'us-east-1',
    baseURL: baseUrl,
    maxRetries: 0,
    openTelemetry: { traces: openTelemetry },
  });

/** A Google auth client that hands out a fixed token: no credential lookup, no call leaves the machine. */
const fakeGoogleAuth = { projectId: 'acme-prod', getRequestHeaders: async () => new Headers({ authorization: 'Bearer ya29.test-access-token' }) };
const VERTEX_MODEL = 'claude-sonnet-4-5@20250929';
const vertex = () =>
  new AnthropicVertex({ region: 'us-east5', projectId: 'acme-prod', baseURL: `${baseUrl}/v1`, maxRetries: 0, openTelemetry: false, authClient: fakeGoogleAuth } as unknown as ConstructorParameters<typeof AnthropicVertex>[0]);

const messages = [{ role: 'user' as const, content: 'Where is my order?' }];

describe('@anthropic-ai/bedrock-sdk: provider aws.bedrock', () => {
  it('messages.create: SigV4-signed POST to /model/{id}/invoke; one record, priced from the table', async () => {
    const body = fixture('anthropic/bedrock-message').body;
    queue.push(json('anthropic/bedrock-message'));
    const message = await bedrock().messages.create({ model: BEDROCK_MODEL, max_tokens: 512, messages });
    expect(message.id).toBe(body.id);
    expect(seen[0]!.path).toBe(`/model/${BEDROCK_MODEL}/invoke`);
    expect(seen[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/bedrock\/aws4_request/);
    const [span] = await h.callSpans();
    expect(span!.attributes).toMatchObject({
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.request.model': BEDROCK_MODEL,
      'gen_ai.response.model': body.model,
      'server.address': '127.0.0.1',
      'gen_ai.usage.input_tokens': body.usage.input_tokens + body.usage.cache_read_input_tokens,
      'gen_ai.usage.cache_read.input_tokens': body.usage.cache_read_input_tokens,
    });
    const [record] = await h.waitForRecords(1);
    const expected = estimateCost({
      provider: 'aws.bedrock',
      model: body.model,
      inputTokens: body.usage.input_tokens + body.usage.cache_read_input_tokens,
      outputTokens: body.usage.output_tokens,
      cacheReadTokens: body.usage.cache_read_input_tokens,
    });
    expect(expected.costUsd).toBeGreaterThan(0);
    expect(record).toMatchObject({ provider: 'aws.bedrock', requestModel: BEDROCK_MODEL, costSource: 'table', costUsd: expected.costUsd, success: true });
  });

  it('the request model alone (an inference profile id) resolves to a price', () => {
    expect(estimateCost({ provider: 'aws.bedrock', model: BEDROCK_MODEL, inputTokens: 1000, outputTokens: 100 }).source).toBe('table');
  });

  it('messages.create({ stream: true }): AWS event-stream frames; usage from the Anthropic events inside', async () => {
    const events = sseEvents('anthropic/bedrock-message-stream');
    queue.push({ contentType: 'application/vnd.amazon.eventstream', body: bedrockEventStream(events) });
    const stream = await bedrock().messages.create({ model: BEDROCK_MODEL, max_tokens: 512, messages, stream: true });
    const received = [];
    for await (const event of stream) received.push(event);
    expect(received).toEqual(events);
    expect(seen[0]!.path).toBe(`/model/${BEDROCK_MODEL}/invoke-with-response-stream`);
    const start = events[0].message.usage;
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({
      provider: 'aws.bedrock',
      streaming: true,
      usageEstimated: false,
      inputTokens: start.input_tokens + start.cache_creation_input_tokens,
      cacheWriteTokens: start.cache_creation_input_tokens,
      outputTokens: events.find((e) => e.type === 'message_delta').usage.output_tokens,
      costSource: 'table',
    });
  });

  it('beta.messages.stream() and the SDK native spans on: one record, one request', async () => {
    const before = sumWhere(await h.metric('genai_usage.requests'), { 'gen_ai.provider.name': 'aws.bedrock' });
    queue.push({ contentType: 'application/vnd.amazon.eventstream', body: bedrockEventStream(sseEvents('anthropic/bedrock-message-stream')) });
    await bedrock(true).beta.messages.stream({ model: BEDROCK_MODEL, max_tokens: 512, messages }).finalMessage();
    await h.tracking.forceFlush();
    const spans = h.spans.getFinishedSpans();
    // The Bedrock client's own spans carry the SDK scope with the platform appended.
    expect(spans.filter((s) => s.instrumentationScope.name === 'com.anthropic.sdk.typescript.bedrock')).toHaveLength(1);
    const [record] = await h.waitForRecords(1);
    expect(h.records).toHaveLength(1);
    expect(record!.provider).toBe('aws.bedrock');
    expect(sumWhere(await h.metric('genai_usage.requests'), { 'gen_ai.provider.name': 'aws.bedrock' }) - before).toBe(1);
  });
});

describe('@anthropic-ai/vertex-sdk: provider gcp.vertex_ai', () => {
  it('messages.create: POST to the publisher model :rawPredict with the Google token; one record, priced', async () => {
    const body = fixture('anthropic/vertex-message').body;
    queue.push(json('anthropic/vertex-message'));
    await vertex().messages.create({ model: VERTEX_MODEL, max_tokens: 256, messages });
    expect(seen[0]!.path).toBe(`/v1/projects/acme-prod/locations/us-east5/publishers/anthropic/models/${VERTEX_MODEL}:rawPredict`);
    expect(seen[0]!.headers.authorization).toBe('Bearer ya29.test-access-token');
    // Vertex takes the API version and the model from the body and the path, not from headers.
    expect(seen[0]!.body.anthropic_version).toEqual(expect.any(String));
    expect(seen[0]!.body.model).toBeUndefined();
    const [span] = await h.callSpans();
    expect(span!.attributes).toMatchObject({ 'gen_ai.provider.name': 'gcp.vertex_ai', 'gen_ai.request.model': VERTEX_MODEL, 'gen_ai.response.model': body.model, 'genai_usage.service_tier': 'default' });
    const [record] = await h.waitForRecords(1);
    const expected = estimateCost({ provider: 'gcp.vertex_ai', model: body.model, inputTokens: body.usage.input_tokens, outputTokens: body.usage.output_tokens });
    expect(record).toMatchObject({ provider: 'gcp.vertex_ai', inputTokens: body.usage.input_tokens, outputTokens: body.usage.output_tokens, costSource: 'table', costUsd: expected.costUsd });
  });

  it('messages.stream(): :streamRawPredict, SSE as from Anthropic; recorded once', async () => {
    queue.push({ contentType: 'text/event-stream', body: fixture('anthropic/message-stream').sse! });
    const final = await vertex().messages.stream({ model: VERTEX_MODEL, max_tokens: 256, messages }).finalMessage();
    expect(seen[0]!.path).toBe(`/v1/projects/acme-prod/locations/us-east5/publishers/anthropic/models/${VERTEX_MODEL}:streamRawPredict`);
    const [record] = await h.waitForRecords(1);
    expect(h.records).toHaveLength(1);
    expect(record).toMatchObject({ provider: 'gcp.vertex_ai', streaming: true, outputTokens: final.usage.output_tokens });
  });
});
