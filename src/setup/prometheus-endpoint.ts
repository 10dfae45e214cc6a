import { createServer, type Server } from 'node:http';
import { diag } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';

/**
 * The Prometheus reader with our own server around it: unlike the exporter's built-in one it
 * binds port 0 (tests), reports the bound URL, and a taken port is logged, never thrown.
 */
export class PrometheusEndpoint {
  readonly reader = new PrometheusExporter({ preventServerStart: true });
  readonly #server: Server;
  readonly #path: string;
  readonly ready: Promise<string | undefined>;

  constructor(host: string, port: number, endpoint = '/metrics') {
    this.#path = endpoint.startsWith('/') ? endpoint : `/${endpoint}`;
    this.#server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === this.#path) this.reader.getMetricsRequestHandler(req, res);
      else {
        res.statusCode = 404;
        res.end(`Not found; metrics are at ${this.#path}\n`);
      }
    }).unref();
    this.ready = new Promise((resolve) => {
      this.#server.once('error', (err) => {
        diag.error(`genai-usage: Prometheus endpoint could not listen on ${host}:${port}; metrics are not served`, err);
        resolve(undefined);
      });
      this.#server.listen(port, host, () => {
        const address = this.#server.address();
        const bound = typeof address === 'object' && address ? address.port : port;
        const shownHost = host.includes(':') ? `[${host}]` : host;
        resolve(`http://${shownHost}:${bound}${this.#path}`);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.#server.listening) return resolve();
      this.#server.closeAllConnections();
      this.#server.close(() => resolve());
    });
  }
}
