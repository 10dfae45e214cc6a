import type { AttributeValue, HrTime } from '@opentelemetry/api';

/**
 * The part of a finished span that the usage mapping reads. A `ReadableSpan` from the
 * OpenTelemetry SDK satisfies it; the collector builds it from OTLP spans.
 */
export interface SpanLike {
  readonly name: string;
  readonly attributes: Readonly<Record<string, AttributeValue | undefined>>;
  readonly startTime: HrTime;
  readonly duration: HrTime;
  readonly status: { readonly code: number };
  spanContext(): { readonly traceId: string; readonly spanId: string };
  readonly resource?: { readonly attributes: Readonly<Record<string, AttributeValue | undefined>>; readonly asyncAttributesPending?: boolean };
  readonly instrumentationScope?: { readonly name: string };
}
