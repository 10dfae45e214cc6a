// Shared by the collector tests: a collector on a free loopback port, real GenAI spans from
// the OpenTelemetry SDK, and the real OTLP exporters (protobuf and JSON) that send them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { COLLECTOR_DEFAULTS, type CollectorConfig } from '../../src/collector/collector-config.js';
import { startCollector, type RunningCollector } from '../../src/collector/collector-server.js';
import type { TokenSpec } from '../../src/collector/tokens.js';
import * as A from '../../src/semconv.js';
import { openStore } from '../../src/store/open-store.js';
import type { UsageStore } from '../../src/store/usage-store.js';

export interface TestCollector extends RunningCollector {
  logs: string[];
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startTestCollector(store: string, overrides: Partial<CollectorConfig> & { tokens?: TokenSpec[] } = {}): Promise<TestCollector> {
  const logs: string[] = [];
  const config: CollectorConfig = { ...COLLECTOR_DEFAULTS, host: '127.0.0.1', port: 0, store, tokens: [], ...overrides };
  const running = await startCollector(config, { log: (line) => logs.push(line) });
  return Object.assign(running, { logs });
}

/** One LLM call to turn into a GenAI semconv span. */
export interface Call {
  model: string;
  provider?: string;
  input: number;
  output: number;
  user?: string;
  agent?: string;
  session?: string;
  costUsd?: number;
  error?: string;
  /** Start time (default now); the call lasts `durationMs` (default 250). */
  at?: Date;
  durationMs?: number;
  /** Extra or overriding attributes (bad values for the validation tests). */
  attributes?: Record<string, string | number | boolean | string[]>;
}

/** Finished SDK spans: one CLIENT span per call, plus one unrelated HTTP span. */
export function genAiSpans(calls: readonly Call[], serviceName = 'support-bot'): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [A.ATTR_SERVICE_NAME]: serviceName }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const tracer = provider.getTracer('collector-test');
  for (const call of calls) {
    const attributes: Record<string, string | number | boolean | string[]> = {
      [A.ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [A.ATTR_GEN_AI_PROVIDER_NAME]: call.provider ?? 'openai',
      [A.ATTR_GEN_AI_REQUEST_MODEL]: call.model,
      [A.ATTR_GEN_AI_RESPONSE_MODEL]: call.model,
      [A.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: call.input,
      [A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: call.output,
      [A.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['stop'],
      [A.ATTR_GEN_AI_REQUEST_TEMPERATURE]: 0.2,
      [`${A.ATTR_TAG_PREFIX}feature`]: 'chat',
    };
    if (call.user) attributes[A.ATTR_USER_ID] = call.user;
    if (call.agent) attributes[A.ATTR_GEN_AI_AGENT_NAME] = call.agent;
    if (call.session) attributes[A.ATTR_SESSION_ID] = call.session;
    if (call.costUsd !== undefined) attributes[A.ATTR_COST_USD] = call.costUsd;
    if (call.error) attributes[A.ATTR_ERROR_TYPE] = call.error;
    const start = call.at ?? new Date();
    const span = tracer.startSpan(`chat ${call.model}`, { kind: SpanKind.CLIENT, startTime: start, attributes: { ...attributes, ...call.attributes } });
    if (call.error) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(new Date(start.getTime() + (call.durationMs ?? 250)));
  }
  tracer.startSpan('GET /health', { attributes: { 'http.request.method': 'GET' } }).end();
  return memory.getFinishedSpans();
}

export type Protocol = 'protobuf' | 'json';

/** The real OTLP/HTTP exporter for a protocol, pointed at the collector. */
export function otlpExporter(protocol: Protocol, baseUrl: string, options: { token?: string; gzip?: boolean; timeoutMillis?: number; concurrencyLimit?: number } = {}): SpanExporter {
  type Config = NonNullable<ConstructorParameters<typeof ProtoExporter>[0]>;
  const config: Config = {
    url: `${baseUrl}/v1/traces`,
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    // The CompressionAlgorithm enum's values are these strings (its package is not a direct dependency).
    compression: (options.gzip ? 'gzip' : 'none') as Config['compression'],
    timeoutMillis: options.timeoutMillis ?? 10_000,
    concurrencyLimit: options.concurrencyLimit ?? 30,
  };
  return protocol === 'protobuf' ? new ProtoExporter(config) : new HttpJsonExporter(config);
}

export function exportSpans(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

export function expectSuccess(result: ExportResult): void {
  if (result.code !== ExportResultCode.SUCCESS) throw new Error(`export failed: ${result.error?.message ?? 'unknown error'}`);
}

/** A fetch against the collector returning status, headers and parsed JSON (when JSON). */
export async function request(
  baseUrl: string,
  path: string,
  init: { method?: string; token?: string; headers?: Record<string, string>; body?: Uint8Array | string } = {},
): Promise<{ status: number; headers: Headers; json: any; text: string }> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers['authorization'] = `Bearer ${init.token}`;
  const res = await fetch(`${baseUrl}${path}`, { method: init.method ?? 'GET', headers, body: init.body as RequestInit['body'] });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** A token spec for tests (tokens must be >= 16 characters). */
export function token(name: string, scopes: TokenSpec['scopes'], tenant?: string): TokenSpec {
  return { token: `tok-${name}-0123456789abcdef`, scopes, tenant, name };
}

/**
 * A real store whose writes can be held or made to fail, like a slow or down server; with
 * `msPerRecord`, every write also takes that long per record.
 */
export async function controllableStore(url: string, msPerRecord = 0) {
  const store = await openStore(url);
  let release: () => void = () => undefined;
  let held: Promise<void> | undefined;
  let failing = false;
  const proxy: UsageStore = Object.create(store, {
    insert: {
      value: async (...args: Parameters<UsageStore['insert']>) => {
        if (held) await held;
        if (failing) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        if (msPerRecord > 0) await new Promise((r) => setTimeout(r, msPerRecord * args[0].length));
        return store.insert(...args);
      },
    },
  });
  return {
    store: proxy,
    real: store,
    hold: () => void (held = new Promise<void>((resolve) => (release = resolve))),
    release: () => (release(), (held = undefined)),
    fail: (on: boolean) => void (failing = on),
  };
}
