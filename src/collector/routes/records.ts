import type { Route } from '../collector-app.js';
import { parseQuery } from '../query-params.js';
import { scoped, sendPage } from '../read-scope.js';

/** GET /api/v1/records — usage records, newest first, filtered and paginated (limit ≤ 1000). */
export const recordsRoute: Route = {
  name: 'records',
  method: 'GET',
  path: '/api/v1/records',
  scope: 'read',
  async handle(ctx) {
    const { filter, limit, offset } = parseQuery(ctx.url, { defaultLimit: 100, maxLimit: 1000 });
    const rows = await ctx.deps.store.records(scoped(ctx, { ...filter, limit: limit + 1, offset }));
    sendPage(ctx.res, ctx.url, 'records', rows, limit, offset);
  },
};
