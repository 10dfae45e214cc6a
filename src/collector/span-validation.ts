import type { AttributeValue } from '@opentelemetry/api';
import * as A from '../semconv.js';
import type { SpanLike } from '../usage/span-like.js';
import { AI_SDK_TOKEN_ATTRIBUTES } from '../usage/ai-sdk-spans.js';
import { readTokens, spanToUsageRecord } from '../usage/span-to-record.js';
import type { UsageRecord } from '../usage/usage-record.js';
import type { DecodedSpan } from './decoded-span.js';
import { SPAN_LIMITS, textProblem } from './span-limits.js';

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
  A.ATTR_USAGE_CACHE_WRITE_1H_INPUT_TOKENS,
  A.ATTR_USAGE_AUDIO_INPUT_TOKENS,
  A.ATTR_USAGE_AUDIO_OUTPUT_TOKENS,
  A.ATTR_USAGE_IMAGE_INPUT_TOKENS,
  A.ATTR_USAGE_IMAGE_OUTPUT_TOKENS,
  A.ATTR_USAGE_WEB_SEARCH_REQUESTS,
  // The Vercel AI SDK's own names, read where a span has no semconv counts (usage/ai-sdk-spans.ts).
  ...AI_SDK_TOKEN_ATTRIBUTES,
];

/**
 * Why a call span's ids, times or usage cannot be stored truthfully, or undefined.
 * Counts are checked one by one, then against each other: the cached parts of the input
 * cannot exceed the input, nor reasoning the output (docs/schema.md, token semantics).
 */
export function spanProblem(span: DecodedSpan): string | undefined {
  if (!/^[0-9a-f]{32}$/.test(span.traceId) || /^0+$/.test(span.traceId)) return 'traceId must be 16 non-zero bytes';
  if (!/^[0-9a-f]{16}$/.test(span.spanId) || /^0+$/.test(span.spanId)) return 'spanId must be 8 non-zero bytes';
  if (span.startNanos < MIN_START_NS || span.startNanos > MAX_START_NS) return `startTimeUnixNano ${span.startNanos} is not between 2000 and 2200`;
  const duration = span.endNanos - span.startNanos;
  if (duration < 0n || duration > MAX_DURATION_NS) return `endTimeUnixNano must be within a day after startTimeUnixNano`;
  const attrs = span.attributes;
  for (const key of TOKEN_ATTRIBUTES) {
    const value = attrs[key];
    if (value !== undefined && !validCount(value)) return `${key} must be an integer from 0 to ${SPAN_LIMITS.maxTokens}, got ${JSON.stringify(value)}`;
  }
  const tokens = readTokens(attrs);
  const input = tokens.inputTokens ?? 0;
  if (tokens.cacheReadTokens + tokens.cacheWriteTokens > input) {
    return `cache read (${tokens.cacheReadTokens}) + cache write (${tokens.cacheWriteTokens}) tokens exceed the input tokens (${input}); they are parts of the input`;
  }
  if (tokens.reasoningTokens > (tokens.outputTokens ?? 0)) {
    return `reasoning tokens (${tokens.reasoningTokens}) exceed the output tokens (${tokens.outputTokens ?? 0}); they are part of the output`;
  }
  const cost = attrs[A.ATTR_COST_USD];
  if (cost !== undefined && !(typeof cost === 'number' && Number.isFinite(cost) && cost >= 0 && cost <= SPAN_LIMITS.maxCostUsd)) {
    return `${A.ATTR_COST_USD} must be a number from 0 to ${SPAN_LIMITS.maxCostUsd}, got ${JSON.stringify(cost)}`;
  }
  return undefined;
}

/** What the mapping's token reader accepts (numbers or numeric strings), within the bound. */
function validCount(value: AttributeValue): boolean {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= SPAN_LIMITS.maxTokens;
}

/** Where each stored text field comes from, for the reason given to the sender. */
const FIELD_SOURCES: Partial<Record<keyof UsageRecord, string>> = {
  serviceName: A.ATTR_SERVICE_NAME,
  provider: `${A.ATTR_GEN_AI_PROVIDER_NAME} (or ${A.ATTR_GEN_AI_SYSTEM})`,
  operation: A.ATTR_GEN_AI_OPERATION_NAME,
  requestModel: A.ATTR_GEN_AI_REQUEST_MODEL,
  responseModel: A.ATTR_GEN_AI_RESPONSE_MODEL,
  userId: A.ATTR_USER_ID,
  agentName: A.ATTR_GEN_AI_AGENT_NAME,
  handoffChain: A.ATTR_HANDOFF_CHAIN,
  group: A.ATTR_GROUP,
  sessionId: A.ATTR_SESSION_ID,
  conversationId: A.ATTR_GEN_AI_CONVERSATION_ID,
  errorType: A.ATTR_ERROR_TYPE,
  finishReason: A.ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
};
/** Validated as hex before the mapping runs. */
const ID_FIELDS: ReadonlySet<string> = new Set(['id', 'traceId', 'spanId']);

/**
 * Why a mapped record's text cannot be stored, or undefined: every text field (whatever its
 * name, so fields added later are covered too) and every tag within the limits, without NUL
 * or unpaired surrogates.
 */
export function recordProblem(record: UsageRecord): string | undefined {
  for (const field in record) {
    const value = record[field as keyof UsageRecord];
    if (typeof value !== 'string' || ID_FIELDS.has(field)) continue;
    const max = field === 'handoffChain' ? SPAN_LIMITS.maxHandoffChainChars : SPAN_LIMITS.maxTextChars;
    const problem = textProblem(value, max);
    if (problem) return `${FIELD_SOURCES[field as keyof UsageRecord] ?? field} ${problem}`;
  }
  let count = 0;
  for (const key in record.tags) {
    if (++count > SPAN_LIMITS.maxTags) return `${Object.keys(record.tags).length} tags (${A.ATTR_TAG_PREFIX}*); the limit is ${SPAN_LIMITS.maxTags}`;
    const value = record.tags[key] as string;
    const problem = textProblem(key, SPAN_LIMITS.maxTagKeyChars);
    if (problem) return `a tag key (${A.ATTR_TAG_PREFIX}…) ${problem}`;
    const valueProblem = textProblem(value, SPAN_LIMITS.maxTagValueChars);
    if (valueProblem) return `${A.ATTR_TAG_PREFIX}${key.slice(0, 64)} ${valueProblem}`;
  }
  return undefined;
}

/**
 * For a span with attributes set aside (too deep or too large): the reason when the mapping
 * would have read one of them, else undefined (the attribute is not stored, so it is just
 * dropped). The mapping runs once over recording proxies, so the answer is exact for this
 * span — including attributes read only in some cases — and needs no list of its own.
 */
export function setAsideProblem(span: DecodedSpan, toSpanLike: (span: DecodedSpan) => SpanLike): string | undefined {
  if (!span.attributesSetAside && !span.resourceSetAside) return undefined;
  const spanRead = new Set<string>();
  const resourceRead = new Set<string>();
  spanToUsageRecord(toSpanLike({ ...span, attributes: recording(span.attributes, spanRead), resource: recording(span.resource, resourceRead) }));
  for (const [key, reason] of Object.entries(span.attributesSetAside ?? {})) {
    if (spanRead.has(key) || key.startsWith(A.ATTR_TAG_PREFIX)) return `attribute ${key.slice(0, 128)} ${reason}`;
  }
  for (const [key, reason] of Object.entries(span.resourceSetAside ?? {})) {
    if (resourceRead.has(key)) return `resource attribute ${key.slice(0, 128)} ${reason}`;
  }
  return undefined;
}

/** A view of `target` that notes every key read (including `in` checks) into `read`. */
function recording<T extends object>(target: T, read: Set<string>): T {
  return new Proxy(target, {
    get: (t, key, receiver) => {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(t, key, receiver) as unknown;
    },
    has: (t, key) => {
      if (typeof key === 'string') read.add(key);
      return Reflect.has(t, key);
    },
  });
}
