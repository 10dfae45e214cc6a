import { context, diag, DiagConsoleLogger, metrics, propagation, trace, type TextMapPropagator } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  diagLogLevelFromString,
  getBooleanFromEnv,
  getNumberFromEnv,
  getStringFromEnv,
  getStringListFromEnv,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { defaultResource, detectResources, envDetector, osDetector, processDetector, resourceFromAttributes, serviceInstanceIdDetector, type Resource } from '@opentelemetry/resources';
import { MeterProvider, type IMetricReader, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { TracerProvider, type Sampler, type SpanLimits, type SpanProcessor } from '@opentelemetry/sdk-trace';

export interface OtelSdkOptions {
  serviceName: string | undefined;
  spanProcessors: SpanProcessor[];
  metricReaders: IMetricReader[];
  views: ViewOptions[];
  sampler: Sampler;
  instrumentations: Instrumentation[];
}

/** The providers registered by {@link startOtelSdk}; shutdown flushes and stops them. */
export interface OtelSdk {
  readonly tracerProvider: TracerProvider | undefined;
  readonly meterProvider: MeterProvider | undefined;
  shutdown(): Promise<void>;
}

/**
 * The parts of the OpenTelemetry Node SDK that tracking uses — a tracer provider, a meter
 * provider when there is a reader, the AsyncLocalStorage context manager, W3C propagators,
 * synchronous resource detectors — registered as the global providers. `NodeSDK` would also
 * load the OTLP, Zipkin and logs exporters (grpc included) whatever is configured: 3 s and
 * 80 MB of a process start, for parts nobody asked for. It honours the same environment:
 * `OTEL_SDK_DISABLED`, `OTEL_LOG_LEVEL`, `OTEL_PROPAGATORS` (tracecontext, baggage, none),
 * `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_SERVICE_NAME` and the span limits (`OTEL_SPAN_*_LIMIT`).
 */
export function startOtelSdk(options: OtelSdkOptions): OtelSdk {
  const logLevel = getStringFromEnv('OTEL_LOG_LEVEL');
  if (logLevel !== undefined) diag.setLogger(new DiagConsoleLogger(), { logLevel: diagLogLevelFromString(logLevel) });
  if (getBooleanFromEnv('OTEL_SDK_DISABLED')) {
    diag.info('genai-usage: OTEL_SDK_DISABLED=true; no tracer or meter provider is registered');
    return { tracerProvider: undefined, meterProvider: undefined, shutdown: async () => {} };
  }

  registerInstrumentations({ instrumentations: options.instrumentations });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const propagator = propagatorFromEnv();
  if (propagator) propagation.setGlobalPropagator(propagator);

  const resource = detectedResource(options.serviceName);
  let meterProvider: MeterProvider | undefined;
  if (options.metricReaders.length > 0) {
    meterProvider = new MeterProvider({ resource, views: options.views, readers: options.metricReaders });
    metrics.setGlobalMeterProvider(meterProvider);
    for (const instrumentation of options.instrumentations) instrumentation.setMeterProvider(metrics.getMeterProvider());
  }
  const tracerProvider = new TracerProvider({ resource, sampler: options.sampler, spanLimits: spanLimitsFromEnv(), spanProcessors: options.spanProcessors });
  trace.setGlobalTracerProvider(tracerProvider);

  return {
    tracerProvider,
    meterProvider,
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), meterProvider?.shutdown()]);
    },
  };
}

/**
 * Synchronous detectors only: the host detector's async `host.id` leaves the resource
 * unsettled, and reading it then logs an error per span (docs/decisions.md).
 */
function detectedResource(serviceName: string | undefined): Resource {
  const detected = defaultResource().merge(detectResources({ detectors: [serviceInstanceIdDetector, processDetector, osDetector, envDetector] }));
  return serviceName === undefined ? detected : detected.merge(resourceFromAttributes({ 'service.name': serviceName }));
}

/** `OTEL_PROPAGATORS`; unset means W3C trace context and baggage. Undefined: register none. */
function propagatorFromEnv(): TextMapPropagator | undefined {
  const names = [...new Set(getStringListFromEnv('OTEL_PROPAGATORS') ?? ['tracecontext', 'baggage'])];
  if (names.includes('none')) return undefined;
  const propagators: TextMapPropagator[] = [];
  for (const name of names) {
    if (name === 'tracecontext') propagators.push(new W3CTraceContextPropagator());
    else if (name === 'baggage') propagators.push(new W3CBaggagePropagator());
    else diag.warn(`genai-usage: OTEL_PROPAGATORS=${name} is not supported; valid: tracecontext, baggage, none. Ignored.`);
  }
  return propagators.length === 0 ? undefined : new CompositePropagator({ propagators });
}

/** The span limits the `OTEL_SPAN_*` / `OTEL_ATTRIBUTE_*` variables set (unset ones keep the SDK defaults). */
function spanLimitsFromEnv(): SpanLimits {
  const first = (...names: string[]) => names.map((name) => getNumberFromEnv(name)).find((value) => value !== undefined);
  return {
    attributeCountLimit: first('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT'),
    attributeValueLengthLimit: first('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'),
    eventCountLimit: first('OTEL_SPAN_EVENT_COUNT_LIMIT'),
    linkCountLimit: first('OTEL_SPAN_LINK_COUNT_LIMIT'),
    attributePerEventCountLimit: first('OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT', 'OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT'),
    attributePerLinkCountLimit: first('OTEL_LINK_ATTRIBUTE_COUNT_LIMIT', 'OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT'),
  };
}
