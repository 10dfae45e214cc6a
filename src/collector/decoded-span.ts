import { AttributeSet, emptyObject, toAttributeValue, ValueBudget, type Attributes, type Plain } from './attribute-values.js';
import { decodeTraceRequest, wireIntToAttribute, wireIntToBigInt, type PbAnyValue, type PbKeyValue } from './otlp-proto.js';

export type { Attributes } from './attribute-values.js';

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
  /** Attributes set aside for breaking SPAN_LIMITS (nesting, size): key → reason. */
  attributesSetAside?: Record<string, string> | undefined;
  resourceSetAside?: Record<string, string> | undefined;
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
        const attributes = keyValues(span.attributes);
        out.push({
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          name: span.name ?? '',
          startNanos: wireIntToBigInt(span.startTimeUnixNano),
          endNanos: wireIntToBigInt(span.endTimeUnixNano),
          statusCode: span.status?.code ?? 0,
          attributes: attributes.values,
          resource: resource.values,
          scopeName,
          attributesSetAside: attributes.setAside,
          resourceSetAside: resource.setAside,
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

function keyValues(list: PbKeyValue[] | undefined): AttributeSet {
  const set = new AttributeSet();
  if (!list) return set;
  for (const kv of list) {
    if (!kv.key || !kv.value) continue;
    const value = kv.value;
    // Primitives (nearly every attribute) skip the limit machinery.
    if (value.value !== 'arrayValue' && value.value !== 'kvlistValue') set.set(kv.key, toAttributeValue(anyValue(value, 0, undefined)));
    else set.add(kv.key, () => toAttributeValue(anyValue(value, 0, undefined)));
  }
  return set;
}

/**
 * OTLP AnyValue → a plain value, walked once with a budget ({@link ValueBudget}) from the
 * first array or key-value list down. Bytes become base64; an int64 beyond 2^53 stays a
 * decimal string so it is never rounded.
 */
function anyValue(v: PbAnyValue, depth: number, budget: ValueBudget | undefined): Plain | undefined {
  switch (v.value) {
    case 'stringValue':
      return leaf(v.stringValue ?? '', budget);
    case 'boolValue':
      return leaf(v.boolValue === true, budget);
    case 'intValue':
      return leaf(wireIntToAttribute(v.intValue), budget);
    case 'doubleValue':
      return leaf(v.doubleValue ?? 0, budget);
    case 'bytesValue':
      return leaf(Buffer.from(v.bytesValue ?? []).toString('base64'), budget);
    case 'arrayValue': {
      const b = budget ?? new ValueBudget();
      b.enter(depth + 1);
      return (v.arrayValue?.values ?? []).map((item) => anyValue(item, depth + 1, b) ?? null);
    }
    case 'kvlistValue': {
      const b = budget ?? new ValueBudget();
      b.enter(depth + 1);
      const out = emptyObject();
      for (const kv of v.kvlistValue?.values ?? []) {
        if (!kv.key || !kv.value) continue;
        b.spend(kv.key.length + 3);
        const item = anyValue(kv.value, depth + 1, b);
        if (item !== undefined) out[kv.key] = item;
      }
      return out;
    }
    default:
      return undefined;
  }
}

function leaf(value: Plain, budget: ValueBudget | undefined): Plain {
  return budget ? budget.leaf(value) : value;
}
