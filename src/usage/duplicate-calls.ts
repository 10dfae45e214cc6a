import { trace, type Attributes, type Context } from '@opentelemetry/api';
import * as A from '../semconv.js';
import { aiSdkOperation } from './ai-sdk-spans.js';
import { IN_LLM_CALL } from '../instrumentations/llm-call.js';

/**
 * One call, one count: recognises another instrumentation's span that describes a call our
 * own call span already describes (the Anthropic or Mistral SDK's native spans, a second
 * instrumentation of the same SDK). Decided per call, never per SDK: a native span with no
 * span of ours for the same call is the only record of that call, and is counted.
 *
 * Three ways a span is the twin of one of ours:
 * - it started while our call span was active (the SDK method we wrapped started it inside
 *   our call): `onSpanStart` sees our marker in its parent context;
 * - the SDK started it before calling the method we wrapped and handed it down (the
 *   Anthropic SDK's `messages.stream()` passes its span as `options.__span`): the mapping
 *   names it and `wrapCall` calls `markTwinOfOurCall`.
 * - it is the parent of another call span (ours or not): see `markParentOfCall`.
 * Spans are remembered in a WeakSet: nothing to clean up, no per-call cost for calls without
 * a twin beyond one context lookup when a span starts.
 */
const twins = new WeakSet<object>();

/** Scope names of our own spans start with this; ours are never a twin of ours. */
const OUR_SCOPE_PREFIX = 'genai-usage';

/** Called when any span starts; returns true when it is the twin of one of our call spans. */
export function onSpanStart(span: object & { instrumentationScope?: { name: string } }, parentContext: Context): boolean {
  if (parentContext?.getValue(IN_LLM_CALL) !== true) return false;
  if (span.instrumentationScope?.name.startsWith(OUR_SCOPE_PREFIX)) return false;
  twins.add(span);
  return true;
}

/** Marks a span an SDK started itself for a call that our call span also describes. */
export function markTwinOfOurCall(span: unknown): void {
  if (typeof span === 'object' && span !== null) twins.add(span);
}

/**
 * Called when any span starts (after `onSpanStart`): when it is an LLM call span, the span it
 * is a child of describes the same call from further out, and is not counted. That covers a
 * wrapper patched on top of ours (contrib, OpenLLMetry), a framework span around an SDK call
 * (the Vercel AI SDK's `doGenerate` over a provider built on a patched SDK), and ai 7's
 * `embeddings` span around its own `doEmbed` span. The innermost call span counts: it is
 * closest to the provider's response. A parent that is no LLM call (an HTTP server span, an
 * agent or step span) is never counted anyway.
 */
export function markParentOfCall(span: { attributes: Attributes }, parentContext: Context): void {
  if (!startsAsCall(span.attributes)) return;
  const parent = trace.getSpan(parentContext);
  if (parent) twins.add(parent);
}

/** What a call span says when it starts; token counts only arrive at its end. */
function startsAsCall(attrs: Attributes): boolean {
  const operation = attrs[A.ATTR_GEN_AI_OPERATION_NAME];
  if (typeof operation === 'string') return A.CALL_OPERATIONS.has(operation);
  return attrs[A.ATTR_GEN_AI_SYSTEM] !== undefined || aiSdkOperation(attrs) !== undefined;
}

/** True when the span describes a call one of our call spans already counts. */
export function isTwinOfOurCall(span: object): boolean {
  return twins.has(span);
}
