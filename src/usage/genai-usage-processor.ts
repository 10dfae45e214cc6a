import { diag, metrics, type Context, type MeterProvider } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { getUsageContext } from '../context/usage-context.js';
import { endInFlightCalls, settleFinishedCalls } from '../instrumentations/in-flight-calls.js';
import { PriceBook } from '../prices/price-book.js';
import * as A from '../semconv.js';
import { VERSION } from '../version.js';
import { isTwinOfOurCall, markParentOfCall, onSpanStart } from './duplicate-calls.js';
import { lazyOwnModule } from '../setup/load-own.js';
import { StampedTagKeys } from './stamped-tag-keys.js';
import { emitUsage } from './usage-listeners.js';
import type { MetricsUserMode, UsageMetrics } from './usage-metrics.js';
import type { UsageRecord } from './usage-record.js';

// The mapping, pricing and metrics halves load with the first span that ends, synchronously.
const spanToRecord = lazyOwnModule(new URL('./span-to-record.js', import.meta.url), () => import('./span-to-record.js'));
const priceSpan = lazyOwnModule(new URL('./price-span.js', import.meta.url), () => import('./price-span.js'));
const usageMetrics = lazyOwnModule(new URL('./usage-metrics.js', import.meta.url), () => import('./usage-metrics.js'));

/** Where records go besides metrics and listeners (the store writer). */
export interface UsageSink {
  write(record: UsageRecord): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface GenAiUsageProcessorOptions {
  /** Price overrides; default: the bundled table only. */
  prices?: PriceBook;
  /** Default: the global meter provider, looked up on first use. */
  meterProvider?: MeterProvider;
  /** `user.id` on metrics. Default `on`; env `GENAI_USAGE_METRICS_USER`. */
  metricsUser?: MetricsUserMode;
  /** Series per attributed counter before the rest fold into the overflow series. Default 2000. */
  metricsCardinalityLimit?: number;
  sinks?: UsageSink[];
  /** Service name for records whose span resource has none (or is still resolving). */
  serviceName?: string;
}

/**
 * Turns every GenAI call span — ours, the Anthropic SDK's own, contrib's, OpenLLMetry's —
 * into usage: attribution on start, cost while the span is still writable, then one
 * record per call to metrics, listeners and sinks. Never throws into the caller.
 */
export class GenAiUsageProcessor implements SpanProcessor {
  readonly #prices: PriceBook;
  readonly #meterProvider: MeterProvider | undefined;
  readonly #userMode: MetricsUserMode;
  readonly #cardinalityLimit: number;
  readonly #sinks: UsageSink[];
  readonly #defaults: { serviceName?: string };
  /** In process, tags come only from the usage context (README): the names stamped so far. */
  readonly #tagKeys = new StampedTagKeys();
  #metrics: UsageMetrics | undefined;

  constructor(options: GenAiUsageProcessorOptions = {}) {
    this.#prices = options.prices ?? new PriceBook();
    this.#meterProvider = options.meterProvider;
    this.#userMode = options.metricsUser ?? 'on';
    this.#cardinalityLimit = options.metricsCardinalityLimit ?? 2000;
    this.#sinks = options.sinks ?? [];
    this.#defaults = { serviceName: options.serviceName };
  }

  onStart(span: Span, parentContext: Context): void {
    try {
      if (onSpanStart(span, parentContext)) return;
      markParentOfCall(span, parentContext);
      const attrs = span.attributes;
      if (attrs[A.ATTR_GEN_AI_OPERATION_NAME] === undefined && attrs[A.ATTR_GEN_AI_SYSTEM] === undefined) return;
      stampAttribution(span, parentContext, this.#tagKeys);
    } catch (err) {
      diag.error('genai-usage: onStart failed', err);
    }
  }

  onEnding(span: Span): void {
    try {
      if (isTwinOfOurCall(span)) {
        // Said on the span too, so readers of exported traces (the collector) do not count the call twice.
        span.setAttribute(A.ATTR_DUPLICATE_CALL, true);
        return;
      }
      if (span.attributes[A.ATTR_COST_USD] !== undefined || !spanToRecord().isGenAiCallSpan(span.attributes)) return;
      const cost = priceSpan().costAttributes(span.attributes, this.#prices);
      if (cost) span.setAttributes(cost);
    } catch (err) {
      diag.error('genai-usage: pricing failed', err);
    }
  }

  onEnd(span: ReadableSpan): void {
    try {
      if (isTwinOfOurCall(span)) return;
      const record = spanToRecord().spanToUsageRecord(span, this.#defaults, this.#tagKeys);
      if (!record) return;
      this.#getMetrics().record(record);
      emitUsage(record);
      for (const sink of this.#sinks) {
        // One failing sink (a budget tracker, a store writer) must not starve the others.
        try {
          sink.write(record);
        } catch (err) {
          diag.error('genai-usage: a usage sink failed', err);
        }
      }
    } catch (err) {
      diag.error('genai-usage: recording usage failed', err);
    }
  }

  /** Waits (up to 5 s) for calls the SDK finished whose span has not ended yet, then flushes the sinks. */
  async forceFlush(): Promise<void> {
    await settleFinishedCalls();
    await Promise.all(this.#sinks.map((s) => s.forceFlush()));
  }

  /** Ends every call still in flight (open ones as `InterruptedByShutdown`), then shuts the sinks down. */
  async shutdown(): Promise<void> {
    await endInFlightCalls();
    await Promise.all(this.#sinks.map((s) => s.shutdown()));
  }

  #getMetrics(): UsageMetrics {
    this.#metrics ??= new (usageMetrics().UsageMetrics)(
      (this.#meterProvider ?? metrics.getMeterProvider()).getMeter('genai-usage', VERSION),
      this.#userMode,
      this.#cardinalityLimit,
    );
    return this.#metrics;
  }
}

function stampAttribution(span: Span, parentContext: Context, tagKeys: StampedTagKeys): void {
  const ctx = getUsageContext(parentContext);
  const attrs = span.attributes;
  const set = (key: string, value: string | undefined) => {
    if (value !== undefined && value !== '' && attrs[key] === undefined) span.setAttribute(key, value);
  };
  set(A.ATTR_USER_ID, ctx.userId);
  set(A.ATTR_GEN_AI_AGENT_NAME, ctx.agentName);
  set(A.ATTR_SESSION_ID, ctx.sessionId);
  set(A.ATTR_GEN_AI_CONVERSATION_ID, ctx.conversationId);
  set(A.ATTR_GROUP, ctx.group);
  if (ctx.handoffChain && ctx.handoffChain.length > 1) set(A.ATTR_HANDOFF_CHAIN, ctx.handoffChain.join(' > '));
  if (ctx.tags) {
    for (const [key, value] of Object.entries(ctx.tags)) {
      const name = A.ATTR_TAG_PREFIX + key;
      set(name, value);
      tagKeys.note(name, key);
    }
  }
  if (ctx.trackUsage === false) span.setAttribute(A.ATTR_UNTRACKED, true);
}
