import type { GroupByDimension, TopQuery } from '../../store/usage-store.js';
import type { Route } from '../collector-app.js';
import { HttpError } from '../http-util.js';
import { parseQuery } from '../query-params.js';
import { scoped, sendPage } from '../read-scope.js';

/** A ranked list of one dimension, largest first by `metric` (default costUsd). */
function ranked(name: string, path: string, by: GroupByDimension): Route {
  return {
    name,
    method: 'GET',
    path,
    scope: 'read',
    async handle(ctx) {
      const { filter, limit, offset, extra } = parseQuery(ctx.url, { defaultLimit: 50, maxLimit: 1000 }, ['metric']);
      const query = { ...filter, by, metric: extra['metric'], limit: limit + 1, offset } as TopQuery;
      sendPage(ctx.res, ctx.url, name, await ctx.deps.store.top(scoped(ctx, query)), limit, offset);
    },
  };
}

/** GET /api/v1/users — per-user totals, biggest spenders first. */
export const usersRoute = ranked('users', '/api/v1/users', 'user');
/** GET /api/v1/agents — per-agent totals. */
export const agentsRoute = ranked('agents', '/api/v1/agents', 'agent');
/** GET /api/v1/sessions — top sessions by usage. */
export const sessionsRoute = ranked('sessions', '/api/v1/sessions', 'session');

/**
 * GET /api/v1/sessions/:id — one session: its totals, per-model split and every call
 * (oldest first, paginated). 404 when the session has no records visible to the token.
 */
export const sessionDetailRoute: Route = {
  name: 'session',
  method: 'GET',
  path: '/api/v1/sessions/:id',
  scope: 'read',
  async handle(ctx) {
    const sessionId = ctx.params['id'] as string;
    const { filter, limit, offset } = parseQuery(ctx.url, { defaultLimit: 100, maxLimit: 1000 });
    const base = scoped(ctx, { ...filter, sessionId });
    const [totals] = await ctx.deps.store.aggregate(base);
    if (!totals || totals.requests === 0) throw new HttpError(404, `no records for session ${JSON.stringify(sessionId)}`);
    const byModel = await ctx.deps.store.aggregate({ ...base, groupBy: 'model' });
    const calls = await ctx.deps.store.records({ ...base, order: filter.order ?? 'asc', limit: limit + 1, offset });
    sendPage(ctx.res, ctx.url, 'calls', calls, limit, offset, { sessionId, totals, byModel });
  },
};

/** GET /api/v1/daily?from=30d&groupBy=model — spend and tokens per UTC day, oldest first. */
export const dailyRoute: Route = {
  name: 'daily',
  method: 'GET',
  path: '/api/v1/daily',
  scope: 'read',
  async handle(ctx) {
    const { filter, limit, offset, extra } = parseQuery(ctx.url, { defaultLimit: 366, maxLimit: 10_000 }, ['groupBy']);
    const query = { ...filter, groupBy: extra['groupBy'] as GroupByDimension | undefined, bucket: 'day' as const, limit: limit + 1, offset };
    sendPage(ctx.res, ctx.url, 'days', await ctx.deps.store.aggregate(scoped(ctx, query)), limit, offset);
  },
};
