import { context, diag, metrics, propagation, trace } from '@opentelemetry/api';
import type { IMetricReader, ViewOptions } from '@opentelemetry/sdk-metrics';
import { setUsageBaggagePropagation } from '../context/usage-context.js';
import { createInstrumentations, patchGivenModules } from '../instrumentations/create-instrumentations.js';
import { endInFlightCalls, settleFinishedCalls } from '../instrumentations/in-flight-calls.js';
import { PriceBook } from '../prices/price-book.js';
import * as A from '../semconv.js';
import { GenAiRecordingSampler } from '../usage/genai-recording-sampler.js';
import { GenAiUsageProcessor, type UsageSink } from '../usage/genai-usage-processor.js';
import type { Budgets } from '../budgets/create-budgets.js';
import { wireBudgets } from '../budgets/wire-budgets.js';
import { samplerFromEnv } from './env-sampler.js';
import { PrometheusEndpoint } from './prometheus-endpoint.js';
import { resolveOptions } from './resolve-options.js';
import { openStoreSink } from './store-sink.js';
import { startOtelSdk } from './otel-sdk.js';
import { onEsmSdkLoaded } from './esm-loaded.js';
import { inThreadHooks, registerRequireHook } from './loader-hook.js';
import { hookedModules } from '../instrumentations/registry.js';
import { watchUnpatchedSdks } from './unpatched-sdk-check.js';
import { registerWriterMetrics } from '../exporter/writer-metrics.js';
import type { UsageTrackingOptions } from './tracking-options.js';
import { lazyOwnModule } from './load-own.js';

const priceData = lazyOwnModule(new URL('../prices/price-data.js', import.meta.url), () => import('../prices/price-data.js'));

/** A running tracking setup. */
export interface UsageTracking {
  /** The `/metrics` URL once listening (undefined when Prometheus is off, the port was taken, or tracking shut down before it listened). */
  readonly prometheusUrl: Promise<string | undefined>;
  readonly processor: GenAiUsageProcessor;
  /** The budgets in force (option `budgets`, else env `GENAI_USAGE_BUDGETS`); undefined when none. */
  readonly budgets: Budgets | undefined;
  /** Waits (up to 5 s) for calls the SDK finished to end, then flushes spans, metrics and queued store records. */
  forceFlush(): Promise<void>;
  /**
   * Ends calls still in flight (waiting up to 5 s for finished ones; open ones end as failed with
   * `error.type` `InterruptedByShutdown`), flushes, then stops everything; runs once. Unpatches the SDKs.
   */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry (tracer and meter providers, see `startOtelSdk`) with the LLM SDK instrumentations, the usage
 * processor, the Prometheus endpoint and the usage store. See `UsageTrackingOptions`
 * for every option and its environment variable. Throws `ConfigError` on bad options.
 */
export function startUsageTracking(options: UsageTrackingOptions = {}): UsageTracking {
  const resolved = resolveOptions(options);
  // Before anything prices a call: a refreshed table replaces the bundled one (a bad file throws here).
  if (resolved.priceData) priceData().loadPriceData(resolved.priceData);
  // A bad budget definition throws here, before anything has started.
  const budgets = wireBudgets(options.budgets, { store: resolved.store, serviceName: resolved.serviceName, prices: resolved.prices });
  setUsageBaggagePropagation(resolved.propagateBaggage);

  const sinks: UsageSink[] = [];
  const storeSink = resolved.store ? openStoreSink(resolved.store, resolved.storeSpoolDir) : undefined;
  if (storeSink) sinks.push(storeSink);
  if (budgets) sinks.push(budgets.sink);
  const processor = new GenAiUsageProcessor({
    prices: new PriceBook(resolved.prices),
    metricsUser: resolved.metricsUser,
    metricsCardinalityLimit: resolved.metricsCardinalityLimit,
    sinks,
    serviceName: resolved.serviceName ?? 'unknown_service:node',
  });

  const prometheus = resolved.prometheus ? new PrometheusEndpoint(resolved.prometheus.host, resolved.prometheus.port, resolved.prometheus.endpoint) : undefined;
  // Where in-thread loader hooks hand over `require()`d SDKs, light patchers do (no require-in-the-middle).
  const light = inThreadHooks();
  const created = createInstrumentations(options.instrumentations, resolved.captureContent, options.instrumentModules, light);
  const instrumentations = created.map((c) => c.instrumentation);

  const preexisting = registeredGlobals();
  if (preexisting.has('trace')) {
    // The app already runs an OpenTelemetry SDK: ours cannot register, and would see no spans.
    process.emitWarning(
      'genai-usage: a global tracer provider is already registered, so startUsageTracking cannot install its span processor. Add `new GenAiUsageProcessor()` to your own SDK instead (see README, "Plug into an existing OpenTelemetry SDK").',
    );
  }
  const sdk = startOtelSdk({
    serviceName: resolved.serviceName,
    spanProcessors: [processor, ...(options.spanProcessors ?? [])],
    metricReaders: options.metricReaders ?? [],
    lazyMetricReaders: prometheus ? [prometheus.createReader] : [],
    views: cardinalityViews(resolved.metricsCardinalityLimit),
    sampler: (sdkTrace) => new GenAiRecordingSampler(options.sampler ?? samplerFromEnv(sdkTrace)),
    // SDK objects of the app's own: the SDK is loaded already, build on it now.
    eager: Boolean(options.spanProcessors?.length || options.metricReaders?.length || options.sampler),
  });
  prometheus?.bindMeterProvider(() => sdk.meterProvider());
  // After start: the budget gauges need the registered meter provider.
  budgets?.install();
  if (storeSink) sdk.onMeterProvider((provider) => registerWriterMetrics(storeSink, provider));
  patchGivenModules(created, options.instrumentModules);
  // SDKs the app `require()`s from now on (under the loader hook this is in place already).
  if (light) registerRequireHook(hookedModules());
  // SDKs the loader hooks hand over: imported under `--import genai-usage/register` (see
  // esm-hook-source.ts), and `require()`d where the hooks run in-thread.
  const stopEsmPatching = onEsmSdkLoaded((name, namespace, url) => {
    for (const instrumentation of instrumentations) instrumentation.patchLoaded(name, namespace, url);
  });
  const unpatched = watchUnpatchedSdks(created);

  let shutdown: Promise<void> | undefined;
  return {
    prometheusUrl: prometheus ? prometheus.ready : Promise.resolve(undefined),
    processor,
    budgets,
    async forceFlush() {
      // Calls the SDK finished may still be estimating tokens: their spans end first.
      await settleFinishedCalls();
      await sdk.forceFlush();
      await processor.forceFlush();
    },
    shutdown() {
      shutdown ??= (async () => {
        // First, before any await: a listen still scheduled for the next turn never happens.
        const closingPrometheus = prometheus?.close();
        stopEsmPatching();
        unpatched.check();
        for (const instrumentation of instrumentations) instrumentation.disable();
        // Before the SDK shuts down, so the spans of these calls still reach every processor.
        await endInFlightCalls();
        try {
          await sdk.shutdown();
        } catch (err) {
          diag.error('genai-usage: shutdown failed', err);
        }
        await closingPrometheus;
        // Free the globals we registered (not someone else's) so a later start can register.
        if (!preexisting.has('trace')) trace.disable();
        if (!preexisting.has('metrics')) metrics.disable();
        if (!preexisting.has('propagation')) propagation.disable();
        if (!preexisting.has('context')) context.disable();
      })();
      return shutdown;
    },
  };
}

/** The OpenTelemetry API globals already registered in this process (the API's own registry). */
function registeredGlobals(): Set<string> {
  const registry = (globalThis as Record<symbol, Record<string, unknown> | undefined>)[Symbol.for('opentelemetry.js.api.1')];
  return new Set(Object.keys(registry ?? {}).filter((key) => registry?.[key] !== undefined));
}

/**
 * User ids are unbounded: `UsageCounters` caps the attributed series itself (observable
 * counters keep only the last observation per series, so an SDK-side overflow would lose
 * sums). The SDK limit is set above what the capped counters can produce: each attributed
 * series has up to 5 token types and a few error types.
 */
function cardinalityViews(limit: number): ViewOptions[] {
  return [A.METRIC_COST, A.METRIC_TOKENS, A.METRIC_REQUESTS].map((instrumentName) => ({ instrumentName, aggregationCardinalityLimit: limit * 16 }));
}
