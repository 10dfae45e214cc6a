import type { AttributeValue } from '@opentelemetry/api';
import { decodeTraceRequest, wireIntToAttribute, wireIntToBigInt, type PbAnyValue, type PbKeyValue } from './otlp-proto.js';

export type Attributes = Record<string, AttributeValue>;

/** One OTLP span, decoded from protobuf or JSON into the same plain shape. */
export interface DecodedSpan {
  /** Lower-case hex; '' when the wire value was missing. Validated later, per span. */
  traceId: string;
  spanId: string;
  name: string;
  startNanos: bigint;
  endNanos: bigint;
  statusCode: number;
  attributes: Attributes;
  /** Shared by the spans of one ResourceSpans. */
  resource: Attributes;
  scopeName: string;
}

/** A body that is not a valid OTLP message: answered with 400 and this reason. */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}

/** Decodes a binary OTLP ExportTraceServiceRequest. @throws OtlpDecodeError */
export function decodeProtobufSpans(body: Uint8Array): DecodedSpan[] {
  let request;
  try {
    request = decodeTraceRequest(body);
  } catch (error) {
    throw new OtlpDecodeError(`invalid OTLP protobuf ExportTraceServiceRequest: ${(error as Error).message}`);
  }
  const out: DecodedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = keyValues(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      const scopeName = ss.scope?.name ?? '';
      for (const span of ss.spans ?? []) {
        out.push({
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          name: span.name ?? '',
          startNanos: wireIntToBigInt(span.startTimeUnixNano),
          endNanos: wireIntToBigInt(span.endTimeUnixNano),
          statusCode: span.status?.code ?? 0,
          attributes: keyValues(span.attributes),
          resource,
          scopeName,
        });
      }
    }
  }
  return out;
}

function hex(bytes: Uint8Array | undefined): string {
  if (!bytes || bytes.length === 0) return '';
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function keyValues(list: PbKeyValue[] | undefined): Attributes {
  const out: Attributes = {};
  if (!list) return out;
  for (const kv of list) {
    if (!kv.key || !kv.value) continue;
    const value = anyValue(kv.value);
    if (value !== undefined) out[kv.key] = value;
  }
  return out;
}

/**
 * OTLP AnyValue → an OpenTelemetry attribute value. Arrays of one primitive type stay
 * arrays; nested arrays and key-value lists become JSON text (attributes cannot nest);
 * bytes become base64. An int64 beyond 2^53 stays a decimal string so it is never rounded.
 */
function anyValue(v: PbAnyValue): AttributeValue | undefined {
  switch (v.value) {
    case 'stringValue':
      return v.stringValue ?? '';
    case 'boolValue':
      return v.boolValue === true;
    case 'intValue':
      return wireIntToAttribute(v.intValue);
    case 'doubleValue':
      return v.doubleValue ?? 0;
    case 'bytesValue':
      return Buffer.from(v.bytesValue ?? []).toString('base64');
    case 'arrayValue':
      return primitiveArray((v.arrayValue?.values ?? []).map(anyValue));
    case 'kvlistValue':
      return JSON.stringify(keyValues(v.kvlistValue?.values));
    default:
      return undefined;
  }
}

/** Homogeneous arrays only, as the attribute API allows; anything else as JSON text. */
export function primitiveArray(values: Array<AttributeValue | undefined>): AttributeValue {
  const types = new Set(values.map((x) => typeof x));
  if (types.size <= 1 && (types.has('string') || types.has('number') || types.has('boolean') || types.size === 0)) {
    return values as string[];
  }
  return JSON.stringify(values);
}
