import { AttributeSet, emptyObject, toAttributeValue, ValueBudget, type Plain } from './attribute-values.js';
import { OtlpDecodeError, type DecodedSpan } from './decoded-span.js';

type Obj = Record<string, unknown>;

/**
 * Decodes an OTLP/JSON ExportTraceServiceRequest as the OTLP spec encodes it: lowerCamelCase
 * keys (the proto field names are accepted too, as the proto3 JSON mapping requires), trace
 * and span ids in hex, 64-bit integers as decimal strings or numbers, enums as integers.
 * @throws OtlpDecodeError naming the path of the first malformed field.
 */
export function decodeJsonSpans(text: string): DecodedSpan[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new OtlpDecodeError(`invalid JSON: ${(error as Error).message}`);
  }
  const request = object(body, '$');
  const out: DecodedSpan[] = [];
  array(field(request, 'resourceSpans', 'resource_spans'), '$.resourceSpans').forEach((rsRaw, i) => {
    const rsPath = `$.resourceSpans[${i}]`;
    const rs = object(rsRaw, rsPath);
    const resourceRaw = field(rs, 'resource');
    const resource = resourceRaw === undefined || resourceRaw === null ? new AttributeSet() : keyValues(field(object(resourceRaw, `${rsPath}.resource`), 'attributes'), `${rsPath}.resource.attributes`);
    array(field(rs, 'scopeSpans', 'scope_spans'), `${rsPath}.scopeSpans`).forEach((ssRaw, j) => {
      const ssPath = `${rsPath}.scopeSpans[${j}]`;
      const ss = object(ssRaw, ssPath);
      const scope = field(ss, 'scope');
      const scopeName = scope && typeof scope === 'object' ? optionalString(field(scope as Obj, 'name'), `${ssPath}.scope.name`) : '';
      array(field(ss, 'spans'), `${ssPath}.spans`).forEach((spanRaw, k) => out.push(decodeSpan(spanRaw, `${ssPath}.spans[${k}]`, resource, scopeName)));
    });
  });
  return out;
}

function decodeSpan(raw: unknown, path: string, resource: AttributeSet, scopeName: string): DecodedSpan {
  const span = object(raw, path);
  const status = field(span, 'status');
  const attributes = keyValues(field(span, 'attributes'), `${path}.attributes`);
  return {
    traceId: hexId(field(span, 'traceId', 'trace_id'), `${path}.traceId`),
    spanId: hexId(field(span, 'spanId', 'span_id'), `${path}.spanId`),
    name: optionalString(field(span, 'name'), `${path}.name`),
    startNanos: int64(field(span, 'startTimeUnixNano', 'start_time_unix_nano'), `${path}.startTimeUnixNano`),
    endNanos: int64(field(span, 'endTimeUnixNano', 'end_time_unix_nano'), `${path}.endTimeUnixNano`),
    statusCode: status && typeof status === 'object' ? statusCode(field(status as Obj, 'code'), `${path}.status.code`) : 0,
    attributes: attributes.values,
    resource: resource.values,
    scopeName,
    attributesSetAside: attributes.setAside,
    resourceSetAside: resource.setAside,
  };
}

function keyValues(raw: unknown, path: string): AttributeSet {
  const set = new AttributeSet();
  array(raw, path).forEach((kvRaw, i) => {
    const kv = object(kvRaw, `${path}[${i}]`);
    const key = field(kv, 'key');
    const value = field(kv, 'value');
    if (typeof key !== 'string' || key === '') throw new OtlpDecodeError(`${path}[${i}].key must be a non-empty string`);
    if (value === undefined || value === null) return;
    const valuePath = `${path}[${i}].value`;
    if (typeof value === 'object' && ('arrayValue' in value || 'array_value' in value || 'kvlistValue' in value || 'kvlist_value' in value)) {
      set.add(key, () => toAttributeValue(anyValue(value, valuePath, 0, undefined)));
    } else set.set(key, toAttributeValue(anyValue(value, valuePath, 0, undefined)));
  });
  return set;
}

/**
 * An OTLP/JSON AnyValue → a plain value, walked once with a budget ({@link ValueBudget}) from
 * the first array or key-value list down: a value nested too deep or too large stops the
 * walk there. A malformed field anywhere is an OtlpDecodeError for the whole request.
 */
function anyValue(raw: unknown, path: string, depth: number, budget: ValueBudget | undefined): Plain | undefined {
  const v = object(raw, path);
  const leaf = (value: Plain): Plain => (budget ? budget.leaf(value) : value);
  if ('stringValue' in v || 'string_value' in v) return leaf(optionalString(field(v, 'stringValue', 'string_value'), `${path}.stringValue`));
  if ('boolValue' in v || 'bool_value' in v) {
    const b = field(v, 'boolValue', 'bool_value');
    if (typeof b !== 'boolean') throw new OtlpDecodeError(`${path}.boolValue must be true or false`);
    return leaf(b);
  }
  if ('intValue' in v || 'int_value' in v) {
    const n = int64(field(v, 'intValue', 'int_value'), `${path}.intValue`);
    return leaf(n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString());
  }
  if ('doubleValue' in v || 'double_value' in v) return leaf(double(field(v, 'doubleValue', 'double_value'), `${path}.doubleValue`));
  if ('bytesValue' in v || 'bytes_value' in v) return leaf(optionalString(field(v, 'bytesValue', 'bytes_value'), `${path}.bytesValue`));
  if ('arrayValue' in v || 'array_value' in v) {
    const b = budget ?? new ValueBudget();
    b.enter(depth + 1);
    const list = array(field(object(field(v, 'arrayValue', 'array_value'), `${path}.arrayValue`), 'values'), `${path}.arrayValue.values`);
    return list.map((item, i) => anyValue(item, `${path}.arrayValue.values[${i}]`, depth + 1, b) ?? null);
  }
  if ('kvlistValue' in v || 'kvlist_value' in v) {
    const b = budget ?? new ValueBudget();
    b.enter(depth + 1);
    const list = array(field(object(field(v, 'kvlistValue', 'kvlist_value'), `${path}.kvlistValue`), 'values'), `${path}.kvlistValue.values`);
    const out = emptyObject();
    list.forEach((kvRaw, i) => {
      const itemPath = `${path}.kvlistValue.values[${i}]`;
      const kv = object(kvRaw, itemPath);
      const key = field(kv, 'key');
      const value = field(kv, 'value');
      if (typeof key !== 'string' || key === '') throw new OtlpDecodeError(`${itemPath}.key must be a non-empty string`);
      if (value === undefined || value === null) return;
      b.spend(key.length + 3);
      const item = anyValue(value, `${itemPath}.value`, depth + 1, b);
      if (item !== undefined) out[key] = item;
    });
    return out;
  }
  return undefined;
}

function field(obj: Obj, camel: string, snake?: string): unknown {
  const value = obj[camel];
  return value === undefined && snake !== undefined ? obj[snake] : value;
}

function object(value: unknown, path: string): Obj {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new OtlpDecodeError(`${path} must be an object`);
  return value as Obj;
}

/** Missing and null repeated fields are empty, as in protobuf. */
function array(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpDecodeError(`${path} must be an array`);
  return value;
}

function optionalString(value: unknown, path: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new OtlpDecodeError(`${path} must be a string`);
  return value;
}

/** Ids are hex in OTLP/JSON (not base64, unlike the generic proto3 mapping). */
function hexId(value: unknown, path: string): string {
  const text = optionalString(value, path);
  if (text !== '' && !/^[0-9a-fA-F]*$/.test(text)) throw new OtlpDecodeError(`${path} must be hex, got ${JSON.stringify(text.slice(0, 40))}`);
  return text.toLowerCase();
}

function int64(value: unknown, path: string): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value.trim())) return BigInt(value.trim());
  throw new OtlpDecodeError(`${path} must be an integer (a number or a decimal string), got ${JSON.stringify(value)}`);
}

/** proto3 JSON allows "NaN", "Infinity" and numeric strings for doubles. */
function double(value: unknown, path: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  if (value === 'NaN') return Number.NaN;
  throw new OtlpDecodeError(`${path} must be a number, got ${JSON.stringify(value)}`);
}

const STATUS_NAMES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

function statusCode(value: unknown, path: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && value in STATUS_NAMES) return STATUS_NAMES[value] as number;
  throw new OtlpDecodeError(`${path} must be 0, 1 or 2, got ${JSON.stringify(value)}`);
}
