import { AttributeSet, emptyObject, toAttributeValue, ValueBudget, ValueLimitError, type Plain } from './attribute-values.js';
import { OtlpDecodeError, type DecodedSpan } from './decoded-span.js';
import { ProtobufReader, WIRE, WireError } from './protobuf-reader.js';

/**
 * Decodes a binary OTLP ExportTraceServiceRequest straight from the wire into DecodedSpans.
 * Field numbers are those of the official schema (opentelemetry-proto collector/trace/v1,
 * trace/v1, common/v1, resource/v1); fields not read (events, links, trace state, flags,
 * schema URLs, dropped counts) and fields of an unexpected wire type are skipped, as proto3
 * requires of unknown fields. Repeated occurrences of a message field merge, as in protobuf.
 *
 * An attribute value nested deeper than the limit is skipped by its length, never descended
 * into, so nesting costs nothing however deep it goes and the span gets a reason per span.
 * @throws OtlpDecodeError on a truncated or malformed message.
 */
export function decodeProtobufSpans(body: Uint8Array): DecodedSpan[] {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const out: DecodedSpan[] = [];
  try {
    const r = new ProtobufReader(buf);
    while (r.more()) {
      const { field, wire } = r.tag();
      if (field === 1 && wire === WIRE.delimited) resourceSpans(buf, r.delimited(), out);
      else r.skip(wire);
    }
  } catch (error) {
    if (error instanceof WireError) throw new OtlpDecodeError(`invalid OTLP protobuf ExportTraceServiceRequest: ${error.message}`);
    throw error;
  }
  return out;
}

type Range = [start: number, end: number];

/** Fields of one message as ranges, by number: a parent may need a later field first. */
function fieldsOf(buf: Buffer, [start, end]: Range, wanted: readonly number[]): Map<number, Range[]> {
  const found = new Map<number, Range[]>();
  const r = new ProtobufReader(buf, start, end);
  while (r.more()) {
    const { field, wire } = r.tag();
    if (wire === WIRE.delimited && wanted.includes(field)) {
      const list = found.get(field);
      const range = r.delimited();
      if (list) list.push(range);
      else found.set(field, [range]);
    } else r.skip(wire);
  }
  return found;
}

/** ResourceSpans: 1 resource, 2 scope_spans. */
function resourceSpans(buf: Buffer, range: Range, out: DecodedSpan[]): void {
  const fields = fieldsOf(buf, range, [1, 2]);
  const resource = new AttributeSet();
  // Resource: 1 attributes.
  for (const res of fields.get(1) ?? []) for (const kv of fieldsOf(buf, res, [1]).get(1) ?? []) keyValue(buf, kv, resource);
  for (const scopeSpans of fields.get(2) ?? []) {
    const ss = fieldsOf(buf, scopeSpans, [1, 2]);
    let scopeName = '';
    // InstrumentationScope: 1 name.
    for (const scope of ss.get(1) ?? []) {
      const r = new ProtobufReader(buf, scope[0], scope[1]);
      while (r.more()) {
        const { field, wire } = r.tag();
        if (field === 1 && wire === WIRE.delimited) scopeName = r.string();
        else r.skip(wire);
      }
    }
    for (const s of ss.get(2) ?? []) out.push(span(buf, s, resource, scopeName));
  }
}

/** Span: 1 trace_id, 2 span_id, 5 name, 7/8 start/end (fixed64), 9 attributes, 15 status. */
function span(buf: Buffer, [start, end]: Range, resource: AttributeSet, scopeName: string): DecodedSpan {
  const attributes = new AttributeSet();
  const decoded: DecodedSpan = {
    traceId: '',
    spanId: '',
    name: '',
    startNanos: 0n,
    endNanos: 0n,
    statusCode: 0,
    attributes: attributes.values,
    resource: resource.values,
    scopeName,
    attributesSetAside: undefined,
    resourceSetAside: undefined,
  };
  const r = new ProtobufReader(buf, start, end);
  while (r.more()) {
    const { field, wire } = r.tag();
    if (wire === WIRE.delimited && (field === 1 || field === 2)) {
      const [s, e] = r.delimited();
      decoded[field === 1 ? 'traceId' : 'spanId'] = buf.toString('hex', s, e);
    } else if (field === 5 && wire === WIRE.delimited) decoded.name = r.string();
    else if ((field === 7 || field === 8) && wire === WIRE.fixed64) decoded[field === 7 ? 'startNanos' : 'endNanos'] = r.fixed64();
    else if (field === 9 && wire === WIRE.delimited) keyValue(buf, r.delimited(), attributes);
    else if (field === 15 && wire === WIRE.delimited) decoded.statusCode = statusCode(buf, r.delimited(), decoded.statusCode);
    else r.skip(wire);
  }
  decoded.attributesSetAside = attributes.setAside;
  decoded.resourceSetAside = resource.setAside;
  return decoded;
}

/** Status: 3 code (an enum: int32). */
function statusCode(buf: Buffer, [start, end]: Range, current: number): number {
  let code = current;
  const r = new ProtobufReader(buf, start, end);
  while (r.more()) {
    const { field, wire } = r.tag();
    if (field === 3 && wire === WIRE.varint) code = r.uint32() | 0;
    else r.skip(wire);
  }
  return code;
}

/** KeyValue: 1 key, 2 value. Without a key or a value it is skipped, as before. */
function keyValue(buf: Buffer, [start, end]: Range, into: AttributeSet): void {
  let key = '';
  let value: Range | undefined;
  const r = new ProtobufReader(buf, start, end);
  while (r.more()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE.delimited) key = r.string();
    else if (field === 2 && wire === WIRE.delimited) value = r.delimited();
    else r.skip(wire);
  }
  if (!key || !value) return;
  try {
    into.set(key, toAttributeValue(anyValue(buf, value, 0, undefined)));
  } catch (error) {
    if (!(error instanceof ValueLimitError)) throw error;
    into.setAsideValue(key, error.message);
  }
}

/**
 * AnyValue (a oneof; the last field present wins): 1 string, 2 bool, 3 int64, 4 double,
 * 5 ArrayValue, 6 KeyValueList, 7 bytes (as base64). Undefined when none is set.
 */
function anyValue(buf: Buffer, [start, end]: Range, depth: number, budget: ValueBudget | undefined): Plain | undefined {
  let value: Plain | undefined;
  const r = new ProtobufReader(buf, start, end);
  while (r.more()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE.delimited) value = r.string();
    else if (field === 2 && wire === WIRE.varint) value = r.uint32() !== 0;
    else if (field === 3 && wire === WIRE.varint) value = r.int64();
    else if (field === 4 && wire === WIRE.fixed64) value = r.double();
    else if (field === 7 && wire === WIRE.delimited) {
      const [s, e] = r.delimited();
      value = buf.toString('base64', s, e);
    } else if ((field === 5 || field === 6) && wire === WIRE.delimited) {
      const b = budget ?? new ValueBudget();
      // Throws past the depth limit: the nested bytes below are never read.
      b.enter(depth + 1);
      value = field === 5 ? arrayValue(buf, r.delimited(), depth + 1, b) : kvlistValue(buf, r.delimited(), depth + 1, b);
    } else r.skip(wire);
  }
  if (budget && value !== undefined && (value === null || typeof value !== 'object')) budget.leaf(value);
  return value;
}

/** ArrayValue: 1 values; an empty AnyValue inside is null. */
function arrayValue(buf: Buffer, [start, end]: Range, depth: number, budget: ValueBudget): Plain[] {
  const values: Plain[] = [];
  const r = new ProtobufReader(buf, start, end);
  while (r.more()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE.delimited) values.push(anyValue(buf, r.delimited(), depth, budget) ?? null);
    else r.skip(wire);
  }
  return values;
}

/** KeyValueList: 1 values (KeyValue); entries without a key or value are skipped. */
function kvlistValue(buf: Buffer, [start, end]: Range, depth: number, budget: ValueBudget): { [key: string]: Plain } {
  const out = emptyObject();
  const r = new ProtobufReader(buf, start, end);
  while (r.more()) {
    const { field, wire } = r.tag();
    if (field !== 1 || wire !== WIRE.delimited) {
      r.skip(wire);
      continue;
    }
    const kv = new ProtobufReader(buf, ...r.delimited());
    let key = '';
    let value: Range | undefined;
    while (kv.more()) {
      const t = kv.tag();
      if (t.field === 1 && t.wire === WIRE.delimited) key = kv.string();
      else if (t.field === 2 && t.wire === WIRE.delimited) value = kv.delimited();
      else kv.skip(t.wire);
    }
    if (!key || !value) continue;
    budget.spend(key.length + 3);
    const item = anyValue(buf, value, depth, budget);
    if (item !== undefined) out[key] = item;
  }
  return out;
}
