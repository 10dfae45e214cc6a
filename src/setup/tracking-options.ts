import type { SpanProcessor, Sampler } from '@opentelemetry/sdk-trace';
import type { IMetricReader } from '@opentelemetry/sdk-metrics';
import type { InstrumentModulesOption, InstrumentationsOption } from '../instrumentations/create-instrumentations.js';
import type { TokenPrices } from '../prices/price-types.js';
import type { MetricsUserMode } from '../usage/usage-metrics.js';
import type { BudgetsOption } from '../budgets/wire-budgets.js';

/**
 * Options of `startUsageTracking`. Code options win over environment variables, which win
 * over defaults; each field names its variable.
 */
export interface UsageTrackingOptions {
  /** `service.name` of spans, metrics and records. Env `OTEL_SERVICE_NAME`. */
  serviceName?: string;
  /**
   * Where usage records are stored: `sqlite:<path>`, `sqlite::memory:`, `postgres://...`, or
   * `false` for no store. Env `GENAI_USAGE_STORE`; default `sqlite:./genai-usage.db`.
   */
  store?: string | false;
  /**
   * Directory where records the store could not take are kept (JSONL) until it is back,
   * across restarts. Env `GENAI_USAGE_SPOOL_DIR`; default none (records wait in memory).
   */
  storeSpoolDir?: string;
  /**
   * Prometheus `/metrics` endpoint, or `false`. Env `OTEL_EXPORTER_PROMETHEUS_HOST` /
   * `OTEL_EXPORTER_PROMETHEUS_PORT`; `OTEL_METRICS_EXPORTER=none` turns it off. Default `127.0.0.1:9464`.
   */
  prometheus?: { host?: string; port?: number; endpoint?: string } | false;
  /** Price overrides, USD per 1M tokens, or a JSON/YAML file of them. Env `GENAI_USAGE_PRICES` (a file). */
  prices?: Record<string, TokenPrices> | string;
  /**
   * A newer price table: a `@pydantic/genai-prices` data file you refresh (`genai-usage prices
   * update`). Never fetched by genai-usage itself. Env `GENAI_USAGE_PRICE_DATA`; default the bundled table.
   */
  priceData?: string;
  /** Record prompt and completion content on spans. Env `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`; default false. */
  captureContent?: boolean;
  /** `user.id` on metrics: `on`, `off` (dropped) or `hash`. Env `GENAI_USAGE_METRICS_USER`; default `on`. */
  metricsUser?: MetricsUserMode;
  /** Series per counter before the SDK's overflow series takes the rest. Default 2000. */
  metricsCardinalityLimit?: number;
  /** Turn an instrumentation off (`false`) or configure it, by SDK key (`openai`, `anthropic`, ...). Default: all on. */
  instrumentations?: InstrumentationsOption;
  /**
   * SDK modules to patch directly, for apps that imported them before tracking started
   * (ESM without the `--import genai-usage/register` hook, bundlers).
   */
  instrumentModules?: InstrumentModulesOption;
  /** Extra span processors (e.g. OTLP to a collector, in-memory for tests). */
  spanProcessors?: SpanProcessor[];
  /** Extra metric readers (e.g. OTLP, in-memory for tests). */
  metricReaders?: IMetricReader[];
  /** The app's trace sampler (default from `OTEL_TRACES_SAMPLER`); GenAI spans are recorded whatever it decides. */
  sampler?: Sampler;
  /** Also write the usage context into W3C baggage for downstream services. Default false. */
  propagateBaggage?: boolean;
  /**
   * Budgets: definitions, a YAML/JSON file path, or `createBudgets(...)` (for options such as
   * `reserve`). Env `GENAI_USAGE_BUDGETS` (a file). Default none. See docs/budgets.md.
   */
  budgets?: BudgetsOption;
}
