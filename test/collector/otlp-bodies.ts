// OTLP request bodies built by hand, for shapes the OpenTelemetry SDK never produces (nested
// values, NUL, impossible counts): the same plain request encoded as OTLP/JSON or protobuf.
import { randomBytes } from 'node:crypto';
import protobuf from 'protobufjs';
import { encodeTraceRequest } from '../../src/collector/otlp-proto.js';
import * as A from '../../src/semconv.js';

/** An OTLP AnyValue in the shape both OTLP/JSON and protobufjs' fromObject take. */
export type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string | number }
  | { doubleValue: number }
  | { arrayValue: { values: AnyValue[] } }
  | { kvlistValue: { values: KeyValue[] } }
  | Record<string, never>;
export interface KeyValue {
  key: string;
  value: AnyValue;
}

export const str = (value: string): AnyValue => ({ stringValue: value });
export const int = (value: number): AnyValue => ({ intValue: String(value) });
export const kv = (key: string, value: AnyValue): KeyValue => ({ key, value });

/** `depth` levels of key-value lists around a string. */
export function kvlistDeep(depth: number): AnyValue {
  let value: AnyValue = str('x');
  for (let i = 0; i < depth; i++) value = { kvlistValue: { values: [kv('k', value), kv('s', str('"quoted"'))] } };
  return value;
}

/** `depth` levels of arrays around a string. */
export function arrayDeep(depth: number): AnyValue {
  let value: AnyValue = str('"x"');
  for (let i = 0; i < depth; i++) value = { arrayValue: { values: [value, str('\\')] } };
  return value;
}

export interface SpanSpec {
  /** Attributes replacing or adding to a valid chat call's (model m, 10 in, 5 out). */
  attributes?: KeyValue[];
  spanId?: string;
  traceId?: string;
}

/** A valid chat call span's attributes with `extra` replacing same-named ones. */
export function callAttributes(extra: KeyValue[] = []): KeyValue[] {
  const base = [
    kv(A.ATTR_GEN_AI_OPERATION_NAME, str('chat')),
    kv(A.ATTR_GEN_AI_PROVIDER_NAME, str('openai')),
    kv(A.ATTR_GEN_AI_REQUEST_MODEL, str('m')),
    kv(A.ATTR_GEN_AI_USAGE_INPUT_TOKENS, int(10)),
    kv(A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, int(5)),
  ];
  const keys = new Set(extra.map((e) => e.key));
  return [...base.filter((b) => !keys.has(b.key)), ...extra];
}

export const newTraceId = (): string => randomBytes(16).toString('hex');
export const newSpanId = (): string => randomBytes(8).toString('hex');

/** One ResourceSpans with these spans; ids are hex here and become bytes for protobuf. */
export function request(spans: SpanSpec[], resource: KeyValue[] = [kv(A.ATTR_SERVICE_NAME, str('hostile-test'))]) {
  const start = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: resource },
        scopeSpans: [
          {
            scope: { name: 'otlp-bodies' },
            spans: spans.map((s) => ({
              traceId: s.traceId ?? newTraceId(),
              spanId: s.spanId ?? newSpanId(),
              name: 'chat m',
              kind: 3,
              startTimeUnixNano: String(start),
              endTimeUnixNano: String(start + 250_000_000n),
              attributes: callAttributes(s.attributes),
            })),
          },
        ],
      },
    ],
  };
}

export type OtlpRequest = ReturnType<typeof request>;

export function jsonBody(req: OtlpRequest): string {
  return JSON.stringify(req);
}

/**
 * Protobuf encoding. protobufjs refuses to encode (and decode) more than 100 nested messages,
 * as protoc does; the encoder's limit is lifted here so tests can send what a hostile client
 * could (the collector's decoder keeps its own limit).
 */
export function protoBody(req: OtlpRequest): Uint8Array {
  const hexToBytes = (hex: string): Buffer => Buffer.from(hex, 'hex');
  const limit = protobuf.util.recursionLimit;
  protobuf.util.recursionLimit = 100_000;
  try {
    return encode();
  } finally {
    protobuf.util.recursionLimit = limit;
  }
  function encode(): Uint8Array {
    return encodeTraceRequest({
      resourceSpans: req.resourceSpans.map((rs) => ({
        ...rs,
        scopeSpans: rs.scopeSpans.map((ss) => ({ ...ss, spans: ss.spans.map((sp) => ({ ...sp, traceId: hexToBytes(sp.traceId), spanId: hexToBytes(sp.spanId) })) })),
      })),
    });
  }
}
