import type { Route } from '../collector-app.js';
import { send, sendJson } from '../http-util.js';

/** GET /healthz — the process is up and serving HTTP. Open, for liveness probes. */
export const healthRoute: Route = {
  name: 'healthz',
  method: 'GET',
  path: '/healthz',
  async handle(ctx) {
    send(ctx.res, 200, 'text/plain', 'ok\n');
  },
};

/**
 * GET /readyz — ready to take spans: not shutting down and the store answered a trivial
 * query (cached for a second so a fast probe does not load the store); with a journal, not
 * shutting down and the journal not full (the store's state is reported). Open, for readiness probes.
 */
export const readyRoute: Route = {
  name: 'readyz',
  method: 'GET',
  path: '/readyz',
  async handle(ctx) {
    const { deps } = ctx;
    if (deps.state.draining) return sendJson(ctx.res, 503, { ready: false, reason: 'shutting down' });
    if (deps.config.journalDir) {
      // Behind a journal, ingest goes on through a store outage until the journal is full.
      if (deps.queue.depth() >= deps.config.maxQueueRecords) return sendJson(ctx.res, 503, { ready: false, reason: 'the ingest journal is full' });
      const problem = deps.queue.storeHealthy() ? await probeStore(deps.store) : 'the last store write failed';
      return sendJson(ctx.res, 200, problem ? { ready: true, store: `unavailable: ${problem}` } : { ready: true });
    }
    if (!deps.queue.storeHealthy()) return sendJson(ctx.res, 503, { ready: false, reason: 'the last store write failed' });
    const probe = await probeStore(deps.store);
    if (probe) return sendJson(ctx.res, 503, { ready: false, reason: `the store is unavailable: ${probe}` });
    sendJson(ctx.res, 200, { ready: true });
  },
};

let lastProbe: { at: number; store: unknown; error: string | undefined } | undefined;

async function probeStore(store: Parameters<Route['handle']>[0]['deps']['store']): Promise<string | undefined> {
  if (lastProbe && lastProbe.store === store && Date.now() - lastProbe.at < 1000) return lastProbe.error;
  let error: string | undefined;
  try {
    await store.records({ limit: 1 });
  } catch (e) {
    error = (e as Error).message;
  }
  lastProbe = { at: Date.now(), store, error };
  return error;
}
