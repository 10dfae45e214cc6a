import { GROUP_BY_DIMENSIONS, type TopQuery } from '../../store/usage-store.js';
import type { Route } from '../collector-app.js';
import { HttpError } from '../http-util.js';
import { parseQuery } from '../query-params.js';
import { scoped, sendPage } from '../read-scope.js';

/** GET /api/v1/top?by=user&metric=costUsd&limit=10 — the largest keys of one dimension (`by=trace`: the costliest agent runs). */
export const topRoute: Route = {
  name: 'top',
  method: 'GET',
  path: '/api/v1/top',
  scope: 'read',
  async handle(ctx) {
    const { filter, limit, offset, extra } = parseQuery(ctx.url, { defaultLimit: 10, maxLimit: 1000 }, ['by', 'metric']);
    if (extra['by'] === undefined) throw new HttpError(400, `by is required: one of ${GROUP_BY_DIMENSIONS.join(', ')}`, {}, 'by');
    const query = { ...filter, by: extra['by'], metric: extra['metric'], limit: limit + 1, offset } as TopQuery;
    sendPage(ctx.res, ctx.url, 'rows', await ctx.deps.store.top(scoped(ctx, query)), limit, offset);
  },
};
