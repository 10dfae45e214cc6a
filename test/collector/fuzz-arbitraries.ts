// fast-check arbitraries for the collector fuzz suite: hostile OTLP requests (structured, then
// encoded as OTLP/JSON and protobuf), byte-level mutations of valid bodies, odd headers, and
// hostile query strings for the read API.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import * as A from '../../src/semconv.js';
import { protoBody, type AnyValue, type KeyValue, type OtlpRequest } from './otlp-bodies.js';

/** Any UTF-16 code unit, lone surrogates and NUL included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** Strings a hostile sender would try: NUL, unpaired surrogates, control bytes, SQL, long ones. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: codeUnit, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('', '\u0000', 'u-\u0000-1', '\ud800', 'x\udc00', '\ud83d\ude00', "'; DROP TABLE genai_usage_records; --", '%00', '\\u0000', '__proto__', 'constructor'),
  },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 70_000 }).map((n) => 'w'.repeat(n)) },
);

const intValue = fc.oneof(
  fc.integer({ min: 0, max: 2_000 }).map(String),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
  fc.integer(),
);

/** An AnyValue tree; `nest` wraps one in `depth` levels of arrays and lists (beyond the limit of 8 too). */
const { anyValue } = fc.letrec<{ anyValue: AnyValue; keyValue: KeyValue }>((tie) => ({
  anyValue: fc.oneof(
    { depthSize: 'small', maxDepth: 6 },
    fc.record({ stringValue: hostileString }),
    fc.record({ boolValue: fc.boolean() }),
    fc.record({ intValue }),
    fc.record({ doubleValue: fc.double() }),
    fc.record({ arrayValue: fc.record({ values: fc.array(tie('anyValue'), { maxLength: 4 }) }) }),
    fc.record({ kvlistValue: fc.record({ values: fc.array(tie('keyValue'), { maxLength: 4 }) }) }),
    fc.constant({} as AnyValue),
  ),
  keyValue: fc.record({ key: hostileString, value: tie('anyValue') }),
}));

const deepValue = fc.tuple(fc.integer({ min: 1, max: 40 }), fc.boolean()).map(([depth, lists]) => {
  let value: AnyValue = { stringValue: 'x' };
  for (let i = 0; i < depth; i++) value = lists ? { kvlistValue: { values: [{ key: 'k', value }] } } : { arrayValue: { values: [value] } };
  return value;
});

const value = fc.oneof({ weight: 4, arbitrary: anyValue }, { weight: 1, arbitrary: deepValue });

const TOKEN_KEYS = [
  A.ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  A.ATTR_USAGE_AUDIO_INPUT_TOKENS,
];
const IDENTITY_KEYS = [
  A.ATTR_USER_ID,
  A.ATTR_GEN_AI_AGENT_NAME,
  A.ATTR_SESSION_ID,
  A.ATTR_GEN_AI_CONVERSATION_ID,
  A.ATTR_GROUP,
  A.ATTR_HANDOFF_CHAIN,
  A.ATTR_GEN_AI_REQUEST_MODEL,
  A.ATTR_GEN_AI_RESPONSE_MODEL,
  A.ATTR_GEN_AI_PROVIDER_NAME,
  A.ATTR_ERROR_TYPE,
  A.ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  A.ATTR_COST_USD,
  `${A.ATTR_TAG_PREFIX}feature`,
];

const count = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 5_000 }).map((n): AnyValue => ({ intValue: String(n) })) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 1e9, 2 ** 53, 1e15).map((n): AnyValue => ({ intValue: String(n) })) },
  { weight: 1, arbitrary: fc.double().map((d): AnyValue => ({ doubleValue: d })) },
  { weight: 1, arbitrary: hostileString.map((s): AnyValue => ({ stringValue: s })) },
);

const attribute: fc.Arbitrary<KeyValue> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ key: fc.constantFrom(...TOKEN_KEYS), value: count }) },
  { weight: 4, arbitrary: fc.record({ key: fc.constantFrom(...IDENTITY_KEYS), value: fc.oneof({ weight: 3, arbitrary: hostileString.map((s): AnyValue => ({ stringValue: s })) }, { weight: 1, arbitrary: value }) }) },
  { weight: 1, arbitrary: fc.record({ key: fc.oneof(hostileString, fc.constantFrom(A.ATTR_GEN_AI_OPERATION_NAME, A.ATTR_GEN_AI_SYSTEM, `${A.ATTR_TAG_PREFIX}x`)), value }) },
);

const hexId = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
const nowNs = BigInt(Date.now()) * 1_000_000n;
const oddTime = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String), fc.constantFrom('0', '-1', '1e3', ''));
/** Start and end: mostly a plausible call (so spans get stored), sometimes anything. */
const times = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(fc.integer({ min: -86_400_000, max: 86_400_000 }), fc.integer({ min: 0, max: 120_000_000 })).map(([startMs, durationUs]) => {
      const start = nowNs + BigInt(startMs) * 1_000_000n;
      return { startTimeUnixNano: String(start), endTimeUnixNano: String(start + BigInt(durationUs) * 1000n) };
    }),
  },
  { weight: 1, arbitrary: fc.record({ startTimeUnixNano: oddTime, endTimeUnixNano: oddTime }) },
);

const span = fc.record({
  traceId: fc.oneof({ weight: 6, arbitrary: hexId(16) }, { weight: 1, arbitrary: fc.constantFrom('', '0'.repeat(32), 'zz') }, { weight: 1, arbitrary: hexId(9) }),
  spanId: fc.oneof({ weight: 6, arbitrary: hexId(8) }, { weight: 1, arbitrary: fc.constantFrom('', '0'.repeat(16)) }, { weight: 1, arbitrary: hexId(3) }),
  name: hostileString,
  kind: fc.integer({ min: 0, max: 5 }),
  times,
  // Most spans are LLM calls, so the store side gets exercised too.
  callAttributes: fc.nat(4).map((n) => (n > 0 ? [{ key: A.ATTR_GEN_AI_OPERATION_NAME, value: { stringValue: 'chat' } }, { key: A.ATTR_GEN_AI_PROVIDER_NAME, value: { stringValue: 'openai' } }] : [])),
  extra: fc.array(attribute, { maxLength: 8 }),
});

/** A structured OTLP request: hostile in its values, well-formed in its shape. */
export const otlpRequest: fc.Arbitrary<OtlpRequest> = fc
  .record({
    resource: fc.array(fc.record({ key: fc.constantFrom(A.ATTR_SERVICE_NAME, 'host.name', '__proto__'), value }), { maxLength: 3 }),
    spans: fc.array(span, { minLength: 1, maxLength: 6 }),
  })
  .map(({ resource, spans }) => ({
    resourceSpans: [
      {
        resource: { attributes: resource },
        scopeSpans: [
          {
            scope: { name: 'fuzz' },
            spans: spans.map(({ callAttributes, extra, times: t, ...s }) => ({ ...s, ...t, attributes: [...callAttributes, ...extra] })),
          },
        ],
      },
    ],
  }));

/** Encodes as protobuf, or undefined for a value protobuf cannot carry (it is still sent as JSON). */
export function tryProto(req: OtlpRequest): Uint8Array | undefined {
  try {
    return protoBody(req);
  } catch {
    return undefined;
  }
}

/** A body with some bytes changed: truncated, bit-flipped, spliced, or a byte run repeated. */
export function mutate(body: Uint8Array): fc.Arbitrary<Buffer> {
  const n = Math.max(1, body.length);
  const bytes = Buffer.from(body);
  return fc.oneof(
    fc.integer({ min: 0, max: n - 1 }).map((at) => bytes.subarray(0, at)),
    fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 }).map((flips) => {
      const copy = Buffer.from(bytes);
      for (const [at, bit] of flips) copy[at] = (copy[at] ?? 0) ^ (1 << bit);
      return copy;
    }),
    fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.uint8Array({ maxLength: 16 })).map(([at, insert]) => Buffer.concat([bytes.subarray(0, at), insert, bytes.subarray(at)])),
    fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 2, max: 2000 })).map(([at, len, times]) =>
      Buffer.concat([bytes.subarray(0, at), Buffer.concat(Array.from({ length: times }, () => bytes.subarray(at, at + len))), bytes.subarray(at)]),
    ),
  );
}

const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 24 });

/** Content-Type and Content-Encoding headers, right, wrong and odd, and a body that may not match them. */
export const oddRequest = fc.record({
  contentType: fc.oneof(fc.constantFrom('application/json', 'application/x-protobuf', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', '', 'application/protobuf', 'multipart/form-data; boundary=x'), headerText),
  contentEncoding: fc.option(fc.oneof(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'GZIP', 'gzip, gzip', 'compress'), headerText), { nil: undefined }),
  body: fc.oneof(
    fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
    fc.constantFrom('{}', '{"resourceSpans":null}', '[]', 'null', '{"resourceSpans":[{"scopeSpans":[{"spans":[{}]}]}]}').map((t) => Buffer.from(t)),
    fc.uint8Array({ maxLength: 512 }).map((b) => gzipSync(b)),
  ),
});

const QUERY_NAMES = ['user', 'agent', 'group', 'model', 'provider', 'service', 'session', 'conversation', 'success', 'from', 'to', 'date', 'tag', 'order', 'limit', 'offset', 'groupBy', 'bucket', 'by', 'metric'];
const rawQueryValue = fc.oneof(
  hostileString.map((s) => {
    try {
      return encodeURIComponent(s);
    } catch {
      // Unpaired surrogates cannot be percent-encoded as UTF-8: send them as invalid escapes instead.
      return '%ED%A0%80';
    }
  }),
  fc.constantFrom('%00', '%ED%A0%80', '%ZZ', '%', '%C0%80', 'a%00b', '7d', '-1', '1e3', '99999999999999999999', 'user,model', 'hour', 'feature%3Dchat', '2025-02-30', 'true'),
);

/** A GET against the read API, health or metrics, with hostile parameters. */
export const queryRequest = fc.record({
  path: fc.oneof(
    fc.constantFrom('/api/v1/records', '/api/v1/aggregate', '/api/v1/top', '/api/v1/users', '/api/v1/agents', '/api/v1/sessions', '/api/v1/daily', '/metrics', '/readyz', '/api/v1/nope'),
    rawQueryValue.map((v) => `/api/v1/sessions/${v}`),
  ),
  params: fc.array(fc.tuple(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...QUERY_NAMES) }, { weight: 1, arbitrary: rawQueryValue }), rawQueryValue), { maxLength: 5 }),
});
