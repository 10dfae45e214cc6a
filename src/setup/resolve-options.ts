import { loadPricesFile, validatePrices } from '../prices/price-overrides.js';
import type { TokenPrices } from '../prices/price-types.js';
import type { MetricsUserMode } from '../usage/usage-metrics.js';
import { ConfigError } from './config-error.js';
import type { UsageTrackingOptions } from './tracking-options.js';

export const DEFAULT_STORE = 'sqlite:./genai-usage.db';
export const DEFAULT_PROMETHEUS_HOST = '127.0.0.1';
export const DEFAULT_PROMETHEUS_PORT = 9464;
export const DEFAULT_CARDINALITY_LIMIT = 2000;
const USER_MODES: readonly MetricsUserMode[] = ['on', 'off', 'hash'];
const KNOWN_OPTIONS = new Set([
  'serviceName', 'store', 'storeSpoolDir', 'prometheus', 'prices', 'priceData', 'captureContent', 'metricsUser', 'metricsCardinalityLimit',
  'instrumentations', 'instrumentModules', 'spanProcessors', 'metricReaders', 'sampler', 'propagateBaggage', 'budgets',
]);

export interface ResolvedOptions {
  serviceName: string | undefined;
  store: string | false;
  storeSpoolDir: string | undefined;
  prometheus: { host: string; port: number; endpoint: string | undefined } | false;
  prices: Record<string, TokenPrices>;
  priceData: string | undefined;
  captureContent: boolean;
  metricsUser: MetricsUserMode;
  metricsCardinalityLimit: number;
  propagateBaggage: boolean;
}

/** Code options over env over defaults; a bad value is a `ConfigError` naming it and the valid ones. */
export function resolveOptions(options: UsageTrackingOptions, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError(`startUsageTracking: options must be an object, got ${String(options)}`);
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new ConfigError(`startUsageTracking: unknown option "${key}"; valid options: ${[...KNOWN_OPTIONS].join(', ')}`);
  }
  return {
    serviceName: options.serviceName ?? (env.OTEL_SERVICE_NAME || undefined),
    store: resolveStore(options.store, env),
    storeSpoolDir: options.storeSpoolDir ?? (env.GENAI_USAGE_SPOOL_DIR || undefined),
    prometheus: resolvePrometheus(options.prometheus, env),
    prices: resolvePrices(options.prices, env),
    priceData: options.priceData ?? (env.GENAI_USAGE_PRICE_DATA || undefined),
    captureContent: options.captureContent ?? env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT?.toLowerCase() === 'true',
    metricsUser: oneOf('metricsUser', 'GENAI_USAGE_METRICS_USER', options.metricsUser ?? (env.GENAI_USAGE_METRICS_USER || 'on'), USER_MODES),
    metricsCardinalityLimit: positiveInt('metricsCardinalityLimit', options.metricsCardinalityLimit ?? DEFAULT_CARDINALITY_LIMIT),
    propagateBaggage: options.propagateBaggage ?? false,
  };
}

function resolveStore(value: string | false | undefined, env: NodeJS.ProcessEnv): string | false {
  const store = value ?? (env.GENAI_USAGE_STORE || DEFAULT_STORE);
  if (store === false) return false;
  if (typeof store !== 'string') throw new ConfigError(`store: expected a URL string or false, got ${JSON.stringify(store)}`);
  if (store === 'false' || store === 'none' || store === 'off') return false;
  if (!/^(sqlite:|postgres(ql)?:\/\/|clickhouse(\+https?)?:\/\/)/.test(store)) {
    throw new ConfigError(
      `store: "${store}" is not a store URL; valid forms: sqlite:<path>, sqlite::memory:, postgres://user@host:port/db, clickhouse://user@host:8123/db, or false`,
    );
  }
  return store;
}

function resolvePrometheus(value: UsageTrackingOptions['prometheus'], env: NodeJS.ProcessEnv): ResolvedOptions['prometheus'] {
  if (value === false) return false;
  if (value === undefined && env.OTEL_METRICS_EXPORTER?.split(',').map((s) => s.trim()).includes('none')) return false;
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw new ConfigError(`prometheus: expected { host?, port?, endpoint? } or false, got ${JSON.stringify(value)}`);
  }
  const envPort = env.OTEL_EXPORTER_PROMETHEUS_PORT;
  const port = value?.port ?? (envPort ? Number(envPort) : DEFAULT_PROMETHEUS_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`prometheus.port: ${value?.port ?? `OTEL_EXPORTER_PROMETHEUS_PORT=${envPort}`} is not a port; valid: an integer 0-65535 (0 picks a free port)`);
  }
  return { host: value?.host ?? (env.OTEL_EXPORTER_PROMETHEUS_HOST || DEFAULT_PROMETHEUS_HOST), port, endpoint: value?.endpoint };
}

function resolvePrices(value: UsageTrackingOptions['prices'], env: NodeJS.ProcessEnv): Record<string, TokenPrices> {
  if (typeof value === 'string') return loadPricesFile(value);
  if (value !== undefined) return validatePrices(value, 'prices');
  return env.GENAI_USAGE_PRICES ? loadPricesFile(env.GENAI_USAGE_PRICES) : {};
}

function oneOf<T extends string>(option: string, envName: string, value: string, valid: readonly T[]): T {
  if (!(valid as readonly string[]).includes(value)) {
    throw new ConfigError(`${option} (env ${envName}): "${value}" is not valid; valid values: ${valid.join(', ')}`);
  }
  return value as T;
}

function positiveInt(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${option}: expected a positive integer, got ${JSON.stringify(value)}`);
  return value;
}
