/**
 * The span → record mapping as the public entry exports it, thin: the mapping modules load
 * with the first call (an app that imports `genai-usage` pays for them only when a span ends).
 */
import { lazyOwnModule } from '../setup/load-own.js';
import type { SpanLike } from './span-like.js';
import type { UsageRecord } from './usage-record.js';

const spanToRecord = lazyOwnModule(new URL('./span-to-record.js', import.meta.url), () => import('./span-to-record.js'));

/** True for a span that is one billable model call (chat, completion, embeddings, ...). */
export function isGenAiCallSpan(attributes: SpanLike['attributes']): boolean {
  return spanToRecord().isGenAiCallSpan(attributes);
}

/**
 * The one mapping from a GenAI call span to a usage record, used by the usage processor,
 * the store exporter and the collector. Returns undefined for spans that are not LLM calls.
 * Reads any GenAI-semconv span (ours, the Anthropic SDK's, contrib, OpenLLMetry).
 */
export function spanToUsageRecord(span: SpanLike, defaults: { serviceName?: string } = {}): UsageRecord | undefined {
  return spanToRecord().spanToUsageRecord(span, defaults);
}
