// The wire-level OTLP protobuf decoder agrees with the OTLP/JSON decoder on what the real
// OpenTelemetry serializers produce, and follows protobuf's rules where the SDK never goes.
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { decodeJsonSpans } from '../../src/collector/otlp-json.js';
import { decodeProtobufSpans } from '../../src/collector/otlp-protobuf.js';
import { encodeTraceRequest } from '../../src/collector/otlp-proto.js';
import { genAiSpans } from './harness.js';
import { kv, protoBody, request, str } from './otlp-bodies.js';

describe('OTLP protobuf decoding', () => {
  it('gives the same spans as the JSON decoder for what the OpenTelemetry SDK sends', () => {
    const spans = genAiSpans([
      { model: 'gpt-4o', input: 1200, output: 34, user: 'u-ü-1', session: 's-1', costUsd: 0.25, attributes: { 'app.list': ['a', 'b'], 'app.flag': true, 'app.big': 2 ** 40 } },
      { model: 'claude-haiku-4-5', provider: 'anthropic', input: 7, output: 1, agent: 'Triage', error: 'RateLimitError' },
    ]);
    const fromProto = decodeProtobufSpans(ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array);
    const fromJson = decodeJsonSpans(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)));
    expect(fromProto).toEqual(fromJson);
    expect(fromProto).toHaveLength(3);
    expect(fromProto[0]?.attributes).toMatchObject({ 'user.id': 'u-ü-1', 'app.list': ['a', 'b'], 'app.flag': true, 'app.big': 2 ** 40, 'gen_ai.usage.input_tokens': 1200 });
  });

  it('decodes every int64 exactly: numbers while exact, decimal text beyond 2^53', () => {
    const ints = ['0', '1', '-1', '2147483648', '-2147483649', '9007199254740991', '9007199254740992', '-9007199254740992', '9223372036854775807', '-9223372036854775808'];
    const req = request([{ attributes: ints.map((n, i) => ({ key: `i${i}`, value: { intValue: n } })) }]);
    const [span] = decodeProtobufSpans(protoBody(req));
    expect(ints.map((_, i) => span?.attributes[`i${i}`])).toEqual([0, 1, -1, 2147483648, -2147483649, 9007199254740991, '9007199254740992', '-9007199254740992', '9223372036854775807', '-9223372036854775808']);
  });

  it('keeps look-alike keys and non-ASCII text apart (short strings are recognised by their bytes)', () => {
    const keys = ['app.k1', 'app.k2', 'app.kk', 'app.ké', 'app.k1'];
    const req = request([{ attributes: keys.map((k, i) => kv(k, str(`v${i}-ø`))) }, { attributes: [kv('app.k2', str('second'))] }]);
    const [first, second] = decodeProtobufSpans(protoBody(req));
    expect(first?.attributes).toMatchObject({ 'app.k1': 'v4-ø', 'app.k2': 'v1-ø', 'app.kk': 'v2-ø', 'app.ké': 'v3-ø' });
    expect(second?.attributes['app.k2']).toBe('second');
  });

  it('reads a resource sent after its spans, merges repeated messages, and skips unknown fields', () => {
    const resource = encodeTraceRequest({ resourceSpans: [{ resource: { attributes: [kv('service.name', str('late'))] } }] });
    const spans = protoBody(request([{ attributes: [kv('app.x', str('1'))] }], []));
    // Concatenated requests merge; inside, take the ResourceSpans bodies and reorder them.
    const body = (bytes: Uint8Array) => Buffer.from(bytes).subarray(2 + (bytes[1]! >= 0x80 ? 1 : 0));
    const inner = Buffer.concat([body(spans), body(resource), Buffer.from([0x1a, 0x03, 0x61, 0x62, 0x63])]); // + field 3 (schema_url)
    const lengthVarint = (n: number): Buffer => {
      const out: number[] = [];
      while (n >= 0x80) out.push((n & 0x7f) | 0x80), (n >>>= 7);
      out.push(n);
      return Buffer.from(out);
    };
    const unknownTopLevel = Buffer.from([0x10, 0x05]); // field 2, varint: unknown in ExportTraceServiceRequest
    const decoded = decodeProtobufSpans(Buffer.concat([unknownTopLevel, Buffer.from([0x0a]), lengthVarint(inner.length), inner]));
    expect(decoded).toHaveLength(1);
    expect(decoded[0]?.resource).toEqual({ 'service.name': 'late' });
    expect(decoded[0]?.attributes['app.x']).toBe('1');
  });

  it('rejects truncated and malformed messages with a reason', () => {
    const body = protoBody(request([{}]));
    expect(() => decodeProtobufSpans(body.subarray(0, body.length - 3))).toThrow(/invalid OTLP protobuf ExportTraceServiceRequest: truncated/);
    expect(() => decodeProtobufSpans(Buffer.from([0x0b]))).toThrow(/unsupported wire type 3/);
    expect(() => decodeProtobufSpans(Buffer.from([0x00]))).toThrow(/field number 0/);
    expect(() => decodeProtobufSpans(Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))).toThrow(/varint longer than 10 bytes/);
  });
});
