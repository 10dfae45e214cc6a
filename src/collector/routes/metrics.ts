import type { Route } from '../collector-app.js';
import { send } from '../http-util.js';

/**
 * GET /metrics — the collector's own counters in the Prometheus text format. Needs the
 * `metrics` scope: the counts span every tenant.
 */
export const metricsRoute: Route = {
  name: 'metrics',
  method: 'GET',
  path: '/metrics',
  scope: 'metrics',
  async handle(ctx) {
    const { metrics, queue } = ctx.deps;
    send(ctx.res, 200, 'text/plain; version=0.0.4; charset=utf-8', metrics.render({ queueDepth: queue.depth(), storeUp: queue.storeHealthy() }));
  },
};
