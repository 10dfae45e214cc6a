import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as A from '../../src/semconv.js';
import { exportSpans, expectSuccess, genAiSpans, otlpExporter, request, startTestCollector, tempDir, type TestCollector } from './harness.js';

const tmp = tempDir('genai-usage-collector-bad-');
const LIMIT = 64 * 1024;
let collector: TestCollector;

beforeAll(async () => {
  collector = await startTestCollector(`sqlite:${join(tmp.dir, 'bad.db')}`, { maxBodyBytes: LIMIT });
});
afterAll(async () => {
  await collector.close();
  tmp.cleanup();
});

// Bodies as the real OTLP serializers encode them.
const protoBody = (): Uint8Array => ProtobufTraceSerializer.serializeRequest(genAiSpans([{ model: 'gpt-4o', input: 5, output: 5 }])) as Uint8Array;
const jsonText = (spans = genAiSpans([{ model: 'gpt-4o', input: 5, output: 5 }])): string => new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans));
const post = (body: Uint8Array | string, contentType: string, headers: Record<string, string> = {}) =>
  request(collector.url, '/v1/traces', { method: 'POST', body, headers: { 'content-type': contentType, ...headers } });

describe('bad input gets its status and the collector stays up', () => {
  it('truncated protobuf → 400 with a google.rpc.Status naming the problem', async () => {
    const body = protoBody();
    const res = await post(body.subarray(0, body.length - 7), 'application/x-protobuf');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    expect(res.text).toContain('invalid OTLP protobuf');
  });

  it('unknown content type → 415, unknown content encoding → 415', async () => {
    const res = await post(jsonText(), 'text/plain');
    expect(res.status).toBe(415);
    expect(res.json.message).toMatch(/application\/x-protobuf or application\/json/);
    const br = await post(jsonText(), 'application/json', { 'content-encoding': 'br' });
    expect(br.status).toBe(415);
    expect(br.json.message).toMatch(/gzip, deflate, identity/);
  });

  it('invalid JSON and wrong JSON shapes → 400 naming where', async () => {
    const broken = await post('{"resourceSpans": [', 'application/json');
    expect(broken.status).toBe(400);
    expect(broken.json.message).toMatch(/^invalid JSON/);
    const shape = await post('{"resourceSpans": "nope"}', 'application/json');
    expect(shape.status).toBe(400);
    expect(shape.json.message).toBe('$.resourceSpans must be an array');
    const badInt = JSON.parse(jsonText());
    badInt.resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano = 'yesterday';
    const res = await post(JSON.stringify(badInt), 'application/json');
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/spans\[0\]\.startTimeUnixNano must be an integer/);
  });

  it('corrupt gzip → 400', async () => {
    const res = await post(Buffer.from('not gzip at all'), 'application/json', { 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/invalid gzip body/);
  });

  it('a body over the limit → 413, declared or streamed', async () => {
    const big = 'x'.repeat(LIMIT + 1);
    const declared = await post(big, 'application/json');
    expect(declared.status).toBe(413);
    // Chunked upload without Content-Length: the limit is enforced while reading.
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write('y'.repeat(8192));
      req.end();
    });
    expect(streamed).toBe(413);
  });

  it('a gzip bomb (small on the wire, huge decoded) → 413', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(LIMIT);
    const res = await post(bomb, 'application/json', { 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(res.json.message).toMatch(/gzip-decoded body exceeds the limit/);
  });

  it('wrong-typed, negative and absurd usage values are rejected per span (partial success), valid ones stored', async () => {
    const spans = genAiSpans([
      { model: 'ok-model', input: 7, output: 3, user: 'u-partial' },
      { model: 'neg', input: 0, output: 3, user: 'u-partial', attributes: { [A.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: -5 } },
      { model: 'str', input: 0, output: 3, user: 'u-partial', attributes: { [A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 'lots' } },
      { model: 'huge', input: 0, output: 3, user: 'u-partial', attributes: { [A.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 9e15 } },
      { model: 'frac', input: 0, output: 3, user: 'u-partial', attributes: { [A.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1.5 } },
      { model: 'cost', input: 1, output: 3, user: 'u-partial', attributes: { [A.ATTR_COST_USD]: -1 } },
      // A numeric string is how OTLP JSON carries int64: accepted.
      { model: 'numstr', input: 0, output: 3, user: 'u-partial', attributes: { [A.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: '42' } },
    ]);
    const res = await post(jsonText(spans), 'application/json');
    expect(res.status).toBe(200);
    expect(res.json.partialSuccess.rejectedSpans).toBe('5');
    expect(res.json.partialSuccess.errorMessage).toMatch(/gen_ai\.usage\.input_tokens must be an integer from 0 to 100000000, got -5/);
    const stored = await request(collector.url, '/api/v1/records?user=u-partial');
    expect(stored.json.records.map((r: any) => r.requestModel).sort()).toEqual(['numstr', 'ok-model']);
    expect(stored.json.records.find((r: any) => r.requestModel === 'numstr').inputTokens).toBe(42);
  });

  it('the protobuf response carries partial success too', async () => {
    const spans = genAiSpans([{ model: 'neg', input: 0, output: 3, attributes: { [A.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: -1 } }]);
    const res = await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array });
    expect(res.status).toBe(200);
    const decoded = ProtobufTraceSerializer.deserializeResponse(new Uint8Array(await res.arrayBuffer()));
    expect(Number(decoded.partialSuccess?.rejectedSpans)).toBe(1);
    expect(decoded.partialSuccess?.errorMessage).toMatch(/input_tokens/);
  });

  it('is still healthy and ingesting after all of the above', async () => {
    expect((await request(collector.url, '/healthz')).status).toBe(200);
    expect((await request(collector.url, '/readyz')).status).toBe(200);
    expectSuccess(await exportSpans(otlpExporter('protobuf', collector.url), genAiSpans([{ model: 'after', input: 1, output: 1 }])));
    expect((await request(collector.url, '/api/v1/records?model=after')).json.records).toHaveLength(1);
    expect(collector.deps.metrics.requestCount('traces', 413)).toBe(3);
  });
});
