import type { AttributeValue, HrTime } from '@opentelemetry/api';
import type { PriceBook } from '../prices/price-book.js';
import * as A from '../semconv.js';
import type { SpanLike } from '../usage/span-like.js';
import { isGenAiCallSpan, readModels, readProvider, readTokens, spanToUsageRecord } from '../usage/span-to-record.js';
import type { UsageRecord } from '../usage/usage-record.js';
import type { DecodedSpan } from './decoded-span.js';

/** More tokens than any model's context in one call: a corrupt or hostile value, not usage. */
export const MAX_TOKENS_PER_CALL = 1_000_000_000;
/** A cost above this for one call is treated as corrupt. */
export const MAX_COST_USD_PER_CALL = 100_000;
/** Calls longer than a day are corrupt timestamps, not calls. */
const MAX_DURATION_NS = 86_400n * 1_000_000_000n;
/** Start times before 2000-01-01 or after 2200-01-01 are corrupt. */
const MIN_START_NS = 946_684_800n * 1_000_000_000n;
const MAX_START_NS = 7_258_118_400n * 1_000_000_000n;

const TOKEN_ATTRIBUTES = [
  A.ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  A.ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
  A.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  A.ATTR_LLM_USAGE_CACHE_READ_INPUT_TOKENS,
  A.ATTR_LLM_USAGE_CACHE_CREATION_INPUT_TOKENS,
  A.ATTR_LLM_USAGE_REASONING_TOKENS,
];

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
 * OTLP spans → usage records through the one mapping (`spanToUsageRecord`). A call span
 * whose usage attributes are present but unusable (negative, fractional, non-numeric or
 * absurd token counts or cost; bad ids or times) is rejected rather than stored as 0,
 * which would under-count spend silently. Calls without a cost are priced from their
 * tokens like the in-process processor does.
 */
export function spansToRecords(spans: readonly DecodedSpan[], prices: PriceBook): SpanBatch {
  const batch: SpanBatch = { records: [], dropped: 0, rejected: 0, errors: [] };
  for (const span of spans) {
    if (!isGenAiCallSpan(span.attributes)) {
      batch.dropped++;
      continue;
    }
    const problem = validate(span);
    if (problem) {
      batch.rejected++;
      if (batch.errors.length < 3) batch.errors.push(`span ${span.spanId || '(no id)'}: ${problem}`);
      continue;
    }
    price(span.attributes, prices);
    const record = spanToUsageRecord(toSpanLike(span));
    if (record) batch.records.push(record);
    else batch.dropped++;
  }
  return batch;
}

function validate(span: DecodedSpan): string | undefined {
  if (!/^[0-9a-f]{32}$/.test(span.traceId) || /^0+$/.test(span.traceId)) return 'traceId must be 16 non-zero bytes';
  if (!/^[0-9a-f]{16}$/.test(span.spanId) || /^0+$/.test(span.spanId)) return 'spanId must be 8 non-zero bytes';
  if (span.startNanos < MIN_START_NS || span.startNanos > MAX_START_NS) return `startTimeUnixNano ${span.startNanos} is not between 2000 and 2200`;
  const duration = span.endNanos - span.startNanos;
  if (duration < 0n || duration > MAX_DURATION_NS) return `endTimeUnixNano must be within a day after startTimeUnixNano`;
  for (const key of TOKEN_ATTRIBUTES) {
    const value = span.attributes[key];
    if (value !== undefined && !validCount(value)) {
      return `${key} must be an integer from 0 to ${MAX_TOKENS_PER_CALL}, got ${JSON.stringify(value)}`;
    }
  }
  const cost = span.attributes[A.ATTR_COST_USD];
  if (cost !== undefined && !(typeof cost === 'number' && Number.isFinite(cost) && cost >= 0 && cost <= MAX_COST_USD_PER_CALL)) {
    return `${A.ATTR_COST_USD} must be a number from 0 to ${MAX_COST_USD_PER_CALL}, got ${JSON.stringify(cost)}`;
  }
  return undefined;
}

/** What the mapping's token reader accepts (numbers or numeric strings), within a sane bound. */
function validCount(value: AttributeValue): boolean {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= MAX_TOKENS_PER_CALL;
}

/** Mirrors GenAiUsageProcessor.onEnding: sets the cost attributes the mapping reads. */
function price(attrs: Record<string, AttributeValue>, prices: PriceBook): void {
  if (attrs[A.ATTR_COST_USD] !== undefined) return;
  const tokens = readTokens(attrs);
  if (tokens.input === undefined && tokens.output === undefined && attrs[A.ATTR_ERROR_TYPE] === undefined) return;
  const { requestModel, responseModel } = readModels(attrs);
  const estimate = prices.estimate({
    provider: readProvider(attrs),
    model: responseModel ?? requestModel,
    requestModel,
    inputTokens: tokens.input ?? 0,
    outputTokens: tokens.output ?? 0,
    cacheReadTokens: tokens.cacheRead,
    cacheWriteTokens: tokens.cacheWrite,
    reasoningTokens: tokens.reasoning,
  });
  attrs[A.ATTR_COST_SOURCE] = estimate.source;
  if (estimate.costUsd !== undefined) attrs[A.ATTR_COST_USD] = estimate.costUsd;
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

function text(value: AttributeValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
