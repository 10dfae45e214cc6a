import type { DecodedSpan } from './decoded-span.js';
import { decodeJsonSpans } from './otlp-json.js';
import { decodeProtobufSpans } from './otlp-protobuf.js';

/** The two OTLP/HTTP encodings of a trace export request. */
export type OtlpEncoding = 'protobuf' | 'json';

/**
 * A request body's spans, as ingest decodes them (and the journal again after a crash).
 * @throws OtlpDecodeError naming what is malformed.
 */
export function decodeOtlpSpans(encoding: OtlpEncoding, body: Buffer): DecodedSpan[] {
  return encoding === 'protobuf' ? decodeProtobufSpans(body) : decodeJsonSpans(body.toString('utf8'));
}
