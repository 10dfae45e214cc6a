import {
  context,
  metrics,
  propagation,
  trace,
  type Context,
  type Meter,
  type MeterOptions,
  type MeterProvider,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  type Tracer,
  type TracerOptions,
  type TracerProvider,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { IMetricReader, MeterProvider as SdkMeterProvider, ViewOptions } from '@opentelemetry/sdk-metrics';
import type { Sampler, SpanProcessor, TracerProvider as SdkTracerProvider } from '@opentelemetry/sdk-trace';
import { loadEsm } from './load-esm.js';
import { propagatorNamesFromEnv, sdkDisabled, setDiagLoggerFromEnv, spanLimitsFromEnv } from './otel-env.js';

type SdkTrace = typeof import('@opentelemetry/sdk-trace');
type SdkMetrics = typeof import('@opentelemetry/sdk-metrics');
type Resources = typeof import('@opentelemetry/resources');
type Core = typeof import('@opentelemetry/core');

export interface OtelSdkOptions {
  serviceName: string | undefined;
  spanProcessors: SpanProcessor[];
  /** Readers built once the metrics SDK is loaded (ours: Prometheus), beside the app's `metricReaders`. */
  metricReaders: IMetricReader[];
  lazyMetricReaders: Array<(sdk: SdkMetrics) => IMetricReader>;
  views: ViewOptions[];
  /** The sampler, given the trace SDK (the env sampler is built from its classes). */
  sampler: (sdk: SdkTrace) => Sampler;
  /** Load the SDK now: the app passed SDK objects of its own, so it is loaded anyway. */
  eager: boolean;
}

/** The providers registered by {@link startOtelSdk}; each is built on first use. */
export interface OtelSdk {
  /** Builds the meter provider now if it was not (a Prometheus scrape needs it). Undefined when there is no reader. */
  meterProvider(): SdkMeterProvider | undefined;
  /** Runs `fn` once the meter provider exists (now, if it does). */
  onMeterProvider(fn: (provider: SdkMeterProvider) => void): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The parts of the OpenTelemetry Node SDK that tracking uses — a tracer provider, a meter
 * provider when there is a reader, the AsyncLocalStorage context manager, W3C propagators,
 * synchronous resource detectors — registered as the global providers. `NodeSDK` would also
 * load the OTLP, Zipkin and logs exporters (grpc included) whatever is configured. The trace
 * and metrics SDKs (~130 modules) load on first use — the first span, the first meter, the
 * first scrape — synchronously, so nothing that happens before is lost. Honours
 * `OTEL_SDK_DISABLED`, `OTEL_LOG_LEVEL`, `OTEL_PROPAGATORS` (tracecontext, baggage, none),
 * `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_SERVICE_NAME` and the span limits (`OTEL_SPAN_*_LIMIT`).
 */
export function startOtelSdk(options: OtelSdkOptions): OtelSdk {
  setDiagLoggerFromEnv();
  if (sdkDisabled()) return { meterProvider: () => undefined, onMeterProvider: () => {}, forceFlush: async () => {}, shutdown: async () => {} };

  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const propagators = propagatorNamesFromEnv();
  if (propagators.length > 0) propagation.setGlobalPropagator(lazyPropagator(propagators));

  let resource: ReturnType<Resources['defaultResource']> | undefined;
  const detectedResource = () => {
    if (!resource) {
      // Synchronous detectors only: the host detector's async host.id leaves the resource
      // unsettled, and reading it then logs an error per span (docs/decisions.md).
      const r = loadEsm<Resources>('@opentelemetry/resources');
      resource = r.defaultResource().merge(r.detectResources({ detectors: [r.serviceInstanceIdDetector, r.processDetector, r.osDetector, r.envDetector] }));
      if (options.serviceName !== undefined) resource = resource.merge(r.resourceFromAttributes({ 'service.name': options.serviceName }));
    }
    return resource;
  };

  let tracerProvider: SdkTracerProvider | undefined;
  const tracing = () => {
    if (!tracerProvider) {
      const sdk = loadEsm<SdkTrace>('@opentelemetry/sdk-trace');
      tracerProvider = new sdk.TracerProvider({ resource: detectedResource(), sampler: options.sampler(sdk), spanLimits: spanLimitsFromEnv(), spanProcessors: options.spanProcessors });
    }
    return tracerProvider;
  };
  trace.setGlobalTracerProvider({ getTracer: (name: string, version?: string, opts?: TracerOptions): Tracer => tracing().getTracer(name, version, opts) } satisfies TracerProvider);

  const hasReaders = options.metricReaders.length + options.lazyMetricReaders.length > 0;
  let meterProvider: SdkMeterProvider | undefined;
  const waiting: Array<(provider: SdkMeterProvider) => void> = [];
  const metering = () => {
    if (!meterProvider) {
      const sdk = loadEsm<SdkMetrics>('@opentelemetry/sdk-metrics');
      const readers = [...options.metricReaders, ...options.lazyMetricReaders.map((make) => make(sdk))];
      meterProvider = new sdk.MeterProvider({ resource: detectedResource(), views: options.views, readers });
      for (const fn of waiting.splice(0)) fn(meterProvider);
    }
    return meterProvider;
  };
  if (hasReaders) metrics.setGlobalMeterProvider({ getMeter: (name: string, version?: string, opts?: MeterOptions): Meter => metering().getMeter(name, version, opts) } satisfies MeterProvider);

  if (options.eager) {
    tracing();
    if (hasReaders) metering();
  }
  return {
    meterProvider: () => (hasReaders ? metering() : undefined),
    onMeterProvider(fn) {
      if (!hasReaders) return;
      if (meterProvider) fn(meterProvider);
      else waiting.push(fn);
    },
    async forceFlush() {
      await Promise.all([tracerProvider?.forceFlush(), meterProvider?.forceFlush()]);
    },
    async shutdown() {
      await Promise.all([tracerProvider?.shutdown(), meterProvider?.shutdown()]);
    },
  };
}

/** W3C trace context and/or baggage, from `@opentelemetry/core` once something propagates. */
function lazyPropagator(names: ReadonlyArray<'tracecontext' | 'baggage'>): TextMapPropagator {
  let inner: TextMapPropagator | undefined;
  const real = () => {
    if (!inner) {
      const core = loadEsm<Core>('@opentelemetry/core');
      const parts = names.map((name) => (name === 'tracecontext' ? new core.W3CTraceContextPropagator() : new core.W3CBaggagePropagator()));
      inner = parts.length === 1 ? parts[0]! : new core.CompositePropagator({ propagators: parts });
    }
    return inner;
  };
  return {
    inject: (ctx: Context, carrier: unknown, setter: TextMapSetter) => real().inject(ctx, carrier, setter),
    extract: (ctx: Context, carrier: unknown, getter: TextMapGetter) => real().extract(ctx, carrier, getter),
    fields: () => real().fields(),
  };
}
