import protobuf from 'protobufjs';

/**
 * The part of the official OTLP protobuf schema (opentelemetry-proto, collector/trace/v1,
 * trace/v1, common/v1, resource/v1, and google.rpc.Status) that trace ingest reads, as a
 * protobufjs descriptor. Field numbers and types are the official ones; fields we do not
 * read (events, links, trace_state, flags, schema urls, dropped counts) are left out, and
 * protobufjs skips them on the wire as unknown fields, as proto3 requires.
 */
const DESCRIPTOR = {
  nested: {
    otlp: {
      nested: {
        ExportTraceServiceRequest: { fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } } },
        ExportTraceServiceResponse: { fields: { partialSuccess: { type: 'ExportTracePartialSuccess', id: 1 } } },
        ExportTracePartialSuccess: {
          fields: { rejectedSpans: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } },
        },
        ResourceSpans: {
          fields: { resource: { type: 'Resource', id: 1 }, scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 } },
        },
        Resource: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
        ScopeSpans: {
          fields: { scope: { type: 'InstrumentationScope', id: 1 }, spans: { rule: 'repeated', type: 'Span', id: 2 } },
        },
        InstrumentationScope: { fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 } } },
        Span: {
          fields: {
            traceId: { type: 'bytes', id: 1 },
            spanId: { type: 'bytes', id: 2 },
            name: { type: 'string', id: 5 },
            kind: { type: 'int32', id: 6 },
            startTimeUnixNano: { type: 'fixed64', id: 7 },
            endTimeUnixNano: { type: 'fixed64', id: 8 },
            attributes: { rule: 'repeated', type: 'KeyValue', id: 9 },
            status: { type: 'Status', id: 15 },
          },
        },
        Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
        KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
        AnyValue: {
          oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
          fields: {
            stringValue: { type: 'string', id: 1 },
            boolValue: { type: 'bool', id: 2 },
            intValue: { type: 'int64', id: 3 },
            doubleValue: { type: 'double', id: 4 },
            arrayValue: { type: 'ArrayValue', id: 5 },
            kvlistValue: { type: 'KeyValueList', id: 6 },
            bytesValue: { type: 'bytes', id: 7 },
          },
        },
        ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
        KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
        /** google.rpc.Status: the body of OTLP/HTTP error responses. */
        RpcStatus: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } } },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(DESCRIPTOR);
const RequestType = root.lookupType('otlp.ExportTraceServiceRequest');
const ResponseType = root.lookupType('otlp.ExportTraceServiceResponse');
const StatusType = root.lookupType('otlp.RpcStatus');

/** An int64/fixed64 as protobufjs decodes it: a Long when `long` is installed, else a number. */
export type WireInt = number | { low: number; high: number; unsigned?: boolean } | null | undefined;

export interface PbAnyValue {
  value?: string;
  stringValue?: string;
  boolValue?: boolean;
  intValue?: WireInt;
  doubleValue?: number;
  arrayValue?: { values?: PbAnyValue[] };
  kvlistValue?: { values?: PbKeyValue[] };
  bytesValue?: Uint8Array;
}
export interface PbKeyValue {
  key?: string;
  value?: PbAnyValue | null;
}
export interface PbSpan {
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  name?: string;
  startTimeUnixNano?: WireInt;
  endTimeUnixNano?: WireInt;
  attributes?: PbKeyValue[];
  status?: { code?: number } | null;
}
export interface PbRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: PbKeyValue[] } | null;
    scopeSpans?: Array<{ scope?: { name?: string } | null; spans?: PbSpan[] }>;
  }>;
}

/**
 * Decodes a binary ExportTraceServiceRequest.
 * @throws Error (protobufjs) on a truncated or malformed message.
 */
export function decodeTraceRequest(body: Uint8Array): PbRequest {
  return RequestType.decode(body) as unknown as PbRequest;
}

/**
 * Encodes an ExportTraceServiceRequest given as a plain object in protobufjs form (camelCase
 * fields, ids as bytes, a oneof set by its field name). For tests and fuzzing, which need
 * shapes the OpenTelemetry SDK never produces (nested values, wrong types).
 */
export function encodeTraceRequest(message: Record<string, unknown>): Uint8Array {
  return RequestType.encode(RequestType.fromObject(message)).finish();
}

/** A binary ExportTraceServiceResponse; partial_success only when something was rejected. */
export function encodeTraceResponse(rejectedSpans: number, errorMessage: string): Uint8Array {
  const message = rejectedSpans > 0 || errorMessage ? { partialSuccess: { rejectedSpans, errorMessage } } : {};
  return ResponseType.encode(ResponseType.create(message)).finish();
}

/** A binary google.rpc.Status for an error response. */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  return StatusType.encode(StatusType.create({ code, message })).finish();
}

/** Exact bigint of a decoded (u)int64: timestamps in ns exceed 2^53. */
export function wireIntToBigInt(value: WireInt): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  const big = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  // A signed Long with the top bit set is negative (two's complement).
  return !value.unsigned && value.high < 0 ? big - (1n << 64n) : big;
}

/** A decoded int64 attribute: a number when it fits exactly, else its decimal string. */
export function wireIntToAttribute(value: WireInt): number | string {
  if (typeof value === 'number') return value;
  if (value === null || value === undefined) return 0;
  // Fast path: Longs within +-2^31 carry everything in `low`.
  if ((value.high === 0 && value.low >= 0) || (value.high === -1 && value.low < 0 && !value.unsigned)) return value.low;
  const big = wireIntToBigInt(value);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
}
