import type { Server } from 'node:http';
import { diag } from '@opentelemetry/api';
import type { IMetricReader } from '@opentelemetry/sdk-metrics';
import { warnOnce } from './warn-once.js';

type SdkMetrics = typeof import('@opentelemetry/sdk-metrics');
interface PrometheusReader extends IMetricReader {
  text(): Promise<string>;
}

/**
 * Collects for Prometheus: cumulative temporality and default aggregations, like the
 * exporter's own reader. Defined once the metrics SDK is loaded; the text serializer
 * (`@opentelemetry/exporter-prometheus`, with its own pinned copy of sdk-metrics) is loaded
 * on the first scrape.
 */
function newPrometheusReader(sdk: SdkMetrics): PrometheusReader {
  class Reader extends sdk.MetricReader implements PrometheusReader {
    #serializer: Promise<{ serialize(metrics: unknown): string }> | undefined;

    async text(): Promise<string> {
      this.#serializer ??= import('@opentelemetry/exporter-prometheus').then((m) => new m.PrometheusSerializer());
      const [{ resourceMetrics, errors }, serializer] = await Promise.all([this.collect(), this.#serializer]);
      if (errors.length) diag.error('genai-usage: metrics collection errors', ...errors);
      return serializer.serialize(resourceMetrics);
    }

    protected override async onForceFlush(): Promise<void> {}
    protected override async onShutdown(): Promise<void> {}
  }
  return new Reader();
}

/**
 * The Prometheus reader with our own server around it: it binds port 0 (tests), reports the
 * bound URL, and a taken port is said once on stderr, never thrown.
 */
export class PrometheusEndpoint {
  #reader: PrometheusReader | undefined;
  #buildMeterProvider: (() => unknown) | undefined;
  readonly #server: Server;
  readonly #path: string;
  readonly ready: Promise<string | undefined>;
  #settleReady: ((url: string | undefined) => void) | undefined;
  #pendingListen: NodeJS.Immediate | undefined;

  constructor(host: string, port: number, endpoint = '/metrics') {
    this.#path = endpoint.startsWith('/') ? endpoint : `/${endpoint}`;
    // Not `import … from 'node:http'`: the ESM facade of node:http reads every export, and its
    // lazy WebSocket exports load undici and start compiling its WebAssembly parser, which the
    // process then waits for at exit: ~20 ms of CPU at start and ~20 ms at exit, every process.
    const { createServer } = process.getBuiltinModule('node:http');
    this.#server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== this.#path) {
        res.statusCode = 404;
        res.end(`Not found; metrics are at ${this.#path}\n`);
        return;
      }
      if (!this.#reader) this.#buildMeterProvider?.();
      if (!this.#reader) {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('# metrics are not available: tracking is disabled or shut down\n');
        return;
      }
      this.#reader.text().then(
        (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`# failed to export metrics: ${err.message}\n`),
      );
    }).unref();
    this.ready = new Promise((resolve) => {
      this.#settleReady = resolve;
      this.#server.once('error', (err: NodeJS.ErrnoException) => {
        warnOnce(
          'GENAI_USAGE_PROMETHEUS_PORT',
          `genai-usage: Prometheus metrics are not served: ${host}:${port} ${err.code === 'EADDRINUSE' ? 'is already in use' : `failed (${err.message})`}. ` +
            'Pick another port with OTEL_EXPORTER_PROMETHEUS_PORT or the prometheus.port option (0 picks a free one), or turn the endpoint off with OTEL_METRICS_EXPORTER=none / prometheus: false. Usage is still recorded.',
          `prometheus ${host}:${port}`,
        );
        resolve(undefined);
      });
    });
    // On the next turn of the event loop: binding resolves the host and loads node:cluster
    // (~7 ms of CPU); a process that shuts tracking down before its first turn (a script, a
    // CLI command) never binds, and one that lives on is scraped a turn later.
    this.#pendingListen = setImmediate(() => {
      this.#pendingListen = undefined;
      try {
        this.#server.listen(port, host, () => {
          const address = this.#server.address();
          const bound = typeof address === 'object' && address ? address.port : port;
          const shownHost = host.includes(':') ? `[${host}]` : host;
          this.#settleReady?.(`http://${shownHost}:${bound}${this.#path}`);
        });
      } catch (err) {
        // Off the caller's stack now: a throw here would be the host app's uncaught exception.
        this.#server.emit('error', err);
      }
    });
  }

  /** The reader, built with the metrics SDK when the meter provider is (see `startOtelSdk`). */
  readonly createReader = (sdk: SdkMetrics): IMetricReader => {
    this.#reader = newPrometheusReader(sdk);
    return this.#reader;
  };

  /** How a scrape builds the meter provider when no call has yet. */
  bindMeterProvider(build: () => unknown): void {
    this.#buildMeterProvider = build;
  }

  /** Stops serving; a listen not yet started never happens (`ready` then resolves undefined). */
  close(): Promise<void> {
    if (this.#pendingListen) {
      clearImmediate(this.#pendingListen);
      this.#pendingListen = undefined;
      this.#settleReady?.(undefined);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      if (!this.#server.listening) {
        // Binding (host lookup) may still be under way: close once it is done, or failed.
        this.ready.then(() => (this.#server.listening ? this.close() : undefined)).then(() => resolve());
        return;
      }
      this.#server.closeAllConnections();
      this.#server.close(() => resolve());
    });
  }
}
