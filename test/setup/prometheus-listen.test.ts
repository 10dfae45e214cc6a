import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { PrometheusEndpoint } from '../../src/setup/prometheus-endpoint.js';
import { freePort } from '../dashboards/prometheus-server.js';

/** True when nothing listens on the port (we can bind it ourselves). */
async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('Prometheus endpoint binding', () => {
  it('binds on the next turn of the event loop and reports its URL', async () => {
    const port = await freePort();
    const endpoint = new PrometheusEndpoint('127.0.0.1', port);
    expect(await endpoint.ready).toBe(`http://127.0.0.1:${port}/metrics`);
    expect(await portIsFree(port)).toBe(false);
    await endpoint.close();
    expect(await portIsFree(port)).toBe(true);
  });

  it('closed before its first turn, it never binds the port and ready resolves undefined', async () => {
    const port = await freePort();
    const endpoint = new PrometheusEndpoint('127.0.0.1', port);
    await endpoint.close();
    expect(await endpoint.ready).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await portIsFree(port)).toBe(true);
  });

  it('a listen that throws (a port no option check would pass) is warned about, not an uncaught exception', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const endpoint = new PrometheusEndpoint('127.0.0.1', 70_000);
      expect(await endpoint.ready).toBeUndefined();
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.some((w) => w.message.startsWith('genai-usage: Prometheus metrics are not served: 127.0.0.1:70000'))).toBe(true);
      await endpoint.close();
    } finally {
      process.off('warning', onWarning);
    }
  });
});
