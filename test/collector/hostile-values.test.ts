// Issue 10 items 4, 5 (NUL) and 7: hostile attribute values and impossible counts are rejected
// per span with a reason, in OTLP/JSON and protobuf alike, and never stored.
import { join } from 'node:path';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as A from '../../src/semconv.js';
import { startTestCollector, tempDir, type TestCollector } from './harness.js';
import { arrayDeep, int, jsonBody, kv, kvlistDeep, newSpanId, protoBody, request, str, type KeyValue, type OtlpRequest } from './otlp-bodies.js';

const tmp = tempDir('genai-usage-collector-hostile-');
let collector: TestCollector;

beforeAll(async () => {
  collector = await startTestCollector(`sqlite:${join(tmp.dir, 'hostile.db')}`);
});
afterAll(async () => {
  await collector.close();
  tmp.cleanup();
});

type Encoding = 'json' | 'protobuf';

interface Outcome {
  status: number;
  rejected: number;
  message: string;
}

async function post(encoding: Encoding, req: OtlpRequest): Promise<Outcome> {
  const body = encoding === 'json' ? jsonBody(req) : protoBody(req);
  const contentType = encoding === 'json' ? 'application/json' : 'application/x-protobuf';
  const res = await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': contentType }, body });
  if (encoding === 'json') {
    const json = (await res.json()) as { partialSuccess?: { rejectedSpans?: string; errorMessage?: string } };
    return { status: res.status, rejected: Number(json.partialSuccess?.rejectedSpans ?? 0), message: json.partialSuccess?.errorMessage ?? '' };
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  const decoded = res.status === 200 ? ProtobufTraceSerializer.deserializeResponse(bytes) : undefined;
  return { status: res.status, rejected: Number(decoded?.partialSuccess?.rejectedSpans ?? 0), message: decoded?.partialSuccess?.errorMessage ?? '' };
}

/** Posts one bad span beside one good span; returns the outcome and whether each was stored. */
async function badBesideGood(encoding: Encoding, bad: KeyValue[], resource?: KeyValue[]): Promise<Outcome & { badStored: boolean; goodStored: boolean }> {
  const badId = newSpanId();
  const goodId = newSpanId();
  const req = request([{ spanId: badId, attributes: bad }, { spanId: goodId }], resource);
  const outcome = await post(encoding, req);
  const stored = new Set((await collector.deps.store.records({ limit: 100_000 })).map((r) => r.spanId));
  return { ...outcome, badStored: stored.has(badId), goodStored: stored.has(goodId) };
}

describe.each<Encoding>(['json', 'protobuf'])('hostile values over %s', (encoding) => {
  it('a key-value list nested 26 deep in user.id is rejected with the depth limit; the other span is stored', async () => {
    const out = await badBesideGood(encoding, [kv(A.ATTR_USER_ID, kvlistDeep(26))]);
    expect(out).toMatchObject({ status: 200, rejected: 1, badStored: false, goodStored: true });
    expect(out.message).toMatch(/attribute user\.id is nested deeper than 8 levels/);
  });

  it('an array nested 52 deep in user.id is rejected, not stored as megabytes of escaped text', async () => {
    const out = await badBesideGood(encoding, [kv(A.ATTR_USER_ID, arrayDeep(52))]);
    expect(out).toMatchObject({ status: 200, rejected: 1, badStored: false, goodStored: true });
    expect(out.message).toMatch(/user\.id is nested deeper than 8 levels/);
  });

  it('nesting a thousand levels deep costs nothing more: the value is skipped by its length, the span rejected', async () => {
    const out = await badBesideGood(encoding, [kv(A.ATTR_USER_ID, kvlistDeep(1000))]);
    expect(out).toMatchObject({ status: 200, rejected: 1, badStored: false, goodStored: true });
    expect(out.message).toMatch(/user\.id is nested deeper than 8 levels/);
  });

  it('nesting within the limit is flattened to JSON once (no escaping per level)', async () => {
    const spanId = newSpanId();
    const out = await post(encoding, request([{ spanId, attributes: [kv(`${A.ATTR_TAG_PREFIX}shape`, kvlistDeep(3))] }]));
    expect(out).toMatchObject({ status: 200, rejected: 0 });
    const [record] = await collector.deps.store.records({ tags: { shape: '{"k":{"k":{"k":"x","s":"\\"quoted\\""},"s":"\\"quoted\\""},"s":"\\"quoted\\""}' } });
    expect(record?.spanId).toBe(spanId);
  });

  it('a too-deep value on an attribute the mapping does not read is dropped and the call is stored', async () => {
    const out = await badBesideGood(encoding, [kv('app.payload', kvlistDeep(40))]);
    expect(out).toMatchObject({ status: 200, rejected: 0, badStored: true, goodStored: true });
  });

  it('a tag whose flattened value exceeds 65536 characters is rejected', async () => {
    const wide = { kvlistValue: { values: Array.from({ length: 8000 }, (_, i) => kv(`key-${i}`, str('value'))) } };
    const out = await badBesideGood(encoding, [kv(`${A.ATTR_TAG_PREFIX}blob`, wide)]);
    expect(out).toMatchObject({ status: 200, rejected: 1, badStored: false });
    expect(out.message).toMatch(/genai_usage\.tag\.blob is larger than 65536 characters/);
  });

  it('a too-deep resource service.name rejects the spans that would store it', async () => {
    const out = await badBesideGood(encoding, [], [kv(A.ATTR_SERVICE_NAME, kvlistDeep(12))]);
    expect(out).toMatchObject({ status: 200, rejected: 2, badStored: false, goodStored: false });
    expect(out.message).toMatch(/resource attribute service\.name is nested deeper/);
  });

  it('identity fields beyond 256 characters and more than 32 tags are rejected; at the limit they are stored', async () => {
    const long = await badBesideGood(encoding, [kv(A.ATTR_USER_ID, str('u'.repeat(257)))]);
    expect(long).toMatchObject({ rejected: 1, badStored: false, goodStored: true });
    expect(long.message).toMatch(/user\.id is 257 characters; the limit is 256/);
    const model = await badBesideGood(encoding, [kv(A.ATTR_GEN_AI_REQUEST_MODEL, str('m'.repeat(300)))]);
    expect(model.message).toMatch(/gen_ai\.request\.model is 300 characters/);
    const tags = await badBesideGood(encoding, Array.from({ length: 33 }, (_, i) => kv(`${A.ATTR_TAG_PREFIX}t${i}`, str('v'))));
    expect(tags).toMatchObject({ rejected: 1, badStored: false });
    expect(tags.message).toMatch(/33 tags .*the limit is 32/);
    const atLimit = await badBesideGood(encoding, [kv(A.ATTR_USER_ID, str('u'.repeat(256)))]);
    expect(atLimit).toMatchObject({ rejected: 0, badStored: true });
  });

  it('NUL and unpaired surrogates in stored text are rejected (both engines would disagree on them)', async () => {
    const nul = await badBesideGood(encoding, [kv(A.ATTR_USER_ID, str('u-\u0000-x'))]);
    expect(nul).toMatchObject({ rejected: 1, badStored: false, goodStored: true });
    expect(nul.message).toMatch(/user\.id contains NUL \(U\+0000\)/);
    const tagNul = await badBesideGood(encoding, [kv(`${A.ATTR_TAG_PREFIX}f\u0000`, str('v'))]);
    expect(tagNul.message).toMatch(/tag key .*contains NUL/);
  });

  it('impossible token counts are rejected with the rule they break', async () => {
    const cases: Array<[KeyValue[], RegExp]> = [
      [[kv(A.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, int(1e9))], /cache_read\.input_tokens must be an integer from 0 to 100000000/],
      [[kv(A.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, int(8)), kv(A.ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS, int(3))], /cache read \(8\) \+ cache write \(3\) tokens exceed the input tokens \(10\)/],
      [[kv(A.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, int(6))], /reasoning tokens \(6\) exceed the output tokens \(5\)/],
      [[kv(A.ATTR_GEN_AI_USAGE_INPUT_TOKENS, int(200_000_000))], /input_tokens must be an integer from 0 to 100000000/],
    ];
    for (const [attributes, reason] of cases) {
      const out = await badBesideGood(encoding, attributes);
      expect(out, String(reason)).toMatchObject({ rejected: 1, badStored: false, goodStored: true });
      expect(out.message).toMatch(reason);
    }
    const ok = await badBesideGood(encoding, [
      kv(A.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, int(6)),
      kv(A.ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS, int(4)),
      kv(A.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, int(5)),
    ]);
    expect(ok).toMatchObject({ rejected: 0, badStored: true });
  });
});

describe('encoding-specific hostile text', () => {
  it('an unpaired surrogate escaped in OTLP/JSON is rejected', async () => {
    const spanId = newSpanId();
    const text = jsonBody(request([{ spanId, attributes: [kv(A.ATTR_USER_ID, str('SURROGATE'))] }])).replace('SURROGATE', 'u-\\ud800');
    const res = await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
    const json = (await res.json()) as { partialSuccess?: { rejectedSpans?: string; errorMessage?: string } };
    expect(json.partialSuccess?.rejectedSpans).toBe('1');
    expect(json.partialSuccess?.errorMessage).toMatch(/user\.id contains an unpaired UTF-16 surrogate/);
  });

  it('invalid UTF-8 in a protobuf string is stored as U+FFFD, never as broken text', async () => {
    const spanId = newSpanId();
    const body = Buffer.from(protoBody(request([{ spanId, attributes: [kv(A.ATTR_USER_ID, str('u-ZZ'))] }])));
    // Same length: overwrite "ZZ" with bytes that are not UTF-8.
    const at = body.indexOf('u-ZZ');
    body[at + 2] = 0xff;
    body[at + 3] = 0xc3;
    const res = await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
    expect(res.status).toBe(200);
    const [record] = await collector.deps.store.records({ limit: 1000 }).then((rs) => rs.filter((r) => r.spanId === spanId));
    expect(record?.userId).toMatch(/^u-\uFFFD+$/);
  });
});
