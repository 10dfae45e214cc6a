import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/setup/config-error.js';
import {
  DEFAULT_CARDINALITY_LIMIT,
  DEFAULT_PROMETHEUS_HOST,
  DEFAULT_PROMETHEUS_PORT,
  DEFAULT_STORE,
  resolveOptions,
} from '../../src/setup/resolve-options.js';
import { startUsageTracking } from '../../src/setup/start-usage-tracking.js';
import type { UsageTrackingOptions } from '../../src/setup/tracking-options.js';

const dir = mkdtempSync(join(tmpdir(), 'genai-usage-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function pricesFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The ConfigError message of a bad configuration. */
function configError(options: UsageTrackingOptions, env: NodeJS.ProcessEnv = {}): string {
  try {
    resolveOptions(options, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).name).toBe('ConfigError');
    return (err as Error).message;
  }
  throw new Error(`resolved without an error: ${JSON.stringify(options)} ${JSON.stringify(env)}`);
}

describe('defaults (no code options, empty env)', () => {
  it('are documented values', () => {
    expect(resolveOptions({}, {})).toEqual({
      serviceName: undefined,
      store: DEFAULT_STORE,
      prometheus: { host: DEFAULT_PROMETHEUS_HOST, port: DEFAULT_PROMETHEUS_PORT, endpoint: undefined },
      prices: {},
      captureContent: false,
      metricsUser: 'on',
      metricsCardinalityLimit: DEFAULT_CARDINALITY_LIMIT,
      propagateBaggage: false,
    });
    expect(DEFAULT_STORE).toBe('sqlite:./genai-usage.db');
    expect(DEFAULT_PROMETHEUS_HOST).toBe('127.0.0.1');
    expect(DEFAULT_PROMETHEUS_PORT).toBe(9464);
    expect(DEFAULT_CARDINALITY_LIMIT).toBe(2000);
  });

  it('ignore empty env values', () => {
    const env = {
      OTEL_SERVICE_NAME: '',
      GENAI_USAGE_STORE: '',
      OTEL_EXPORTER_PROMETHEUS_HOST: '',
      OTEL_EXPORTER_PROMETHEUS_PORT: '',
      GENAI_USAGE_PRICES: '',
      GENAI_USAGE_METRICS_USER: '',
    };
    expect(resolveOptions({}, env)).toEqual(resolveOptions({}, {}));
  });
});

describe('precedence: code > env > default', () => {
  it('serviceName / OTEL_SERVICE_NAME', () => {
    expect(resolveOptions({ serviceName: 'from-code' }, { OTEL_SERVICE_NAME: 'from-env' }).serviceName).toBe('from-code');
    expect(resolveOptions({}, { OTEL_SERVICE_NAME: 'from-env' }).serviceName).toBe('from-env');
    expect(resolveOptions({}, {}).serviceName).toBeUndefined();
  });

  it('store / GENAI_USAGE_STORE', () => {
    const env = { GENAI_USAGE_STORE: 'postgres://u@db:5432/usage' };
    expect(resolveOptions({ store: 'sqlite::memory:' }, env).store).toBe('sqlite::memory:');
    expect(resolveOptions({ store: false }, env).store).toBe(false);
    expect(resolveOptions({}, env).store).toBe('postgres://u@db:5432/usage');
    expect(resolveOptions({}, { GENAI_USAGE_STORE: 'postgresql://h/db' }).store).toBe('postgresql://h/db');
    expect(resolveOptions({}, {}).store).toBe(DEFAULT_STORE);
  });

  it.each(['false', 'none', 'off'])('GENAI_USAGE_STORE=%s turns the store off', (value) => {
    expect(resolveOptions({}, { GENAI_USAGE_STORE: value }).store).toBe(false);
  });

  it('prometheus / OTEL_EXPORTER_PROMETHEUS_HOST and _PORT', () => {
    const env = { OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0', OTEL_EXPORTER_PROMETHEUS_PORT: '9999' };
    expect(resolveOptions({ prometheus: { host: '::1', port: 1234, endpoint: '/m' } }, env).prometheus).toEqual({ host: '::1', port: 1234, endpoint: '/m' });
    expect(resolveOptions({}, env).prometheus).toEqual({ host: '0.0.0.0', port: 9999, endpoint: undefined });
    // Per field: what code leaves out comes from env.
    expect(resolveOptions({ prometheus: { port: 1234 } }, env).prometheus).toEqual({ host: '0.0.0.0', port: 1234, endpoint: undefined });
    expect(resolveOptions({ prometheus: { host: '::1' } }, env).prometheus).toEqual({ host: '::1', port: 9999, endpoint: undefined });
    expect(resolveOptions({ prometheus: { port: 0 } }, {}).prometheus).toEqual({ host: DEFAULT_PROMETHEUS_HOST, port: 0, endpoint: undefined });
    expect(resolveOptions({ prometheus: false }, env).prometheus).toBe(false);
  });

  it('OTEL_METRICS_EXPORTER=none turns Prometheus off unless code asks for it', () => {
    expect(resolveOptions({}, { OTEL_METRICS_EXPORTER: 'none' }).prometheus).toBe(false);
    expect(resolveOptions({}, { OTEL_METRICS_EXPORTER: 'otlp, none' }).prometheus).toBe(false);
    expect(resolveOptions({}, { OTEL_METRICS_EXPORTER: 'prometheus' }).prometheus).toEqual({ host: DEFAULT_PROMETHEUS_HOST, port: DEFAULT_PROMETHEUS_PORT, endpoint: undefined });
    expect(resolveOptions({ prometheus: { port: 1234 } }, { OTEL_METRICS_EXPORTER: 'none' }).prometheus).toEqual({ host: DEFAULT_PROMETHEUS_HOST, port: 1234, endpoint: undefined });
  });

  it('prices / GENAI_USAGE_PRICES', () => {
    const envFile = pricesFile('env-prices.yaml', 'env-model:\n  input: 1\n  output: 2\n');
    const codeFile = pricesFile('code-prices.json', JSON.stringify({ 'file-model': { input: 3, output: 4 } }));
    const env = { GENAI_USAGE_PRICES: envFile };
    expect(resolveOptions({ prices: { 'code-model': { input: 5, output: 6 } } }, env).prices).toEqual({ 'code-model': { input: 5, output: 6 } });
    expect(resolveOptions({ prices: codeFile }, env).prices).toEqual({ 'file-model': { input: 3, output: 4 } });
    expect(resolveOptions({}, env).prices).toEqual({ 'env-model': { input: 1, output: 2 } });
    expect(resolveOptions({}, {}).prices).toEqual({});
  });

  it('captureContent / OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT', () => {
    const on = { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' };
    expect(resolveOptions({ captureContent: false }, on).captureContent).toBe(false);
    expect(resolveOptions({ captureContent: true }, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'false' }).captureContent).toBe(true);
    expect(resolveOptions({}, on).captureContent).toBe(true);
    expect(resolveOptions({}, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'TRUE' }).captureContent).toBe(true);
    expect(resolveOptions({}, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'false' }).captureContent).toBe(false);
    expect(resolveOptions({}, {}).captureContent).toBe(false);
  });

  it('metricsUser / GENAI_USAGE_METRICS_USER', () => {
    expect(resolveOptions({ metricsUser: 'off' }, { GENAI_USAGE_METRICS_USER: 'hash' }).metricsUser).toBe('off');
    expect(resolveOptions({}, { GENAI_USAGE_METRICS_USER: 'hash' }).metricsUser).toBe('hash');
    expect(resolveOptions({}, { GENAI_USAGE_METRICS_USER: 'off' }).metricsUser).toBe('off');
    expect(resolveOptions({}, {}).metricsUser).toBe('on');
  });

  it('metricsCardinalityLimit and propagateBaggage (code only)', () => {
    expect(resolveOptions({ metricsCardinalityLimit: 100, propagateBaggage: true }, {})).toMatchObject({ metricsCardinalityLimit: 100, propagateBaggage: true });
  });

  it('reads process.env when no env is passed', () => {
    const saved = process.env.OTEL_SERVICE_NAME;
    process.env.OTEL_SERVICE_NAME = 'from-process-env';
    try {
      expect(resolveOptions({}).serviceName).toBe('from-process-env');
    } finally {
      if (saved === undefined) delete process.env.OTEL_SERVICE_NAME;
      else process.env.OTEL_SERVICE_NAME = saved;
    }
  });
});

describe('bad values are a ConfigError naming the option and the valid values', () => {
  it('an unknown option key', () => {
    const message = configError({ serviceNmae: 'x' } as unknown as UsageTrackingOptions);
    expect(message).toContain('unknown option "serviceNmae"');
    expect(message).toContain('valid options:');
    for (const option of ['serviceName', 'store', 'prometheus', 'prices', 'captureContent', 'metricsUser', 'metricsCardinalityLimit']) expect(message).toContain(option);
  });

  it('options that are not an object', () => {
    expect(configError(null as unknown as UsageTrackingOptions)).toContain('options must be an object');
  });

  it('a bad store URL, in code or env', () => {
    for (const message of [configError({ store: 'mysql://h/db' }), configError({}, { GENAI_USAGE_STORE: 'mysql://h/db' })]) {
      expect(message).toMatch(/^store: /);
      expect(message).toContain('"mysql://h/db"');
      expect(message).toContain('sqlite:<path>');
      expect(message).toContain('sqlite::memory:');
      expect(message).toContain('postgres://');
      expect(message).toContain('false');
    }
    expect(configError({ store: 42 as unknown as string })).toContain('store: expected a URL string or false, got 42');
  });

  it.each([70000, -1, 1.5, Number.NaN])('a bad port in code (%s)', (port) => {
    const message = configError({ prometheus: { port } });
    expect(message).toContain('prometheus.port');
    expect(message).toContain(String(port));
    expect(message).toContain('integer 0-65535');
  });

  it.each(['abc', '99999', '-5'])('a bad OTEL_EXPORTER_PROMETHEUS_PORT (%s)', (port) => {
    const message = configError({}, { OTEL_EXPORTER_PROMETHEUS_PORT: port });
    expect(message).toContain('prometheus.port');
    expect(message).toContain(`OTEL_EXPORTER_PROMETHEUS_PORT=${port}`);
    expect(message).toContain('integer 0-65535');
  });

  it('prometheus that is neither an object nor false', () => {
    const message = configError({ prometheus: true as unknown as false });
    expect(message).toContain('prometheus: expected { host?, port?, endpoint? } or false');
  });

  it('a bad metricsUser, in code or env', () => {
    const fromCode = configError({ metricsUser: 'maybe' as 'on' });
    const fromEnv = configError({}, { GENAI_USAGE_METRICS_USER: 'sometimes' });
    for (const [message, value] of [[fromCode, 'maybe'], [fromEnv, 'sometimes']] as const) {
      expect(message).toContain('metricsUser');
      expect(message).toContain('GENAI_USAGE_METRICS_USER');
      expect(message).toContain(`"${value}"`);
      expect(message).toContain('valid values: on, off, hash');
    }
  });

  it.each([0, -3, 2.5])('a bad metricsCardinalityLimit (%s)', (limit) => {
    const message = configError({ metricsCardinalityLimit: limit });
    expect(message).toContain('metricsCardinalityLimit');
    expect(message).toContain('positive integer');
  });

  it('bad prices, in code or from the env file', () => {
    expect(configError({ prices: { m: { input: -1, output: 1 } } })).toMatch(/^prices: price for "m" field "input"/);
    const bad = pricesFile('bad-env.json', JSON.stringify({ m: { input: 1, output: 1, cache: 1 } }));
    const message = configError({}, { GENAI_USAGE_PRICES: bad });
    expect(message).toContain(bad);
    expect(message).toContain('unknown field "cache"');
    expect(configError({}, { GENAI_USAGE_PRICES: join(dir, 'missing.yaml') })).toContain('GENAI_USAGE_PRICES');
  });

  it('startUsageTracking throws the ConfigError before starting anything', () => {
    expect(() => startUsageTracking({ bogus: true } as unknown as UsageTrackingOptions)).toThrow(ConfigError);
    expect(() => startUsageTracking({ bogus: true } as unknown as UsageTrackingOptions)).toThrow(/unknown option "bogus"/);
  });
});
