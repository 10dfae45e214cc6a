import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTOR_DEFAULTS } from '../../src/collector/collector-config.js';
import { genAiSpans, request, startTestCollector, tempDir, token, type TestCollector } from './harness.js';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';

// The OpenTelemetry Collector binary cannot be installed here: the file is checked
// structurally, and its exporter settings are replayed against the real genai-usage collector.
const config = parse(readFileSync(join(import.meta.dirname, '../../otel-collector.yaml'), 'utf8'));
const exporter = config.exporters['otlphttp/genai-usage'];

describe('otel-collector.yaml', () => {
  it('every pipeline references defined receivers, processors and exporters', () => {
    const pipelines = Object.entries(config.service.pipelines) as Array<[string, Record<string, string[]>]>;
    expect(pipelines.map(([name]) => name).sort()).toEqual(['metrics', 'traces/genai-usage']);
    for (const [name, pipeline] of pipelines) {
      expect(pipeline.receivers.length, name).toBeGreaterThan(0);
      expect(pipeline.exporters.length, name).toBeGreaterThan(0);
      for (const kind of ['receivers', 'processors', 'exporters'] as const) {
        for (const id of pipeline[kind] ?? []) expect(Object.keys(config[kind]), `${name} ${kind} ${id}`).toContain(id);
      }
      // memory_limiter must come first to protect the rest of the pipeline.
      expect(pipeline.processors?.[0], name).toBe('memory_limiter');
      // The signal type is the pipeline id's prefix.
      expect(['traces', 'metrics', 'logs']).toContain(name.split('/')[0]);
    }
    expect(config.receivers.otlp.protocols.grpc.endpoint).toMatch(/:4317$/);
    expect(config.receivers.otlp.protocols.http.endpoint).toMatch(/:4318$/);
    expect(config.service.pipelines.metrics.exporters).toEqual(['prometheus']);
  });

  it("the otlphttp exporter targets this collector's endpoint, path and protocol", () => {
    const url = new URL(exporter.traces_endpoint);
    expect(url.pathname).toBe('/v1/traces');
    expect(Number(url.port)).toBe(COLLECTOR_DEFAULTS.port);
    expect(exporter.encoding).toBe('proto');
    expect(exporter.compression).toBe('gzip');
    expect(exporter.headers.authorization).toBe('Bearer ${env:GENAI_USAGE_COLLECTOR_TOKEN}');
  });

  describe('what that exporter sends is accepted', () => {
    const tmp = tempDir('genai-usage-otelcol-');
    const ingest = token('otelcol', ['ingest']);
    let collector: TestCollector;
    beforeAll(async () => {
      collector = await startTestCollector(`sqlite:${join(tmp.dir, 'otelcol.db')}`, { tokens: [ingest] });
    });
    afterAll(async () => {
      await collector.close();
      tmp.cleanup();
    });

    it('the header with the env var substituted authenticates; the bare variable does not', async () => {
      const authorization = String(exporter.headers.authorization).replace('${env:GENAI_USAGE_COLLECTOR_TOKEN}', ingest.token);
      const body = JsonTraceSerializer.serializeRequest(genAiSpans([{ model: 'gpt-4o', input: 1, output: 1 }]))!;
      const path = new URL(exporter.traces_endpoint).pathname;
      const ok = await request(collector.url, path, { method: 'POST', body, headers: { authorization, 'content-type': 'application/json' } });
      expect(ok.status).toBe(200);
      const unset = await request(collector.url, path, { method: 'POST', body, headers: { authorization: 'Bearer ', 'content-type': 'application/json' } });
      expect(unset.status).toBe(401);
    });
  });
});
