import type { AttributeValue, HrTime } from '@opentelemetry/api';
import type { PriceBook } from '../prices/price-book.js';
import * as A from '../semconv.js';
import type { SpanLike } from '../usage/span-like.js';
import { costAttributes } from '../usage/price-span.js';
import { isGenAiCallSpan, spanToUsageRecord } from '../usage/span-to-record.js';
import type { UsageRecord } from '../usage/usage-record.js';
import type { DecodedSpan } from './decoded-span.js';
import { recordProblem, setAsideProblem, spanProblem } from './span-validation.js';

export interface SpanBatch {
  records: UsageRecord[];
  /** Spans that are not LLM calls: acknowledged and not stored. */
  dropped: number;
  /** LLM-call spans that cannot be stored truthfully (reported as partial success). */
  rejected: number;
  /** The first few reasons, for the partial-success error message. */
  errors: string[];
}

/**
 * OTLP spans → usage records through the one mapping (`spanToUsageRecord`). A call span that
 * cannot be stored truthfully is rejected with a reason rather than stored as something
 * else: unusable usage (negative, fractional, non-numeric or absurd counts, cached parts
 * larger than the input, reasoning larger than the output, a bad cost), bad ids or times,
 * a read attribute nested too deep or too large, or text beyond SPAN_LIMITS or with NUL or
 * unpaired surrogates. Calls without a cost are priced from their tokens like the
 * in-process processor does.
 */
export function spansToRecords(spans: readonly DecodedSpan[], prices: PriceBook): SpanBatch {
  const batch: SpanBatch = { records: [], dropped: 0, rejected: 0, errors: [] };
  const reject = (span: DecodedSpan, problem: string): void => {
    batch.rejected++;
    // Reasons quote what was sent: keep each one short.
    if (batch.errors.length < 3) batch.errors.push(`span ${span.spanId.slice(0, 16) || '(no id)'}: ${problem.length > 300 ? `${problem.slice(0, 300)}…` : problem}`);
  };
  for (const span of spans) {
    // Before the call check: an operation name set aside must not make a call look like another span.
    const aside = setAsideProblem(span, toSpanLike);
    if (aside) {
      reject(span, aside);
      continue;
    }
    if (!isGenAiCallSpan(span.attributes)) {
      batch.dropped++;
      continue;
    }
    const problem = spanProblem(span);
    if (problem) {
      reject(span, problem);
      continue;
    }
    price(span.attributes, prices);
    const record = spanToUsageRecord(toSpanLike(span));
    if (!record) {
      batch.dropped++;
      continue;
    }
    const textIssue = recordProblem(record);
    if (textIssue) reject(span, textIssue);
    else batch.records.push(record);
  }
  return batch;
}

/** Prices a call span without a cost, as the in-process processor does (one shared function). */
function price(attrs: Record<string, AttributeValue>, prices: PriceBook): void {
  const cost = costAttributes(attrs, prices);
  if (cost) Object.assign(attrs, cost);
}

function toSpanLike(span: DecodedSpan): SpanLike {
  const ids = { traceId: span.traceId, spanId: span.spanId };
  return {
    name: span.name,
    attributes: span.attributes,
    startTime: hrTime(span.startNanos),
    duration: hrTime(span.endNanos - span.startNanos),
    status: { code: span.statusCode },
    spanContext: () => ids,
    resource: { attributes: span.resource },
    instrumentationScope: { name: span.scopeName },
  };
}

function hrTime(nanos: bigint): HrTime {
  return [Number(nanos / 1_000_000_000n), Number(nanos % 1_000_000_000n)];
}
