import type { Attributes } from './attribute-values.js';

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
