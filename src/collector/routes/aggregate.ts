import type { AggregateQuery } from '../../store/usage-store.js';
import type { Route } from '../collector-app.js';
import { parseQuery } from '../query-params.js';
import { scoped, sendPage } from '../read-scope.js';

/**
 * GET /api/v1/aggregate?groupBy=model,user&bucket=day&... — totals grouped by any
 * dimensions and/or time bucket, every filter; paginated (limit ≤ 10000).
 */
export const aggregateRoute: Route = {
  name: 'aggregate',
  method: 'GET',
  path: '/api/v1/aggregate',
  scope: 'read',
  async handle(ctx) {
    const { filter, limit, offset, extra } = parseQuery(ctx.url, { defaultLimit: 1000, maxLimit: 10_000 }, ['groupBy', 'bucket']);
    // groupBy and bucket stay text here: the store validates them (a bad one is a 400 naming it).
    const query = { ...filter, groupBy: extra['groupBy'], bucket: extra['bucket'], limit: limit + 1, offset } as AggregateQuery;
    sendPage(ctx.res, ctx.url, 'rows', await ctx.deps.store.aggregate(scoped(ctx, query)), limit, offset);
  },
};
